import ArgumentParser
import RiptCore
import RiptKernel
import RiptSupport
#if canImport(Glibc)
import Glibc
#endif
#if DEBUG
import Synchronization
#endif

/// `--family`: the address families a command covers.
struct FamilyOptions: ParsableArguments {
    enum Choice: String, ExpressibleByArgument, CaseIterable {
        case four = "4", six = "6", both
    }

    @Option(help: "Address families: 4 (iptables), 6 (ip6tables) or both.")
    var family: Choice = .both

    var families: [Family] {
        switch family {
        case .four: [.ipv4]
        case .six: [.ipv6]
        case .both: Family.allCases
        }
    }

    /// iptables-restore input is one family's: `--format restore` needs one.
    func checkRestoreFormat() throws {
        guard families.count == 1 else {
            throw ValidationError("restore input is for one family: add --family 4 (for iptables-restore) or --family 6 (for ip6tables-restore)")
        }
    }
}

/// Options of every command that reads or changes the kernel.
struct KernelOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Seconds to wait for the xtables lock held by another program.", valueName: "seconds"))
    var wait: Double = 5

    @OptionGroup var families: FamilyOptions

    func validate() throws {
        guard wait >= 0, wait.isFinite else { throw ValidationError("--wait takes a number of seconds, 0 or more") }
    }

    /// The applier, after checking this process may use the firewall.
    func applier(for command: String) throws -> Applier {
        guard geteuid() == 0 else {
            writeStandardError("ript: error: '\(command)' reads or changes the kernel's firewall rules and needs root; run it with sudo\n")
            throw ExitCode.error
        }
        var applier = Applier(protocols: .system())
        applier.wait = wait
        #if DEBUG
        applier.faults = injectedFaults()
        // For the tests: how long the lock waits for the rule files (Applier.patience).
        if let patience = getenv("RIPT_LOCK_PATIENCE").flatMap({ Double(String(cString: $0)) }) { applier.patience = patience }
        let kill = killAfterCommit(), run = runAfterCommit()
        applier.afterCommit = { table in
            kill(table)
            run(table)
        }
        #endif
        return applier
    }
}

/// Runs a kernel stage, printing a failure to standard error.
func reportingKernelErrors<Value>(_ body: () throws -> Value) throws -> Value {
    do {
        return try body()
    } catch let error as ApplyError {
        writeStandardError("ript: error: \(error.description)\n")
        throw ExitCode.error
    }
}

/// Prints what the kernel's state made ript notice.
func reportFindings(_ plan: Plan) {
    for finding in plan.findings { writeStandardError("ript: warning: \(finding)\n") }
}

#if DEBUG
/// Debug builds only, for the crash tests: RIPT_KILL_AFTER_COMMIT="iptables
/// filter" makes the process kill itself with SIGKILL right after that
/// table's commit, before the next table is touched.
func killAfterCommit() -> @Sendable (FamilyTable) -> Void {
    guard let table = getenv("RIPT_KILL_AFTER_COMMIT").map({ String(cString: $0) }), !table.isEmpty else { return { _ in } }
    return { committed in
        if committed.description == table { kill(getpid(), SIGKILL) }
    }
}

/// Debug builds only, for the verification tests: RIPT_AFTER_COMMIT_RUN=
/// "ip6tables nat=COMMAND" runs COMMAND with /bin/sh right after that
/// table's commit, before it is read back: another program changing the
/// table behind the lock's back.
func runAfterCommit() -> @Sendable (FamilyTable) -> Void {
    guard let spec = getenv("RIPT_AFTER_COMMIT_RUN").map({ String(cString: $0) }), let equals = spec.firstIndex(of: "=") else { return { _ in } }
    let table = String(spec[..<equals]), command = String(spec[spec.index(after: equals)...])
    return { committed in
        guard committed.description == table else { return }
        let result = runProgram(["/bin/sh", "-c", command])
        if result.status != 0 { writeStandardError("RIPT_AFTER_COMMIT_RUN: exit \(result.status): \(result.output)") }
    }
}

/// Debug builds only, for the namespace tests: RIPT_FAULTS=function=ERRNO[*count],…
/// makes those libiptc calls fail (the first `count` times, or always).
func injectedFaults() -> IPTCFaults {
    guard let spec = getenv("RIPT_FAULTS").map({ String(cString: $0) }), !spec.isEmpty else { return .none }
    let codes: [String: Int32] = ["EAGAIN": EAGAIN, "ENOMEM": ENOMEM, "EPERM": EPERM, "EINVAL": EINVAL, "ENOENT": ENOENT]
    var rules: [String: (code: Int32, count: Int)] = [:]
    for item in spec.split(separator: ",") {
        let parts = item.split(separator: "=", maxSplits: 1)
        guard parts.count == 2 else { continue }
        let value = parts[1].split(separator: "*", maxSplits: 1)
        guard let code = codes[String(value[0])] else { continue }
        rules[String(parts[0])] = (code, value.count == 2 ? Int(value[1]) ?? .max : .max)
    }
    let remaining = Mutex(rules)
    return IPTCFaults { function in
        remaining.withLock { rules in
            guard let rule = rules[function], rule.count > 0 else { return nil }
            rules[function] = (rule.code, rule.count - 1)
            return rule.code
        }
    }
}
#endif
