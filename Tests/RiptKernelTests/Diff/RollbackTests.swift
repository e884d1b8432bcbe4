import RiptCore
@testable import RiptKernel
import Testing

/// Rolling back without a kernel: entries in saved form, and rollback plans
/// replayed on a model of a table.
@Suite struct RollbackTests {
    static let layout = EntryLayout.ipv4
    static let host = try! IPNetwork.parse("192.0.2.10").get()

    static func entry(_ rule: Rule) -> SavedEntry { SavedEntry(bytes: IPTCTable.entry(for: rule)) }
    static func accept(_ n: UInt32) -> SavedEntry {
        entry(Rule(.ipv4, destination: .v4(IPv4Network(address: 0xC000_0200 + n, prefixLength: 32)), target: .accept))
    }
    static func foreign(_ n: UInt32) -> SavedEntry {
        entry(Rule(.ipv4, source: .v4(IPv4Network(address: 0xC633_6400 + n, prefixLength: 32)), target: .drop))
    }
    static func jump(_ chain: String, _ n: UInt32? = nil) -> SavedEntry {
        entry(Rule(.ipv4, destination: n.map { .v4(IPv4Network(address: 0xCB00_7100 + $0, prefixLength: 32)) }, target: .jump(chain)))
    }

    @Test("an entry as the kernel gives it back (verdict by number, jump by offset, counters, comefrom, bytes after a name's NUL) is saved as the entry ript writes",
          arguments: [
            Rule(.ipv4, destination: host, ipProtocol: .tcp, destinationPort: PortRange(22, 22), target: .accept),
            Rule(.ipv4, destination: host, target: .drop),
            Rule(.ipv4, target: .log(.standard)),
            Rule(.ipv4, target: .reject(.portUnreachable)),
            Rule(.ipv4, target: .dnat(address: .v4(0xC0A8_0501), port: 22)),
            Rule(.ipv6, target: .snat(address: .v6(1))),
            Rule(.ipv6, ipProtocol: .udp, destinationPort: PortRange(53, 53), target: .accept),
            Rule(.ipv4, destination: host, target: .jump("web-a1b2c3d")),
            Rule(.ipv6, target: .jump("partition-a")),
          ])
    func savedForm(_ rule: Rule) throws {
        let layout = EntryLayout.of(rule.family)
        var kernel: [UInt8]
        let targetName: String
        if case .jump(let chain) = rule.target {
            kernel = IPTCTable.entry(for: rule)
            let targetOffset = kernel.withUnsafeBytes { layout.targetOffset($0.baseAddress!) }
            for index in (targetOffset + 2)..<(targetOffset + 31) { kernel[index] = 0 }
            kernel.withUnsafeMutableBytes { $0.storeBytes(of: Int32(4096), toByteOffset: targetOffset + 32, as: Int32.self) }
            targetName = chain
        } else {
            kernel = try #require(IPTCTable.kernelEntries(for: [rule]))
            targetName = EntryLayoutTests.targetName(rule.target)
        }
        for index in layout.comefromAt..<layout.size { kernel[index] = 0xAB }
        let targetOffset = kernel.withUnsafeBytes { layout.targetOffset($0.baseAddress!) }
        if kernel[targetOffset + 2] != 0 { kernel[targetOffset + 30] = 0xCD }  // after the name's NUL
        let saved = kernel.withUnsafeBytes { SavedEntry(kernel: $0, targetName: targetName, layout: layout) }
        #expect(saved.bytes == IPTCTable.entry(for: rule))
    }

    /// A table as a rollback sees it: user chains (ript's and others') and
    /// built-in chains with every rule, ript's and others'.
    struct Model: Equatable {
        var chains: [String: [SavedEntry]]
        var builtIns: [String: [SavedEntry]]

        func owned() -> OwnedTable {
            let ripts = chains.keys.filter { Ownership.owns($0, in: .filter) }.sorted().map { (name: $0, entries: chains[$0]!) }
            var saved: [String: SavedBuiltIn] = [:]
            for (name, entries) in builtIns {
                var chain = SavedBuiltIn()
                for (position, entry) in entries.enumerated() {
                    let target = entry.bytes.withUnsafeBytes { IPTCTable.targetName(of: $0, family: .ipv4) }
                    if Ownership.owns(target, in: .filter) {
                        chain.hooks.append(SavedHook(entry: entry, position: position, foreignBefore: chain.foreignRules))
                    } else {
                        chain.foreignRules += 1
                    }
                }
                saved[name] = chain
            }
            return OwnedTable(FamilyTable(.ipv4, .filter), chains: ripts, builtIns: saved, otherChains: Array(chains.keys))
        }

        /// The operations applied as libiptc would, or nil where it would refuse.
        func replaying(_ operations: [RollbackOperation]) -> Model? {
            var model = self
            func edit(_ chain: String, _ body: (inout [SavedEntry]) -> Bool) -> Bool {
                if model.builtIns[chain] != nil { return body(&model.builtIns[chain]!) }
                if model.chains[chain] != nil { return body(&model.chains[chain]!) }
                return false
            }
            for operation in operations {
                let done: Bool
                switch operation {
                case .createChain(let chain):
                    done = model.chains[chain] == nil
                    model.chains[chain] = []
                case .append(let chain, let entry):
                    done = edit(chain) { $0.append(entry); return true }
                case .insert(let chain, let position, let entry):
                    done = edit(chain) { entries in
                        guard position <= entries.count else { return false }
                        entries.insert(entry, at: position)
                        return true
                    }
                case .delete(let chain, let position, let entry):
                    done = edit(chain) { entries in
                        guard position < entries.count, entries[position] == entry else { return false }
                        entries.remove(at: position)
                        return true
                    }
                case .empty(let chain, let count):
                    done = model.chains[chain]?.count == count
                    model.chains[chain] = []
                case .setPolicy:
                    done = false  // no policies in this model
                case .deleteChain(let chain):
                    // Only an empty chain nothing jumps to.
                    let referenced = (Array(model.chains.values) + Array(model.builtIns.values)).joined().contains {
                        $0.bytes.withUnsafeBytes { IPTCTable.targetName(of: $0, family: .ipv4) } == chain
                    }
                    done = model.chains[chain] == [] && !referenced
                    model.chains[chain] = nil
                }
                if !done { return nil }
            }
            return model
        }
    }

