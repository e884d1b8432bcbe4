import Foundation

/// The package's root directory, found from this file's path.
public let packageRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The `ript` binary SwiftPM built beside the test bundle.
public let riptBinary: URL = {
    let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [bundleDirectory, bundleDirectory.deletingLastPathComponent()] {
        let binary = candidate.appendingPathComponent("ript")
        if FileManager.default.isExecutableFile(atPath: binary.path) { return binary }
    }
    return packageRoot.appendingPathComponent(".build/debug/ript")
}()

/// The traffic generator built beside `ript` (Tests/Traffic).
public let trafficBinary = riptBinary.deletingLastPathComponent().appendingPathComponent("ript-traffic")

/// The compile cache of every ript these tests run: never the machine's own.
let testCacheDirectory: String = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ript-test-cache-\(getpid())")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    // Gone when the test process ends: every run used to leave one behind in /tmp.
    atexit { try? FileManager.default.removeItem(atPath: testCacheDirectory) }
    return url.path
}()

/// A new, empty directory of the test's own; the test removes it.
public func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ript-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// What a finished process printed and how it exited.
public struct ProcessResult {
    public let status: Int32
    public let standardOutput: String
    public let standardError: String
}

/// Runs a program to completion from the package root.
@discardableResult
public func run(_ executable: URL, _ arguments: [String], in directory: URL = packageRoot, input: String? = nil) throws -> ProcessResult {
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

/// Runs the built `ript` from the package root.
public func ript(_ arguments: String...) throws -> ProcessResult {
    try run(riptBinary, arguments)
}

public func ript(_ arguments: [String]) throws -> ProcessResult {
    try run(riptBinary, arguments)
}

/// Runs a program found on PATH.
public func runTool(_ name: String, _ arguments: [String], in directory: URL = packageRoot, input: String? = nil) throws -> ProcessResult {
    try run(URL(fileURLWithPath: "/usr/bin/env"), [name] + arguments, in: directory, input: input)
}
