import RiptDSL

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

/// The built-in filter chains a rule can apply in: which way traffic goes
/// relative to the host.
public enum Hook: String, Hashable, Sendable, CaseIterable, Comparable {
    // In the order ript lists them.
    case input = "INPUT", forward = "FORWARD", output = "OUTPUT"

    public init(_ traffic: Traffic) {
        switch traffic {
        case .input: self = .input
        case .forward: self = .forward
        case .output: self = .output
        }
    }

    public static func < (lhs: Hook, rhs: Hook) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// An ICMP or ICMPv6 type (of the rule's family) and the codes matched:
/// all of them (0...255) for a type alone, one for `type/code`.
public struct ICMPType: Hashable, Sendable, CustomStringConvertible {
    public let type: UInt8
    public let codes: ClosedRange<UInt8>

    public init(type: UInt8, codes: ClosedRange<UInt8> = 0...255) {
        self.type = type
        self.codes = codes
    }

    /// As iptables-save prints it: `8`, or `3/3` for one code.
    public var description: String {
        codes == 0...255 ? "\(type)" : codes.lowerBound == codes.upperBound ? "\(type)/\(codes.lowerBound)" : "\(type)"
    }
}

/// Connection-tracking states, as a set.
public struct ConnectionStates: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let invalid = ConnectionStates(rawValue: 1 << 0)
    public static let new = ConnectionStates(rawValue: 1 << 1)
    public static let related = ConnectionStates(rawValue: 1 << 2)
    public static let established = ConnectionStates(rawValue: 1 << 3)
    public static let untracked = ConnectionStates(rawValue: 1 << 4)

    public init(_ state: ConnectionState) {
        switch state {
        case .invalid: self = .invalid
        case .new: self = .new
        case .related: self = .related
        case .established: self = .established
        case .untracked: self = .untracked
        }
    }

    /// As iptables-save prints them, in its order: `INVALID,NEW,RELATED,ESTABLISHED,UNTRACKED`.
    public var description: String {
        [(Self.invalid, "INVALID"), (.new, "NEW"), (.related, "RELATED"), (.established, "ESTABLISHED"), (.untracked, "UNTRACKED")]
            .filter { contains($0.0) }.map(\.1).joined(separator: ",")
    }
}

/// A rate limit (`-m limit`): `avg` in the kernel's units (1/10000 s per
/// match) and the burst, as iptables computes them from `rate/unit`.
public struct RateLimit: Hashable, Sendable, CustomStringConvertible {
    /// The average interval between matches, in 1/10000 s (`XT_LIMIT_SCALE`).
    public let average: UInt32
    public let burst: UInt32

    /// iptables' units: seconds per unit, times `XT_LIMIT_SCALE`.
    static let scale: UInt64 = 10_000
    static let units: [(name: String, multiplier: UInt64)] = [
        ("day", scale * 86_400), ("hour", scale * 3_600), ("min", scale * 60), ("sec", scale),
    ]

    /// `rate` matches per `unit`, as iptables parses `--limit rate/unit`;
    /// nil when it is faster than the kernel can count (average 0).
    public init?(rate: Int, per unit: RateUnit, burst: Int) {
        let seconds: UInt64 = switch unit {
        case .second: 1
        case .minute: 60
        case .hour: 3_600
        case .day: 86_400
        }
        guard rate > 0, burst > 0, burst <= Int(UInt32.max) else { return nil }
        let average = Self.scale * seconds / UInt64(rate)
        guard average > 0, average <= UInt64(UInt32.max) else { return nil }
        self.average = UInt32(average)
        self.burst = UInt32(burst)
    }

    public init(average: UInt32, burst: UInt32) {
        self.average = average
        self.burst = burst
    }

    /// The rate as iptables-save prints it (its `print_rate`): the largest
    /// unit in which it is a whole number, so `60/min` prints `1/sec`.
    public var rate: String {
        let period = UInt64(average)
        var index = 1
        while index < Self.units.count {
            let multiplier = Self.units[index].multiplier
            if period > multiplier || multiplier / period < multiplier % period { break }
            index += 1
        }
        return "\(Self.units[index - 1].multiplier / period)/\(Self.units[index - 1].name)"
    }

