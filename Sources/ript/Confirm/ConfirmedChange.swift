import ArgumentParser
import RiptCore
import RiptKernel
import RiptSupport
#if canImport(Glibc)
import Glibc
#endif

// `--confirm`, in this folder: a change that is rolled back unless it is
// confirmed in time (this file); where the waiting command is found, in the
// run directory (ConfirmationSlot); what `ript confirm` and the waiting
// command say to each other (ConfirmMessage); the wait itself
// (WaitForConfirmation), with the signals (InterruptWatch) and the key
// (KeyTerminal) that end it; and `ript confirm` (ConfirmCommand).

/// `--confirm SECONDS`: lockout protection for the commands that change the kernel.
struct ConfirmOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        """
        Roll the changes back after this many seconds unless they are confirmed first, with 'ript confirm' from \
        another shell or a key pressed here (when standard input is a terminal). SIGHUP (unless ignored, as under \
        nohup), SIGINT and SIGTERM roll back at once. Only ript's chains and its jumps, and the filter policies ript owns (where its marker chain partition-p was or is), are rolled back, exactly as they were. Exits 0 when confirmed (1 with --detailed-exit-codes when something changed), 2 when \
        rolled back, 3 when the rollback failed.
        """,
        valueName: "seconds"))
    var confirm: Double?

    func validate() throws {
        if let confirm, !(confirm > 0 && confirm <= 86_400) {
            throw ValidationError("--confirm takes a number of seconds to wait for confirmation, more than 0 and at most 86400")
        }
    }
}

/// Exit codes of `--confirm`.
extension ExitCode {
    /// Nobody confirmed: the changes were rolled back.
    static let rolledBack = ExitCode(2)
    /// The rollback itself failed: the kernel is not as it was.
    static let rollbackFailed = ExitCode(3)
}

/// Makes a change to the kernel, then, with `--confirm`, waits for it to be
/// confirmed and rolls it back if it is not. `change` records the checkpoint
/// to roll back to. Without `--confirm` it refuses to run while a
/// `--confirm` change is waiting (that rollback would undo it).
///
/// `repair` tells, in a sentence, how to put things right by hand after a
/// failed rollback. `report` prints what was done, once it is done (before
/// the wait), and `reportRollback` a rollback's commands. Returns what was
/// done and kept.
@discardableResult
func changeKernel(
    _ command: String, _ options: ConfirmOptions, signals: InterruptWatch?, applier: Applier, repair: String,
    report: (Plan) -> Void, reportRollback: @escaping (String) -> Void,
    change: (Applier, inout Checkpoint?) throws -> Plan
) throws -> Plan {
    guard let seconds = options.confirm, let signals else {
        try reportingConfirmationErrors { try ConfirmationSlot.checkNoneWaiting(command) }
        var none: Checkpoint?
        let done = try reportingKernelErrors { try change(applier, &none) }
        reportFindings(done)
        report(done)
        return done
    }
    let rollBack = { (checkpoint: Checkpoint, reason: String) throws in
        try rollBackChanges(applier, to: checkpoint, because: reason, repair: repair, report: reportRollback)
    }
    let slot = try reportingConfirmationErrors { try ConfirmationSlot() }
    // Held until the rollback is over: no other --confirm change may start before.
    defer { withExtendedLifetime(slot) {} }
    if let signal = signals.pending() {
        writeStandardError("ript: got \(InterruptWatch.name(signal)) before changing anything; nothing was changed\n")
        throw ExitCode.error
    }
    var checkpoint: Checkpoint? = Checkpoint()
    let done: Plan
    do {
        done = try change(applier, &checkpoint)
    } catch let error as ApplyError {
        writeStandardError("ript: error: \(error.description)\n")
        // A table committed before the failure is new: with --confirm, it goes back too.
        if let checkpoint = checkpoint?.toRollBack {
            try rollBack(checkpoint, "the change failed before it was complete")
        }
        throw ExitCode.error
    }
    reportFindings(done)
    report(done)
    guard let checkpoint = checkpoint?.toRollBack else {
        writeStandardError("ript: nothing to change, so nothing to confirm\n")
        return done
    }

    let listener: Int32
    do {
        listener = try slot.listen()
    } catch {
        writeStandardError("ript: error: \(error.description)\n")
        try rollBack(checkpoint, "ript could not wait for a confirmation")
        throw ExitCode.rolledBack
    }
    let terminal = KeyTerminal()
    writeStandardError("""
        ript: changed \(changesPerTable(done.tables.map { ($0.key, $0.operations.count) })); rolling back in \(formatSeconds(seconds)) s unless confirmed: \
        run 'ript confirm' in another shell\(terminal == nil ? "" : ", or press any key here")

        """)
    let outcome = waitForConfirmation(seconds: seconds, listener: listener, terminal: terminal, signals: signals)
    slot.stopListening()
    terminal?.restore()

    let reason: String
    switch outcome {
    case .confirmedByCommand, .confirmedByKey:
        writeStandardError("ript: confirmed\(outcome == .confirmedByKey ? " by a key" : " by 'ript confirm'"); the changes are kept\n")
        return done
    case .timedOut:
        reason = "nobody confirmed them within \(formatSeconds(seconds)) s"
    case .interrupted(let signal):
        reason = "ript got \(InterruptWatch.name(signal)) before anyone confirmed them"
    case .terminalLost:
        reason = "the terminal went away before anyone confirmed them"
    }
    writeStandardError("ript: not confirmed: rolling back now\n")
    try rollBack(checkpoint, reason)
    throw ExitCode.rolledBack
}

