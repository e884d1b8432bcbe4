import RiptSupport

/// An IP protocol a rule matches: its number, and the name ript prints.
/// Two are equal when their numbers are: the name is only how it reads.
public struct IPProtocol: Hashable, Sendable, CustomStringConvertible {
    public let number: UInt8
    public let name: String

    public init(number: UInt8, name: String) {
        self.number = number
        self.name = name
    }

    public static let tcp = IPProtocol(number: 6, name: "tcp")
    public static let udp = IPProtocol(number: 17, name: "udp")

    /// Only tcp and udp rules can match ports in ript.
    public var hasPorts: Bool { number == 6 || number == 17 }

    public var description: String { name }

    public static func == (lhs: IPProtocol, rhs: IPProtocol) -> Bool { lhs.number == rhs.number }
    public func hash(into hasher: inout Hasher) { hasher.combine(number) }
}

/// Protocol names and numbers, from /etc/protocols as iptables reads them.
public struct ProtocolTable: Sendable {
    private var numbersByName: [String: UInt8] = [:]
    private var namesByNumber: [UInt8: String] = [:]
    /// `protocol(number:)` for each number, looked up once: the kernel reader asks for every rule.
    private var byNumber: [IPProtocol] = []

    /// `name number aliases… # comment` lines.
    public init(parsing text: String) {
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.prefix { $0 != "#" }.split(whereSeparator: \.isWhitespace).map(String.init)
            guard fields.count >= 2, let number = UInt8(fields[1]) else { continue }
            if namesByNumber[number] == nil { namesByNumber[number] = fields[0].lowercased() }
            for name in [fields[0]] + fields.dropFirst(2) where numbersByName[name.lowercased()] == nil {
                numbersByName[name.lowercased()] = number
            }
        }
        byNumber = (0...255).map { IPProtocol(number: UInt8($0), name: namesByNumber[UInt8($0)] ?? String($0)) }
    }

    /// The machine's /etc/protocols, or the protocols ript knows without it
    /// (minimal containers often lack the file).
    public static func system() -> ProtocolTable {
        if let text = try? readSmallFile("/etc/protocols") { return ProtocolTable(parsing: text) }
        return ProtocolTable(parsing: builtIn)
    }

    /// The common protocols, as Debian's netbase lists them.
    static let builtIn = """
        ip 0 IP
        icmp 1 ICMP
        igmp 2 IGMP
        tcp 6 TCP
        udp 17 UDP
        ipv6 41 IPv6
        gre 47 GRE
        esp 50 IPSEC-ESP
        ah 51 IPSEC-AH
        ipv6-icmp 58 IPv6-ICMP
        ospf 89 OSPFIGP
        pim 103 PIM
        vrrp 112 VRRP
        l2tp 115 L2TP
        sctp 132 SCTP
        udplite 136 UDPLite
        """

    /// The protocol a name or number means, or nil for any protocol (`all`, `ip`, 0).
    public func lookup(name: String) -> Lookup {
        let key = name.lowercased()
        if key == "all" { return .any }
        guard let number = numbersByName[key] else { return .unknown }
        return resolve(number)
    }

    public func lookup(number: Int) -> Lookup {
        guard let value = UInt8(exactly: number) else { return .unknown }
        return resolve(value)
    }

    private func resolve(_ number: UInt8) -> Lookup {
        number == 0 ? .any : .protocol(`protocol`(number: number))
    }

    /// The protocol with this number, named as /etc/protocols names it (or by its number).
    public func `protocol`(number: UInt8) -> IPProtocol {
        byNumber[Int(number)]
    }

    /// The table as sorted text, for fingerprints.
    var canonical: String {
        numbersByName.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",") + ";"
            + namesByNumber.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    /// Names close to a misspelt one, for "did you mean".
    var names: some Sequence<String> { numbersByName.keys }

    public enum Lookup: Equatable {
        case any
        case `protocol`(IPProtocol)
        case unknown
    }
}
