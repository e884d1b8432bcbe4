import RiptCore
import RiptSupport

/// Stage 5, diff: compiled chain sets against the kernel's tables.
///
/// This folder plans: `Planner` makes a `Plan` (`Plan.swift`) from the
/// compiled rule files and the tables as read, its chain edits in
/// `EditScript.swift` and the filter policies it owns in `PolicyPlan.swift`;
/// `PlanRenderer` and `PlanSummary` say what it does; `RollbackPlanner`
/// plans putting back what ript owned at a checkpoint, and
/// `RollbackRenderer` says how.
///
/// The filter hook chains are `partition-i`, `-f` and `-o`, each jumped to
/// from its own built-in chain; an earlier ript's `partition-a` (jumped to
/// from all three) is removed, with its jumps, in the filter commit that
/// fills the new ones, so traffic meets the old layout or the new one.
public enum Planner {
    /// Plans the tables in `kernel` (those of `ruleset.families` that were read).
    public static func plan(_ ruleset: CompiledRuleset, kernel: [FamilyTable: KernelTable], request: PlanRequest) -> Plan {
        plan(Context(ruleset, request: request), kernel: kernel)
    }

    /// The same with what was worked out of the rule files once (an apply
    /// plans, perhaps re-plans, and verifies with one context).
    public static func plan(_ context: Context, kernel: [FamilyTable: KernelTable]) -> Plan {
        let context = context.reading(kernel)
        // The tables are planned on every core: each one's plan reads only
        // the shared context and its own table.
        let planned = context.request.tableOrder(context.ruleset.families).filter { kernel[$0] != nil }.concurrentMap { key in
            plan(table: kernel[key]!, context: context)
        }
        // Raw lines go in once, when the partition's chains are first made.
        let raw = context.request.loads ? context.ruleset.partitions.filter { !$0.raw.isEmpty && !Context.rawLinesLoaded($0, kernel: kernel) } : []
        return Plan(tables: planned.map(\.plan), findings: planned.flatMap(\.findings), raw: raw)
    }

    /// One table's plan and what was found in it, when `context` can plan
    /// tables apart (`plansTablesApart`): for an apply, each family's
    /// tables as soon as they are read, and each committed table as soon
    /// as it is read back.
    public static func plan(table kernel: KernelTable, context: Context) -> (plan: TablePlan, findings: [String]) {
        precondition(context.loaded != nil || context.request.loads || !context.request.cleans, "a clean alone plans all tables at once")
        var findings: [String] = []
        let operations = plan(table: kernel, context: context, findings: &findings)
        return (TablePlan(kernel.key, operations: operations), findings)
    }

    /// What a plan needs to know of the rule files, worked out once, and
    /// across tables.
    public struct Context: Sendable {
        let ruleset: CompiledRuleset
        let request: PlanRequest
        /// Each current partition's place in `ruleset.partitions` (the first, for a name given twice).
        let current: [String: Int]
        /// The current partitions' chain names in each family.
        let currentChains: [Family: Set<String>]
        /// What the one partition with host-wide settings sets (the first,
        /// were there more), or nil: then ript sets no policies and puts no
        /// host-wide rules at the head of the filter hook chains.
        let host: HostSettings?
        /// Partitions whose current chains all exist (or will, in this apply):
        /// only then may a clean alone remove their older versions. Read
        /// from all tables at once (`reading`), and only for a clean alone:
        /// for the rest, nil.
        private(set) var loaded: Set<String>?

        public init(_ ruleset: CompiledRuleset, request: PlanRequest) {
            self.ruleset = ruleset
            self.request = request
            // One pass, by index: chain sets are large values, and iterating copies each one.
            var current: [String: Int] = [:], currentChains: [Family: Set<String>] = [:]
            var host: HostSettings?
            current.reserveCapacity(ruleset.partitions.count)
            let partitions = ruleset.partitions
            for partition in partitions.indices {
                let name = partitions[partition].partition
                if current[name] == nil { current[name] = partition }
                if host == nil { host = partitions[partition].host }
                let chains = partitions[partition].chains
                for index in chains.indices {
                    currentChains[chains[index].family, default: []].insert(chains[index].name)
                }
            }
            self.current = current
            self.currentChains = currentChains
            self.host = host
        }

