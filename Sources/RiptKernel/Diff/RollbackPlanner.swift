import RiptCore

/// One change a rollback makes to a table, in order. Positions are 0-based
/// and valid when the operation runs.
public enum RollbackOperation: Sendable, Hashable {
    case createChain(String)
    case insert(chain: String, position: Int, entry: SavedEntry)
    case append(chain: String, entry: SavedEntry)
    case delete(chain: String, position: Int, entry: SavedEntry)
    /// Deletes every entry of a chain the rollback removes (before any such chain is deleted).
    case empty(chain: String, entries: Int)
    case deleteChain(String)
    /// Puts back a built-in filter chain's policy.
    case setPolicy(chain: String, policy: String)
}

/// Planning a rollback: the operations that turn what ript owns in a table
/// now into what it owned at the checkpoint, touching nothing else.
public enum RollbackPlanner {
    /// In order: chains ript had are created again; ript's jumps in the
    /// built-in chains are put back where they were among the other rules
    /// (left alone when they already are the same jumps in the same order,
    /// wherever other programs' rules moved them); each of ript's chains is
    /// refilled where it differs (the common head and tail kept); chains ript
    /// did not have are emptied, then deleted; last, where ript owned the
    /// filter policies at the checkpoint or owns them now (its marker), each
    /// that differs goes back to what it was.
    public static func plan(from current: OwnedTable, to saved: OwnedTable) -> [RollbackOperation] {
        var operations: [RollbackOperation] = []
        for chain in saved.chains where current.entries(of: chain.name) == nil {
            operations.append(.createChain(chain.name))
        }

        for name in saved.builtIns.keys.sorted(by: { builtInOrder($0) < builtInOrder($1) }) {
            let want = saved.builtIns[name]!.hooks
            let have = current.builtIns[name] ?? SavedBuiltIn()
            if have.hooks.map(\.entry) == want.map(\.entry) { continue }
            // Last first, so each position is still where the read found it.
            for hook in have.hooks.reversed() {
                operations.append(.delete(chain: name, position: hook.position, entry: hook.entry))
            }
            for (index, hook) in want.enumerated() {
                operations.append(.insert(chain: name, position: min(hook.foreignBefore, have.foreignRules) + index, entry: hook.entry))
            }
        }

        for chain in saved.chains {
            operations += refill(chain.name, from: current.entries(of: chain.name) ?? [], to: chain.entries)
        }

        let made = current.chains.filter { saved.entries(of: $0.name) == nil }
        for chain in made where !chain.entries.isEmpty {
            operations.append(.empty(chain: chain.name, entries: chain.entries.count))
        }
        for chain in made {
            operations.append(.deleteChain(chain.name))
        }
        if saved.ownsPolicies || current.ownsPolicies {
            for (chain, policy) in saved.policies.sorted(by: { builtInOrder($0.key) < builtInOrder($1.key) }) where current.policies[chain] != policy {
                operations.append(.setPolicy(chain: chain, policy: policy))
            }
        }
        return operations
    }

    /// The built-in chains in the kernel's hook order, as libiptc lists them.
    private static func builtInOrder(_ name: String) -> Int {
        IPTCTable.hookNames.firstIndex(of: name) ?? IPTCTable.hookNames.count
    }

    /// Replaces what differs between the common head and tail of a chain's entries.
    static func refill(_ chain: String, from existing: [SavedEntry], to target: [SavedEntry]) -> [RollbackOperation] {
        if existing == target { return [] }
        var prefix = 0
        while prefix < existing.count, prefix < target.count, existing[prefix] == target[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < existing.count - prefix, suffix < target.count - prefix,
            existing[existing.count - 1 - suffix] == target[target.count - 1 - suffix]
        {
            suffix += 1
        }
        var operations: [RollbackOperation] = []
        for index in prefix..<(existing.count - suffix) {
            operations.append(.delete(chain: chain, position: prefix, entry: existing[index]))
        }
        for (offset, entry) in target[prefix..<(target.count - suffix)].enumerated() {
            operations.append(suffix == 0 ? .append(chain: chain, entry: entry) : .insert(chain: chain, position: prefix + offset, entry: entry))
        }
        return operations
    }
}
