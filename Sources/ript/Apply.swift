import ArgumentParser
import RiptCore
import RiptKernel

/// Applies a request and prints what was done, as iptables commands.
func applyPartitions(_ rules: RulePathOptions, _ kernel: KernelOptions, command: String, apply: Bool, clean: Bool) throws {
    let ruleset = try Trace.phase("compile") { try compiled(rules) }.restricted(to: kernel.families.families)
    let applier = try kernel.applier(for: command)
    let done = try reportingKernelErrors { try applier.apply(ruleset, PlanRequest(apply: apply, clean: clean, scope: ruleset.scope)) }
    reportFindings(done)
    writeStandardOutput(PlanRenderer.commands(done))
}

extension Ript.Rules {
    /// `ript rules apply PATH`
    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load the partitions into the kernel: new chains, then pointers to them. Never flushes.",
            discussion: """
                One atomic commit per table, filter first. Old versions stay until 'clean apply'. Prints what \
                it changed; with nothing to do it changes nothing and prints nothing. Needs root.
                """)

        @OptionGroup var rules: RulePathOptions
        @OptionGroup var kernel: KernelOptions

        func run() throws {
            try applyPartitions(rules, kernel, command: "ript rules apply", apply: true, clean: false)
        }
    }
}

extension Ript.Clean {
    /// `ript clean apply PATH`
    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove stale chains and the pointers to them.",
            discussion: "See 'ript clean diff'. Needs root.")

        @OptionGroup var rules: RulePathOptions
        @OptionGroup var kernel: KernelOptions

        func run() throws {
            try applyPartitions(rules, kernel, command: "ript clean apply", apply: false, clean: true)
        }
    }
}

extension Ript {
    /// `ript apply PATH`: rules apply and clean apply in the same commits.
    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load the partitions and remove stale chains, in the same commits.",
            discussion: "'rules apply' and 'clean apply' together: one atomic commit per table. Needs root.")

        @OptionGroup var rules: RulePathOptions
        @OptionGroup var kernel: KernelOptions

        func run() throws {
            try applyPartitions(rules, kernel, command: "ript apply", apply: true, clean: true)
        }
    }
}
