import Foundation
import Testing

/// Whether this process may make network namespaces: CI runs as root, and
/// these tests must run there. RIPT_SKIP_KERNEL_TESTS=1 is the only way to
/// skip them (for a developer without root); otherwise lacking root fails.
let kernelTestsSkipped = ProcessInfo.processInfo.environment["RIPT_SKIP_KERNEL_TESTS"] == "1"

/// Runs a shell script inside a new, empty network namespace made with
/// `unshare -n`; the namespace disappears when the script ends. `iptables`
/// means iptables-legacy there, the backend ript's kernel side writes.
func inFreshNetworkNamespace(_ script: String) throws -> ProcessResult {
    try #require(geteuid() == 0, "kernel tests need root to make network namespaces (CI runs as root); set RIPT_SKIP_KERNEL_TESTS=1 to skip them")
    let shim = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: shim) }
    try FileManager.default.createSymbolicLink(at: shim.appendingPathComponent("iptables"), withDestinationURL: URL(fileURLWithPath: "/usr/sbin/iptables-legacy"))
    let environment = "PATH=\(shim.path):/usr/sbin:/usr/bin:/sbin:/bin"
    return try run(URL(fileURLWithPath: "/usr/bin/unshare"), ["-n", "/usr/bin/env", environment, "/bin/sh", "-ec", script])
}

/// iptables-save output without comments and counters, for comparing states.
func normalizedSave(_ text: String) -> [String] {
    text.split(separator: "\n").map(String.init)
        .filter { !$0.hasPrefix("#") }
        .map { $0.replacingOccurrences(of: #" \[\d+:\d+\]$"#, with: "", options: .regularExpression) }
}

@Suite(.disabled(if: kernelTestsSkipped, "RIPT_SKIP_KERNEL_TESTS=1"))
struct KernelLoadTests {
    /// The generated output is not just well-formed text: iptables accepts
    /// every line, and both formats build the same kernel state.
    @Test("generated commands and restore input load the same rules into a fresh network namespace (unshare -n)")
    func commandsAndRestoreAgree() throws {
        let commands = try ript("rules", "generate", "examples/")
        let restore = try ript("rules", "generate", "--format", "restore", "examples/")
        try #require(commands.status == 0 && restore.status == 0)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = directory.appendingPathComponent("rules.sh"), input = directory.appendingPathComponent("rules.restore")
        try commands.standardOutput.write(to: script, atomically: true, encoding: .utf8)
        try restore.standardOutput.write(to: input, atomically: true, encoding: .utf8)

        let byCommands = try inFreshNetworkNamespace(". '\(script.path)'; iptables-legacy-save")
        #expect(byCommands.status == 0, "\(byCommands.standardError)")
        let byRestore = try inFreshNetworkNamespace("iptables-legacy-restore --noflush < '\(input.path)'; iptables-legacy-save")
        #expect(byRestore.status == 0, "\(byRestore.standardError)")

        let saved = normalizedSave(byRestore.standardOutput)
        #expect(normalizedSave(byCommands.standardOutput) == saved)
        // Every rule ript generates (all but raw lines) reads back from the
        // kernel exactly as ript wrote it: the diff against the kernel can
        // compare text.
        let raw = Set(["-A INPUT", "-A PREROUTING"])
        let generated = restore.standardOutput.split(separator: "\n").map(String.init)
            .filter { $0.hasPrefix("-A ") && !raw.contains(where: $0.hasPrefix) }
        #expect(generated.count > 150)
        for line in generated {
            #expect(saved.contains(line), "the kernel saved '\(line)' differently")
        }
    }
}
