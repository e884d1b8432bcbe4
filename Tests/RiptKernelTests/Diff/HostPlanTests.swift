@testable import RiptCore
import RiptDSL
@testable import RiptKernel
import Testing

/// The planner's hook layout, host-wide rules, policies and the move from
/// the old layout, on hand-made chain sets and kernel tables (no kernel):
/// every plan is replayed on a model of the table, as libiptc would run it.
@Suite struct HostPlanTests {
    static let key = FamilyTable(.ipv6, .filter)
    static let location = SourceLocation(file: "host.swift", line: 3, column: 5)

    static func host(_ n: Int, _ chain: String = Bootstrap.inputChain) -> Pointer {
        Pointer(family: .ipv6, table: .filter, chain: chain, rule: Rule(.ipv6, comment: "host: connection tracking (host.swift:\(n))", target: n % 2 == 0 ? .accept : .drop))
    }
    static func web(_ hash: String) -> String { "web-a\(hash)" }
    static func pointer(_ chain: String, in hook: String) -> Pointer {
        Pointer(family: .ipv6, table: .filter, chain: hook, rule: Rule(.ipv6, target: .jump(chain)))
    }
    static let rule = Rule(.ipv6, ipProtocol: .tcp, destinationPort: PortRange(22, 22), target: .accept)

    /// A partition `web` (undirected: one `a` chain pointed to from the three hook chains), with host settings when given.
    static func ruleset(hash: String = "111111", host: HostSettings? = nil, singleFile: Bool = false) -> CompiledRuleset {
        let chain = web(hash)
        var ruleset = CompiledRuleset(partitions: [
            ChainSet(
                partition: "web", hash: hash, location: location,
                chains: [Chain(family: .ipv6, table: .filter, name: chain, rules: [rule])],
                pointers: [Bootstrap.inputChain, Bootstrap.forwardChain, Bootstrap.outputChain].map { pointer(chain, in: $0) },
                raw: [], host: host)
        ])
        ruleset.isFromSingleFile = singleFile
        return ruleset.restricted(to: [.ipv6])
    }

    static func settings(input: Policy = .drop, forward: Policy = .drop, rules: [Pointer] = [host(2), host(3), host(4, Bootstrap.forwardChain)]) -> HostSettings {
        HostSettings(policies: [.ipv6: [.input: input, .forward: forward, .output: .accept]], rules: rules, location: location)
    }

    /// A model of a filter table: chains in order with their rules, and the built-in chains' policies.
    struct Model: Equatable {
        var chains: [String: [Rule]]
        var policies: [String: Policy]

        static func empty() -> Model {
            Model(chains: ["INPUT": [], "FORWARD": [], "OUTPUT": []], policies: ["INPUT": .accept, "FORWARD": .accept, "OUTPUT": .accept])
        }

        var kernel: KernelTable {
            let builtIns = ["INPUT", "FORWARD", "OUTPUT"]
            let order = builtIns + chains.keys.filter { !builtIns.contains($0) }.sorted()
            return KernelTable(HostPlanTests.key, chains: order.map { name in
                KernelChain(name: name, isBuiltIn: builtIns.contains(name), policy: policies[name]?.rawValue,
                            rules: KernelRules(chains[name]!.map { KernelRule(rule: $0, entry: nil) }))
            })
        }

        /// The operations run as libiptc would, or nil where it would refuse one.
        func replaying(_ operations: [Operation]) -> Model? {
            var model = self
            for operation in operations {
                switch operation {
                case .createChain(let chain):
                    guard model.chains[chain] == nil else { return nil }
                    model.chains[chain] = []
                case .append(let chain, let rule):
                    guard model.chains[chain] != nil else { return nil }
                    model.chains[chain]!.append(rule)
                case .insert(let chain, let position, let rule):
                    guard let rules = model.chains[chain], position <= rules.count else { return nil }
                    model.chains[chain]!.insert(rule, at: position)
                case .delete(let chain, let position, let kernelRule):
                    guard let rules = model.chains[chain], position < rules.count, rules[position] == kernelRule.rule else { return nil }
                    model.chains[chain]!.remove(at: position)
                case .deleteChain(let chain, let count):
                    guard model.chains[chain]?.count == count else { return nil }
                    model.chains[chain] = nil
                    let referenced = model.chains.values.joined().contains { if case .jump(chain) = $0.target { true } else { false } }
                    if referenced { return nil }
                case .setPolicy(let chain, let policy):
                    guard model.policies[chain] != nil else { return nil }
                    model.policies[chain] = policy
                }
            }
            return model
        }
    }

