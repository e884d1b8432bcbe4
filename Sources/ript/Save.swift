import ArgumentParser
import RiptKernel

extension Ript.Rules {
    /// `ript rules save`
    struct Save: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every loaded rule in iptables-restore format (iptables-legacy-save).",
            discussion: "Needs root.")

        @OptionGroup var kernel: KernelOptions

        func run() throws {
            _ = try kernel.applier(for: "ript rules save")
            let result = runProgram(["iptables-legacy-save"])
            guard result.status == 0 else {
                writeStandardError("ript: error: iptables-legacy-save failed: \(result.output)")
                throw ExitCode.error
            }
            writeStandardOutput(result.output)
        }
    }

    /// `ript rules flush`
    struct Flush: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove everything ript owns: its hooks, hook chains and partition chains. Nothing else.",
            discussion: "Other chains, rules and policies are left as they are. Needs root.")

        @OptionGroup var kernel: KernelOptions

        func run() throws {
            let applier = try kernel.applier(for: "ript rules flush")
            let done = try reportingKernelErrors { try applier.flush() }
            writeStandardOutput(PlanRenderer.commands(done))
        }
    }
}