        /// Whether each table can be planned apart from the others: an
        /// apply with no raw lines in its rule files. (A clean alone asks
        /// all tables which partitions are loaded; raw lines, whether the
        /// IPv4 tables have a partition's chains.)
        public var plansTablesApart: Bool {
            request.loads && !ruleset.partitions.contains { !$0.raw.isEmpty }
        }

        /// With what the kernel's tables say across tables, where the request needs it.
        func reading(_ kernel: [FamilyTable: KernelTable]) -> Context {
            guard request.cleans && !request.loads else { return self }
            var context = self
            context.loaded = []
            let partitions = ruleset.partitions
            for partition in partitions.indices {
                let chains = partitions[partition].chains
                if chains.indices.allSatisfy({ Self.exists(chains[$0], in: kernel) }) { context.loaded!.insert(partitions[partition].partition) }
            }
            return context
        }

        /// Whether `chain` is in the kernel, in its own family and table.
        static func exists(_ chain: Chain, in kernel: [FamilyTable: KernelTable]) -> Bool {
            kernel[FamilyTable(chain.family, chain.table)]?.chain(chain.name) != nil
        }

        /// Whether a partition's raw lines (iptables lines) are in: its
        /// iptables chains exist. Only IPv4's count, so `--family 4` and a
        /// later apply of both families give them once.
        static func rawLinesLoaded(_ chainSet: ChainSet, kernel: [FamilyTable: KernelTable]) -> Bool {
            chainSet.chains.lazy.filter { $0.family == .ipv4 }.allSatisfy { Self.exists($0, in: kernel) }
        }

        /// Gives `body` every partition's pointer in a family's hook chain,
        /// in compiled order, without copying them; stops (false) as soon
        /// as `body` returns false.
        func forEachPointer(in hook: String, _ family: Family, _ body: (Rule) -> Bool) -> Bool {
            // Through the buffer: an array's subscript copied each chain set to call it.
            ruleset.partitions.withUnsafeBufferPointer { partitions in
                for partition in partitions.indices {
                    guard partitions[partition].forEachPointer(in: hook, family, body) else { return false }
                }
                return true
            }
        }

        /// Gives `body` the host-wide rules at the head of a family's hook
        /// chain, in order; stops (false) as soon as `body` returns false.
        func forEachHostRule(in hook: String, _ family: Family, _ body: (Rule) -> Bool) -> Bool {
            guard let rules = host?.rules else { return true }
            for index in rules.indices where rules[index].family == family && rules[index].chain == hook {
                guard body(rules[index].rule) else { return false }
            }
            return true
        }

        /// Whether a hook chain holds exactly the host-wide rules, then every
        /// partition's pointers, in compiled order.
        func holdsExactlyThePointers(_ existing: KernelRules, in hook: String, _ family: Family) -> Bool {
            func each(_ body: (Rule) -> Bool) -> Bool {
                forEachHostRule(in: hook, family, body) && forEachPointer(in: hook, family, body)
            }
            var count = 0
            _ = each { _ in
                count += 1
                return true
            }
            return existing.areExactly(count: count, each)
        }

        /// Whether this plan puts the host-wide rules in place: loading, from
        /// a directory (which holds every partition, so no host settings
        /// means none) or from a file with the partition that has them.
        var placesHostRules: Bool {
            request.loads && (request.scope == .directory || host != nil)
        }

        func inScope(_ partition: String) -> Bool {
            request.scope == .directory || current[partition] != nil
        }

        /// A stale chain clean may remove: an older version of a loaded
        /// partition, or (in directory scope) a partition no longer in PATH.
        func isCurrent(_ name: String, in family: Family) -> Bool {
            currentChains[family]?.contains(name) ?? false
        }

        /// An older version's chain, or one of a family the partition no
        /// longer has rules in (say, its IPv6 rules were removed).
        func isStale(_ chain: ChainName, name: String, family: Family) -> Bool {
            guard request.cleans, !isCurrent(name, in: family), inScope(chain.partition) else { return false }
            if current[chain.partition] == nil || request.loads { return true }
            guard let loaded else { preconditionFailure("a clean alone plans with the loaded partitions read from every table") }
            return loaded.contains(chain.partition)
        }
    }

