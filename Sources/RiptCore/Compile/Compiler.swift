import Crypto
import RiptDSL
import RiptSupport

/// Stage 3, compile: partitions (DSL values) to chain sets.
///
/// All validation happens here, and every problem is collected, not just the
/// first. Output is deterministic: partitions come in the order of their file
/// paths, and a partition's chain names hash only what it generates.
public struct Compiler: Sendable {
    public var protocols: ProtocolTable

    public init(protocols: ProtocolTable = .system()) {
        self.protocols = protocols
    }

    /// A rule file to compile: evaluated now, or compiled before and unchanged since.
    public enum Input: Sendable {
        case evaluated(EvaluatedRuleFile)
        case compiled(ChainSet)
    }

    /// Compiles evaluated files; any error, from evaluation or here, fails the whole set.
    public func compile(_ files: [EvaluatedRuleFile]) -> Result<CompiledRuleset, RuleErrors> {
        compile(files.map(Input.evaluated))
    }

    /// Compiles files in order; cross-file checks cover compiled ones too.
    public func compile(_ files: [Input]) -> Result<CompiledRuleset, RuleErrors> {
        var diagnostics: [Diagnostic] = []
        var work: [Input] = []
        var seen: [String: SourceLocation] = [:]
        func unique(_ name: String, at location: SourceLocation) -> Bool {
            if let earlier = seen[name] {
                diagnostics.append(Diagnostic(
                    "partition name '\(name)' is already defined; partition names must be unique",
                    at: location, notes: [.init("'\(name)' is first defined here", at: earlier)]))
                return false
            }
            seen[name] = location
            return true
        }
        for input in files {
            let file: EvaluatedRuleFile
            switch input {
            case .compiled(let chainSet):
                if unique(chainSet.partition, at: chainSet.location) { work.append(input) }
                continue
            case .evaluated(let evaluated):
                file = evaluated
            }
            diagnostics += file.diagnostics
            // A file that failed to evaluate would only add follow-on errors.
            guard file.diagnostics.isEmpty else { continue }
            guard let first = file.partitions.first else {
                diagnostics.append(Diagnostic(
                    "no partition in this rule file; a rule file holds one Partition(\"name\") { … }",
                    at: .start(of: file.path)))
                continue
            }
            for extra in file.partitions.dropFirst() {
                diagnostics.append(Diagnostic(
                    "multiple partition definitions are not permitted in the same file; move '\(extra.name)' to a file of its own",
                    at: extra.location, notes: [.init("first partition '\(first.name)' is here", at: first.location)]))
            }
            for partition in file.partitions where unique(partition.name, at: partition.location) {
                work.append(.evaluated(EvaluatedRuleFile(path: file.path, partitions: [partition], diagnostics: [])))
            }
        }
        // Partitions compile independently of each other, so on every core.
        let protocols = self.protocols
        let compiled = work.concurrentMap { input -> (ChainSet?, errors: [Diagnostic], warnings: [Diagnostic]) in
            switch input {
            case .compiled(let chainSet): return (chainSet, [], [])
            case .evaluated(let file):
                var compilation = PartitionCompilation(partition: file.partitions[0], protocols: protocols)
                return (compilation.compile(), compilation.diagnostics, compilation.warnings)
            }
        }
        diagnostics += compiled.flatMap(\.errors)
        diagnostics += hostSettingsInOnePartition(compiled.compactMap(\.0))
        let warnings = compiled.flatMap(\.warnings)
        guard diagnostics.isEmpty else { return .failure(RuleErrors(diagnostics + warnings)) }
        var ruleset = CompiledRuleset(partitions: compiled.compactMap(\.0))
        ruleset.warnings = warnings.inFileOrder
        return .success(ruleset)
    }

    /// Host-wide settings come from one partition of a rule directory: an
    /// error at each other one that sets them, naming the first.
    func hostSettingsInOnePartition(_ chainSets: [ChainSet]) -> [Diagnostic] {
        let setting = chainSets.filter { $0.host != nil }
        guard let first = setting.first, let firstHost = first.host else { return [] }
        return setting.dropFirst().compactMap { chainSet in
            chainSet.host.map { host in
                Diagnostic(
                    "host-wide settings are set in partition '\(first.partition)' (\(firstHost.location.printable)); only one partition of a rule directory may set them",
                    at: host.location, notes: [.init("partition '\(first.partition)' sets them here", at: firstHost.location)])
            }
        }
    }

    /// What compiled results depend on besides the rule files: this
    /// compiler and its protocol table. Part of the compile cache's key.
    public var fingerprint: [UInt8] {
        Array(SHA256.hash(data: Array((CompileCache.formatVersion + "\n" + protocols.canonical).utf8)))
    }
}

/// The most iptables rules one partition may expand to: far more than a
/// firewall should hold, few enough to compile in seconds. A rule expands over
/// the product of its labels, protocols and ports, so a small file could
/// otherwise ask for billions.
public let maximumRulesPerPartition = 100_000

