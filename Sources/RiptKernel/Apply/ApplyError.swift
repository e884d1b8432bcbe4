import RiptCore

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
