import ArgumentParser
import RiptCore
import RiptKernel
import RiptSupport

extension Ript.Rules {
    /// `ript rules save`
    struct Save: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every loaded rule in iptables-restore format (iptables-legacy-save, ip6tables-legacy-save).",
            discussion: """
                IPv4 first, then IPv6, each as its save tool prints it; with --family 4 or 6 the output \
                is input for that family's restore tool. Needs root.
                """)

        @OptionGroup var kernel: KernelOptions

        func run() throws {
            _ = try kernel.applier(for: "ript rules save")
            for family in kernel.families.families {
                let tool = family.command + "-legacy-save"
                let result = runProgram([tool])
                guard result.status == 0 else {
                    writeStandardError("ript: error: \(tool) failed: \(result.output)")
                    throw ExitCode.error
                }
                writeStandardOutput(result.output)
            }
        }
    }

    /// `ript rules flush`
    struct Flush: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove everything ript owns: its hooks, hook chains and partition chains. Nothing else.",
            discussion: """
                Where ript set a family's filter policies (its marker chain partition-p exists), INPUT, FORWARD \
                and OUTPUT go back to ACCEPT and the marker is removed, and a note says which policies changed. \
                Other chains, rules and policies are left as they are. Needs root.
                """)

        @OptionGroup var kernel: KernelOptions
        @OptionGroup var confirm: ConfirmOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let signals = confirm.confirm == nil ? nil : InterruptWatch()
            output.configure()
            let applier = try kernel.applier(for: "ript rules flush")
            let families = kernel.families.families
            try changeKernel(
                "ript rules flush", confirm, signals: signals, applier: applier,
                repair: "to go back by hand, load the rule files again with 'ript apply PATH'",
                report: { done in
                    output.writeCommands(PlanRenderer.commands(done))
                    output.writeSummary({
                        let chains = done.tables.reduce(0) { count, table in
                            count + table.operations.count { if case .deleteChain = $0 { true } else { false } }
                        }
                        return chains == 0 ? "nothing of ript's loaded" : "ript's \(plural(chains, "chain")) removed"
                    }())
                },
                reportRollback: { output.writeCommands($0) }
            ) { applier, checkpoint in
                if checkpoint != nil { return try applier.flush(families, checkpoint: &checkpoint!) }
                return try applier.flush(families)
            }
        }
    }
}
