import RiptKernel
#if DEBUG
import RiptCore
import RiptSupport
import Synchronization
#if canImport(Glibc)
import Glibc
#endif
#endif

// The environment variables the tests set to reach inside ript, all read
// here, and only in debug builds (the tests run those): a release build
// ignores every one of them.
//
// - RIPT_LOCK_PATIENCE=SECONDS: how long the xtables lock waits for the
//   rule files to compile (`Applier.patience`).
// - RIPT_KILL_AFTER_COMMIT="iptables filter": SIGKILL right after that
//   table's commit.
// - RIPT_AFTER_COMMIT_RUN="ip6tables nat=COMMAND": COMMAND right after that
//   table's commit, before it is read back.
// - RIPT_FAULTS=function=ERRNO[*count],…: libiptc calls that fail, with
//   EAGAIN, ENOMEM, EPERM, EINVAL or ENOENT.
// - RIPT_CHECK_READER=1 (the kernel tests set it): every table read is also
//   made the slow, independent way, through libiptc, and must agree
//   (`Applier.checkReaders`).

extension Applier {
    /// Sets the hooks the environment asks for, in a debug build; in a
    /// release build, nothing.
    mutating func setDebugHooks() {
        #if DEBUG
        faults = injectedFaults()
        checkReaders = getenv("RIPT_CHECK_READER").map { String(cString: $0) == "1" } ?? false
        if let patience = getenv("RIPT_LOCK_PATIENCE").flatMap({ Double(String(cString: $0)) }) { self.patience = patience }
        let kill = killAfterCommit(), run = runAfterCommit()
        afterCommit = { table in
            kill(table)
            run(table)
        }
        #endif
    }
}

#if DEBUG
/// RIPT_KILL_AFTER_COMMIT, for the crash tests: the process kills itself
/// with SIGKILL right after that table's commit, before the next table is
/// touched.
private func killAfterCommit() -> @Sendable (FamilyTable) -> Void {
    guard let table = getenv("RIPT_KILL_AFTER_COMMIT").map({ String(cString: $0) }), !table.isEmpty else { return { _ in } }
    return { committed in
        if committed.description == table { kill(getpid(), SIGKILL) }
    }
}

/// RIPT_AFTER_COMMIT_RUN, for the verification tests: COMMAND runs with
/// /bin/sh right after that table's commit, before it is read back, as
/// another program changing the table behind the lock's back.
private func runAfterCommit() -> @Sendable (FamilyTable) -> Void {
    guard let spec = getenv("RIPT_AFTER_COMMIT_RUN").map({ String(cString: $0) }), let equals = spec.firstIndex(of: "=") else { return { _ in } }
    let table = String(spec[..<equals]), command = String(spec[spec.index(after: equals)...])
    return { committed in
        guard committed.description == table else { return }
        let result = runProgram(["/bin/sh", "-c", command])
        if result.status != 0 { writeStandardError("RIPT_AFTER_COMMIT_RUN: exit \(result.status): \(result.output)") }
    }
}

/// RIPT_FAULTS, for the namespace tests: those libiptc calls fail (the
/// first `count` times, or always).
private func injectedFaults() -> IPTCFaults {
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
