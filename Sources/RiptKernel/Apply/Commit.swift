#if canImport(Glibc)
import Glibc
#endif
import RiptCore
import RiptSupport

// The commit engine: under the xtables lock, each family's tables read,
// planned and changed on a thread of their own, one atomic commit per table,
// a commit refused with EAGAIN retried from a fresh read, and each committed
// table read back and checked. `Applier` (the public API) prepares what it
// needs from the rule files and hands it over; plans with new raw lines are
// handed back, to go in through iptables-restore (`RestoreApply.swift`).

extension Applier {
    /// What an apply takes from the compiled rule files (see `prepare`).
    struct Prepared: Sendable {
        let entries: [Rule: [UInt8]]
        let expected: ExpectedChains
        /// What the plans need of the rule files; none for a flush.
        let context: Planner.Context?
        let planning: Planning
    }

    /// How `commit` plans its tables and checks them once committed.
    struct Planning: Sendable {
        /// Every table at once: from what was read under the lock, again
        /// after another writer got in, and what is left to do once committed.
        let all: @Sendable ([FamilyTable: KernelTable]) -> Plan
        /// One table alone, when tables can be planned apart (see
        /// `Planner.Context.plansTablesApart`) and nothing is recorded
        /// before changing them: each family then plans its tables as soon
        /// as it has read them, and checks each committed table as soon as
        /// it is read back, without waiting for the other family.
        let table: TablePlanner?
    }

    /// One table's plan, and what was found in it, from that table alone.
    typealias TablePlanner = @Sendable (KernelTable) -> (plan: TablePlan, findings: [String])

    /// Whether the commit engine records, before it changes each table,
    /// what ript owns in it, for `rollback(to:)`.
    enum Recording {
        /// Nothing is recorded: tables that can be planned apart are
        /// planned by their family's thread as soon as it has read them.
        case off
        /// Into this checkpoint, with the tables committed, even when the
        /// change then fails. Every table is planned at once.
        case into(Checkpoint)

        var checkpoint: Checkpoint? {
            if case .into(let checkpoint) = self { checkpoint } else { nil }
        }

        /// Tables are planned apart only when nothing is recorded before they change.
        var plansTablesApart: Bool { checkpoint == nil }

        mutating func record(_ table: FamilyTable, _ handle: IPTCTable) {
            guard var checkpoint else { return }
            checkpoint.record(table, handle)
            self = .into(checkpoint)
        }

        mutating func recordCommitted(_ done: [TablePlan]) {
            guard var checkpoint else { return }
            checkpoint.recordCommitted(done.map(\.key))
            self = .into(checkpoint)
        }
    }

    /// What the commit engine did.
    enum Outcome: Sendable {
        /// Every table is as planned, and was checked: what was done, and
        /// what the first plan found.
        case committed(done: [TablePlan], findings: [String])
        /// The rule files did not come in time (see `awaitRules`), or
        /// failed: nothing was changed.
        case noRules
        /// The plan has new raw lines, which only iptables-restore can put
        /// in; the lock is let go for it. Nothing was changed, unless a
        /// re-plan after another writer found them: tables committed before
        /// it stay committed.
        case needsRestore(Plan)
    }

