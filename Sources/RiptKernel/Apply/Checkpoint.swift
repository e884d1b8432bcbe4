import RiptCore
import RiptSupport

/// What ript owned in every table an apply was about to change, read under
/// the xtables lock through the very handles the apply then changed and
/// committed (after a retry, from the fresh read the retry made), and which
/// of those tables the apply committed: together, what `--confirm` rolls
/// back (`toRollBack`).
public struct Checkpoint: Sendable {
    public private(set) var tables: [FamilyTable: OwnedTable] = [:]
    /// The tables in the order the apply commits them; a rollback goes the other way.
    public private(set) var order: [FamilyTable] = []
    /// The tables the apply committed, whether or not it then failed.
    public private(set) var committed: Set<FamilyTable> = []

    public init() {}

    public var isEmpty: Bool { order.isEmpty }

    /// What a rollback puts back: the tables the apply committed (before a
    /// failure, too: each of those is new), as they were just before it; the
    /// tables it left as they were are neither read nor changed. Nil when
    /// it committed nothing, so there is nothing to roll back.
    public var toRollBack: Checkpoint? {
        let committed = restricted(to: committed)
        return committed.isEmpty ? nil : committed
    }

    mutating func record(_ key: FamilyTable, _ handle: IPTCTable) {
        if tables[key] == nil { order.append(key) }
        tables[key] = Trace.phase("checkpoint \(key)") { OwnedTable(reading: handle, table: key.table) }
    }

    mutating func recordCommitted(_ keys: some Sequence<FamilyTable>) {
        committed.formUnion(keys)
    }

    /// Only the given tables: a rollback reads and changes nothing else.
    func restricted(to keys: Set<FamilyTable>) -> Checkpoint {
        var copy = self
        copy.order = order.filter(keys.contains)
        copy.tables = tables.filter { keys.contains($0.key) }
        return copy
    }
}
