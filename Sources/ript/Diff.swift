import ArgumentParser
import RiptCore
import RiptKernel
import RiptSupport

/// Output formats of commands that print a plan.
enum PlanFormat: String, ExpressibleByArgument, CaseIterable {
    case commands, json, restore
}

/// `diff` for rules and clean: print what apply would do.
struct DiffOptions: ParsableArguments {
    @Flag(help: "Exit 1 when there is something to do, 0 when the kernel is in sync (2 is always an error).")
    var exitCode = false

    @Option(help: "Output format: commands (iptables and ip6tables command lines), json (schema/ript.schema.json), or restore (iptables-restore --noflush input; needs --family 4 or 6).")
    var format: PlanFormat = .commands

    @OptionGroup var output: OutputOptions

    func check(_ families: FamilyOptions) throws {
        if format == .restore { try families.checkRestoreFormat() }
    }

    func print(_ plan: Plan, ruleset: CompiledRuleset) throws {
        reportFindings(plan)
        switch format {
        case .commands: output.writePlan(plan, ruleset: ruleset, done: false)
        case .json: output.writePlanJSON(plan, ruleset: ruleset, applied: false)
        case .restore: output.write(plan.tables.first.map { PlanRenderer.restoreInput(plan, family: $0.family) } ?? "")
        }
        if exitCode && !plan.isEmpty { throw ExitCode(1) }
    }
}

func compiled(_ options: RulePathOptions) throws -> CompiledRuleset {
    try options.compile()
}

/// Plans a request against the kernel and prints it.
func diffPartitions(_ rules: RulePathOptions, _ diff: DiffOptions, _ kernel: KernelOptions, command: String, goal: PlanRequest.Goal) throws {
    diff.output.configure()
    let applier = try kernel.applier(for: command)
    // The kernel is read while the rule files compile.
    let families = kernel.families.families
    let (ruleset, tables) = try reportingKernelErrors { try applier.read(families) { try compiled(rules).restricted(to: families) } }
    let plan = Trace.phase("plan") { Planner.plan(ruleset, kernel: tables, request: PlanRequest(goal, scope: ruleset.scope)) }
    try Trace.phase("print") { try diff.print(plan, ruleset: ruleset) }
}

extension Ript.Rules {
    /// `ript rules diff PATH`
    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print what 'rules apply' would change in the kernel; nothing when it is up to date.",
            discussion: """
                Compares the compiled partitions with the kernel's filter and nat tables: missing bootstrap, \
                partitions not loaded, ript chains changed by hand (reported as warnings), pointers missing, \
                out of place or extra. Needs root.
                """)

        @OptionGroup var rules: RulePathOptions
        @OptionGroup var diff: DiffOptions
        @OptionGroup var kernel: KernelOptions

        func validate() throws { try diff.check(kernel.families) }

        func run() throws {
            try diffPartitions(rules, diff, kernel, command: "ript rules diff", goal: .load)
        }
    }
}

extension Ript.Clean {
    /// `ript clean diff PATH`
    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the stale chains and pointers 'clean apply' would remove.",
            discussion: """
                With a directory, every ript partition not in it is stale; with one file, only that file's \
                partitions are considered. Older versions of a partition are stale once its current version \
                is loaded. Needs root.
                """)

        @OptionGroup var rules: RulePathOptions
        @OptionGroup var diff: DiffOptions
        @OptionGroup var kernel: KernelOptions

        func validate() throws { try diff.check(kernel.families) }

        func run() throws {
            try diffPartitions(rules, diff, kernel, command: "ript clean diff", goal: .clean)
        }
    }
}
