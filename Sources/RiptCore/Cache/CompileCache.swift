import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import Crypto
import RiptSupport

/// The compiled chain sets of rule files that haven't changed, so a large
/// rule directory only parses what changed since the last run.
///
/// One file per rule PATH (named by a digest of its real path) holds, for
/// each rule file, a SHA-256 of its bytes and the chain set it compiled to
/// (its format: `CacheFormat.swift`). A file is reused only when its bytes
/// hash the same and the cache was written by this compiler with the same
/// protocol table (the fingerprint); only files that compiled without
/// errors are stored. Cross-file checks (duplicate partition names) always
/// run over every file. A cache that can't be read, whose checksum doesn't
/// match (a byte changed on disk), or in a directory another user owns or
/// could write, is ignored: the cache can make ript faster, never different.
public struct CompileCache: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// `$RIPT_CACHE_DIR`; else /var/cache/ript for root; else
    /// `$XDG_CACHE_HOME/ript` or `~/.cache/ript`.
    public static func standard() -> CompileCache {
        if let directory = environmentValue("RIPT_CACHE_DIR") { return CompileCache(directory: directory) }
        if geteuid() == 0 { return CompileCache(directory: "/var/cache/ript") }
        if let xdg = environmentValue("XDG_CACHE_HOME") { return CompileCache(directory: xdg + "/ript") }
        return CompileCache(directory: (environmentValue("HOME") ?? "/tmp") + "/.cache/ript")
    }

    /// Bumped whenever what a rule file compiles to could change.
    static let formatVersion = "ript-compile-cache-8"

    /// A cached result: the file's stamp and digest, and its partition's chain set.
    public struct Entry: Sendable {
        public let stamp: FileStamp
        public let digest: [UInt8]
        public let chainSet: ChainSet
        /// The entry as read from the cache (its path, stamp, digest and
        /// chain set), written back as it is: a one-file change rewrites
        /// one entry, not 50,000 rules (29 ms of a core, RIPT_TRACE).
        let stored: ArraySlice<UInt8>?

        public init(stamp: FileStamp, digest: [UInt8], chainSet: ChainSet) {
            self.init(stamp: stamp, digest: digest, chainSet: chainSet, stored: nil)
        }

        init(stamp: FileStamp, digest: [UInt8], chainSet: ChainSet, stored: ArraySlice<UInt8>?) {
            self.stamp = stamp
            self.digest = digest
            self.chainSet = chainSet
            self.stored = stored
        }
    }

    // MARK: Reading

    /// The cache of one rule PATH as it was loaded.
    struct Snapshot: Sendable {
        let cache: CompileCache
        let path: String
        let fingerprint: [UInt8]
        /// By rule file path; empty when there is no usable cache.
        let entries: [String: Entry]
        /// When the cache was written (nanoseconds); 0 when there is none.
        let written: Int64
    }

    /// The cached entries for PATH.
    func load(path: String, fingerprint: [UInt8]) -> Snapshot {
        let none = Snapshot(cache: self, path: path, fingerprint: fingerprint, entries: [:], written: 0)
        guard (try? PrivateDirectory.check(directory)) != nil, let file = cacheFile(for: path),
            let (bytes, status) = try? readFile(file, atMost: (1 << 30) - 1), var reader = Optional(CacheReader(bytes)),
            let entries = try? reader.entries(fingerprint: fingerprint)
        else { return none }
        let written = Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)
        return Snapshot(cache: self, path: path, fingerprint: fingerprint, entries: entries, written: written)
    }

    // MARK: Hits and misses

    /// The rule files found under PATH, each either taken from the cache
    /// or read to be evaluated and compiled.
    ///
    /// A file whose stamp is the cached one, and older than the cache, is
    /// not read at all (as git trusts its index); any other is read and
    /// hashed, and compiled only if its bytes changed. Without a cache,
    /// every file is read (and none hashed).
    struct Lookup: Sendable {
        enum Outcome: Sendable {
            case cached(Entry)
            case read(RuleSource, digest: [UInt8])
            case unreadable(Diagnostic)
        }

        let snapshot: Snapshot?
        let files: [(path: String, stamp: FileStamp)]
        /// One for each of `files`.
        let outcomes: [Outcome]

        init(_ files: [(path: String, stamp: FileStamp)], in snapshot: Snapshot?) {
            let cached = snapshot?.entries ?? [:], written = snapshot?.written ?? 0, hashing = snapshot != nil
            self.snapshot = snapshot
            self.files = files
            outcomes = files.concurrentMap { file -> Outcome in
                let entry = cached[file.path]
                if let entry, entry.stamp == file.stamp, file.stamp.modified < written, file.stamp.changed < written {
                    return .cached(entry)
                }
                switch RuleFileLoader.read(file.path) {
                case .failure(let diagnostic): return .unreadable(diagnostic)
                case .success(let source):
                    let digest = hashing ? Array(SHA256.hash(data: Array(source.text.utf8))) : []
                    if let entry, entry.digest == digest {
                        return .cached(Entry(stamp: file.stamp, digest: digest, chainSet: entry.chainSet))
                    }
                    return .read(source, digest: digest)
                }
            }
        }

        /// The files that could not be read.
        var diagnostics: [Diagnostic] {
            outcomes.compactMap { outcome in
                guard case .unreadable(let diagnostic) = outcome else { return nil }
                return diagnostic
            }
        }

        /// The files read, to evaluate and compile.
        var misses: [RuleSource] {
            outcomes.compactMap { outcome in
                guard case .read(let source, _) = outcome else { return nil }
                return source
            }
        }

        /// What the compiler takes, in the files' order: the cached chain
        /// sets, and `evaluated`, the misses evaluated (in their order).
        func inputs(evaluated: [EvaluatedRuleFile]) -> [Compiler.Input] {
            var evaluated = evaluated.makeIterator()
            return outcomes.compactMap { outcome in
                switch outcome {
                case .cached(let entry): .compiled(entry.chainSet)
                case .read: .evaluated(evaluated.next()!)
                case .unreadable: nil
                }
            }
        }

        /// The partitions of `ruleset` compiled now, not taken from the cache.
        func recompiled(in ruleset: CompiledRuleset) -> Set<String> {
            // By path, once: a search per missed file is quadratic in a directory of thousands.
            let missed = Set(misses.map(\.path))
            return Set(ruleset.partitions.filter { missed.contains($0.location.file) }.map(\.partition))
        }

        /// Writes the cache back on another thread when anything was
        /// compiled, a stamp has to be refreshed or a file is gone; with
        /// `ruleset`, what the files compiled to (without errors; files with
        /// warnings are left out).
        func storeInBackground(compiled ruleset: CompiledRuleset) {
            guard let snapshot else { return }
            let changed = zip(files, outcomes).contains { file, outcome in
                guard case .cached(let entry) = outcome else { return true }
                return snapshot.entries[file.path]?.stamp != entry.stamp
            }
            guard changed || snapshot.entries.count != files.count else { return }
            let byFile = Dictionary(ruleset.partitions.map { ($0.location.file, $0) }, uniquingKeysWith: { first, _ in first })
            // A file with a warning is evaluated again next time, to warn
            // again; so is the one that sets host-wide settings, which the
            // cache doesn't hold (and the directory check needs every time).
            let warned = Set(ruleset.warnings.map(\.location.file) + ruleset.partitions.filter { $0.host != nil }.map(\.location.file))
            let entries = zip(files, outcomes).compactMap { file, outcome -> (String, Entry)? in
                switch outcome {
                case .cached(let entry): return (file.path, entry)
                case .read where warned.contains(file.path): return nil
                case .read(_, let digest): return byFile[file.path].map { (file.path, Entry(stamp: file.stamp, digest: digest, chainSet: $0)) }
                case .unreadable: return nil
                }
            }
            snapshot.cache.storeInBackground(path: snapshot.path, fingerprint: snapshot.fingerprint, entries: entries)
        }
    }

    // MARK: Writing

    /// Writes the entries for PATH on another thread, so a command's real
    /// work goes on meanwhile; `finishWriting()` waits for it before exit.
    func storeInBackground(path: String, fingerprint: [UInt8], entries: [(String, Entry)]) {
        pendingWrites.enter()
        detachThread {
            Trace.phase("store cache") { store(path: path, fingerprint: fingerprint, entries: entries) }
            pendingWrites.leave()
        }
    }

    /// Waits for cache writes started by this process.
    public static func finishWriting() {
        pendingWrites.wait()
    }

    /// Writes the entries for PATH, atomically; failures are ignored (it is only a cache).
    func store(path: String, fingerprint: [UInt8], entries: [(String, Entry)]) {
        guard (try? PrivateDirectory.prepare(directory)) != nil, let file = cacheFile(for: path) else { return }
        var writer = CacheWriter()
        writer.write(fingerprint: fingerprint, entries: entries)
        let temporary = "\(file).\(getpid()).tmp"
        let descriptor = open(temporary, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return }
        let written = writer.bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        if written == writer.bytes.count {
            rename(temporary, file)
        } else {
            unlink(temporary)
        }
    }

    private func cacheFile(for path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        let digest = SHA256.hash(data: Array(String(cString: resolved).utf8))
        return directory + "/" + hex(Array(digest)) + ".cache"
    }
}

/// Cache writes still under way in this process.
private let pendingWrites = DispatchGroup()
