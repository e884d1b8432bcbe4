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
///
/// This folder: the public API here; the commit engine (the lock, the
/// family threads, the retry, the check) in `Commit.swift`; plans with new
/// raw lines through iptables-restore in `RestoreApply.swift`; lockout
/// protection in `Checkpoint.swift` and `Rollback.swift`; the errors in
/// `ApplyError.swift`.
public struct Applier: Sendable {
    public var protocols: ProtocolTable
    public var lockPath: String = XtablesLock.defaultPath
    /// Seconds to wait for the xtables lock.
    public var wait: Double = 5
    /// Commits tried per table before giving up on concurrent changes.
    public var attempts = 5
    /// Seconds a thread that holds the xtables lock, and has read its
    /// tables, waits for the rule files to compile (see
    /// `apply(_:_:during:)`): about as long as reading a
    /// 50,000-rule table takes, far less than parsing thousands of files.
    public var patience = 0.05
    public var faults: IPTCFaults = .none
    /// Every read is also made the slow, independent way, and the two must
    /// agree, or the process stops: the raw reader's tables against
    /// libiptc's, chains verified byte for byte against the same chains
    /// decoded. For the kernel tests (debug builds of the command line set
    /// it from RIPT_CHECK_READER=1).
    public var checkReaders = false
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
    /// libiptc: see `TableBlobReader`); chains found to be as `expected`
    /// are not decoded.
    /// Every table is fetched before any is walked, so a walk waiting for
    /// `expected` holds up no fetch.
    public func read(_ families: [Family], expected: ExpectedChains = .none) throws(ApplyError) -> [FamilyTable: KernelTable] {
        var blobs: [TableBlobReader.TableBlob] = []
        var decoded: [FamilyTable: KernelTable] = [:]
        let reader = TableBlobReader(faults: faults)
        for key in FamilyTable.tables([.filter, .nat], of: families) {
            let blob: TableBlobReader.TableBlob
            do {
                blob = try reader.fetch(key)
            } catch {
                throw .kernel(error, table: key)
            }
            // Checked against libiptc at once, while no other writer is
            // likely to have come between the two reads.
            if checkReaders {
                let state = blob.chains(protocols: protocols, expected: .none)
                try checkAgainstLibiptc(state)
                decoded[key] = state
            }
            blobs.append(blob)
        }
        var tables: [FamilyTable: KernelTable] = [:]
        for blob in blobs {
            let state = blob.chains(protocols: protocols, expected: expected)
            state.traceVerification()
            if let decoded = decoded[blob.key] { Self.expectAgreement(state, decoded) }
            tables[blob.key] = state
        }
        return tables
    }

    /// A table the raw reader read, traced and (with `checkReaders`)
    /// checked against libiptc. On the thread that uses libiptc.
    func checked(_ state: KernelTable) throws(ApplyError) -> KernelTable {
        state.traceVerification()
        if checkReaders { try checkAgainstLibiptc(state) }
        return state
    }

    /// The same table verified byte for byte and decoded must agree.
    static func expectAgreement(_ verified: KernelTable, _ decoded: KernelTable) {
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
        var recording = Recording.off
        return try apply(ruleset, request, recording: &recording)
    }

    /// The same, recording in `checkpoint` what ript owned in each table
    /// just before changing it, and the tables committed, for
    /// `rollback(to:)`; recorded even when the apply then fails. Refuses
    /// plans with new raw lines: they may change anything (policies, other
    /// programs' chains, other tables), which a rollback could not put back
    /// exactly.
    @discardableResult
    public func apply(_ ruleset: CompiledRuleset, _ request: PlanRequest, checkpoint: inout Checkpoint) throws(ApplyError) -> Plan {
        var recording = Recording.into(checkpoint)
        defer { checkpoint = recording.checkpoint! }
        return try apply(ruleset, request, recording: &recording)
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
        _ families: [Family], _ goal: PlanRequest.Goal, during compile: () throws -> CompiledRuleset
    ) throws -> (ruleset: CompiledRuleset, done: Plan) {
        let tables = goal.tableOrder(families)
        let rules = Later<Prepared?>()
        let early = Later(inBackground: {
            Result { () throws(ApplyError) in
                var recording = Recording.off
                return try self.commit(tables: tables, rules: rules, recording: &recording)
            }
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
        let prepared = prepare(ruleset, PlanRequest(goal, scope: ruleset.scope))
        rules.fulfil(prepared)
        var outcome = early.value
        if case .success(.noRules) = outcome {
            Trace.note("the rule files took longer to compile than the lock is held for them: reading the tables again")
            outcome = Result { () throws(ApplyError) in
                var recording = Recording.off
                return try commit(tables: tables, rules: Later(value: prepared), recording: &recording)
            }
        }
        return (ruleset, try finish(outcome.get(), ruleset: ruleset, prepared: prepared))
    }

    private func apply(_ ruleset: CompiledRuleset, _ request: PlanRequest, recording: inout Recording) throws(ApplyError) -> Plan {
        let prepared = prepare(ruleset, request)
        let outcome = try commit(tables: request.tableOrder(ruleset.families), rules: Later(value: prepared), recording: &recording)
        if case .needsRestore(let plan) = outcome, recording.checkpoint != nil {
            throw .rawLinesCannotRollBack(plan.raw.map(\.id))
        }
        return try finish(outcome, ruleset: ruleset, prepared: prepared)
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
    private func prepare(_ ruleset: CompiledRuleset, _ request: PlanRequest) -> Prepared {
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
        let apart: TablePlanner? = context.plansTablesApart ? { @Sendable table in Planner.plan(table: table, context: context) } : nil
        return Prepared(
            entries: entries, expected: expected, context: context,
            planning: Planning(all: { Planner.plan(context, kernel: $0) }, table: apart))
    }

    /// What `commit` did, as a plan: plans with new raw lines go in through
    /// iptables-restore, now that the lock is let go.
    private func finish(_ outcome: Outcome, ruleset: CompiledRuleset, prepared: Prepared) throws(ApplyError) -> Plan {
        switch outcome {
        case .committed(let done, let findings):
            return Plan(tables: done, findings: findings, raw: [])
        case .needsRestore(let plan):
            return try applyThroughRestore(plan, ruleset: ruleset, context: prepared.context!, expected: prepared.expected)
        case .noRules:
            preconditionFailure("the rule files are handed over before this commit starts")
        }
    }

    /// Removes everything ript owns in `families`, and nothing else.
    @discardableResult
    public func flush(_ families: [Family]) throws(ApplyError) -> Plan {
        var recording = Recording.off
        return try flush(families, recording: &recording)
    }

    /// The same, recording a checkpoint to roll back to, as `apply(_:_:checkpoint:)` does.
    @discardableResult
    public func flush(_ families: [Family], checkpoint: inout Checkpoint) throws(ApplyError) -> Plan {
        var recording = Recording.into(checkpoint)
        defer { checkpoint = recording.checkpoint! }
        return try flush(families, recording: &recording)
    }

    private func flush(_ families: [Family], recording: inout Recording) throws(ApplyError) -> Plan {
        let planning = Planning(all: { kernel in Planner.flush(kernel: kernel) }, table: nil)
        let rules = Later<Prepared?>(value: Prepared(entries: [:], expected: .none, context: nil, planning: planning))
        switch try commit(tables: FamilyTable.tables([.nat, .filter], of: families), rules: rules, recording: &recording) {
        case .committed(let done, _):
            return Plan(tables: done, findings: [], raw: [])
        case .noRules, .needsRestore:
            preconditionFailure("a flush is planned at once, and has no raw lines")
        }
    }
}
