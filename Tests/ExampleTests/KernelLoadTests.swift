import Foundation
import Testing

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