    static func plan(table kernel: KernelTable, context: Context, findings: inout [String]) -> [Operation] {
        let table = kernel.table, family = kernel.family
        var operations: [Operation] = []
        let request = context.request

        if request.loads {
            for hook in Ownership.hookChains(in: table) where kernel.chain(hook) == nil {
                operations.append(.createChain(hook))
            }
            // By index: chain sets and rules are large values, and iterating copies each one.
            let partitions = context.ruleset.partitions
            for partition in partitions.indices {
                let chains = partitions[partition].chains
                for index in chains.indices where chains[index].table == table && chains[index].family == family {
                    let chain = chains[index]
                    guard let existing = kernel.chain(chain.name) else {
                        operations.append(.createChain(chain.name))
                        operations += chain.rules.map { .append(chain: chain.name, rule: $0) }
                        continue
                    }
                    // Nearly always identical: check that before building an edit.
                    if existing.rules.areExactly(chain.rules) { continue }
                    let repair = edit(chain: chain.name, from: existing.rules, to: chain.rules.map(Key.rule))
                    if !repair.isEmpty {
                        findings.append("\(kernel.key) chain \(chain.name) was changed by hand; ript restores it from the rule files")
                    }
                    operations += repair
                }
            }
        }

        for hook in Ownership.hookChains(in: table) {
            let existing = kernel.chain(hook)?.rules ?? KernelRules([])
            // In sync, the common case: a directory's hook chain holds exactly
            // every partition's pointers in order, so nothing is stale,
            // foreign or out of place.
            if request.loads && request.scope == .directory && context.holdsExactlyThePointers(existing, in: hook, family) { continue }
            let target = hookTarget(hook, in: kernel.key, existing: existing, context: context, findings: &findings)
            operations += edit(chain: hook, from: existing, to: target)
        }

        // The old layout goes in the commit that fills and jumps to the new one.
        let legacy = table == .filter ? kernel.chain(Bootstrap.legacyFilterChain) : nil
        let replacesLegacy = legacy.map { replaces($0, in: kernel, context: context) } ?? false
        if let legacy, replacesLegacy {
            operations += removingJumps(to: [Bootstrap.legacyFilterChain], in: kernel)
            operations.append(.deleteChain(legacy.name, rules: legacy.rules.count))
        }

        if request.loads {
            for hook in Bootstrap.hooks(family) where hook.table == table {
                let jump = Bootstrap.jump(hook)
                let rules = kernel.chain(hook.builtIn)?.rules ?? KernelRules([])
                if !rules.contains(where: { $0.rule == jump }) {
                    // Where the old layout's jump stood (deleted above), among other programs' rules; else first.
                    let old = replacesLegacy ? rules.firstIndex { if case .jump(Bootstrap.legacyFilterChain)? = $0.rule?.target { true } else { false } } : nil
                    operations.append(.insert(chain: hook.builtIn, position: old ?? 0, rule: jump))
                }
            }
        }

        if request.cleans {
            // Chains the old layout's hook chain still points to stay while it does.
            let pointedTo: Set<String> = legacy.map { legacy in
                replacesLegacy ? [] : Set(legacy.rules.compactMap { rule in if case .jump(let chain)? = rule.rule?.target { chain } else { nil } })
            } ?? []
            for chain in kernel.chains where !pointedTo.contains(chain.name) {
                guard let owned = Ownership.partitionChain(chain.name, in: table), context.isStale(owned, name: chain.name, family: family) else { continue }
                operations.append(.deleteChain(chain.name, rules: chain.rules.count))
            }
        }

        if request.loads && table == .filter {
            operations += policies(kernel, context: context)
        }
        return operations
    }

    /// Removing everything ript owns and nothing else: its hook jumps in the
    /// built-in chains, its hook chains, and every partition chain. nat first.
    public static func flush(kernel: [FamilyTable: KernelTable]) -> Plan {
        Plan(tables: FamilyTable.tables([.nat, .filter], of: Family.allCases).compactMap { key in
            kernel[key].map { TablePlan(key, operations: flush(table: $0)) }
        }, findings: [], raw: [])
    }

