import Foundation
import RiptCore
@testable import RiptKernel
import Testing

/// The summary line's counts: each operation belongs to a partition, a stale chain, or the bootstrap.
@Suite struct PlanSummaryTests {
    static let ruleset: CompiledRuleset = {
        // This file is Tests/RiptKernelTests/Diff/PlanSummaryTests.swift.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return try! Pipeline.compile(path: root.appendingPathComponent("examples/dual-stack.swift").path)
    }()

    static func accept(_ family: Family = .ipv4) -> Rule { Rule(family, target: .accept) }
    static func jump(_ chain: String, _ family: Family = .ipv4) -> Rule { Rule(family, target: .jump(chain)) }

    @Test("chains created or edited, and pointers added or removed, count their partition once; pointers to chains deleted here go with them; the rest is bootstrap")
    func attribution() throws {
        let chainSet = try #require(Self.ruleset.partitions.first)
        let filter = try #require(chainSet.chains.first { $0.family == .ipv4 && $0.table == .filter }).name
        let nat = try #require(chainSet.chains.first { $0.family == .ipv6 && $0.table == .nat }).name
        let plan = Plan(
            tables: [
                TablePlan(FamilyTable(.ipv4, .filter), operations: [
                    .createChain("partition-a"),
                    .insert(chain: "INPUT", position: 0, rule: Self.jump("partition-a")),
                    .append(chain: filter, rule: Self.accept()),
                    .insert(chain: "partition-a", position: 0, rule: Self.jump(filter)),
                    .delete(chain: "partition-a", position: 1, rule: KernelRule(rule: Self.jump("old-a123456"), entry: nil)),
                    .deleteChain("old-a123456", rules: 3),
                    // A rule ript could not read, removed from its hook chain: bootstrap.
                    .delete(chain: "partition-a", position: 4, rule: KernelRule(rule: nil, entry: KernelEntry(bytes: [1], targetName: "ACCEPT"))),
                ]),
                TablePlan(FamilyTable(.ipv6, .nat), operations: [
                    .delete(chain: nat, position: 0, rule: KernelRule(rule: Self.accept(.ipv6), entry: nil)),
                    .deleteChain("old-d123456", rules: 0),
                ]),
            ],
            findings: [], raw: [])
        let summary = PlanSummary(plan, ruleset: Self.ruleset)
        #expect(summary == PlanSummary(partitionsChanged: [chainSet.partition], staleChainsRemoved: 2, bootstrapChanges: 3))
        #expect(summary.text(done: true) == "1 partition changed, 2 stale chains removed, 3 bootstrap changes")
        #expect(summary.text(done: false) == "1 partition to change, 2 stale chains to remove, 3 bootstrap changes to make")
    }

    @Test("an empty plan reads 'nothing changed' when done and 'in sync' as a diff")
    func empty() {
        let summary = PlanSummary(Plan(tables: [TablePlan(FamilyTable(.ipv4, .filter), operations: [])], findings: [], raw: []), ruleset: Self.ruleset)
        #expect(summary.isEmpty)
        #expect(summary.text(done: true) == "nothing changed")
        #expect(summary.text(done: false) == "in sync")
    }
}
