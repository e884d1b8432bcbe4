#if canImport(Glibc)
import Glibc
#endif
import RiptCore
import RiptSupport

/// Stage 6, apply: makes a plan true in the kernel, one atomic commit per
/// table of each family (iptables filter, nat, then ip6tables filter, nat),
/// and checks the result. One xtables lock covers both families.
///
/// An apply from the command line takes the xtables lock and reads every
/// table while the rule files compile; it changes nothing before they have
/// compiled. Each table is read, planned and changed through one libiptc
/// handle while the lock is held, so the plan is always made against what
/// is being replaced. A table with
/// nothing to do gets no commit. A commit refused with EAGAIN (another
/// writer got in between) is retried from a fresh read, with backoff, a
/// bounded number of times. Each committed table is read again (on another
/// thread, while the next table is changed), and then nothing more may be
/// left to do. Each table is always either entirely old or entirely new: a
/// failure stops before the commit of the table it happened in.
public struct Applier: Sendable {
    public var protocols: ProtocolTable
    public var lockPath: String = XtablesLock.defaultPath
    /// Seconds to wait for the xtables lock.
    public var wait: Double = 5
    /// Commits tried per table before giving up on concurrent changes.
    public var attempts = 5
    /// Seconds a thread that holds the xtables lock, and has read its
    /// tables, waits for the rule files to compile (see
    /// `apply(_:apply:clean:during:)`): about as long as reading a
    /// 50,000-rule table takes, far less than parsing thousands of files.
    public var patience = 0.05
    public var faults: IPTCFaults = .none
    /// Called after each table's commit, before the next table is touched
    /// and before the table is read back: the crash tests kill the process
    /// here (`RIPT_KILL_AFTER_COMMIT`), the verification tests change the
    /// table behind ript's back (`RIPT_AFTER_COMMIT_RUN`).
    public var afterCommit: @Sendable (FamilyTable) -> Void = { _ in }
    /// Runs `iptables-legacy-restore --noflush` (`ip6tables-legacy-restore`
    /// for IPv6) for plans with new raw lines.
    public var restore: @Sendable (_ input: String, _ family: Family, _ test: Bool, _ wait: Double) throws(ApplyError) -> Void = {
        input, family, test, wait throws(ApplyError) in
        try runRestore(input, family: family, test: test, wait: wait)
    }

    public init(protocols: ProtocolTable) {
        self.protocols = protocols
    }

    /// The tables ript works on, as the kernel holds them now (read without
    /// libiptc: see `IPTCTable.snapshot`); chains found to be as `expected`
    /// are not decoded.
    /// Every table is fetched before any is walked, so a walk waiting for
    /// `expected` holds up no fetch.
    public func read(_ families: [Family], expected: ExpectedChains = .none) throws(ApplyError) -> [FamilyTable: KernelTable] {
        var blobs: [IPTCTable.TableBlob] = []
        #if DEBUG
        var decoded: [FamilyTable: KernelTable] = [:]
        #endif
        for key in FamilyTable.tables([.filter, .nat], of: families) {
            let blob: IPTCTable.TableBlob
            do {
                blob = try IPTCTable.fetch(key, faults: faults)
            } catch {
                throw ApplyError.kernel(error, table: key)
            }
            #if DEBUG
            // Checked against libiptc at once, while no other writer is
            // likely to have come between the two reads.
            if checkReaders {
                let state = blob.chains(protocols: protocols, expected: .none)
                try checkAgainstLibiptc(state)
                decoded[key] = state
            }
            #endif
            blobs.append(blob)
        }
        var tables: [FamilyTable: KernelTable] = [:]
        for blob in blobs {
            let state = blob.chains(protocols: protocols, expected: expected)
            state.traceVerification()
            #if DEBUG
            if let decoded = decoded[blob.key] { Self.expectAgreement(state, decoded) }
            #endif
            tables[blob.key] = state
        }
        return tables
    }

    /// A table the raw reader read, traced and (debug builds, with
    /// RIPT_CHECK_READER=1) checked against libiptc. On the thread that uses libiptc.
    private func checked(_ state: KernelTable) throws(ApplyError) -> KernelTable {
        state.traceVerification()
        #if DEBUG
        if checkReaders { try checkAgainstLibiptc(state) }
        #endif
        return state
    }

