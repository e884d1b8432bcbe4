import Crypto

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
    /// fails: then nothing is compiled. With a cache, files whose bytes
    /// haven't changed since a successful compile are not parsed again.
    public static func compile(path: String, compiler: Compiler = Compiler(), cache: CompileCache? = nil) throws -> CompiledRuleset {
        let loaded = try RuleFileLoader.load(path: path)
        if loaded.sources.isEmpty && loaded.diagnostics.isEmpty {
            throw RulePathError(description: "no rule files (*.swift) found under '\(path)'")
        }
        let fingerprint = cache == nil ? [] : compiler.fingerprint
        let cached = cache?.load(path: path, fingerprint: fingerprint) ?? [:]
        let digests = cache == nil ? [] : loaded.sources.concurrentMap { Array(SHA256.hash(data: Array($0.text.utf8))) }
        let hits: [ChainSet?] = loaded.sources.indices.map { index in
            guard let entry = cached[loaded.sources[index].path], entry.digest == digests[index] else { return nil }
            return entry.chainSet
        }
        let misses = loaded.sources.indices.filter { hits[$0] == nil }
        let evaluated = misses.map { loaded.sources[$0] }.concurrentMap(RuleFileEvaluator.evaluate)
        var evaluatedByIndex = Dictionary(uniqueKeysWithValues: zip(misses, evaluated))
        let inputs = loaded.sources.indices.map { index in
            hits[index].map(Compiler.Input.compiled) ?? .evaluated(evaluatedByIndex.removeValue(forKey: index)!)
        }

        switch compiler.compile(inputs) {
        case .success(var ruleset) where loaded.diagnostics.isEmpty:
            ruleset.isFromSingleFile = loaded.isSingleFile
            if let cache, !misses.isEmpty || cached.count != loaded.sources.count {
                let byFile = Dictionary(ruleset.partitions.map { ($0.location.file, $0) }, uniquingKeysWith: { first, _ in first })
                let entries = loaded.sources.indices.compactMap { index -> (String, CompileCache.Entry)? in
                    let path = loaded.sources[index].path
                    return byFile[path].map { (path, CompileCache.Entry(digest: digests[index], chainSet: $0)) }
                }
                cache.store(path: path, fingerprint: fingerprint, entries: entries)
            }
            return ruleset
        case .success:
            throw RuleErrors(loaded.diagnostics)
        case .failure(let errors):
            throw RuleErrors(loaded.diagnostics + errors.diagnostics)
        }
    }
}
