import Foundation
import Testing

/// Whether this process may make network namespaces: CI runs as root, and
/// these tests must run there. RIPT_SKIP_KERNEL_TESTS=1 is the only way to
/// skip them (for a developer without root); otherwise lacking root fails.
public let kernelTestsSkipped = ProcessInfo.processInfo.environment["RIPT_SKIP_KERNEL_TESTS"] == "1"

/// The shell line that sources namespace.sh (beside this file), the
/// functions of the namespace scripts: `save`, `rules`, `plain`, `foreign`,
/// `hold`, `tables`, `compare`, `writer`, `terminal`, `waiting`… (each
/// described there).
public let namespaceLibrary = ". '\(URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("namespace.sh").path)'\n"

/// The shell line that sources topology.sh (beside this file): `topology`
/// makes a client, a router and a server namespace, `router` runs a command
/// in the router's.
public let topologyLibrary = ". '\(URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("topology.sh").path)'\n"

/// Runs a shell script inside a new, empty network namespace made with
/// `unshare -n`; the namespace disappears when the script ends. `iptables`
/// means iptables-legacy there, the backend ript's kernel side writes.
///
/// The script finds `$RIPT` (the built binary) and `$WORK` (a scratch
/// directory); its xtables lock is `$XTABLES_LOCKFILE` and its
/// `--confirm` directory `$RIPT_RUN_DIR`, both in `$WORK`, so tests never
/// wait on this machine's lock or each other's.
public func inFreshNetworkNamespace(_ script: String, environment extra: [String] = []) throws -> ProcessResult {
    try #require(geteuid() == 0, "kernel tests need root to make network namespaces (CI runs as root); set RIPT_SKIP_KERNEL_TESTS=1 to skip them")
    let work = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: work) }
    let shim = work.appendingPathComponent("bin")
    try FileManager.default.createDirectory(at: shim, withIntermediateDirectories: true)
    for tool in ["iptables", "ip6tables"] {
        try FileManager.default.createSymbolicLink(at: shim.appendingPathComponent(tool), withDestinationURL: URL(fileURLWithPath: "/usr/sbin/\(tool)-legacy"))
    }
    let environment = [
        "PATH=\(shim.path):/usr/sbin:/usr/bin:/sbin:/bin", "RIPT=\(riptBinary.path)", "WORK=\(work.path)",
        "XTABLES_LOCKFILE=\(work.path)/xtables.lock", "RIPT_CACHE_DIR=\(work.path)/cache", "RIPT_RUN_DIR=\(work.path)/run",
        // Every read also through libiptc: the raw reader must agree (debug builds).
        "RIPT_CHECK_READER=1",
    ] + extra
    return try run(URL(fileURLWithPath: "/usr/bin/unshare"), ["-n", "/usr/bin/env", "-i"] + environment + ["/bin/sh", "-ec", script])
}

/// Runs `namespaceLibrary`, then `prelude`, then `script` in a fresh
/// network namespace (`inFreshNetworkNamespace`), and expects it to succeed,
/// reporting its output where the caller is when it doesn't.
@discardableResult
public func namespaceScript(
    _ script: String, prelude: String = "", environment: [String] = [], sourceLocation: SourceLocation = #_sourceLocation
) throws -> ProcessResult {
    let result = try inFreshNetworkNamespace(namespaceLibrary + prelude + script, environment: environment)
    #expect(result.status == 0, "script failed (\(result.status)):\n\(result.standardError)\n\(result.standardOutput)", sourceLocation: sourceLocation)
    return result
}

/// Splits what a script printed into the parts it headed with `marker NAME`
/// lines (what comes before the first is under ""). Carriage returns (a
/// pseudo-terminal's CRLF) become plain newlines first: Swift reads "\r\n"
/// as one Character, so it would never split there.
public func sections(_ output: String, marker: String = "=== ") -> [String: String] {
    var sections: [String: String] = [:]
    var name = ""
    let output = output.replacingOccurrences(of: "\r\n", with: "\n")
    for line in output.split(separator: "\n", omittingEmptySubsequences: false).dropLast(output.hasSuffix("\n") ? 1 : 0) {
        if line.hasPrefix(marker) {
            name = String(line.dropFirst(marker.count))
            sections[name] = ""
        } else {
            sections[name, default: ""] += line + "\n"
        }
    }
    return sections
}
