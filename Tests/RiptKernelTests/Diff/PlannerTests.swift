import RiptCore
@testable import RiptKernel
import Testing

/// The planner's edit scripts, checked by replaying them.
@Suite struct EditScriptTests {
    static func rule(_ n: Int) -> Rule {
        Rule(.ipv4, destination: .v4(IPv4Network(address: UInt32(n), prefixLength: 32)), target: .accept)
    }

    static func kernelRule(_ n: Int) -> KernelRule {
        KernelRule(rule: rule(n), entry: KernelEntry(bytes: [UInt8(n & 0xFF)], targetName: "ACCEPT"))
    }

    /// Replays operations on a list of rules, as libiptc would.
    static func replay(_ operations: [Operation], on start: [Rule]) -> [Rule]? {
        var list = start
        for operation in operations {
            switch operation {
            case .append(_, let rule): list.append(rule)
            case .insert(_, let position, let rule):
                guard position <= list.count else { return nil }
                list.insert(rule, at: position)
            case .delete(_, let position, let kernelRule):
                guard position < list.count, list[position] == kernelRule.rule else { return nil }
                list.remove(at: position)
            case .createChain, .deleteChain, .setPolicy: return nil
            }
        }
        return list
    }

    @Test("replaying the edit script turns any list into the target, and leaves an equal list alone",
          arguments: 0..<200)
    func editScripts(_ seed: Int) throws {
        var generator = SeededGenerator(seed: UInt64(seed))
        let old = (0..<Int.random(in: 0...30, using: &generator)).map { _ in Int.random(in: 0...40, using: &generator) }
        var new = old
        for _ in 0..<Int.random(in: 0...6, using: &generator) {
            switch Int.random(in: 0...2, using: &generator) {
            case 0 where !new.isEmpty: new.remove(at: Int.random(in: 0..<new.count, using: &generator))
            case 1: new.insert(Int.random(in: 0...40, using: &generator), at: Int.random(in: 0...new.count, using: &generator))
            default: if !new.isEmpty { new[Int.random(in: 0..<new.count, using: &generator)] = Int.random(in: 0...40, using: &generator) }
            }
        }
        let operations = Planner.edit(chain: "c", from: KernelRules(old.map(Self.kernelRule)), to: new.map { .rule(Self.rule($0)) })
        let replayed = try #require(Self.replay(operations, on: old.map(Self.rule)), "invalid positions in \(operations)")
        #expect(replayed == new.map(Self.rule))
        if old == new { #expect(operations.isEmpty) }
        // Never more work than deleting all and inserting all.
        #expect(operations.count <= old.count + new.count)
    }

    @Test("a change in the middle of a long chain costs only the change")
    func localChange() {
        let old = Array(0..<10_000)
        var new = old
        new.replaceSubrange(5_000..<5_004, with: [20_001, 20_002, 20_003])
        let operations = Planner.edit(chain: "c", from: KernelRules(old.map(Self.kernelRule)), to: new.map { .rule(Self.rule($0)) })
        #expect(operations.count == 7)
        #expect(Self.replay(operations, on: old.map(Self.rule)) == new.map(Self.rule))
    }
}

/// A small deterministic generator (SplitMix64), so each seed is the same case every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
