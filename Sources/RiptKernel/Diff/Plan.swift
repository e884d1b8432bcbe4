import RiptCore

/// One change to a table, in the order the applier makes them. Positions are
/// 0-based and valid at the moment the operation runs.
public enum Operation: Sendable, Hashable {
    case createChain(String)
    case append(chain: String, rule: Rule)
    case insert(chain: String, position: Int, rule: Rule)
    case delete(chain: String, position: Int, rule: KernelRule)
    /// Empties (its `rules` rules) and deletes a stale ript chain nothing points to any more.
    case deleteChain(String, rules: Int)
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