    /// `--limit 5/sec`, with `--limit-burst N` when not iptables' default 5.
    public var description: String { burst == 5 ? "--limit \(rate)" : "--limit \(rate) --limit-burst \(burst)" }
}

/// What a LOG rule writes: its prefix (up to 29 bytes) and syslog level.
public struct LogOptions: Hashable, Sendable {
    public let prefix: String
    public let level: UInt8

    public init(prefix: String = "", level: UInt8 = 4) {
        self.prefix = prefix
        self.level = level
    }

    /// iptables' default: no prefix, level 4 (warning).
    public static let standard = LogOptions()
}

extension RejectWith {
    /// The `--reject-with` name in a family, as iptables-save prints it.
    public func name(in family: Family) -> String {
        switch (self, family) {
        case (.portUnreachable, .ipv4): "icmp-port-unreachable"
        case (.portUnreachable, .ipv6): "icmp6-port-unreachable"
        case (.hostUnreachable, .ipv4): "icmp-host-unreachable"
        case (.hostUnreachable, .ipv6): "icmp6-addr-unreachable"
        case (.netUnreachable, .ipv4): "icmp-net-unreachable"
        case (.netUnreachable, .ipv6): "icmp6-no-route"
        case (.adminProhibited, .ipv4): "icmp-admin-prohibited"
        case (.adminProhibited, .ipv6): "icmp6-adm-prohibited"
        case (.tcpReset, _): "tcp-reset"
        }
    }
}

/// What a rule does with a matching packet.
public enum Target: Hashable, Sendable {
    case accept
    case drop
    /// REJECT, answering as chosen (port unreachable by default).
    case reject(RejectWith)
    case log(LogOptions)
    /// Continue in a user chain.
    case jump(String)
    /// Rewrite the destination to one address, and optionally one port.
    case dnat(address: IPAddress, port: UInt16?)
    /// Rewrite the source to one address.
    case snat(address: IPAddress)
    /// Rewrite the source to the outgoing interface's address.
    case masquerade