    #if DEBUG
    /// The same table verified byte for byte and decoded must agree.
    private static func expectAgreement(_ verified: KernelTable, _ decoded: KernelTable) {
        if let difference = verified.difference(from: decoded) {
            preconditionFailure("verifying the \(verified.key) table byte for byte and decoding it disagree: \(difference)")
        }
    }

    /// The table decoded by libiptc, every rule, against the raw reader's
    /// (perhaps verified) rules.
    private func checkAgainstLibiptc(_ state: KernelTable) throws(ApplyError) {
        do {
            let handle = try IPTCTable(state.family, state.table.rawValue, faults: faults)
            let viaLibiptc = KernelTable(reading: handle, table: state.table, protocols: protocols)
            if let difference = state.difference(from: viaLibiptc) {
                preconditionFailure("the raw reader and libiptc disagree on the \(state.key) table: \(difference)")
            }
        } catch {
            throw .kernel(error, table: state.key)
        }
    }
    #endif

    /// Reads the kernel on another thread (the only one to use libiptc)
    /// while the rule files compile on this one; the tables' blobs are
    /// fetched meanwhile, and walked once the compiled chains are encoded,
    /// so ript's own chains are verified byte for byte instead of decoded.
    /// `compile`'s errors come first: they are the user's to fix.
    public func read(_ families: [Family], during compile: () throws -> CompiledRuleset) throws -> (CompiledRuleset, [FamilyTable: KernelTable]) {
        let expected = ExpectedChains.pending()
        let (ruleset, kernel) = withConcurrently({ Result { () throws(ApplyError) in try self.read(families, expected: expected) } }) {
            Result { () throws -> CompiledRuleset in
                do {
                    let ruleset = try compile()
                    expected.fulfil(encoding: ruleset)
                    return ruleset
                } catch {
                    expected.fulfil(encoding: nil)
                    throw error
                }
            }
        }
        return (try ruleset.get(), try kernel.get())
    }

    /// Applies what `plan` would show; returns what was done (empty when
    /// the kernel already matched, in which case nothing was committed).
    @discardableResult
    public func apply(_ ruleset: CompiledRuleset, _ request: PlanRequest) throws(ApplyError) -> Plan {
        try apply(ruleset, request, checkpointing: false) { _, _ in }
    }

    /// The same, recording in `checkpoint` what ript owned in each table
    /// just before changing it, for `rollback(to:)`; recorded even when the
    /// apply then fails. Refuses plans with new raw lines: they may change
    /// anything (policies, other programs' chains, other tables), which a
    /// rollback could not put back exactly.
    @discardableResult
    public func apply(_ ruleset: CompiledRuleset, _ request: PlanRequest, checkpoint: inout Checkpoint) throws(ApplyError) -> Plan {
        try apply(ruleset, request, checkpointing: true) { checkpoint.record($0, $1) }
    }

    /// Applies the rule files `compile` gives (on this thread) to `families`,
    /// reading the kernel meanwhile: the xtables lock is taken and every
    /// table read while they compile, and each family's thread plans and
    /// commits its tables as soon as they are compiled. A thread that has
    /// read its tables waits at most `patience` for the rule files; a
    /// slower compile (a run without a usable compile cache) lets the lock
    /// go, and the tables are read again once it is done. Nothing is
    /// changed before the rule files compiled, and `compile`'s errors come
    /// first: they are the user's to fix. Returns the compiled rule files
    /// and what was done.
    public func apply(
        _ families: [Family], apply: Bool, clean: Bool, during compile: () throws -> CompiledRuleset
    ) throws -> (ruleset: CompiledRuleset, done: Plan) {
        let tables = PlanRequest.tableOrder(apply: apply, families)
        let rules = Later<Prepared<any Error>?>()
        let early = Later(inBackground: {
            Result { () throws in try self.commit(tables: tables, rules: rules, recording: false, opened: { _, _ in }) }
        })
        let ruleset: CompiledRuleset
        do {
            ruleset = try compile()
        } catch {
            // The reading thread lets the lock go as soon as it sees this,
            // having changed nothing; the error is not kept waiting for it.
            rules.fulfil(nil)
            throw error
        }
        let request = PlanRequest(apply: apply, clean: clean, scope: ruleset.scope)
        let prepared = prepare(ruleset, request, checkpointing: false)
        rules.fulfil(prepared)
        var committed = early.value
        if case .success(nil) = committed {
            Trace.note("the rule files took longer to compile than the lock is held for them: reading the tables again")
            committed = Result { () throws in try commit(tables: tables, rules: Later(value: prepared), recording: false, opened: { _, _ in }) }
        }
        return (ruleset, try finish(committed.map { $0! }, ruleset: ruleset, prepared: prepared))
    }

