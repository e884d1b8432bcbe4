import RiptDSL

/// The iptables tables ript writes to (raw partitions may name the others).
public enum Table: String, Hashable, Sendable, CaseIterable, Comparable {
    // Declared in commit order: filter first, so the accepts that rewritten
    // traffic needs are in place before the nat rules that rewrite it.
    case filter, nat, mangle, raw, security

    public static func < (lhs: Table, rhs: Table) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A user chain and its rules, in order.
public struct Chain: Hashable, Sendable {
    public let family: Family
    public let table: Table
    public let name: String
    public let rules: [Rule]
}

/// A rule in one of the bootstrap hook chains: a pointer that sends traffic
/// into a partition's chain, or one of the host-wide rules before them.
public struct Pointer: Hashable, Sendable {
    public let family: Family
    public let table: Table
    /// The hook chain it lives in: `partition-i`, `partition-f`,
    /// `partition-o` (filter) or `partition-d`, `partition-s` (nat).
    public let chain: String
    public let rule: Rule

    public init(family: Family, table: Table, chain: String, rule: Rule) {
        self.family = family
        self.table = table
        self.chain = chain
        self.rule = rule
    }
}

/// What one partition of a rule directory may set for the whole host:
/// the filter policies, and the rules that go before every partition's.
public struct HostSettings: Hashable, Sendable {
    /// How every host rule's comment starts: the compiler writes it, and
    /// the kernel side knows host rules in the hook chains by it.
    public static let commentPrefix = "host: "

    /// Per family named by a `Policies`: the policy of each of INPUT,
    /// FORWARD and OUTPUT (ACCEPT where it named none). ript owns a
    /// family's three policies exactly when the family is here.
    public let policies: [Family: [Hook: Policy]]
    /// The host-wide rules at the head of the filter hook chains, before
    /// any partition's pointers, in order: connection tracking, then the
    /// ICMPv6 that an IPv6 DROP policy would otherwise break.
    public let rules: [Pointer]
    /// Where the first host-wide word is written.
    public let location: SourceLocation

    public init(policies: [Family: [Hook: Policy]], rules: [Pointer], location: SourceLocation) {
        self.policies = policies
        self.rules = rules
        self.location = location
    }
}

/// The chains, the pointers and the raw commands one partition compiles to.
public struct ChainSet: Sendable {
    public let partition: String
    /// 6 hex digits of a digest of everything the partition generates.
    public let hash: String
    public let location: SourceLocation
    /// `NAME-dHASH` (nat, DNAT), `NAME-sHASH` (nat, SNAT), then the filter
    /// chains: `NAME-aHASH` when no rule has a direction (every hook's
    /// rules), otherwise `NAME-iHASH`, `NAME-fHASH` and `NAME-oHASH` (INPUT,
    /// FORWARD and OUTPUT's); in IPv4 and then in IPv6: a partition has its
    /// chains in each family it has rules in (IPv4 when it has raw lines or
    /// no rules), and only there.
    public let chains: [Chain]
    public let pointers: [Pointer]
    public let raw: [RawCommand]
    /// What this partition sets for the whole host, if it is the one that does.
    public let host: HostSettings?

    public init(partition: String, hash: String, location: SourceLocation, chains: [Chain], pointers: [Pointer], raw: [RawCommand], host: HostSettings? = nil) {
        self.partition = partition
        self.hash = hash
        self.location = location
        self.chains = chains
        self.pointers = pointers
        self.raw = raw
        self.host = host
    }

    /// `NAME-HASH`, the header generate prints above the partition.
    public var id: String { "\(partition)-\(hash)" }
}

/// The hook chains every ript-managed host has once, and the built-in chains that jump to them.
public enum Bootstrap {
    public struct Hook: Hashable, Sendable {
        public let family: Family
        public let table: Table
        /// The built-in chain the jump is inserted into, at position 1.
        public let builtIn: String
        public let chain: String
    }