    static func plan(_ ruleset: CompiledRuleset, _ model: Model, _ goal: PlanRequest.Goal = .loadAndClean) -> (operations: [Operation], findings: [String]) {
        let plan = Planner.plan(ruleset, kernel: [key: model.kernel], request: PlanRequest(goal, scope: ruleset.scope))
        return (plan.operations(on: key), plan.findings)
    }

    /// What a fresh apply of `ruleset` gives.
    static func applied(_ ruleset: CompiledRuleset) throws -> Model {
        try #require(Model.empty().replaying(plan(ruleset, .empty()).operations))
    }

    @Test("a first apply makes partition-i, -f and -o, each built-in jumping to its own, with the host rules at their head before every pointer, and sets the policies with the marker in the same table plan")
    func firstApply() throws {
        let ruleset = Self.ruleset(host: Self.settings())
        let (operations, findings) = Self.plan(ruleset, .empty())
        #expect(findings.isEmpty)
        let model = try #require(Model.empty().replaying(operations))
        #expect(model.chains["INPUT"] == [Rule(.ipv6, target: .jump(Bootstrap.inputChain))])
        #expect(model.chains["FORWARD"] == [Rule(.ipv6, target: .jump(Bootstrap.forwardChain))])
        #expect(model.chains["OUTPUT"] == [Rule(.ipv6, target: .jump(Bootstrap.outputChain))])
        #expect(model.chains[Bootstrap.inputChain] == [Self.host(2).rule, Self.host(3).rule, Rule(.ipv6, target: .jump(Self.web("111111")))])
        #expect(model.chains[Bootstrap.forwardChain] == [Self.host(4).rule, Rule(.ipv6, target: .jump(Self.web("111111")))])
        #expect(model.chains[Bootstrap.outputChain] == [Rule(.ipv6, target: .jump(Self.web("111111")))])
        #expect(model.chains[Bootstrap.policyMarker] == [])
        #expect(model.chains[Bootstrap.legacyFilterChain] == nil)
        #expect(model.policies == ["INPUT": .drop, "FORWARD": .drop, "OUTPUT": .accept])
        // Only the policies that differ are set.
        #expect(operations.filter { if case .setPolicy = $0 { true } else { false } }.count == 2)
        let notes = Plan(tables: [TablePlan(Self.key, operations: operations)], findings: [], raw: []).notes
        #expect(notes == ["ip6tables filter: INPUT policy ACCEPT → DROP (from the rule files)", "ip6tables filter: FORWARD policy ACCEPT → DROP (from the rule files)"])
        let summary = PlanSummary(Plan(tables: [TablePlan(Self.key, operations: operations)], findings: [], raw: []), ruleset: ruleset)
        #expect(summary.policyChanges == 2 && summary.text(done: true).contains("2 policies set"))
    }

    @Test("in sync, host rules and policies included: nothing to do, nothing found")
    func inSync() throws {
        let ruleset = Self.ruleset(host: Self.settings())
        let (operations, findings) = Self.plan(ruleset, try Self.applied(ruleset))
        #expect(operations.isEmpty, "\(operations)")
        #expect(findings.isEmpty)
        // File scope too.
        let file = Self.ruleset(host: Self.settings(), singleFile: true)
        #expect(Self.plan(file, try Self.applied(ruleset)).operations.isEmpty)
    }

    @Test("a rule ript did not write in a hook chain is drift, a host rule is not; a changed host setting moves only host rules")
    func hostRulesAreRipts() throws {
        let ruleset = Self.ruleset(host: Self.settings())
        var model = try Self.applied(ruleset)
        model.chains[Bootstrap.inputChain]!.insert(Rule(.ipv6, target: .accept), at: 1)
        let (operations, findings) = Self.plan(ruleset, model)
        #expect(findings == ["ip6tables filter chain partition-i holds a rule ript did not write (rule 2); ript removes it"])
        #expect(model.replaying(operations) == (try Self.applied(ruleset)))

        // ConnectionTracking gone, policies kept: the host rules go, silently.
        let fewer = Self.ruleset(host: Self.settings(rules: []))
        let (removal, quiet) = Self.plan(fewer, try Self.applied(ruleset))
        #expect(quiet.isEmpty)
        #expect(removal.allSatisfy { if case .delete = $0 { true } else { false } } && removal.count == 3, "\(removal)")
        #expect((try Self.applied(ruleset)).replaying(removal) == (try Self.applied(fewer)))
    }