    /// Under the lock: each table is read once through the handle that then
    /// changes and commits it (a fresh read only to retry after EAGAIN); a
    /// table with nothing to do gets no commit. Each committed table is read
    /// again, and nothing may be left to do in it. `recording` says whether
    /// each table is recorded, as read, before it is changed.
    func commit(tables: [FamilyTable], rules: Later<Prepared?>, recording: inout Recording) throws(ApplyError) -> Outcome {
        let lock: XtablesLock
        do {
            lock = try Trace.phase("lock") { () throws(LockError) in try XtablesLock(path: lockPath, wait: wait) }
        } catch {
            throw .lock(error)
        }
        defer { withExtendedLifetime(lock) {} }

        var handles: [FamilyTable: IPTCTable] = [:]
        var kernel: [FamilyTable: KernelTable] = [:]
        /// A table as read under the lock, through the handle that will change it.
        func keep(_ table: FamilyTable, _ handle: IPTCTable, _ state: KernelTable) {
            recording.record(table, handle)
            handles[table] = handle
            kernel[table] = state
        }
        // The tables committed, failure or not, are in the checkpoint.
        var done: [TablePlan] = []
        defer { recording.recordCommitted(done) }

        // Each family's tables are read, and then changed, on a thread of
        // their own: libip4tc and libip6tc share no state, each is used by
        // one thread at a time, and the kernel locks each family's tables
        // apart. Within a family the order stays (filter before nat when
        // adding). Tables are fetched before the rule files are needed (they
        // may still be compiling), and decoded once they are in. Tables
        // planned apart are planned and changed by their family's thread as
        // soon as it has read them; otherwise this thread plans every table
        // first. A family that meets another writer (EAGAIN) stops there,
        // and this thread carries it on below, re-reading and re-planning as
        // often as it takes.
        /// Table plans in commit order.
        func inCommitOrder(_ plans: [TablePlan]) -> [TablePlan] {
            plans.sorted { tables.firstIndex(of: $0.key)! < tables.firstIndex(of: $1.key)! }
        }
        /// Each table planned alone by its family's thread, unless recording.
        let plansTablesApart = recording.plansTablesApart
        @Sendable func tablePlanner(_ prepared: Prepared) -> TablePlanner? { plansTablesApart ? prepared.planning.table : nil }
        let groups = Family.allCases.map { family in tables.filter { $0.family == family } }.filter { !$0.isEmpty }
        var runs = eachFamily(groups) { (group: [FamilyTable]) -> Handed<FamilyRun> in
            var run = FamilyRun()
            var fetched: [(FamilyTable, IPTCTable)] = []
            do throws(ApplyError) {
                for table in group { fetched.append((table, try open(table))) }
            } catch {
                run.readFailure = error
                return Handed(run)
            }
            guard let prepared = awaitRules(rules) else { return Handed(run) }
            run.prepared = prepared
            for (table, handle) in fetched { run.read.append((table, handle, decode(table, handle, expected: prepared.expected))) }
            guard let apart = tablePlanner(prepared) else { return Handed(run) }
            var plans: [FamilyTable: TablePlan] = [:]
            for (table, _, state) in run.read {
                let (plan, findings) = Trace.phase("plan \(table)") { apart(state) }
                plans[table] = plan
                run.plans.append(plan)
                run.findings += findings
            }
            let handles = Dictionary(uniqueKeysWithValues: run.read.map { ($0.0, $0.1) })
            changeTables(
                group, &run, operations: { plans[$0]?.operations ?? [] }, handles: handles, entries: prepared.entries, expected: prepared.expected,
                check: apart)
            return Handed(run)
        }
        for run in runs {
            if let error = run.readFailure { throw error }
            for (table, handle, state) in run.read { keep(table, handle, state) }
        }
        // Every family waited for the same rules: all have them, or none.
        guard let prepared = runs.first?.prepared else { return .noRules }
        let (entries, expected, planning) = (prepared.entries, prepared.expected, prepared.planning)
        let apart = tablePlanner(prepared)
        /// Reads a table again, after EAGAIN.
        func load(_ table: FamilyTable) throws(ApplyError) {
            let handle = try open(table)
            keep(table, handle, decode(table, handle, expected: expected))
        }
        var plan: Plan
        if apart != nil {
            // What the families planned, as one plan.
            plan = Plan(tables: inCommitOrder(runs.flatMap(\.plans)), findings: runs.flatMap(\.findings), raw: [])
        } else {
            // One plan for every table from what was read under the lock.
            plan = Trace.phase("plan") { planning.all(kernel) }
            // New raw lines can only go in through iptables-restore.
            guard plan.raw.isEmpty else { return .needsRestore(plan) }
            let firstPlan = plan, shared = Handed(handles)
            runs = eachFamily(groups) { (group: [FamilyTable]) -> Handed<FamilyRun> in
                var run = FamilyRun()
                changeTables(group, &run, operations: firstPlan.operations(on:), handles: shared.value, entries: entries, expected: expected, check: nil)
                return Handed(run)
            }
        }
        let findings = plan.findings

        var rereads: [FamilyTable: Later<Result<ReadBack, IPTCError>>] = [:]
        for run in runs {
            done += run.done
            rereads.merge(run.rereads) { first, _ in first }
        }
        var resume: [FamilyTable] = []
        var interrupted: Set<FamilyTable> = []
        for (group, run) in zip(groups, runs) {
            if let (table, error) = run.failure { throw .kernel(error, table: table) }
            if let table = run.stoppedAt {
                interrupted.insert(table)
                resume += group.drop { $0 != table }
            }
        }
        var delay = 0.01
        var replanned = false
        for table in resume {
            var attempt = 1
            var refresh = interrupted.contains(table)
            while true {
                if refresh {
                    guard attempt < attempts else { throw .concurrentChanges(table: table, attempts: attempts) }
                    usleep(UInt32(delay * 1_000_000))
                    delay *= 2
                    attempt += 1
                    try load(table)
                    plan = planning.all(kernel)
                    guard plan.raw.isEmpty else { return .needsRestore(plan) }
                    replanned = true
                    refresh = false
                }
                let operations = plan.operations(on: table)
                if operations.isEmpty { break }
                do throws(IPTCError) {
                    rereads[table] = try change(table, operations, on: handles[table]!, entries: entries, expected: expected, check: nil)
                    done.append(TablePlan(table, operations: operations))
                    break
                } catch where error.isConcurrentChange {
                    refresh = true
                } catch {
                    throw .kernel(error, table: table)
                }
            }
        }
        done = inCommitOrder(done)
        handles.removeAll()
        // Nothing committed and nothing re-planned: what was read under the
        // lock, and planned once, is the result. (After a re-plan, tables
        // passed before it are checked below.)
        if done.isEmpty && !replanned { return .committed(done: done, findings: findings) }
        // The committed tables as read back; the others are as read under
        // the lock, which is still held.
        var reread = kernel
        var left: [TablePlan] = []
        var checkedApart = !replanned
        try Trace.phase("verify: wait for the reads") { () throws(ApplyError) in
            for (table, back) in rereads {
                switch back.value {
                case .success(let back):
                    reread[table] = try checked(back.state)
                    if let remaining = back.left { left.append(remaining) } else { checkedApart = false }
                case .failure(let error): throw .readBack(error, table: table)
                }
            }
        }
        // Checked apart, table by table as read back: tables not committed
        // were planned empty from the same read. Otherwise every table again.
        if !checkedApart { left = Trace.phase("verify: plan") { planning.all(reread) }.tables }
        if !left.allSatisfy(\.operations.isEmpty) {
            throw .verification(PlanRenderer.commands(Plan(tables: inCommitOrder(left), findings: [], raw: [])))
        }
        return .committed(done: done, findings: findings)
    }

