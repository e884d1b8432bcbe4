import RiptCore

// Editing a chain: the fewest deletions and insertions that turn what a
// chain holds into what it should, as operations in order.

extension Planner {
    /// An element of a chain's target: a rule ript wants, or an existing
    /// kernel rule kept as it is.
    enum Key: Hashable {
        case rule(Rule)
        case kernel(KernelRule, Int)

        /// Whether an existing kernel rule can stand for this element.
        func matches(_ existing: KernelRule, at index: Int) -> Bool {
            switch self {
            case .rule(let rule): existing.rule == rule
            case .kernel(let kept, let keptIndex): keptIndex == index && kept == existing
            }
        }
    }

    /// The fewest deletions and insertions (up to a bound on the changed
    /// middle) that turn `existing` into `target`, as operations in order.
    static func edit(chain: String, from existing: KernelRules, to target: [Key]) -> [Operation] {
        var prefix = 0
        while prefix < existing.count, prefix < target.count, target[prefix].matches(existing[prefix], at: prefix) { prefix += 1 }
        var suffix = 0
        while suffix < existing.count - prefix, suffix < target.count - prefix,
            target[target.count - 1 - suffix].matches(existing[existing.count - 1 - suffix], at: existing.count - 1 - suffix)
        {
            suffix += 1
        }
        let old = Array(prefix..<(existing.count - suffix))
        let new = Array(target[prefix..<(target.count - suffix)])
        if old.isEmpty && new.isEmpty { return [] }

        // Align the changed middle: a longest common subsequence when small
        // enough, otherwise replace it whole (still one atomic commit).
        var keep: [(Int, Int)] = []
        if old.count * new.count <= 4_000_000 {
            var lengths = Array(repeating: Array(repeating: 0, count: new.count + 1), count: old.count + 1)
            for i in stride(from: old.count - 1, through: 0, by: -1) {
                for j in stride(from: new.count - 1, through: 0, by: -1) {
                    lengths[i][j] = new[j].matches(existing[old[i]], at: old[i])
                        ? lengths[i + 1][j + 1] + 1 : max(lengths[i + 1][j], lengths[i][j + 1])
                }
            }
            var i = 0, j = 0
            while i < old.count, j < new.count {
                if new[j].matches(existing[old[i]], at: old[i]) {
                    keep.append((i, j))
                    i += 1
                    j += 1
                } else if lengths[i + 1][j] >= lengths[i][j + 1] {
                    i += 1
                } else {
                    j += 1
                }
            }
        }

        var operations: [Operation] = []
        var position = prefix
        var length = existing.count
        var i = 0, j = 0
        func insert(_ key: Key) {
            guard case .rule(let rule) = key else { return }  // kept rules are never re-inserted
            operations.append(position == length ? .append(chain: chain, rule: rule) : .insert(chain: chain, position: position, rule: rule))
            position += 1
            length += 1
        }
        for (keptOld, keptNew) in keep + [(old.count, new.count)] {
            while i < keptOld {
                operations.append(.delete(chain: chain, position: position, rule: existing[old[i]]))
                length -= 1
                i += 1
            }
            while j < keptNew {
                insert(new[j])
                j += 1
            }
            if i < old.count {
                position += 1
                i += 1
                j += 1
            }
        }
        return operations
    }
}
