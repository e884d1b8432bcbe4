#if canImport(Glibc)
import Glibc
#endif
import RiptCore
import RiptSupport

// Lockout protection (`ript apply --confirm`): putting back exactly what ript
// owned in the kernel just before an apply changed it (its `Checkpoint`),
// as `RollbackPlanner` plans it. Only ript's chains (`Ownership`), ript's
// jumps in the built-in chains and the filter policies ript owned (its
// marker chain) are changed; other programs' chains and rules are left
// alone, with whatever those programs changed in the meantime.

/// What a rollback did, table by table, and what it could not do.
public struct Rollback: Sendable {
    /// A table the rollback committed, with its operations as commands.
    public struct Done: Sendable {
        public let key: FamilyTable
        public let operations: [RollbackOperation]
        public let commands: String
    }

    /// A table left as the apply made it, and why.
    public struct Failure: Sendable, CustomStringConvertible {
        public let key: FamilyTable
        public let reason: String
        /// The commands that would have rolled it back, when they were planned.
        public var left: String = ""

        public var description: String { "the \(key) table could not be rolled back (\(reason))" }
    }

    public internal(set) var done: [Done] = []
    public internal(set) var failures: [Failure] = []
    /// After the commits, what still differs from the checkpoint (another
    /// program changed ript's chains meanwhile), as sentences; empty when the
    /// rollback is exact.
    public internal(set) var left: [String] = []

    public var succeeded: Bool { failures.isEmpty && left.isEmpty }

    /// Every operation as an iptables or ip6tables command, in commit order.
    public var commands: String { done.map(\.commands).joined() }
}

extension Applier {
    /// Puts ript's chains and its jumps in the built-in chains back exactly
    /// as `checkpoint` holds them, under the xtables lock (waiting at least
    /// 30 s for it: giving up here could leave someone locked out), one
    /// atomic commit per table that differs, in the reverse of the apply's
    /// order, so the states it passes through are the ones the apply passed
    /// through. A commit refused with EAGAIN is retried from a fresh read. A
    /// table that cannot be rolled back does not stop the others. Then every
    /// table is read again and compared with the checkpoint.
    ///
    /// libiptc faults are looked up as `rollback:FUNCTION` (RIPT_FAULTS), so
    /// tests can fail the rollback and not the apply before it.
    public func rollback(to checkpoint: Checkpoint) -> Rollback {
        var result = Rollback()
        let faults = IPTCFaults { [faults] function in faults.inject("rollback:" + function) }
        let tables = Array(checkpoint.order.reversed())
        let lock: XtablesLock
        do {
            lock = try Trace.phase("rollback: lock") { () throws(LockError) in try XtablesLock(path: lockPath, wait: max(wait, 30)) }
        } catch {
            result.failures = tables.map { Rollback.Failure(key: $0, reason: error.description) }
            return result
        }
        defer { withExtendedLifetime(lock) {} }

        for key in tables {
            guard let saved = checkpoint.tables[key] else { continue }
            var delay = 0.01
            for attempt in 1...attempts {
                var planned = ""
                do {
                    let handle = try Trace.phase("rollback: init \(key)") { () throws(IPTCError) in try IPTCTable(key.family, key.table.rawValue, faults: faults) }
                    let current = Trace.phase("rollback: read \(key)") { OwnedTable(reading: handle, table: key.table) }
                    let operations = Trace.phase("rollback: plan \(key)") { RollbackPlanner.plan(from: current, to: saved) }
                    if operations.isEmpty { break }
                    planned = Trace.phase("rollback: render \(key)") { RollbackRenderer.commands(operations, in: current, saved: saved, protocols: protocols) }
                    try Trace.phase("rollback: \(operations.count) operations on \(key)") { () throws(IPTCError) in
                        for operation in operations { try perform(operation, on: handle) }
                    }
                    try Trace.phase("rollback: commit \(key)") { () throws(IPTCError) in try handle.commit() }
                    result.done.append(Rollback.Done(key: key, operations: operations, commands: planned))
                    break
                } catch where error.isConcurrentChange && attempt < attempts {
                    usleep(UInt32(delay * 1_000_000))
                    delay *= 2
                } catch {
                    result.failures.append(Rollback.Failure(key: key, reason: "\(error.function): \(error.message)", left: planned))
                    break
                }
            }
        }

        for key in tables where !result.failures.contains(where: { $0.key == key }) {
            guard let saved = checkpoint.tables[key] else { continue }
            do {
                let (current, left) = try Trace.phase("rollback: verify \(key)") { () throws(IPTCError) in
                    let current = OwnedTable(reading: try IPTCTable(key.family, key.table.rawValue, faults: faults), table: key.table)
                    return (current, RollbackPlanner.plan(from: current, to: saved))
                }
                if !left.isEmpty {
                    result.left.append("after its rollback, the \(key) table still differs from before the change (did another program change it?); to finish:\n" + RollbackRenderer.commands(left, in: current, saved: saved, protocols: protocols))
                }
            } catch {
                result.left.append("the \(key) table could not be read again to check it (\(error.function): \(error.message))")
            }
        }
        return result
    }

    private func perform(_ operation: RollbackOperation, on handle: IPTCTable) throws(IPTCError) {
        switch operation {
        case .createChain(let chain): try handle.createChain(chain)
        case .insert(let chain, let position, let entry): try handle.insert(entry.bytes, into: chain, at: position)
        case .append(let chain, let entry): try handle.append(entry.bytes, to: chain)
        case .delete(let chain, let position, _): try handle.deleteEntry(in: chain, at: position)
        case .empty(let chain, let entries): for _ in 0..<entries { try handle.deleteEntry(in: chain, at: 0) }
        case .deleteChain(let chain): try handle.deleteChain(chain)
        case .setPolicy(let chain, let policy): try handle.setPolicy(policy, of: chain)
        }
    }
}
