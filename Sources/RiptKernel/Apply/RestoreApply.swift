import RiptCore
import RiptSupport

// Restore-based apply: the path for plans with new raw lines, which only
// iptables-restore can put in (ript cannot build their entries). The commit
// engine hands such a plan back, having changed nothing for it, and lets go
// of the lock.

extension Applier {
    /// Applies a plan with new raw lines through `iptables-legacy-restore
    /// --noflush` (and its IPv6 part through `ip6tables-legacy-restore`):
    /// each table's operations and raw lines in one transaction, every
    /// family's input tested first with `--test`. The restore tools take the
    /// xtables lock themselves (ript has let go of it). Raw lines are applied
    /// exactly once: with the partition's chains, which are how the next run
    /// knows they are in.
    func applyThroughRestore(_ plan: Plan, ruleset: CompiledRuleset, context: Planner.Context, expected: ExpectedChains) throws(ApplyError) -> Plan {
        let inputs = ruleset.families.map { ($0, PlanRenderer.restoreInput(plan, family: $0)) }.filter { !$0.1.isEmpty }
        for (family, input) in inputs { try restore(input, family, true, wait) }
        for (family, input) in inputs { try restore(input, family, false, wait) }
        let left = Planner.plan(context, kernel: try read(ruleset.families, expected: expected))
        if !left.isEmpty {
            throw .verification(PlanRenderer.commands(left))
        }
        return plan
    }
}

/// Runs `iptables-legacy-restore --noflush [--test] --wait N` (for IPv6,
/// `ip6tables-legacy-restore`) with `input`.
func runRestore(_ input: String, family: Family, test: Bool, wait: Double) throws(ApplyError) {
    var arguments = [family.command + "-legacy-restore", "--noflush", "--wait", String(max(1, Int(wait.rounded(.up))))]
    if test { arguments.append("--test") }
    let result = runProgram(arguments, input: input)
    guard result.status == 0 else {
        throw .restore(result.output.isEmpty ? "exit status \(result.status)" : result.output, tested: test, family: family)
    }
}
