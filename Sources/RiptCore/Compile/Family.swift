/// An address family: IPv4 rules go to iptables, IPv6 rules to ip6tables.
/// Each family has its own tables in the kernel, with the same names.
public enum Family: String, Hashable, Sendable, CaseIterable, Comparable {
    // IPv4 first: the order ript writes, commits and prints the families in.
    case ipv4, ipv6

    /// "IPv4" or "IPv6", for messages.
    public var name: String { self == .ipv4 ? "IPv4" : "IPv6" }
    /// The command that manages the family's tables.
    public var command: String { self == .ipv4 ? "iptables" : "ip6tables" }
    /// The other family.
    public var other: Family { self == .ipv4 ? .ipv6 : .ipv4 }
    /// What REJECT answers with: port-unreachable in the family's ICMP.
    public var rejectWith: String { self == .ipv4 ? "icmp-port-unreachable" : "icmp6-port-unreachable" }

    public static func < (lhs: Family, rhs: Family) -> Bool { lhs == .ipv4 && rhs == .ipv6 }
}

/// One of the kernel's tables: a table name in a family (`ip6tables nat`).
public struct FamilyTable: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let family: Family
    public let table: Table

    public init(_ family: Family, _ table: Table) {
        self.family = family
        self.table = table
    }

    /// `the IPv6 nat table` reads as `ip6tables nat`.
    public var description: String { "\(family.command) \(table.rawValue)" }

    /// The `tables` of each family, family by family, in the order given.
    public static func tables(_ tables: [Table], of families: [Family]) -> [FamilyTable] {
        families.flatMap { family in tables.map { FamilyTable(family, $0) } }
    }

    public static func < (lhs: FamilyTable, rhs: FamilyTable) -> Bool {
        (lhs.family, lhs.table) < (rhs.family, rhs.table)
    }
}

/// An IPv4 or an IPv6 network (a host is a network with the full prefix).
public enum IPNetwork: Hashable, Sendable, CustomStringConvertible {
    case v4(IPv4Network)
    case v6(IPv6Network)

    public var family: Family {
        switch self {
        case .v4: .ipv4
        case .v6: .ipv6
        }
    }

    public var isAny: Bool {
        switch self {
        case .v4(let network): network.isAny
        case .v6(let network): network.isAny
        }
    }

    public var isHost: Bool {
        switch self {
        case .v4(let network): network.isHost
        case .v6(let network): network.isHost
        }
    }

    public var prefixLength: Int {
        switch self {
        case .v4(let network): network.prefixLength
        case .v6(let network): network.prefixLength
        }
    }

    /// The address alone for a host, with its prefix for a network.
    public var description: String {
        switch self {
        case .v4(let network): network.description
        case .v6(let network): network.description
        }
    }

    /// Always with the prefix, as iptables-save and ip6tables-save print it.
    public var cidr: String {
        switch self {
        case .v4(let network): network.cidr
        case .v6(let network): network.cidr
        }
    }

    /// The network's address (a host's own address).
    public var address: IPAddress {
        switch self {
        case .v4(let network): .v4(network.address)
        case .v6(let network): .v6(network.address)
        }
    }

    /// The whole of a family's address space (`0.0.0.0/0`, `::/0`).
    public static func any(_ family: Family) -> IPNetwork {
        family == .ipv4 ? .v4(.any) : .v6(.any)
    }

    /// An IPv4 or IPv6 address, with an optional prefix; which family is
    /// told by a ':' (IPv6 addresses always have one, IPv4 ones never).
    public static func parse(_ text: String) -> Result<IPNetwork, AddressError> {
        text.contains(":") ? IPv6Network.parse(text).map(IPNetwork.v6) : IPv4Network.parse(text).map(IPNetwork.v4)
    }

    /// As `parse`, but an address with host bits set beyond its prefix is
    /// taken as its network (`NetworkPrefix.parseClearingHostBits`).
    public static func parseClearingHostBits(_ text: String) -> Result<(network: IPNetwork, hostBits: Bool), AddressError> {
        text.contains(":")
            ? IPv6Network.parseClearingHostBits(text).map { (.v6($0.network), $0.hostBits) }
            : IPv4Network.parseClearingHostBits(text).map { (.v4($0.network), $0.hostBits) }
    }
}

/// One IPv4 or IPv6 address: where DNAT and SNAT translate to.
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    case v4(UInt32)
    case v6(UInt128)

    public var family: Family {
        switch self {
        case .v4: .ipv4
        case .v6: .ipv6
        }
    }

    /// As iptables-save writes it: dotted quad, or RFC 5952 text.
    public var description: String {
        switch self {
        case .v4(let address): IPv4Network.text(address)
        case .v6(let address): IPv6Network.text(address)
        }
    }

    /// With a port, as `--to-destination` takes it: `192.0.2.10:22`, `[2001:db8::10]:22`.
    public func with(port: UInt16) -> String {
        switch self {
        case .v4: "\(self):\(port)"
        case .v6: "[\(self)]:\(port)"
        }
    }
}