    @Test("a single file without the host partition leaves the host rules and policies as they are")
    func singleFileKeepsHostSettings() throws {
        let whole = Self.ruleset(host: Self.settings())
        let before = try Self.applied(whole)
        let file = Self.ruleset(hash: "222222", singleFile: true)
        let (operations, findings) = Self.plan(file, before)
        #expect(findings.isEmpty)
        let after = try #require(before.replaying(operations))
        #expect(after.policies == before.policies && after.chains[Bootstrap.policyMarker] == [])
        #expect(after.chains[Bootstrap.inputChain]?.prefix(2) == [Self.host(2).rule, Self.host(3).rule])
        #expect(after.chains[Bootstrap.inputChain]?.last == Rule(.ipv6, target: .jump(Self.web("222222"))))
    }

    @Test("policies gone from the rule files: ACCEPT put back where it is not, and the marker removed, in the same table plan as the rules")
    func policiesRemoved() throws {
        let before = try Self.applied(Self.ruleset(host: Self.settings()))
        let ruleset = Self.ruleset(hash: "333333")
        let (operations, findings) = Self.plan(ruleset, before)
        #expect(findings.isEmpty)
        let after = try #require(before.replaying(operations))
        #expect(after == (try Self.applied(ruleset)))
        #expect(after.policies == ["INPUT": .accept, "FORWARD": .accept, "OUTPUT": .accept])
        #expect(after.chains[Bootstrap.policyMarker] == nil)
        let notes = Plan(tables: [TablePlan(Self.key, operations: operations)], findings: [], raw: []).notes
        #expect(notes == ["ip6tables filter: INPUT policy DROP → ACCEPT (ript set it)", "ip6tables filter: FORWARD policy DROP → ACCEPT (ript set it)"])
        // Without the marker, policies are not ript's: a DROP someone set stays.
        var foreign = Model.empty()
        foreign.policies["INPUT"] = .drop
        #expect(foreign.replaying(Self.plan(ruleset, foreign).operations)?.policies["INPUT"] == .drop)
        // A single file does not speak for them.
        #expect(before.replaying(Self.plan(Self.ruleset(hash: "333333", singleFile: true), before).operations)?.policies["INPUT"] == .drop)
    }

    @Test("the old layout (partition-a jumped to from INPUT, FORWARD and OUTPUT) is replaced in the one filter plan that fills and jumps to the new hook chains; foreign rules stay; clean alone removes it only once the new hook chains exist")
    func migration() throws {
        let old = Self.web("000000")
        var before = Model.empty()
        before.chains["INPUT"] = [Rule(.ipv6, source: try IPNetwork.parse("2001:db8::1").get(), target: .drop), Rule(.ipv6, target: .jump("partition-a"))]
        before.chains["FORWARD"] = [Rule(.ipv6, target: .jump("partition-a"))]
        before.chains["OUTPUT"] = [Rule(.ipv6, target: .jump("partition-a"))]
        before.chains["partition-a"] = [Rule(.ipv6, target: .jump(old))]
        before.chains[old] = [Self.rule]
        let ruleset = Self.ruleset(host: Self.settings())
        let (operations, findings) = Self.plan(ruleset, before)
        #expect(findings.isEmpty)
        let after = try #require(before.replaying(operations), "\(operations)")
        var expected = try Self.applied(ruleset)
        // The new jump stands where the old one stood, after another program's rule.
        expected.chains["INPUT"]!.insert(before.chains["INPUT"]![0], at: 0)
        #expect(after == expected)
        let notes = Plan(tables: [TablePlan(Self.key, operations: operations)], findings: [], raw: []).notes
        #expect(notes.filter { $0.contains("partition-a") }.count == 1)

        // rules apply (no clean): the old partition's chain stays, unpointed, for clean.
        let loaded = try #require(before.replaying(Self.plan(ruleset, before, .load).operations))
        #expect(loaded.chains["partition-a"] == nil && loaded.chains[old] == [Self.rule])
        // Clean alone on the old layout changes nothing that is still pointed to.
        let cleaned = try #require(before.replaying(Self.plan(ruleset, before, .clean).operations))
        #expect(cleaned == before)

        // A single file: partition-a stays while it points to another partition's chain
        // (which would lose its pointer), and goes once nothing would.
        var other = before
        other.chains["db-a999999"] = [Self.rule]
        other.chains["partition-a"]!.append(Rule(.ipv6, target: .jump("db-a999999")))
        let file = Self.ruleset(singleFile: true)
        let kept = try #require(other.replaying(Self.plan(file, other).operations))
        #expect(kept.chains["partition-a"] != nil && kept.chains["INPUT"]!.contains(Rule(.ipv6, target: .jump("partition-a"))))
        #expect(kept.chains[Bootstrap.inputChain] == [Rule(.ipv6, target: .jump(Self.web("111111")))])
        let replaced = try #require(before.replaying(Self.plan(file, before).operations))
        #expect(replaced.chains["partition-a"] == nil && replaced.chains[old] == nil)
    }