    /// One table's part of `flush`: the jumps, the policies ript set (put
    /// back to ACCEPT where its marker says it owns them), then its chains.
    public static func flush(table kernel: KernelTable) -> [Operation] {
        let bootstrap = Ownership.bootstrapChains(in: kernel.table)
        var operations = removingJumps(to: Set(bootstrap), in: kernel)
        if kernel.table == .filter, kernel.chain(Bootstrap.policyMarker) != nil {
            operations += acceptPolicies(kernel)
        }
        // Hook chains first: emptying them removes every jump into partition chains.
        for chain in kernel.chains where bootstrap.contains(chain.name) {
            operations.append(.deleteChain(chain.name, rules: chain.rules.count))
        }
        for chain in kernel.chains where Ownership.partitionChain(chain.name, in: kernel.table) != nil {
            operations.append(.deleteChain(chain.name, rules: chain.rules.count))
        }
        return operations
    }

    /// Whether this plan removes the old layout's hook chain `partition-a`:
    /// when nothing it points to would lose its pointer. An apply of a
    /// directory always (the new hook chains get every partition's pointers
    /// in the same commit); otherwise only when each chain it points to is
    /// pointed to from the new hook chains already, gets pointers there in
    /// this plan, or is stale.
    static func replaces(_ legacy: KernelChain, in kernel: KernelTable, context: Context) -> Bool {
        let request = context.request, family = kernel.family
        if request.loads && request.scope == .directory { return true }
        var reachable = Set<String>()
        for hook in Ownership.hookChains(in: kernel.table) {
            for kernelRule in kernel.chain(hook)?.rules ?? [] {
                if case .jump(let chain)? = kernelRule.rule?.target { reachable.insert(chain) }
            }
        }
        return legacy.rules.allSatisfy { kernelRule in
            guard case .jump(let chain)? = kernelRule.rule?.target, let owned = Ownership.partitionChain(chain, in: kernel.table) else { return true }
            return reachable.contains(chain) || (request.loads && context.isCurrent(chain, in: family)) || context.isStale(owned, name: chain, family: family)
        }
    }

    /// Deletes every jump in the built-in chains to one of `chains`, first
    /// to last, each at its position when it runs.
    static func removingJumps(to chains: Set<String>, in kernel: KernelTable) -> [Operation] {
        var operations: [Operation] = []
        for chain in kernel.chains where chain.isBuiltIn {
            var position = 0
            for kernelRule in chain.rules {
                if let rule = kernelRule.rule, case .jump(let target) = rule.target, chains.contains(target) {
                    operations.append(.delete(chain: chain.name, position: position, rule: kernelRule))
                } else {
                    position += 1
                }
            }
        }
        return operations
    }

    // MARK: Hook chains

