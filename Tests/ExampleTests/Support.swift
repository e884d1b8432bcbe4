import Foundation
import Testing

/// The package's root directory, found from this file's path.
let packageRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The `ript` binary SwiftPM built beside the test bundle.
let riptBinary: URL = {
    let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [bundleDirectory, bundleDirectory.deletingLastPathComponent()] {
        let binary = candidate.appendingPathComponent("ript")
        if FileManager.default.isExecutableFile(atPath: binary.path) { return binary }
    }
    return packageRoot.appendingPathComponent(".build/debug/ript")
}()

/// The compile cache of every ript these tests run: never the machine's own.
let testCacheDirectory: String = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ript-test-cache-\(getpid())")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    // Gone when the test process ends: every run used to leave one behind in /tmp.
    atexit { try? FileManager.default.removeItem(atPath: testCacheDirectory) }
    return url.path
}()

/// What a finished process printed and how it exited.
struct ProcessResult {
    let status: Int32
    let standardOutput: String
    let standardError: String
}

/// Runs a program to completion from the package root.
@discardableResult
func run(_ executable: URL, _ arguments: [String], in directory: URL = packageRoot, input: String? = nil) throws -> ProcessResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = directory
    var environment = ProcessInfo.processInfo.environment
    environment["RIPT_CACHE_DIR"] = testCacheDirectory
    process.environment = environment
    let output = Pipe(), error = Pipe(), standardInput = Pipe()
    process.standardOutput = output
    process.standardError = error
    process.standardInput = standardInput
    try process.run()
    // Read both pipes while the process runs, so a large output can't block it.
    nonisolated(unsafe) var errorData = Data()
    let reader = Thread { errorData = error.fileHandleForReading.readDataToEndOfFile() }
    reader.start()
    if let input { standardInput.fileHandleForWriting.write(Data(input.utf8)) }
    try standardInput.fileHandleForWriting.close()
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !reader.isFinished { usleep(1000) }
    return ProcessResult(
        status: process.terminationStatus,
        standardOutput: String(decoding: outputData, as: UTF8.self),
        standardError: String(decoding: errorData, as: UTF8.self))
}

func ript(_ arguments: String...) throws -> ProcessResult {
    try run(riptBinary, arguments)
}

func ript(_ arguments: [String]) throws -> ProcessResult {
    try run(riptBinary, arguments)
}

/// Runs a program found on PATH.
func runTool(_ name: String, _ arguments: [String], in directory: URL = packageRoot, input: String? = nil) throws -> ProcessResult {
    try run(URL(fileURLWithPath: "/usr/bin/env"), [name] + arguments, in: directory, input: input)
}

/// Compares text with a golden file; with RIPT_UPDATE_GOLDEN=1 rewrites the file instead.
func expectGolden(_ actual: String, _ goldenPath: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let url = packageRoot.appendingPathComponent(goldenPath)
    if ProcessInfo.processInfo.environment["RIPT_UPDATE_GOLDEN"] == "1" {
        try actual.write(to: url, atomically: true, encoding: .utf8)
        return
    }
    guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
        Issue.record("missing golden file \(goldenPath); run RIPT_UPDATE_GOLDEN=1 swift test and review it", sourceLocation: sourceLocation)
        return
    }
    #expect(actual == expected, "output differs from \(goldenPath)", sourceLocation: sourceLocation)
}

/// Rule files directly in a directory (not recursive), sorted, as paths from the package root.
func ruleFiles(in directory: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent(directory).path)
        .filter { $0.hasSuffix(".swift") }
        .sorted()
        .map { "\(directory)/\($0)" }
}

/// Whether this process may make network namespaces: CI runs as root, and
/// these tests must run there. RIPT_SKIP_KERNEL_TESTS=1 is the only way to
/// skip them (for a developer without root); otherwise lacking root fails.
let kernelTestsSkipped = ProcessInfo.processInfo.environment["RIPT_SKIP_KERNEL_TESTS"] == "1"

/// Runs a shell script inside a new, empty network namespace made with
/// `unshare -n`; the namespace disappears when the script ends. `iptables`
/// means iptables-legacy there, the backend ript's kernel side writes.
///
/// The script finds `$RIPT` (the built binary) and `$WORK` (a scratch
/// directory), and its xtables lock is `$XTABLES_LOCKFILE`, a file of its
/// own, so tests never wait on this machine's lock or each other's.
func inFreshNetworkNamespace(_ script: String, environment extra: [String] = []) throws -> ProcessResult {
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
        "XTABLES_LOCKFILE=\(work.path)/xtables.lock", "RIPT_CACHE_DIR=\(work.path)/cache",
        // Every read also through libiptc: the raw reader must agree (debug builds).
        "RIPT_CHECK_READER=1",
    ] + extra
    return try run(URL(fileURLWithPath: "/usr/bin/unshare"), ["-n", "/usr/bin/env", "-i"] + environment + ["/bin/sh", "-ec", script])
}

