import RiptSupport

/// ript's compiler, one typed stage after another:
///
///     rule files ──load──▶ [RuleSource] ──evaluate──▶ [EvaluatedRuleFile] (DSL values)
///                ──compile──▶ CompiledRuleset (chain sets) ──render──▶ text
///
/// 1. Load (`RuleFileLoader`, `Load/`) finds the rule files under PATH and
///    reads them as rule text.
/// 2. Evaluate (`RuleFileEvaluator`, `Evaluate/`) walks each file's syntax
///    into `Partition` values without compiling or running it.
/// 3. Compile (`Compiler`, `Compile/`) checks every partition and expands
///    it into chains, pointers and raw commands, named by their content
///    (`ChainName`).
/// Render (`Render/`) prints a compiled ruleset as iptables commands,
/// iptables-restore input or JSON; it is an output, not a stage the
/// kernel side's stages (4, read; 5, diff; 6, apply) follow.
///
/// The compile cache (`CompileCache`, `Cache/`) sits between load and
/// evaluate: a file unchanged since it last compiled is not evaluated or
/// compiled again, its chain set comes from the cache. Every problem found
/// on the way is a `Diagnostic` (`Diagnostics/`), an error or a warning.
/// The kernel stages (read, diff, apply: RiptKernel) take a
/// `CompiledRuleset` from here.
public enum Pipeline {
    /// Loads, evaluates and compiles PATH. Throws `RulePathError` when PATH
    /// is unusable and `RuleErrors` (every problem found) when any rule file
    /// fails: then nothing is compiled. Warnings come with the ruleset
    /// (`CompiledRuleset.warnings`) for the caller to print. With a cache, files whose bytes
    /// haven't changed since a successful compile are not parsed again.
    public static func compile(path: String, compiler: Compiler = Compiler(), cache: CompileCache? = nil) throws -> CompiledRuleset {
        // Load, with the cache read while the directory is walked.
        let (found, snapshot) = try withConcurrently({
            Trace.phase("load cache") { cache?.load(path: path, fingerprint: compiler.fingerprint) }
        }) {
            try Trace.phase("find rule files") { try RuleFileLoader.find(path: path) }
        }
        if found.files.isEmpty && found.diagnostics.isEmpty {
            throw RulePathError(description: "no rule files (*.swift) found under '\(printable(path))'")
        }
        let lookup = Trace.phase("check files against the cache") { CompileCache.Lookup(found.files, in: snapshot) }
        let diagnostics = found.diagnostics + lookup.diagnostics

        // Evaluate what the cache could not vouch for.
        let misses = lookup.misses
        let evaluated = Trace.phase("evaluate \(misses.count) files") { misses.concurrentMap(RuleFileEvaluator.evaluate) }

        // Compile, the cached chain sets with the rest.
        switch Trace.phase("compile", { compiler.compile(lookup.inputs(evaluated: evaluated)) }) {
        case .success(var ruleset) where diagnostics.isEmpty:
            ruleset.isFromSingleFile = found.isSingleFile
            ruleset.recompiled = lookup.recompiled(in: ruleset)
            lookup.storeInBackground(compiled: ruleset)
            return ruleset
        case .success(let ruleset):
            throw RuleErrors(diagnostics + ruleset.warnings)
        case .failure(let errors):
            throw RuleErrors(diagnostics + errors.diagnostics)
        }
    }
}