    /// A filter rule's target: its action, with a `Reject`'s answer or a `Log`'s options.
    init(_ rule: FilterRule) {
        switch rule.action {
        case .accept: self = .accept
        case .drop: self = .drop
        case .reject: self = .reject(rule.rejectWith ?? .portUnreachable)
        case .log: self = .log(LogOptions(prefix: rule.logPrefix ?? "", level: UInt8(rule.logLevel?.rawValue ?? 4)))
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
    public var outInterface: String?
    public var ipProtocol: IPProtocol?
    /// Needs `ipProtocol` tcp or udp.
    public var sourcePort: PortRange?
    /// Needs `ipProtocol` tcp or udp.
    public var destinationPort: PortRange?
    /// Needs `ipProtocol` icmp (IPv4) or ipv6-icmp (IPv6).
    public var icmpType: ICMPType?
    /// IPv6 only: `-m hl --hl-eq N` (neighbour discovery's 255).
    public var hopLimit: UInt8?
    public var states: ConnectionStates?
    public var limit: RateLimit?
    /// `-m comment`: where the rule came from. At most 255 bytes of
    /// printable ASCII other than `"`, `'` and `\`.
    public var comment: String?
    public var target: Target

    public init(
        _ family: Family, source: IPNetwork? = nil, destination: IPNetwork? = nil, inInterface: String? = nil, outInterface: String? = nil,
        ipProtocol: IPProtocol? = nil, sourcePort: PortRange? = nil, destinationPort: PortRange? = nil, icmpType: ICMPType? = nil,
        hopLimit: UInt8? = nil, states: ConnectionStates? = nil, limit: RateLimit? = nil, comment: String? = nil, target: Target
    ) {
        precondition(source?.family ?? family == family && destination?.family ?? family == family,
                     "an \(family.name) rule's addresses must be \(family.name)")
        self.family = family
        self.source = source.flatMap { $0.isAny ? nil : $0 }
        self.destination = destination.flatMap { $0.isAny ? nil : $0 }
        self.inInterface = inInterface
        self.outInterface = outInterface
        self.ipProtocol = ipProtocol
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.icmpType = icmpType
        self.hopLimit = hopLimit
        self.states = states
        self.limit = limit
        self.comment = comment
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
    /// in the order iptables-save prints them: the header's `-s -d -i -o
    /// -p`, then the matches ript writes in this order (the protocol's,
    /// `hl`, `conntrack`, `limit`, `comment`), then the target. Addresses
    /// are CIDR in the short spelling (as iptables-save prints them) and
    /// bare for hosts in the long one. In the short spelling a comment and a
    /// log prefix are quoted as iptables-save quotes them; in the long one
    /// they are bare words, for a renderer to quote.
    public func arguments(_ spelling: Spelling, protocolAsNumber: Bool = false) -> [String] {
        let long = spelling == .long
        func address(_ network: IPNetwork) -> String { long ? network.description : network.cidr }
        var arguments: [String] = []
        if let source { arguments += [long ? "--source" : "-s", address(source)] }
        if let destination { arguments += [long ? "--destination" : "-d", address(destination)] }
        if let inInterface { arguments += [long ? "--in-interface" : "-i", inInterface] }
        if let outInterface { arguments += [long ? "--out-interface" : "-o", outInterface] }
        if let ipProtocol {
            arguments += [long ? "--protocol" : "-p", protocolAsNumber ? String(ipProtocol.number) : ipProtocol.name]
            if sourcePort != nil || destinationPort != nil {
                if !long { arguments += ["-m", ipProtocol.name] }
                if let sourcePort { arguments += ["--sport", sourcePort.description] }
                if let destinationPort { arguments += ["--dport", destinationPort.description] }
            }
            if let icmpType {
                if family == .ipv4 {
                    arguments += ["-m", "icmp", "--icmp-type", icmpType.description]
                } else {
                    arguments += ["-m", "icmp6", "--icmpv6-type", icmpType.description]
                }
            }
        }
        if let hopLimit { arguments += ["-m", "hl", "--hl-eq", String(hopLimit)] }
        if let states { arguments += ["-m", "conntrack", "--ctstate", states.description] }
        if let limit {
            arguments += ["-m", "limit", "--limit", limit.rate]
            if limit.burst != 5 { arguments += ["--limit-burst", String(limit.burst)] }
        }
        if let comment { arguments += ["-m", "comment", "--comment", long ? comment : iptablesSaveQuoted(comment)] }
        arguments.append(long ? "--jump" : "-j")
        switch target {
        case .accept: arguments.append("ACCEPT")
        case .drop: arguments.append("DROP")
        case .reject(let reply): arguments += ["REJECT", "--reject-with", reply.name(in: family)]
        case .log(let options):
            arguments.append("LOG")
            if !options.prefix.isEmpty { arguments += ["--log-prefix", long ? options.prefix : iptablesSaveQuoted(options.prefix)] }
            if options.level != 4 { arguments += ["--log-level", String(options.level)] }
        case .jump(let chain): arguments.append(chain)
        case .dnat(let to, let port):
            arguments += ["DNAT", "--to-destination", port.map { to.with(port: $0) } ?? to.description]
        case .snat(let to): arguments += ["SNAT", "--to-source", to.description]
        case .masquerade: arguments.append("MASQUERADE")
        }
        return arguments
    }
}

/// A word as iptables-save prints a string option (its
/// `xtables_save_string`): bare when it is only letters, digits, `_` and
/// `-`, otherwise in double quotes with `"`, `'` and `\` escaped.
public func iptablesSaveQuoted(_ word: String) -> String {
    let bare = !word.isEmpty && word.utf8.allSatisfy { byte in
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }
    if bare { return word }
    var quoted = "\""
    for character in word {
        if "\"'\\".contains(character) { quoted.append("\\") }
        quoted.append(character)
    }
    return quoted + "\""
}