/// iptables-save output without comments and counters, for comparing states.
func normalizedSave(_ text: String) -> [String] {
    text.split(separator: "\n").map(String.init)
        .filter { !$0.hasPrefix("#") }
        .map { $0.replacingOccurrences(of: #" \[\d+:\d+\]$"#, with: "", options: .regularExpression) }
}

/// Shell helpers for namespace scripts, `inFreshNetworkNamespace(kernelScriptHelpers
/// + script)`: `save` prints iptables-legacy-save and ip6tables-legacy-save
/// without comments and counters; `rules` copies examples/ to $WORK/rules,
/// `plain` without the examples with raw lines; `foreign` adds other
/// programs' chains, rules and policies; `hold SECONDS` holds the xtables
/// lock. `iptables` and `ip6tables` are the legacy tools.
let kernelScriptHelpers = """
    # A new namespace has no legacy tables until something reads them; a host always has them.
    for tool in iptables ip6tables; do $tool -t filter -S > /dev/null; $tool -t nat -S > /dev/null; done
    # Save output without comments and counters, for comparing states.
    uncounted() { grep -v '^#' | sed 's/ \\[[0-9]*:[0-9]*\\]$//'; }
    save() { { iptables-legacy-save; echo "=== ip6tables"; ip6tables-legacy-save; } | uncounted; }
    rules() { rm -rf "$WORK/rules"; cp -r examples "$WORK/rules"; rm -rf "$WORK/rules/errors"; }
    # The examples without raw lines (which may change anything, policies included).
    plain() { rules; rm "$WORK/rules/raw.swift" "$WORK/rules/joeblogsco.swift"; }
    foreign() {
        iptables -N DOCKER
        iptables -A DOCKER -d 172.17.0.2/32 -p tcp --dport 80 -j ACCEPT
        iptables -A DOCKER -j RETURN
        iptables -A INPUT -s 192.0.2.99/32 -j DROP
        iptables -A FORWARD -j DOCKER
        iptables -P FORWARD DROP
        iptables -t nat -N DOCKER
        iptables -t nat -A DOCKER -p tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80
        iptables -t nat -A PREROUTING -j DOCKER
        ip6tables -N DOCKER
        ip6tables -A DOCKER -d 2001:db8:17::2/128 -p tcp --dport 80 -j ACCEPT
        ip6tables -A INPUT -s 2001:db8::99/128 -j DROP
        ip6tables -A FORWARD -j DOCKER
        ip6tables -P FORWARD DROP
        ip6tables -t nat -N DOCKER
        ip6tables -t nat -A DOCKER -p tcp --dport 8080 -j DNAT --to-destination '[2001:db8:17::2]:80'
        ip6tables -t nat -A PREROUTING -j DOCKER
    }
    # Holds the xtables lock for $1 seconds in the background, returning once it is held.
    hold() {
        rm -f "$WORK/held"
        flock "$XTABLES_LOCKFILE" sh -c "touch '$WORK/held'; sleep $1" &
        while [ ! -e "$WORK/held" ]; do sleep 0.02; done
    }
    foreign_lines() { save | grep -E 'DOCKER|192.0.2.99|2001:db8::99|^:FORWARD|^\\*|COMMIT|^===' ; }

    """

/// Splits what a script printed into the parts it headed with `marker NAME`
/// lines (what comes before the first is under ""). Carriage returns (a
/// pseudo-terminal's CRLF) become plain newlines first: Swift reads "\r\n"
/// as one Character, so it would never split there.
func sections(_ output: String, marker: String = "=== ") -> [String: String] {
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

/// Runs `kernelScriptHelpers`, then `prelude`, then `script` in a fresh
/// network namespace (`inFreshNetworkNamespace`), and expects it to succeed,
/// reporting its output where the caller is when it doesn't.
@discardableResult
func namespaceScript(
    _ script: String, prelude: String = "", environment: [String] = [], sourceLocation: SourceLocation = #_sourceLocation
) throws -> ProcessResult {
    let result = try inFreshNetworkNamespace(kernelScriptHelpers + prelude + script, environment: environment)
    #expect(result.status == 0, "script failed (\(result.status)):\n\(result.standardError)\n\(result.standardOutput)", sourceLocation: sourceLocation)
    return result
}
