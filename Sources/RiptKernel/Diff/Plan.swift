import RiptCore
import RiptDSL

/// One change to a table, in the order the applier makes them. Positions are
/// 0-based and valid at the moment the operation runs.
public enum Operation: Sendable, Hashable {
    case createChain(String)
    case append(chain: String, rule: Rule)
    case insert(chain: String, position: Int, rule: Rule)
    case delete(chain: String, position: Int, rule: KernelRule)
    /// Empties (its `rules` rules) and deletes a stale ript chain nothing points to any more.
    case deleteChain(String, rules: Int)
    /// Sets a built-in filter chain's policy (INPUT, FORWARD, OUTPUT): ript
    /// owns them in a family while its policy marker (`partition-p`) exists.
    case setPolicy(chain: String, policy: Policy)
}

/// The changes to one table of one family, committed together.
public struct TablePlan: Sendable {
    public let key: FamilyTable
    public let operations: [Operation]

    public init(_ key: FamilyTable, operations: [Operation]) {
        self.key = key
        self.operations = operations
    }

    public var family: Family { key.family }
    public var table: Table { key.table }
}

/// What `apply`, `clean` or `flush` would do: per table, in commit order,
/// and what was found along the way (hand edits to ript's chains).
public struct Plan: Sendable {
    public var tables: [TablePlan]
    /// Problems with the kernel's state, one sentence each.
    public var findings: [String]
    /// New partitions with raw lines, to be applied once, now.
    public var raw: [ChainSet]

    public var isEmpty: Bool { tables.allSatisfy(\.operations.isEmpty) && raw.isEmpty }

    /// What the plan does that an admin should hear of besides its
    /// commands, one sentence each: policies it changes ("ip6tables filter:
    /// INPUT policy DROP → ACCEPT (ript set it)"), and the hook chain of an
    /// earlier ript it replaces. Not problems: printed as notes.
    public var notes: [String] {
        var notes: [String] = []
        for table in tables {
            let dropsMarker = table.operations.contains { if case .deleteChain(Bootstrap.policyMarker, _) = $0 { true } else { false } }
            for case .setPolicy(let chain, let policy) in table.operations {
                // A built-in chain's policy is ACCEPT or DROP, and a policy is set only where it differs.
                let old: Policy = policy == .accept ? .drop : .accept
                notes.append("\(table.key): \(chain) policy \(old.rawValue) → \(policy.rawValue) (\(dropsMarker ? "ript set it" : "from the rule files"))")
            }
            if table.operations.contains(where: { if case .deleteChain(Bootstrap.legacyFilterChain, _) = $0 { true } else { false } }) {
                notes.append("\(table.key): the hook chain \(Bootstrap.legacyFilterChain) of an earlier ript is removed, with its jumps from INPUT, FORWARD and OUTPUT (ript's filter hook chains are now \(Bootstrap.inputChain), \(Bootstrap.forwardChain) and \(Bootstrap.outputChain))")
            }
        }
        return notes
    }

    /// What the plan does to one table; nothing when it wasn't planned.
    func operations(on table: FamilyTable) -> [Operation] {
        tables.first { $0.key == table }?.operations ?? []
    }
}

/// Which partitions a command speaks for.
public enum Scope: Sendable, Equatable {
    /// PATH was a directory: it holds every partition, and ript partitions
    /// not in it are stale.
    case directory
    /// PATH was one file: only its partitions are considered.
    case file
}

/// What to plan for.
public struct PlanRequest: Sendable {
    /// What a command changes: `ript rules apply` (and `rules diff`) loads,
    /// `ript clean apply` (and `clean diff`) cleans, `ript apply` does both
    /// in the same commits.
    public enum Goal: Sendable, Equatable {
        /// Load the current partitions (create, fill, repair, point to them).
        case load
        /// Remove stale chains and their pointers.
        case clean
        /// Both, one commit per table.
        case loadAndClean

        /// The order to commit tables in, family by family: additions filter
        /// first (the accepts before the rewrites that need them), removals nat
        /// first (the rewrites before the accepts they needed).
        func tableOrder(_ families: [Family]) -> [FamilyTable] {
            FamilyTable.tables(self == .clean ? [.nat, .filter] : [.filter, .nat], of: families)
        }
    }

    public var goal: Goal
    public var scope: Scope

    public init(_ goal: Goal, scope: Scope) {
        self.goal = goal
        self.scope = scope
    }

    /// Whether the current partitions are loaded.
    var loads: Bool { goal != .clean }
    /// Whether stale chains and their pointers are removed.
    var cleans: Bool { goal != .load }

    func tableOrder(_ families: [Family]) -> [FamilyTable] { goal.tableOrder(families) }
}

extension CompiledRuleset {
    /// The partitions PATH speaks for: every one when it is a directory.
    public var scope: Scope { isFromSingleFile ? .file : .directory }
}
