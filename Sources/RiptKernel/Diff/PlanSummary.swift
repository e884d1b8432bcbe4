import RiptCore

/// What a plan changes, counted the way an admin reads it: partitions
/// changed, stale chains removed, and anything else (ript's own hooks and
/// hook chains). For the summary line and the plan's JSON.
public struct PlanSummary: Sendable, Equatable {
    /// Partitions of the rule files whose chains, pointers or raw lines the
    /// plan changes, in rule-file order.
    public var partitionsChanged: [String] = []
    /// Stale ript chains deleted, one per chain in each family and table.
    public var staleChainsRemoved = 0
    /// Changes to ript's hook chains and their hooks in the built-in chains
    /// (the bootstrap), and removals of pointers to chains that are neither
    /// current nor deleted here.
    public var bootstrapChanges = 0
    /// Policies of INPUT, FORWARD and OUTPUT set, one per chain in each family.
    public var policyChanges = 0

    public init(partitionsChanged: [String] = [], staleChainsRemoved: Int = 0, bootstrapChanges: Int = 0, policyChanges: Int = 0) {
        self.partitionsChanged = partitionsChanged
        self.staleChainsRemoved = staleChainsRemoved
        self.bootstrapChanges = bootstrapChanges
        self.policyChanges = policyChanges
    }

    /// Attributes each operation of `plan` to a partition of `ruleset`, a
    /// stale chain, a policy, or the bootstrap (ript's own chains: the hook
    /// chains, the old layout's, the policy marker).
    public init(_ plan: Plan, ruleset: CompiledRuleset) {
        var owner: [String: String] = [:]
        for chainSet in ruleset.partitions {
            for chain in chainSet.chains { owner[chain.name] = chainSet.partition }
        }
        var stale: Set<String> = []
        for table in plan.tables {
            for case .deleteChain(let chain, _) in table.operations { stale.insert(chain) }
        }
        var changed: Set<String> = Set(plan.raw.map(\.partition))
        for table in plan.tables {
            for operation in table.operations {
                let chain: String
                let rule: Rule?
                switch operation {
                case .createChain(let name): (chain, rule) = (name, nil)
                case .append(let name, let added), .insert(let name, _, let added): (chain, rule) = (name, added)
                case .delete(let name, _, let removed): (chain, rule) = (name, removed.rule)
                case .deleteChain(let name, _):
                    if Ownership.bootstrapChains(in: table.table).contains(name) { bootstrapChanges += 1 } else { staleChainsRemoved += 1 }
                    continue
                case .setPolicy:
                    policyChanges += 1
                    continue
                }
                if let partition = owner[chain] {
                    changed.insert(partition)
                } else if case .jump(let target)? = rule?.target, let partition = owner[target] {
                    changed.insert(partition)
                } else if case .jump(let target)? = rule?.target, stale.contains(target) {
                    continue  // a pointer to a stale chain goes with it
                } else {
                    bootstrapChanges += 1
                }
            }
        }
        partitionsChanged = ruleset.partitions.map(\.partition).filter(changed.contains)
    }

    public var isEmpty: Bool { partitionsChanged.isEmpty && staleChainsRemoved == 0 && bootstrapChanges == 0 && policyChanges == 0 }

    /// "3 partitions changed, 2 stale chains removed" (done), or "3
    /// partitions to change, 2 stale chains to remove" (to do); "nothing
    /// changed" or "in sync" when empty.
    public func text(done: Bool) -> String {
        guard !isEmpty else { return done ? "nothing changed" : "in sync" }
        var parts: [String] = []
        if !partitionsChanged.isEmpty {
            parts.append(plural(partitionsChanged.count, "partition") + (done ? " changed" : " to change"))
        }
        if staleChainsRemoved > 0 {
            parts.append(plural(staleChainsRemoved, "stale chain") + (done ? " removed" : " to remove"))
        }
        if policyChanges > 0 {
            parts.append((policyChanges == 1 ? "1 policy" : "\(policyChanges) policies") + (done ? " set" : " to set"))
        }
        if bootstrapChanges > 0 {
            parts.append(plural(bootstrapChanges, "bootstrap change") + (done ? "" : " to make"))
        }
        return parts.joined(separator: ", ")
    }
}