    /// `opened` is given each table's handle as read under the lock, before
    /// anything changes; `checkpointing` refuses raw lines.
    private func apply(
        _ ruleset: CompiledRuleset, _ request: PlanRequest, checkpointing: Bool, opened: (FamilyTable, IPTCTable) -> Void
    ) throws(ApplyError) -> Plan {
        let prepared = prepare(ruleset, request, checkpointing: checkpointing)
        let committed = Result { () throws in
            try commit(tables: request.tableOrder(ruleset.families), rules: Later(value: prepared), recording: checkpointing, opened: opened)!
        }
        return try finish(committed, ruleset: ruleset, prepared: prepared)
    }

    /// What an apply takes from the compiled rule files: the entries it
    /// adds, built before the xtables lock is needed (for the partitions
    /// compiled in this run: all of them without a compile cache, only the
    /// changed ones with it; an entry needed beyond those, say after
    /// someone flushed a chain, is built when needed); what ript's chains
    /// hold when nobody touched them (encoded in the background), to
    /// compare the kernel's with instead of decoding every rule; and how to
    /// plan, with what the plans need of the rule files worked out once for
    /// the plan, any re-plan after another writer, and the check.
    private func prepare(_ ruleset: CompiledRuleset, _ request: PlanRequest, checkpointing: Bool) -> Prepared<any Error> {
        let expected = ExpectedChains(ruleset)
        var entries: [Rule: [UInt8]] = [:]
        let recompiled = ruleset.partitions.filter { ruleset.recompiled?.contains($0.partition) ?? true }
        let hooks = ruleset.families.flatMap(Bootstrap.hooks)
        entries.reserveCapacity(recompiled.reduce(hooks.count) { $0 + $1.pointers.count + $1.chains.reduce(0) { $0 + $1.rules.count } })
        Trace.phase("entries of the changed partitions") {
            for chainSet in recompiled {
                for rule in chainSet.chains.flatMap(\.rules) + chainSet.pointers.map(\.rule) where entries[rule] == nil {
                    entries[rule] = IPTCTable.entry(for: rule)
                }
            }
            for hook in hooks { entries[Bootstrap.jump(hook)] = IPTCTable.entry(for: Bootstrap.jump(hook)) }
        }
        let context = Trace.phase("plan context") { Planner.Context(ruleset, request: request) }
        let all = { @Sendable (kernel: [FamilyTable: KernelTable]) throws(any Error) -> Plan in
            let plan = Planner.plan(context, kernel: kernel)
            // New raw lines can only go in through iptables-restore.
            guard plan.raw.isEmpty else {
                if checkpointing { throw ApplyError.rawLinesCannotRollBack(plan.raw.map(\.id)) }
                throw NeedsRestore(plan: plan)
            }
            return plan
        }
        let apart: TablePlanner? = context.plansTablesApart ? { @Sendable table in Planner.plan(table: table, context: context) } : nil
        return Prepared(
            entries: entries, expected: expected, context: context,
            planning: Planning(all: all, remaining: { Planner.plan(context, kernel: $0) }, table: apart))
    }

    /// What `commit` gave, with plans that have new raw lines applied
    /// through iptables-restore.
    private func finish(
        _ committed: Result<(done: [TablePlan], findings: [String]), any Error>, ruleset: CompiledRuleset, prepared: Prepared<any Error>
    ) throws(ApplyError) -> Plan {
        do {
            let (done, findings) = try committed.get()
            return Plan(tables: done, findings: findings, raw: [])
        } catch let needsRestore as NeedsRestore {
            return try applyThroughRestore(needsRestore.plan, ruleset: ruleset, context: prepared.context!, expected: prepared.expected)
        } catch let error as ApplyError {
            throw error
        } catch {
            preconditionFailure("apply can only fail with an ApplyError: \(error)")
        }
    }

