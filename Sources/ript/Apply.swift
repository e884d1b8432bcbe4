import ArgumentParser
import RiptCore
import RiptKernel

/// Applies a request and prints what was done, as iptables commands; with
/// `--confirm`, waits for confirmation and rolls back without it.
func applyPartitions(_ rules: RulePathOptions, _ kernel: KernelOptions, _ confirm: ConfirmOptions, command: String, apply: Bool, clean: Bool) throws {
    // First of all, so no signal can end the process between its change and its rollback.
    let signals = confirm.confirm == nil ? nil : InterruptWatch()
    let ruleset = try Trace.phase("compile") { try compiled(rules) }.restricted(to: kernel.families.families)
    let applier = try kernel.applier(for: command)
    let request = PlanRequest(apply: apply, clean: clean, scope: ruleset.scope)
    try changeKernel(
        command, confirm, signals: signals, applier: applier,
        repair: """
            to go back by hand: put the rule files that were loaded before back in \(rules.path), check with \
            'ript rules diff \(rules.path)', then run 'ript apply \(rules.path)' (or remove all of ript's rules with 'ript rules flush')
            """
    ) { applier, checkpoint in
        if checkpoint != nil { return try applier.apply(ruleset, request, checkpoint: &checkpoint!) }
        return try applier.apply(ruleset, request)
    }
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
        @OptionGroup var confirm: ConfirmOptions

        func run() throws {
            try applyPartitions(rules, kernel, confirm, command: "ript rules apply", apply: true, clean: false)
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
        @OptionGroup var confirm: ConfirmOptions

        func run() throws {
            try applyPartitions(rules, kernel, confirm, command: "ript clean apply", apply: false, clean: true)
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
        @OptionGroup var confirm: ConfirmOptions

        func run() throws {
            try applyPartitions(rules, kernel, confirm, command: "ript apply", apply: true, clean: true)
        }
    }
}
