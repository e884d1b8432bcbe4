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

/// A destination port or an inclusive range of them.
public struct PortRange: Hashable, Sendable, CustomStringConvertible {
    public let first: UInt16
    public let last: UInt16

    public init(_ first: UInt16, _ last: UInt16) {
        self.first = first
        self.last = last
    }

    /// `80`, or `8000:8900` as iptables writes ranges.
    public var description: String { first == last ? "\(first)" : "\(first):\(last)" }
}

/// What a rule does with a matching packet.
public enum Target: Hashable, Sendable {
    case accept
    case drop
    /// REJECT with ICMP port-unreachable (ICMPv6 port-unreachable in IPv6).
    case reject
    case log
    /// Continue in a user chain.
    case jump(String)
    /// Rewrite the destination to one address, and optionally one port.
    case dnat(address: IPAddress, port: UInt16?)
    /// Rewrite the source to one address.
    case snat(address: IPAddress)

    init(_ action: FilterAction) {
        switch action {
        case .accept: self = .accept
        case .drop: self = .drop
        case .reject: self = .reject
        case .log: self = .log
        }
    }
}

/// One iptables or ip6tables rule: its family, what it matches and its
/// target. A nil match matches anything. Its addresses are of its family.
public struct Rule: Hashable, Sendable {
    public let family: Family
    public var source: IPNetwork? {
        didSet { precondition(source?.family ?? family == family, "an \(family.name) rule's source must be \(family.name)") }
    }
    public var destination: IPNetwork? {
        didSet { precondition(destination?.family ?? family == family, "an \(family.name) rule's destination must be \(family.name)") }
    }
    public var inInterface: String?
    public var ipProtocol: IPProtocol?
    public var destinationPort: PortRange?
    public var target: Target

    public init(
        _ family: Family, source: IPNetwork? = nil, destination: IPNetwork? = nil, inInterface: String? = nil,
        ipProtocol: IPProtocol? = nil, destinationPort: PortRange? = nil, target: Target
    ) {
        precondition(source?.family ?? family == family && destination?.family ?? family == family,
                     "an \(family.name) rule's addresses must be \(family.name)")
        self.family = family
        self.source = source.flatMap { $0.isAny ? nil : $0 }
        self.destination = destination.flatMap { $0.isAny ? nil : $0 }
        self.inInterface = inInterface
        self.ipProtocol = ipProtocol
        self.destinationPort = destinationPort
        self.target = target
    }

    /// The same matches with another target.
    func with(_ target: Target) -> Rule {
        var copy = self
        copy.target = target
        return copy
    }

    /// How iptables spells an option: `--source` on a command line, `-s` in iptables-save.
    public enum Spelling: Sendable {
        case long, short
    }

    /// The rule's matches and target as iptables (or ip6tables) arguments,
    /// in the order iptables-save prints them. Addresses are CIDR in the
    /// short spelling (as iptables-save prints them) and bare for hosts in
    /// the long one.
    public func arguments(_ spelling: Spelling, protocolAsNumber: Bool = false) -> [String] {
        let long = spelling == .long
        func address(_ network: IPNetwork) -> String { long ? network.description : network.cidr }
        var arguments: [String] = []
        if let source { arguments += [long ? "--source" : "-s", address(source)] }
        if let destination { arguments += [long ? "--destination" : "-d", address(destination)] }
        if let inInterface { arguments += [long ? "--in-interface" : "-i", inInterface] }
        if let ipProtocol {
            arguments += [long ? "--protocol" : "-p", protocolAsNumber ? String(ipProtocol.number) : ipProtocol.name]
            if let destinationPort {
                if !long { arguments += ["-m", ipProtocol.name] }
                arguments += ["--dport", destinationPort.description]
            }
        }
        arguments.append(long ? "--jump" : "-j")
        switch target {
        case .accept: arguments.append("ACCEPT")
        case .drop: arguments.append("DROP")
        case .reject: arguments += ["REJECT", "--reject-with", family.rejectWith]
        case .log: arguments.append("LOG")
        case .jump(let chain): arguments.append(chain)
        case .dnat(let to, let port):
            arguments += ["DNAT", "--to-destination", port.map { to.with(port: $0) } ?? to.description]
        case .snat(let to): arguments += ["SNAT", "--to-source", to.description]
        }
        return arguments
    }
}

/// A user chain and its rules, in order.
public struct Chain: Hashable, Sendable {
    public let family: Family
    public let table: Table
    public let name: String
    public let rules: [Rule]
}

/// A rule in one of the bootstrap hook chains that sends traffic into a partition's chain.
public struct Pointer: Hashable, Sendable {
    public let family: Family
    public let table: Table
    /// The hook chain it lives in: `partition-a`, `partition-d` or `partition-s`.
    public let chain: String
    public let rule: Rule
}

/// The three chains, the pointers and the raw commands one partition compiles to.
public struct ChainSet: Sendable {
    public let partition: String
    /// 6 hex digits of a digest of everything the partition generates.
    public let hash: String
    public let location: SourceLocation
    /// `NAME-dHASH` (nat, DNAT), `NAME-sHASH` (nat, SNAT), `NAME-aHASH`
    /// (filter), in that order, in IPv4 and then in IPv6: a partition has its
    /// three chains in each family it has rules in (IPv4 when it has raw
    /// lines or no rules), and only there.
    public let chains: [Chain]
    public let pointers: [Pointer]
    public let raw: [RawCommand]

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

    public static let filterChain = "partition-a"
    public static let dnatChain = "partition-d"
    public static let snatChain = "partition-s"

    /// The hook chains of each family, in the order they are created.
    public static let chains: [(table: Table, name: String)] = [
        (.filter, filterChain), (.nat, dnatChain), (.nat, snatChain),
    ]

    /// The jumps into the hook chains, the same in each family.
    public static func hooks(_ family: Family) -> [Hook] {
        [
            Hook(family: family, table: .filter, builtIn: "INPUT", chain: filterChain),
            Hook(family: family, table: .filter, builtIn: "OUTPUT", chain: filterChain),
            Hook(family: family, table: .filter, builtIn: "FORWARD", chain: filterChain),
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
                raw: families.contains(.ipv4) ? chainSet.raw : [])  // raw lines are iptables lines
        })
        restricted.isFromSingleFile = isFromSingleFile
        restricted.recompiled = recompiled
        restricted.warnings = warnings
        restricted.families = Family.allCases.filter(families.contains)
        return restricted
    }
}