/// Rolls back to `checkpoint` and says what happened; throws
/// `rollbackFailed` (after saying so loudly) when it could not. `report`
/// prints the rollback's commands, as the change's were.
private func rollBackChanges(_ applier: Applier, to checkpoint: Checkpoint, because reason: String, repair: String, report: (String) -> Void) throws {
    let rollback = applier.rollback(to: checkpoint)
    report(rollback.commands)
    if rollback.succeeded {
        let changed = changesPerTable(rollback.done.map { ($0.key, $0.operations.count) })
        let what = changed.isEmpty ? "nothing of ript's had changed" : changed
        writeStandardError("ript: rolled back (\(what)): the changes were undone because \(reason)\n")
        return
    }
    let failed = rollback.failures.map(\.key)
    let rolledBack = checkpoint.order.reversed().filter { !failed.contains($0) }
    var message = "ript: error: ROLLBACK FAILED: the changes were to be undone because \(reason), but:\n"
    for failure in rollback.failures {
        message += "ript: error: \(failure.description); it is as the change left it\n"
        if !failure.left.isEmpty { message += "ript: error: its rollback would have been:\n\(failure.left)" }
    }
    for left in rollback.left { message += "ript: error: \(left)" }
    if !failed.isEmpty {
        message += "ript: error: rolled back: \(rolledBack.isEmpty ? "no table" : rolledBack.map(\.description).joined(separator: ", ")); "
        message += "NOT rolled back: \(failed.map(\.description).joined(separator: ", "))\n"
    }
    message += "ript: error: \(repair)\n"
    writeStandardError(message)
    throw ExitCode.rollbackFailed
}

/// "iptables filter: 3 changes, ip6tables nat: 1 change": the tables with changes.
private func changesPerTable(_ tables: [(key: FamilyTable, changes: Int)]) -> String {
    tables.filter { $0.changes > 0 }.map { "\($0.key): \(plural($0.changes, "change"))" }.joined(separator: ", ")
}

/// Runs a step of `--confirm` or `ript confirm`, printing its failure.
func reportingConfirmationErrors<Value>(_ body: () throws -> Value) throws -> Value {
    do {
        return try body()
    } catch let error as ConfirmationError {
        writeStandardError("ript: error: \(error.description)\n")
        throw ExitCode.error
    }
}
