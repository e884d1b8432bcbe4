/// ript's pipeline, one typed stage after another:
///
///     rule files ──load──▶ [RuleSource] ──evaluate──▶ [EvaluatedRuleFile] (DSL values)
///                ──compile──▶ CompiledRuleset (chain sets) ──render──▶ text
///
/// Load (`RuleFileLoader`) finds and reads the files; evaluate
/// (`RuleFileEvaluator`) walks each one's syntax into `Partition` values
/// without running it; compile (`Compiler`) checks everything and expands the
/// partitions into chains, pointers and raw commands; the renderers print
/// them as iptables commands, iptables-restore input or JSON. The kernel
/// stages (read, diff, apply) take a `CompiledRuleset` from here.
public enum Pipeline {
    /// Loads, evaluates and compiles PATH. Throws `RulePathError` when PATH
    /// is unusable and `RuleErrors` (every problem found) when any rule file
    /// fails: then nothing is compiled.
    public static func compile(path: String, compiler: Compiler = Compiler()) throws -> CompiledRuleset {
        let loaded = try RuleFileLoader.load(path: path)
        if loaded.sources.isEmpty && loaded.diagnostics.isEmpty {
            throw RulePathError(description: "no rule files (*.swift) found under '\(path)'")
        }
        let evaluated = loaded.sources.concurrentMap(RuleFileEvaluator.evaluate)
        switch compiler.compile(evaluated) {
        case .success(var ruleset) where loaded.diagnostics.isEmpty:
            ruleset.isFromSingleFile = loaded.isSingleFile
            return ruleset
        case .success:
            throw RuleErrors(loaded.diagnostics)
        case .failure(let errors):
            throw RuleErrors(loaded.diagnostics + errors.diagnostics)
        }
    }
}
