import ArgumentParser
import RiptCore
import RiptKernel
import RiptSupport

/// How the commands that change the kernel report what they did.
struct ApplyOutputOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case commands, json
    }

    @Option(help: "Output format of what was changed: commands (iptables and ip6tables command lines) or json (schema/ript.schema.json).")
    var format: Format = .commands

    @Flag(help: "Exit 1 when the kernel was changed, 0 when there was nothing to change (2 is always an error). For config management: without it, success is always 0.")
    var detailedExitCodes = false

    @OptionGroup var output: OutputOptions

    /// Prints what was done: the commands (and, on a terminal, the summary line) or JSON.
    func report(_ done: Plan, ruleset: CompiledRuleset) {
        switch format {
        case .commands: output.writePlan(done, ruleset: ruleset, done: true)
        case .json: output.writePlanJSON(done, ruleset: ruleset, applied: true)
        }
    }

    /// Prints a rollback's commands; nothing for JSON, whose output is one document.
    func reportRollback(_ commands: String) {
        if format == .commands { output.writeCommands(commands) }
    }

    /// With --detailed-exit-codes, exits 1 when something was changed.
    func finish(_ done: Plan) throws {
        if detailedExitCodes && !done.isEmpty { throw ExitCode.changed }
    }
}

extension ExitCode {
    /// `--detailed-exit-codes`: the kernel was changed.
    static let changed = ExitCode(1)
}

/// Applies a request and prints what was done, as iptables commands; with
/// `--confirm`, waits for confirmation and rolls back without it. The kernel
/// is read while the rule files compile, except with --confirm (whose
/// checkpoint is taken from a read made with the rule files in hand) and
/// --no-cache (every file is parsed: too long to hold the xtables lock for).
func applyPartitions(
    _ rules: RulePathOptions, _ kernel: KernelOptions, _ confirm: ConfirmOptions, _ output: ApplyOutputOptions,
    command: String, goal: PlanRequest.Goal
) throws {
    // First of all, so no signal can end the process between its change and its rollback.
    let signals = confirm.confirm == nil ? nil : InterruptWatch()
    output.output.configure()
    let families = kernel.families.families
    let compile = { try Trace.phase("compile") { try compiled(rules) }.restricted(to: families) }
    var ruleset = confirm.confirm != nil || rules.noCache ? try compile() : nil
    let applier = try kernel.applier(for: command)
    let done = try changeKernel(
        command, confirm, signals: signals, applier: applier,
        repair: """
            to go back by hand: put the rule files that were loaded before back in \(rules.path), check with \
            'ript rules diff \(rules.path)', then run 'ript apply \(rules.path)' (or remove all of ript's rules with 'ript rules flush')
            """,
        report: { output.report($0, ruleset: ruleset!) }, reportRollback: output.reportRollback
    ) { applier, checkpoint in
        guard let compiled = ruleset else {
            let (compiled, done) = try applier.apply(families, goal, during: compile)
            ruleset = compiled
            return done
        }
        let request = PlanRequest(goal, scope: compiled.scope)
        if checkpoint != nil { return try applier.apply(compiled, request, checkpoint: &checkpoint!) }
        return try applier.apply(compiled, request)
    }
    try output.finish(done)
}

extension Ript.Rules {
    /// `ript rules apply PATH`
    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load the partitions into the kernel: new chains, then pointers to them. Never flushes.",
            discussion: """
                One atomic commit per table, filter first. Old versions stay until 'clean apply'. Prints what \
                it changed; with nothing to do it changes nothing and prints nothing. Needs root. \
                Hook chains: partition-i, partition-f and partition-o in filter (jumped to from INPUT, FORWARD \
                and OUTPUT), partition-d and partition-s in nat (from PREROUTING and POSTROUTING). The host-wide \
                rules of ConnectionTracking and of IPv6 DROP policies go at the head of the filter hook chains, \
                before every partition's pointers. An earlier ript's single filter hook chain, partition-a, is \
                removed with its jumps in the same filter commit that fills the new ones, and a note says so. \
                Policies: where the rule files set Policies for a family, its INPUT, FORWARD and OUTPUT policies \
                are set in the same filter commit as the rules, and the empty chain partition-p marks them as \
                ript's. A directory without Policies for a family whose partition-p exists puts back ACCEPT and \
                removes partition-p, in the same commit, with a note; a single file leaves them alone. Policies \
                without partition-p are never touched.
                """)

        @OptionGroup var rules: RulePathOptions
        @OptionGroup var kernel: KernelOptions
        @OptionGroup var confirm: ConfirmOptions
        @OptionGroup var output: ApplyOutputOptions

        func run() throws {
            try applyPartitions(rules, kernel, confirm, output, command: "ript rules apply", goal: .load)
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
        @OptionGroup var output: ApplyOutputOptions

        func run() throws {
            try applyPartitions(rules, kernel, confirm, output, command: "ript clean apply", goal: .clean)
        }
    }
}

extension Ript {
    /// `ript apply PATH`: rules apply and clean apply in the same commits.
    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load the partitions and remove stale chains, in the same commits.",
            discussion: """
                'rules apply' and 'clean apply' together: one atomic commit per table, hook chains, host-wide \
                rules and policies as 'rules apply' says. Needs root.
                """)

        @OptionGroup var rules: RulePathOptions
        @OptionGroup var kernel: KernelOptions
        @OptionGroup var confirm: ConfirmOptions
        @OptionGroup var output: ApplyOutputOptions

        func run() throws {
            try applyPartitions(rules, kernel, confirm, output, command: "ript apply", goal: .loadAndClean)
        }
    }
}
