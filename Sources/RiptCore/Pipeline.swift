import Crypto
import RiptSupport

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
        // The cache is read while the directory is walked.
        let fingerprint = cache == nil ? [] : compiler.fingerprint
        let (found, (cached, written)) = try withConcurrently({
            Trace.phase("load cache") { cache?.load(path: path, fingerprint: fingerprint) ?? ([:], 0) }
        }) {
            try Trace.phase("find rule files") { try RuleFileLoader.find(path: path) }
        }
        if found.files.isEmpty && found.diagnostics.isEmpty {
            throw RulePathError(description: "no rule files (*.swift) found under '\(printable(path))'")
        }

        // A file whose stamp is the cached one, and older than the cache, is
        // not read at all (as git trusts its index); any other is read and
        // hashed, and compiled only if its bytes changed.
        enum Outcome: Sendable {
            case cached(CompileCache.Entry)
            case read(RuleSource, digest: [UInt8])
            case unreadable(Diagnostic)
        }
        let check = { @Sendable (file: (path: String, stamp: FileStamp)) -> Outcome in
            let entry = cached[file.path]
            if let entry, entry.stamp == file.stamp, file.stamp.modified < written, file.stamp.changed < written {
                return .cached(entry)
            }
            switch RuleFileLoader.read(file.path) {
            case .failure(let diagnostic): return .unreadable(diagnostic)
            case .success(let source):
                let digest = cache == nil ? [] : Array(SHA256.hash(data: Array(source.text.utf8)))
                if let entry, entry.digest == digest {
                    return .cached(CompileCache.Entry(stamp: file.stamp, digest: digest, chainSet: entry.chainSet))
                }
                return .read(source, digest: digest)
            }
        }
        let outcomes = Trace.phase("check files against the cache") { found.files.concurrentMap(check) }
        var diagnostics = found.diagnostics
        var misses: [RuleSource] = []
        for outcome in outcomes {
            switch outcome {
            case .unreadable(let diagnostic): diagnostics.append(diagnostic)
            case .read(let source, _): misses.append(source)
            case .cached: continue
            }
        }
        var evaluated = Trace.phase("evaluate \(misses.count) files") { misses.concurrentMap(RuleFileEvaluator.evaluate) }.makeIterator()
        let inputs: [Compiler.Input] = outcomes.compactMap { outcome in
            switch outcome {
            case .cached(let entry): .compiled(entry.chainSet)
            case .read: .evaluated(evaluated.next()!)
            case .unreadable: nil
            }
        }

        switch Trace.phase("compile", { compiler.compile(inputs) }) {
        case .success(var ruleset) where diagnostics.isEmpty:
            ruleset.isFromSingleFile = found.isSingleFile
            // By path, once: a search per missed file is quadratic in a directory of thousands.
            let missed = Set(misses.map(\.path))
            ruleset.recompiled = Set(ruleset.partitions.filter { missed.contains($0.location.file) }.map(\.partition))
            // Store when anything was compiled, or a stamp has to be refreshed.
            let changed = zip(found.files, outcomes).contains { file, outcome in
                guard case .cached(let entry) = outcome else { return true }
                return cached[file.path]?.stamp != entry.stamp
            }
            if let cache, changed || cached.count != found.files.count {
                let byFile = Dictionary(ruleset.partitions.map { ($0.location.file, $0) }, uniquingKeysWith: { first, _ in first })
                let entries = zip(found.files, outcomes).compactMap { file, outcome -> (String, CompileCache.Entry)? in
                    switch outcome {
                    case .cached(let entry): return (file.path, entry)
                    case .read(_, let digest): return byFile[file.path].map { (file.path, CompileCache.Entry(stamp: file.stamp, digest: digest, chainSet: $0)) }
                    case .unreadable: return nil
                    }
                }
                cache.storeInBackground(path: path, fingerprint: fingerprint, entries: entries)
            }
            return ruleset
        case .success:
            throw RuleErrors(diagnostics)
        case .failure(let errors):
            throw RuleErrors(diagnostics + errors.diagnostics)
        }
    }
}