    /// Changes a family's tables in order, each as `operations` says, on
    /// this thread; stops at the first that another writer changed
    /// (EAGAIN) or that fails. Each committed table is read back on
    /// another thread, and checked there with `check` when given.
    private func changeTables(
        _ group: [FamilyTable], _ run: inout FamilyRun, operations: (FamilyTable) -> [Operation], handles: [FamilyTable: IPTCTable],
        entries: [Rule: [UInt8]], expected: ExpectedChains, check: TablePlanner?
    ) {
        for table in group {
            let operations = operations(table)
            if operations.isEmpty { continue }
            do throws(IPTCError) {
                run.rereads[table] = try change(table, operations, on: handles[table]!, entries: entries, expected: expected, check: check)
                run.done.append(TablePlan(table, operations: operations))
            } catch where error.isConcurrentChange {
                run.stoppedAt = table
                return
            } catch {
                run.failure = (table, error)
                return
            }
        }
    }

    /// Makes a table's changes and commits them; the table as read back
    /// afterwards, on another thread, with what is left to do in it when
    /// `check` is given.
    private func change(
        _ table: FamilyTable, _ operations: [Operation], on handle: IPTCTable, entries: [Rule: [UInt8]], expected: ExpectedChains,
        check: TablePlanner?
    ) throws(IPTCError) -> Later<Result<ReadBack, IPTCError>> {
        try Trace.phase("\(operations.count) operations on \(table)") { () throws(IPTCError) in
            for operation in operations {
                try perform(operation, on: handle, entries: entries)
            }
        }
        try Trace.phase("commit \(table)") { () throws(IPTCError) in try handle.commit() }
        afterCommit(table)
        return Later(inBackground: { [protocols, faults] in
            Result { () throws(IPTCError) in
                let state = try TableBlobReader(faults: faults).read(table, protocols: protocols, expected: expected)
                return ReadBack(state: state, left: check.map { check in Trace.phase("verify: plan \(table)") { check(state).plan } })
            }
        })
    }