    public static let inputChain = "partition-i"
    public static let forwardChain = "partition-f"
    public static let outputChain = "partition-o"
    public static let dnatChain = "partition-d"
    public static let snatChain = "partition-s"
    /// The one filter hook chain of ript before 0.2, jumped to from INPUT,
    /// FORWARD and OUTPUT alike: apply replaces it, flush and clean remove it.
    public static let legacyFilterChain = "partition-a"
    /// An empty filter chain whose presence in a family says ript owns that
    /// family's INPUT, FORWARD and OUTPUT policies: made in the commit that
    /// first sets them, removed in the one that puts back ACCEPT.
    public static let policyMarker = "partition-p"

    /// The filter hook chain of a built-in filter chain.
    public static func chain(for hook: RiptCore.Hook) -> String {
        switch hook {
        case .input: inputChain
        case .forward: forwardChain
        case .output: outputChain
        }
    }

    /// The hook chains of each family, in the order they are created.
    public static let chains: [(table: Table, name: String)] = [
        (.filter, inputChain), (.filter, forwardChain), (.filter, outputChain), (.nat, dnatChain), (.nat, snatChain),
    ]

    /// The jumps into the hook chains, the same in each family.
    public static func hooks(_ family: Family) -> [Hook] {
        [
            Hook(family: family, table: .filter, builtIn: "INPUT", chain: inputChain),
            Hook(family: family, table: .filter, builtIn: "FORWARD", chain: forwardChain),
            Hook(family: family, table: .filter, builtIn: "OUTPUT", chain: outputChain),
            Hook(family: family, table: .nat, builtIn: "PREROUTING", chain: dnatChain),
            Hook(family: family, table: .nat, builtIn: "POSTROUTING", chain: snatChain),
        ]
    }

    /// The jump a hook is, as a rule of its family.
    public static func jump(_ hook: Hook) -> Rule { Rule(hook.family, target: .jump(hook.chain)) }
}

/// What a set of rule files compiles to: one chain set per partition, in file order.
public struct CompiledRuleset: Sendable {
    public let partitions: [ChainSet]
    /// PATH named one file: clean considers only its partitions.
    public internal(set) var isFromSingleFile = false
    /// Partitions compiled in this run rather than taken from the compile
    /// cache (all of them without a cache): the ones likely to be new to the kernel.
    public internal(set) var recompiled: Set<String>?
    /// What the rule files compiled to despite a likely mistake, in file
    /// order: printed on standard error, changing nothing else.
    public internal(set) var warnings: [Diagnostic] = []

    /// The families commands work on (`--family`): both unless restricted.
    public private(set) var families: [Family] = Family.allCases

    public init(partitions: [ChainSet]) {
        self.partitions = partitions
    }

    /// The same partitions with only the chains and pointers of `families`.
    /// Hashes stay: a partition has one name in both families.
    public func restricted(to families: [Family]) -> CompiledRuleset {
        // Nothing outside `families` (every command's default): no copy.
        if self.families.allSatisfy(families.contains) { return self }
        var restricted = CompiledRuleset(partitions: partitions.map { chainSet in
            ChainSet(
                partition: chainSet.partition, hash: chainSet.hash, location: chainSet.location,
                chains: chainSet.chains.filter { families.contains($0.family) },
                pointers: chainSet.pointers.filter { families.contains($0.family) },
                raw: families.contains(.ipv4) ? chainSet.raw : [],  // raw lines are iptables lines
                host: chainSet.host.map { host in
                    HostSettings(
                        policies: host.policies.filter { families.contains($0.key) },
                        rules: host.rules.filter { families.contains($0.family) }, location: host.location)
                })
        })
        restricted.isFromSingleFile = isFromSingleFile
        restricted.recompiled = recompiled
        restricted.warnings = warnings
        restricted.families = Family.allCases.filter(families.contains)
        return restricted
    }
}