    @Test("flush puts back ACCEPT where the marker says ript set the policies, and removes the marker, the old and the new hook chains; without the marker, policies stay")
    func flush() throws {
        var before = try Self.applied(Self.ruleset(host: Self.settings()))
        before.chains["partition-a"] = []
        before.chains["INPUT"]!.append(Rule(.ipv6, target: .jump("partition-a")))
        let operations = Planner.flush(table: before.kernel)
        let after = try #require(before.replaying(operations), "\(operations)")
        #expect(after == Model.empty())
        let notes = Plan(tables: [TablePlan(Self.key, operations: operations)], findings: [], raw: []).notes
        #expect(notes.contains("ip6tables filter: INPUT policy DROP → ACCEPT (ript set it)"))
        var unmarked = Model.empty()
        unmarked.policies["FORWARD"] = .drop
        #expect(Planner.flush(table: unmarked.kernel).isEmpty)
    }

    @Test("policy changes are commands, restore input and JSON")
    func rendered() {
        let plan = Plan(tables: [TablePlan(Self.key, operations: [.setPolicy(chain: "INPUT", policy: .drop)])], findings: [], raw: [])
        #expect(PlanRenderer.commands(plan) == "ip6tables --table filter --policy INPUT DROP\n")
        #expect(PlanRenderer.restoreInput(plan, family: .ipv6) == "*filter\n:INPUT DROP [0:0]\nCOMMIT\n")
        #expect(PlanRenderer.operation(.setPolicy(chain: "INPUT", policy: .drop)).text.contains("\"setPolicy\""))
    }
}

/// Rolling back policies: ript's (its marker existed before or exists now) go back exactly; others' are never touched.
@Suite struct PolicyRollbackTests {
    static func owned(marker: Bool, input: String) -> OwnedTable {
        OwnedTable(
            FamilyTable(.ipv4, .filter), chains: marker ? [(name: Bootstrap.policyMarker, entries: [])] : [], builtIns: [:],
            policies: ["INPUT": input, "FORWARD": "ACCEPT", "OUTPUT": "ACCEPT"])
    }

    @Test("an apply that set DROP and made the marker is rolled back to ACCEPT without it, and the other way round")
    func putBack() {
        #expect(RollbackPlanner.plan(from: Self.owned(marker: true, input: "DROP"), to: Self.owned(marker: false, input: "ACCEPT"))
            == [.deleteChain(Bootstrap.policyMarker), .setPolicy(chain: "INPUT", policy: "ACCEPT")])
        #expect(RollbackPlanner.plan(from: Self.owned(marker: false, input: "ACCEPT"), to: Self.owned(marker: true, input: "DROP"))
            == [.createChain(Bootstrap.policyMarker), .setPolicy(chain: "INPUT", policy: "DROP")])
    }

    @Test("policies ript never owned are left as another program set them")
    func othersStay() {
        #expect(RollbackPlanner.plan(from: Self.owned(marker: false, input: "DROP"), to: Self.owned(marker: false, input: "ACCEPT")).isEmpty)
    }
}