    /// A table's handle, as libiptc reads it.
    private func open(_ key: FamilyTable) throws(ApplyError) -> IPTCTable {
        do {
            return try Trace.phase("init \(key)") { () throws(IPTCError) in try IPTCTable(key.family, key.table.rawValue, faults: faults) }
        } catch {
            throw .kernel(error, table: key)
        }
    }

    /// What a handle holds; chains found to be as `expected` are not decoded.
    private func decode(_ key: FamilyTable, _ handle: IPTCTable, expected: ExpectedChains) -> KernelTable {
        let state = Trace.phase("decode \(key)") { KernelTable(reading: handle, table: key.table, protocols: protocols, expected: expected) }
        state.traceVerification()
        if checkReaders { Self.expectAgreement(state, KernelTable(reading: handle, table: key.table, protocols: protocols)) }
        return state
    }

    /// The compiled rule files, for a family's thread that has read its
    /// tables under the lock: waited for at most `patience` seconds, then
    /// given up on, so a slow compile does not keep the xtables lock from
    /// other programs. Giving up is decided once, for every thread alike
    /// (`Later` takes the first value handed over): nil, and nothing is
    /// changed. Also nil when the rule files failed.
    private func awaitRules(_ rules: Later<Prepared?>) -> Prepared? {
        if let prepared = Trace.phase("wait for the rule files", { rules.value(within: patience) }) { return prepared }
        rules.fulfil(nil)
        return rules.value
    }

    private func perform(_ operation: Operation, on handle: IPTCTable, entries: [Rule: [UInt8]]) throws(IPTCError) {
        func entry(_ rule: Rule) -> [UInt8] { entries[rule] ?? IPTCTable.entry(for: rule) }
        switch operation {
        case .createChain(let chain): try handle.createChain(chain)
        case .append(let chain, let rule): try handle.append(entry(rule), to: chain)
        case .insert(let chain, let position, let rule): try handle.insert(entry(rule), into: chain, at: position)
        case .delete(let chain, let position, _): try handle.deleteEntry(in: chain, at: position)
        case .deleteChain(let chain, let rules):
            // Emptied rule by rule in this same commit: no window, no flush.
            for _ in 0..<rules { try handle.deleteEntry(in: chain, at: 0) }
            try handle.deleteChain(chain)
        case .setPolicy(let chain, let policy): try handle.setPolicy(policy.rawValue, of: chain)
        }
    }
}

/// Values handed from one thread to another, each used by one thread at a
/// time (a family's libiptc handles, by its own thread).
struct Handed<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// What one family's thread did: the tables it read, what it planned
/// (tables planned apart), its commits and their read-backs, and where it
/// stopped: at a table another writer changed (EAGAIN), or at a failure.
private struct FamilyRun {
    var read: [(FamilyTable, IPTCTable, KernelTable)] = []
    var readFailure: ApplyError?
    /// The rule files, as waited for after reading.
    var prepared: Applier.Prepared?
    var plans: [TablePlan] = []
    var findings: [String] = []
    var done: [TablePlan] = []
    var rereads: [FamilyTable: Later<Result<ReadBack, IPTCError>>] = [:]
    var stoppedAt: FamilyTable?
    var failure: (FamilyTable, IPTCError)?
}

/// A committed table as read back, and what was left to do in it when it
/// was checked on its own.
private struct ReadBack: Sendable {
    let state: KernelTable
    let left: TablePlan?
}

/// `work` for each group of tables (one family's), every group at once:
/// the first on another thread, the second on this one. In the groups' order.
private func eachFamily<Value>(_ groups: [[FamilyTable]], _ work: @escaping @Sendable ([FamilyTable]) -> Handed<Value>) -> [Value] {
    guard groups.count == 2 else { return groups.map { work($0).value } }
    let (second, first) = withConcurrently({ work(groups[0]) }) { work(groups[1]) }
    return [first.value, second.value]
}