    /// Applies a plan with new raw lines through `iptables-legacy-restore
    /// --noflush` (and its IPv6 part through `ip6tables-legacy-restore`):
    /// each table's operations and raw lines in one transaction, every
    /// family's input tested first with `--test`. The restore tools take the
    /// xtables lock themselves (ript has let go of it). Raw lines are applied
    /// exactly once: with the partition's chains, which are how the next run
    /// knows they are in.
    private func applyThroughRestore(_ plan: Plan, ruleset: CompiledRuleset, context: Planner.Context, expected: ExpectedChains) throws(ApplyError) -> Plan {
        let inputs = ruleset.families.map { ($0, PlanRenderer.restoreInput(plan, family: $0)) }.filter { !$0.1.isEmpty }
        for (family, input) in inputs { try restore(input, family, true, wait) }
        for (family, input) in inputs { try restore(input, family, false, wait) }
        let left = Planner.plan(context, kernel: try read(ruleset.families, expected: expected))
        if !left.isEmpty {
            throw .verification(PlanRenderer.commands(left))
        }
        return plan
    }

    /// The plan has new raw lines: the lock is let go and it goes through iptables-restore.
    private struct NeedsRestore: Error {
        let plan: Plan
    }

    /// Removes everything ript owns in `families`, and nothing else.
    @discardableResult
    public func flush(_ families: [Family]) throws(ApplyError) -> Plan {
        try flush(families, checkpointing: false) { _, _ in }
    }

    /// The same, recording a checkpoint to roll back to, as `apply(_:_:checkpoint:)` does.
    @discardableResult
    public func flush(_ families: [Family], checkpoint: inout Checkpoint) throws(ApplyError) -> Plan {
        try flush(families, checkpointing: true) { checkpoint.record($0, $1) }
    }

    private func flush(_ families: [Family], checkpointing: Bool, opened: (FamilyTable, IPTCTable) -> Void) throws(ApplyError) -> Plan {
        let planning = Planning<Never>(all: { kernel in Planner.flush(kernel: kernel) }, remaining: { kernel in Planner.flush(kernel: kernel) }, table: nil)
        let rules = Later<Prepared<Never>?>(value: Prepared(entries: [:], expected: .none, context: nil, planning: planning))
        do {
            let (done, _) = try commit(tables: FamilyTable.tables([.nat, .filter], of: families), rules: rules, recording: checkpointing, opened: opened)!
            return Plan(tables: done, findings: [], raw: [])
        } catch let error as ApplyError {
            throw error
        } catch {
            preconditionFailure("flush can only fail with an ApplyError: \(error)")
        }
    }

    /// What an apply takes from the compiled rule files (see `prepare`).
    fileprivate struct Prepared<Failure: Error>: Sendable {
        let entries: [Rule: [UInt8]]
        let expected: ExpectedChains
        /// What the plans need of the rule files; none for a flush.
        let context: Planner.Context?
        let planning: Planning<Failure>
    }

    /// How `commit` plans its tables and checks them once committed.
    fileprivate struct Planning<Failure: Error>: Sendable {
        /// Every table at once, from what was read under the lock (and
        /// again after another writer got in).
        let all: @Sendable ([FamilyTable: KernelTable]) throws(Failure) -> Plan
        /// What is left to do once committed, every table at once.
        let remaining: @Sendable ([FamilyTable: KernelTable]) -> Plan
        /// One table alone, when tables can be planned apart (see
        /// `Planner.Context.plansTablesApart`) and nothing is recorded
        /// before changing them: each family then plans its tables as soon
        /// as it has read them, and checks each committed table as soon as
        /// it is read back, without waiting for the other family.
        let table: TablePlanner?
    }

    /// One table's plan, and what was found in it, from that table alone.
    fileprivate typealias TablePlanner = @Sendable (KernelTable) -> (plan: TablePlan, findings: [String])

