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