    static let before = Model(
        chains: [
            "DOCKER": [foreign(1)],
            "partition-a": [jump("web-a111111", 1), jump("db-a222222", 2)],
            "web-a111111": [accept(1), accept(2)],
            "db-a222222": [accept(3)],
        ],
        builtIns: ["INPUT": [foreign(2), jump("partition-a"), foreign(3)], "FORWARD": [jump("partition-a"), jump("DOCKER")], "OUTPUT": [jump("partition-a")]])

    @Test("rolling back an apply that replaced a partition and removed another gives back exactly the state before it")
    func afterAnApply() throws {
        var after = Self.before
        after.chains["web-a111111"] = nil
        after.chains["db-a222222"] = nil
        after.chains["web-a333333"] = [Self.accept(1), Self.accept(4)]
        after.chains["partition-a"] = [Self.jump("web-a333333", 1)]
        let operations = RollbackPlanner.plan(from: after.owned(), to: Self.before.owned())
        #expect(after.replaying(operations) == Self.before, "\(operations)")
        #expect(!operations.contains { if case .insert(let chain, _, _) = $0 { chain == "INPUT" } else { false } })
        #expect(RollbackPlanner.plan(from: Self.before.owned(), to: Self.before.owned()).isEmpty)
    }

    @Test("rolling back to an empty kernel removes the bootstrap and every chain, and only them")
    func toNothing() throws {
        let empty = Model(chains: ["DOCKER": [Self.foreign(1)]], builtIns: ["INPUT": [Self.foreign(2), Self.foreign(3)], "FORWARD": [Self.jump("DOCKER")], "OUTPUT": []])
        var after = Self.before
        after.builtIns["INPUT"] = [Self.jump("partition-a"), Self.foreign(2), Self.foreign(3)]
        let operations = RollbackPlanner.plan(from: after.owned(), to: empty.owned())
        #expect(after.replaying(operations) == empty, "\(operations)")
    }

    @Test("what other programs changed meanwhile stays: their rules, and where they moved ript's jumps")
    func othersChangesStay() throws {
        var after = Self.before
        after.chains["web-a111111"] = nil
        after.chains["web-a333333"] = [Self.accept(4)]
        after.chains["partition-a"] = [Self.jump("web-a333333", 1), Self.jump("db-a222222", 2)]
        // Meanwhile another program inserted a rule first in INPUT and FORWARD, and added to DOCKER.
        after.builtIns["INPUT"]!.insert(Self.foreign(9), at: 0)
        after.builtIns["FORWARD"]!.insert(Self.foreign(9), at: 0)
        after.chains["DOCKER"]!.append(Self.foreign(8))
        let operations = RollbackPlanner.plan(from: after.owned(), to: Self.before.owned())
        var expected = Self.before
        expected.builtIns = after.builtIns
        expected.chains["DOCKER"] = after.chains["DOCKER"]
        #expect(after.replaying(operations) == expected, "\(operations)")
    }

    @Test("ript's jumps removed from the built-in chains go back among the other rules where they stood")
    func hooksPutBack() throws {
        var after = Self.before
        after.builtIns["INPUT"] = [Self.foreign(2), Self.foreign(3)]
        after.builtIns["OUTPUT"] = []
        after.builtIns["FORWARD"] = [Self.jump("DOCKER"), Self.jump("partition-a", 7)]
        let operations = RollbackPlanner.plan(from: after.owned(), to: Self.before.owned())
        #expect(after.replaying(operations) == Self.before, "\(operations)")
        // The same jumps, moved by another program's insert: left where they are.
        after.builtIns["FORWARD"] = [Self.jump("DOCKER"), Self.jump("partition-a")]
        let moved = RollbackPlanner.plan(from: after.owned(), to: Self.before.owned())
        #expect(after.replaying(moved)?.builtIns["FORWARD"] == after.builtIns["FORWARD"])
    }

    @Test("refilling a chain keeps its common head and tail and gives back the saved entries in order", arguments: 0..<200)
    func refill(_ seed: Int) throws {
        var generator = SeededGenerator(seed: UInt64(seed) &+ 7919)
        let old = (0..<Int.random(in: 0...12, using: &generator)).map { _ in Self.accept(UInt32.random(in: 0...6, using: &generator)) }
        let new = (0..<Int.random(in: 0...12, using: &generator)).map { _ in Self.accept(UInt32.random(in: 0...6, using: &generator)) }
        let model = Model(chains: ["web-a111111": old], builtIns: [:])
        let operations = RollbackPlanner.refill("web-a111111", from: old, to: new)
        #expect(model.replaying(operations)?.chains["web-a111111"] == new)
        #expect(old != new || operations.isEmpty)
    }
}