    /// Under the lock: each table is read once through the handle that then
    /// changes and commits it (a fresh read only to retry after EAGAIN); a
    /// table with nothing to do gets no commit. Each committed table is read
    /// again, and nothing may be left to do in it. When `recording`,
    /// `opened` sees every handle as read, before it is changed. Returns
    /// what was done, and what the first plan found; nil, with nothing
    /// changed, when `rules` did not come in time (see `awaitRules`) or the
    /// rule files failed.
    private func commit<Failure: Error>(
        tables: [FamilyTable], rules: Later<Prepared<Failure>?>, recording: Bool, opened: (FamilyTable, IPTCTable) -> Void
    ) throws -> (done: [TablePlan], findings: [String])? {
        let lock: XtablesLock
        do {
            lock = try Trace.phase("lock") { () throws(LockError) in try XtablesLock(path: lockPath, wait: wait) }
        } catch {
            throw ApplyError.lock(error)
        }
        defer { withExtendedLifetime(lock) {} }

        var handles: [FamilyTable: IPTCTable] = [:]
        var kernel: [FamilyTable: KernelTable] = [:]
        /// A table as read under the lock, through the handle that will change it.
        func keep(_ table: FamilyTable, _ handle: IPTCTable, _ state: KernelTable) {
            if recording { opened(table, handle) }
            handles[table] = handle
            kernel[table] = state
        }

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
        @Sendable func tablePlanner(_ prepared: Prepared<Failure>) -> TablePlanner? { recording ? nil : prepared.planning.table }
        let groups = Family.allCases.map { family in tables.filter { $0.family == family } }.filter { !$0.isEmpty }
        var runs = eachFamily(groups) { (group: [FamilyTable]) -> Handed<FamilyRun<Failure>> in
            var run = FamilyRun<Failure>()
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
        guard let prepared = runs.first?.prepared else { return nil }
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
            plan = try Trace.phase("plan") { () throws(Failure) in try planning.all(kernel) }
            let firstPlan = plan, shared = Handed(handles)
            runs = eachFamily(groups) { (group: [FamilyTable]) -> Handed<FamilyRun<Failure>> in
                var run = FamilyRun<Failure>()
                changeTables(group, &run, operations: firstPlan.operations(on:), handles: shared.value, entries: entries, expected: expected, check: nil)
                return Handed(run)
            }
        }
        let findings = plan.findings

        var done: [TablePlan] = []
        var rereads: [FamilyTable: Later<Result<ReadBack, IPTCError>>] = [:]
        var resume: [FamilyTable] = []
        var interrupted: Set<FamilyTable> = []
        for (group, run) in zip(groups, runs) {
            done += run.done
            rereads.merge(run.rereads) { first, _ in first }
            if let (table, error) = run.failure { throw ApplyError.kernel(error, table: table) }
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
                    guard attempt < attempts else { throw ApplyError.concurrentChanges(table: table, attempts: attempts) }
                    usleep(UInt32(delay * 1_000_000))
                    delay *= 2
                    attempt += 1
                    try load(table)
                    plan = try planning.all(kernel)
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
                    throw ApplyError.kernel(error, table: table)
                }
            }
        }
        done = inCommitOrder(done)
        handles.removeAll()
        // Nothing committed and nothing re-planned: what was read under the
        // lock, and planned once, is the result. (After a re-plan, tables
        // passed before it are checked below.)
        if done.isEmpty && !replanned { return (done, findings) }
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
                case .failure(let error): throw ApplyError.readBack(error, table: table)
                }
            }
        }
        // Checked apart, table by table as read back: tables not committed
        // were planned empty from the same read. Otherwise every table again.
        if !checkedApart { left = Trace.phase("verify: plan") { planning.remaining(reread) }.tables }
        if !left.allSatisfy(\.operations.isEmpty) {
            throw ApplyError.verification(PlanRenderer.commands(Plan(tables: inCommitOrder(left), findings: [], raw: [])))
        }
        return (done, findings)
    }

    /// Changes a family's tables in order, each as `operations` says, on
    /// this thread; stops at the first that another writer changed
    /// (EAGAIN) or that fails. Each committed table is read back on
    /// another thread, and checked there with `check` when given.
    private func changeTables<Failure>(
        _ group: [FamilyTable], _ run: inout FamilyRun<Failure>, operations: (FamilyTable) -> [Operation], handles: [FamilyTable: IPTCTable],
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
                let state = try IPTCTable.snapshot(table, protocols: protocols, expected: expected, faults: faults)
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
        #if DEBUG
        if checkReaders { Self.expectAgreement(state, KernelTable(reading: handle, table: key.table, protocols: protocols)) }
        #endif
        return state
    }

    /// The compiled rule files, for a family's thread that has read its
    /// tables under the lock: waited for at most `patience` seconds, then
    /// given up on, so a slow compile does not keep the xtables lock from
    /// other programs. Giving up is decided once, for every thread alike
    /// (`Later` takes the first value handed over): nil, and nothing is
    /// changed. Also nil when the rule files failed.
    private func awaitRules<Failure>(_ rules: Later<Prepared<Failure>?>) -> Prepared<Failure>? {
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
private struct FamilyRun<Failure: Error> {
    var read: [(FamilyTable, IPTCTable, KernelTable)] = []
    var readFailure: ApplyError?
    /// The rule files, as waited for after reading.
    var prepared: Applier.Prepared<Failure>?
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

#if DEBUG
/// RIPT_CHECK_READER=1 (debug builds, set by the kernel tests): every read is
/// also made the slow, independent way and must agree.
private let checkReaders = getenv("RIPT_CHECK_READER").map { String(cString: $0) == "1" } ?? false
#endif

/// Why an apply stopped. Every case says what was and wasn't changed.
public enum ApplyError: Error, Sendable, CustomStringConvertible {
    case kernel(IPTCError, table: FamilyTable)
    case lock(LockError)
    case concurrentChanges(table: FamilyTable, attempts: Int)
    case verification(String)
    /// A committed table could not be read back to check it.
    case readBack(IPTCError, table: FamilyTable)
    /// iptables-legacy-restore (ip6tables-legacy-restore for IPv6) failed;
    /// `tested` when it was the `--test` run.
    case restore(String, tested: Bool, family: Family)
    /// `--confirm` with partitions whose raw lines would go in now.
    case rawLinesCannotRollBack([String])

    public var description: String {
        switch self {
        case .kernel(let error, let table):
            "the \(table) table could not be changed (\(error.function): \(error.message)); it was left as it was"
        case .lock(let error):
            error.description
        case .concurrentChanges(let table, let attempts):
            "another program kept changing the \(table) table; gave up after \(attempts) tries and left it as it was; run again"
        case .readBack(let error, let table):
            "the \(table) table was committed, but reading it back to check it failed (\(error.function): \(error.message)); run 'ript rules diff' to see what is left"
        case .verification(let left):
            "after committing, the kernel still differs from the rule files; another program may have changed it. Still to do:\n\(left)"
        case .restore(let message, true, let family):
            "\(family.command)-legacy-restore --test refused the changes with their raw lines, so nothing was changed: \(message)"
        case .rawLinesCannotRollBack(let partitions):
            """
            \(partitions.joined(separator: ", ")) \(partitions.count == 1 ? "has" : "have") new raw lines, which may change \
            anything (policies, other programs' chains, other tables), so --confirm could not roll them back; nothing was \
            changed. Apply without --confirm, with a second session open, or move what the raw lines do into the rule files
            """
        case .restore(let message, false, let family):
            "\(family.command)-legacy-restore failed after its --test run passed (another program may have changed the tables); tables before the failing one may be committed; run again: \(message)"
        }
    }
}

/// Runs `iptables-legacy-restore --noflush [--test] --wait N` (for IPv6,
/// `ip6tables-legacy-restore`) with `input`.
func runRestore(_ input: String, family: Family, test: Bool, wait: Double) throws(ApplyError) {
    var arguments = [family.command + "-legacy-restore", "--noflush", "--wait", String(max(1, Int(wait.rounded(.up))))]
    if test { arguments.append("--test") }
    let result = runProgram(arguments, input: input)
    guard result.status == 0 else {
        throw .restore(result.output.isEmpty ? "exit status \(result.status)" : result.output, tested: test, family: family)
    }
}