    /// What a hook chain should hold. Directory scope: every partition's
    /// pointers in compiled order (so apply + clean gives the same chain from
    /// any history), each followed by its older versions' pointers until
    /// they are cleaned. File scope: a partition's pointers where its old
    /// ones were, or at the end; other partitions' stay where they are.
    /// Either way the host-wide rules (`HostSettings.rules`) come first, when
    /// the rule files speak for them (`placesHostRules`); otherwise the
    /// host rules in the chain stay where they are. Other rules ript did not
    /// write are drift: apply removes and reports them.
    static func hookTarget(_ hook: String, in kernelTable: FamilyTable, existing: KernelRules, context: Context, findings: inout [String]) -> [Key] {
        let request = context.request, table = kernelTable.table
        var stalePointers: [String: [Key]] = [:]
        var removedPointers: [Key] = []
        var outOfScope: [Int: Key] = [:]
        var firstPosition: [String: Int] = [:]

        // Keys (copies of whole rules) are made only for the rules kept as
        // they are: in sync, nearly every pointer is re-placed from the rule files.
        for (index, kernelRule) in existing.enumerated() {
            // A pointer jumps to a partition chain in its own table.
            guard let rule = kernelRule.rule, case .jump(let chain) = rule.target,
                let owned = Ownership.partitionChain(chain, in: table)
            else {
                if let rule = kernelRule.rule, Ownership.isHostRule(rule) {
                    // ript's own: put (back) at the head from the rule files,
                    // or kept where it is when they don't speak for it.
                    if !context.placesHostRules { outOfScope[index] = .kernel(kernelRule, index) }
                    continue
                }
                if request.loads {
                    findings.append("\(kernelTable) chain \(hook) holds a rule ript did not write (rule \(index + 1)); ript removes it")
                } else {
                    outOfScope[index] = .kernel(kernelRule, index)
                }
                continue
            }
            if request.scope == .file && firstPosition[owned.partition] == nil { firstPosition[owned.partition] = index }
            if context.isCurrent(chain, in: kernelTable.family) { continue }  // re-placed from the rule files below
            if context.current[owned.partition] != nil {
                if !context.isStale(owned, name: chain, family: kernelTable.family) {
                    stalePointers[owned.partition, default: []].append(.kernel(kernelRule, index))
                }
            } else if context.inScope(owned.partition) {
                if !context.isStale(owned, name: chain, family: kernelTable.family) { removedPointers.append(.kernel(kernelRule, index)) }
            } else {
                outOfScope[index] = .kernel(kernelRule, index)
            }
        }

        guard request.loads else {
            // Clean alone moves nothing: it keeps every pointer it doesn't
            // remove, in place.
            let kept = Set(Array(outOfScope.values) + stalePointers.values.joined() + removedPointers)
            return existing.enumerated().compactMap { index, kernelRule in
                let key = Key.kernel(kernelRule, index)
                if kept.contains(key) { return key }
                if let rule = kernelRule.rule, case .jump(let chain) = rule.target, context.isCurrent(chain, in: kernelTable.family) { return key }
                return nil
            }
        }

        func addHostRules(to target: inout [Key]) {
            guard context.placesHostRules else { return }
            _ = context.forEachHostRule(in: hook, kernelTable.family) { rule in
                target.append(.rule(rule))
                return true
            }
        }
        func addBlock(of chainSet: borrowing ChainSet, to target: inout [Key]) {
            _ = chainSet.forEachPointer(in: hook, kernelTable.family) { rule in
                target.append(.rule(rule))
                return true
            }
            if let stale = stalePointers[chainSet.partition] { target += stale }
        }
        let partitions = context.ruleset.partitions
        switch request.scope {
        case .directory:
            var target: [Key] = []
            target.reserveCapacity(existing.count + 1)
            addHostRules(to: &target)
            for partition in partitions.indices { addBlock(of: partitions[partition], to: &target) }
            // Appended in place: the target holds a copy of every pointer.
            target += removedPointers
            target += outOfScope.sorted { $0.key < $1.key }.map(\.value)
            return target
        case .file:
            // Each partition's block goes where it first appeared; others stay put.
            var target: [Key] = []
            addHostRules(to: &target)
            var placed = Set<String>()
            for (index, kernelRule) in existing.enumerated() {
                if let key = outOfScope[index] {
                    target.append(key)
                    continue
                }
                guard let rule = kernelRule.rule, case .jump(let chain) = rule.target,
                    let owned = Ownership.partitionChain(chain, in: table),
                    firstPosition[owned.partition] == index, let partition = context.current[owned.partition]
                else { continue }
                addBlock(of: partitions[partition], to: &target)
                placed.insert(owned.partition)
            }
            for partition in partitions.indices where !placed.contains(partitions[partition].partition) {
                addBlock(of: partitions[partition], to: &target)
            }
            return target
        }
    }
}

extension ChainSet {
    /// Gives `body` this partition's pointers in a family's hook chain, in
    /// order, without copying them; stops (false) as soon as `body` returns false.
    fileprivate func forEachPointer(in hook: String, _ family: Family, _ body: (Rule) -> Bool) -> Bool {
        // By index: pointers hold large rules, and iterating copies each one.
        for index in pointers.indices where pointers[index].family == family && pointers[index].chain == hook {
            guard body(pointers[index].rule) else { return false }
        }
        return true
    }
}