/// One partition's compilation: validation (`Validation.swift`), expansion
/// (`Expansion.swift`) and naming (`Naming.swift`).
struct PartitionCompilation {
    let partition: Partition
    let protocols: ProtocolTable
    /// The errors found; any one means the partition doesn't compile.
    var diagnostics: [Diagnostic] = []
    /// What compiles but is likely a mistake (a label's host bits).
    var warnings: [Diagnostic] = []

    var labels: [String: (address: LabelAddress, location: SourceLocation?)] = ["all": (.all, nil)]
    /// Labels defined but refused (a bad address): their uses are not
    /// reported again as undefined.
    var refusedLabels: Set<String> = []
    var dnatRules: [Rule] = []
    var snatRules: [Rule] = []
    /// Filter rules with the hooks each applies in: in a directed partition
    /// each goes into the chain of each of its hooks.
    var filterRules: [(rule: Rule, hooks: Set<Hook>)] = []
    /// Jumps from the filter hook chains, with the hooks each is in.
    var filterPointers: [(rule: Rule, hooks: Set<Hook>)] = []
    var dnatPointers: [Rule] = []
    var snatPointers: [Rule] = []
    var raw: [RawCommand] = []

    /// Whether the partition has a chain per hook (see `isDirected(_:)`).
    let isDirected: Bool

    init(partition: Partition, protocols: ProtocolTable) {
        self.partition = partition
        self.isDirected = Self.isDirected(partition)
        self.protocols = protocols
    }

    var name: String { partition.name }
    /// The partition's chains, as its rules jump to them until naming (a
    /// filter pointer names `NAME-a`, and is pointed at the hook's own chain
    /// in a directed partition).
    var filterChain: String { unhashedName(.filter) }
    var dnatChain: String { unhashedName(.dnat) }
    var snatChain: String { unhashedName(.snat) }

    /// Errors already reported: a rule expanded over many labels would repeat them.
    var reported: Set<String> = []

    /// Rules the expanded rules generate at most, counted before each is expanded.
    var expansion = 0

    /// "Did you mean" compares a name with every label or protocol: only the
    /// first misses of a partition get one, so thousands of misses in one
    /// file stay fast (20,000 among 20,000 labels took over ten minutes).
    var suggestionsLeft = 20

    /// The closest of `candidates` to a misspelt name, while suggestions last.
    mutating func suggestion(for name: String, among candidates: some Sequence<String>) -> String? {
        guard suggestionsLeft > 0 else { return nil }
        suggestionsLeft -= 1
        return closestMatch(to: name, in: candidates)
    }

    mutating func error(_ message: String, at location: SourceLocation, notes: [Diagnostic.Note] = []) {
        guard reported.insert("\(location.file):\(location.line):\(location.column): \(message)").inserted else { return }
        diagnostics.append(Diagnostic(message, at: location, notes: notes))
    }

    mutating func warning(_ message: String, at location: SourceLocation) {
        warnings.append(.warning(message, at: location))
    }

    mutating func compile() -> ChainSet? {
        checkName()
        // Labels first: a rule may use a label defined below it.
        for case .label(let label) in partition.statements { define(label) }
        for statement in partition.statements {
            switch statement {
            case .label, .policies, .connectionTracking: continue
            case .filter(let rule): expand(rule)
            case .rewrite(let rewrite): expand(rewrite)
            case .raw(let block): parse(block)
            }
        }
        let host = hostSettings()
        guard diagnostics.isEmpty else { return nil }
        let kinds: [(ChainName.Kind, Hook?)] = isDirected ? Hook.allCases.map { (.directed($0), $0) } : [(.filter, nil)]
        return name(chains: Family.allCases.flatMap { family in
            [
                (family, ChainName.Kind.dnat, dnatRules.filter { $0.family == family }),
                (family, .snat, snatRules.filter { $0.family == family }),
            ] + kinds.map { kind, hook in
                (family, kind, filterRules.filter { $0.rule.family == family && (hook.map($0.hooks.contains) ?? true) }.map(\.rule))
            }
        }, families: families, host: host)
    }

    /// The families the partition's three chains are made in: those it has
    /// rules or pointers in (every pointer comes with a rule; counting them
    /// too keeps a jump from ever naming a chain that isn't made). A
    /// partition with raw lines (iptables lines) or with no rule at all
    /// still has them in IPv4, where their existence records that it is
    /// loaded. An IPv4-only partition makes no ip6tables chain (the
    /// bootstrap hook chains are made in both families all the same).
    var families: Set<Family> {
        var families = Set((dnatRules + snatRules + filterRules.map(\.rule) + filterPointers.map(\.rule) + dnatPointers + snatPointers).map(\.family))
        if !raw.isEmpty || families.isEmpty { families.insert(.ipv4) }
        return families
    }
}
