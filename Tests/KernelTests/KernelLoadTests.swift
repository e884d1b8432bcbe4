import Foundation
import TestSupport
import Testing

@Suite(.disabled(if: kernelTestsSkipped, "RIPT_SKIP_KERNEL_TESTS=1"))
struct KernelLoadTests {
    /// The generated output is not just well-formed text: iptables accepts
    /// every line, and both formats build the same kernel state.
    @Test("generated commands and restore input load the same rules into a fresh network namespace (unshare -n)")
    func commandsAndRestoreAgree() throws {
        let commands = try ript("rules", "generate", "examples/")
        let restore = try ript("rules", "generate", "--format", "restore", "--family", "4", "examples/")
        let restore6 = try ript("rules", "generate", "--format", "restore", "--family", "6", "examples/")
        try #require(commands.status == 0 && restore.status == 0 && restore6.status == 0)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = directory.appendingPathComponent("rules.sh"), input = directory.appendingPathComponent("rules.restore")
        let input6 = directory.appendingPathComponent("rules.restore6")
        try commands.standardOutput.write(to: script, atomically: true, encoding: .utf8)
        try restore.standardOutput.write(to: input, atomically: true, encoding: .utf8)
        try restore6.standardOutput.write(to: input6, atomically: true, encoding: .utf8)

        // `iptables` and `ip6tables` are the legacy tools in these namespaces;
        // `save` prints both families' saves without comments and counters.
        let byCommands = try inFreshNetworkNamespace(namespaceLibrary + ". '\(script.path)'; save")
        #expect(byCommands.status == 0, "\(byCommands.standardError)")
        let byRestore = try inFreshNetworkNamespace(
            namespaceLibrary + "iptables-legacy-restore --noflush < '\(input.path)'; ip6tables-legacy-restore --noflush < '\(input6.path)'; save")
        #expect(byRestore.status == 0, "\(byRestore.standardError)")

        let saved = byRestore.standardOutput.split(separator: "\n").map(String.init)
        #expect(byCommands.standardOutput.split(separator: "\n").map(String.init) == saved)
        // Every rule ript generates (all but raw lines) reads back from the
        // kernel exactly as ript wrote it: the diff against the kernel can
        // compare text.
        let raw = Set(["-A INPUT", "-A PREROUTING"])
        let generated = (restore.standardOutput + restore6.standardOutput).split(separator: "\n").map(String.init)
            .filter { $0.hasPrefix("-A ") && !raw.contains(where: $0.hasPrefix) }
        #expect(generated.count > 150)
        #expect(restore6.standardOutput.split(separator: "\n").filter { $0.hasPrefix("-A ") }.count >= 20)
        for line in generated {
            #expect(saved.contains(line), "the kernel saved '\(line)' differently")
        }
    }
}
