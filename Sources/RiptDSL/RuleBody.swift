/// One statement of a rule body: what ``RuleBuilder`` collects from the
/// body of an `Accept`, `Drop`, `Reject`, `Log` or `Rewrite`.
///
/// ```swift
/// Ports(80, 443).ruleStatement  // .ports(…)
/// ```
public enum RuleStatement: Hashable, Codable, Sendable {
    /// A ``Protocols`` statement.
    case protocols(Protocols)
    /// A ``Ports`` statement.
    case ports(Ports)
    /// A ``From`` statement.
    case from(From)
    /// A ``To`` statement.
    case to(To)
    /// An ``Interface`` statement.
    case interface(Interface)
    /// A ``DNAT`` statement.
    case dnat(DNAT)
    /// An ``SNAT`` statement.
    case snat(SNAT)
    /// A ``Direction`` statement.
    case direction(Direction)
    /// An ``OutInterface`` statement.
    case outInterface(OutInterface)
    /// A ``SourcePorts`` statement.
    case sourcePorts(SourcePorts)
    /// An ``ICMP`` statement.
    case icmp(ICMP)
    /// An ``ICMPv6`` statement.
    case icmpv6(ICMPv6)
    /// A ``State`` statement.
    case state(State)
    /// A ``Limit`` statement.
    case limit(Limit)
    /// A ``Loopback`` statement.
    case loopback(Loopback)
    /// A ``Masquerade`` statement.
    case masquerade(Masquerade)
}

/// Anything that may stand in a rule body: `Protocols`, `Ports`, `From`,
/// `To`, `Interface`, `DNAT` and `SNAT`.
///
/// ```swift
/// Accept("web") {
///     Ports(80, 443)   // a RuleContent
///     To("www")        // another
/// }
/// ```
public protocol RuleContent {
    /// The statement this stands for in its rule.
    var ruleStatement: RuleStatement { get }
}

/// Builds a rule body from its statements.
///
/// Each statement is a ``RuleContent``; the builder collects them, in
/// order, into one list of ``RuleStatement``. Every rule-body word may be
/// given more than once and the lists add up (except `Interface`, one per
/// rule).
///
/// ```swift
/// Accept("web") {                // a @RuleBuilder body
///     Ports(80, 443)
///     From("office"); To("www")
/// }
/// ```
@resultBuilder
public enum RuleBuilder {
    /// Turns one statement of the body into its ``RuleStatement``.
    ///
    /// - Parameters:
    ///   - content: A `Protocols`, `Ports`, `From`, `To`, `Interface`,
    ///     `DNAT` or `SNAT`.
    ///
    /// ```swift
    /// RuleBuilder.buildExpression(Ports(80))  // [.ports(…)]
    /// ```
    public static func buildExpression(_ content: any RuleContent) -> [RuleStatement] {
        [content.ruleStatement]
    }

    /// Joins the body's statements, in the order written.
    ///
    /// - Parameters:
    ///   - components: The statement of each line of the body.
    ///
    /// ```swift
    /// RuleBuilder.buildBlock([Ports(80).ruleStatement], [To("www").ruleStatement])
    /// ```
    public static func buildBlock(_ components: [RuleStatement]...) -> [RuleStatement] {
        components.flatMap { $0 }
    }
}

/// A protocol, by name from /etc/protocols (`"udp"`, any case, aliases
/// too) or by number from 0 to 255 (`47`).
///
/// `"all"`, `"ip"` and `0` mean any protocol: the rule has no `-p`.
///
/// ```swift
/// Protocols("gre", 50, "AH")
/// ```
public enum ProtocolSpec: Hashable, Codable, Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    /// A protocol by name, like `"udp"`, or `"all"` for any.
    case name(String)
    /// A protocol by number, like `47` (gre), or `0` for any.
    case number(Int)

    /// A protocol by name: `"udp"` in `Protocols("udp")`.
    ///
    /// - Parameters:
    ///   - value: A name from /etc/protocols, in any case, or `"all"`.
    ///
    /// ```swift
    /// let udp: ProtocolSpec = "udp"  // .name("udp")
    /// ```
    public init(stringLiteral value: String) { self = .name(value) }

    /// A protocol by number: `47` in `Protocols(47)`.
    ///
    /// - Parameters:
    ///   - value: A number from 0 to 255.
    ///
    /// ```swift
    /// let gre: ProtocolSpec = 47  // .number(47)
    /// ```
    public init(integerLiteral value: Int) { self = .number(value) }
}

/// The protocols a rule matches.
///
/// Without `Protocols`, a filter rule matches tcp, and so does a `Rewrite`
/// with `Ports`; a `Rewrite` with neither `Ports` nor `Protocols`
/// translates every protocol (the whole address). `"all"`, `"ip"` and `0`
/// mean any protocol. `icmp` is IPv4's alone and `ipv6-icmp` IPv6's: each
/// goes only into rules of its family.
///
/// ```swift
/// Accept("dns") { Protocols("udp", "tcp"); Ports(53); To("resolver") }
/// Accept("ping") { Protocols("icmp", "ipv6-icmp") }
/// ```
public struct Protocols: RuleContent, Hashable, Codable, Sendable {
    /// The protocols, as written.
    public let protocols: [ProtocolSpec]
    /// Where `Protocols` is written in its rule file.
    public let location: SourceLocation

    /// Matches these protocols, one iptables rule each.
    ///
    /// - Parameters:
    ///   - protocols: At least one protocol, by name (`"udp"`) or number
    ///     (`47`).
    ///   - file: The rule file, for diagnostics; leave the default.
    ///   - line: The line of the word, for diagnostics; leave the default.
    ///   - column: The column of the word, for diagnostics; leave the default.
    ///
    /// ```swift
    /// Protocols("udp", "tcp")
    /// ```
    public init(_ protocols: ProtocolSpec..., file: String = #filePath, line: Int = #line, column: Int = #column) {
        self.init(protocols: protocols, location: SourceLocation(file: file, line: line, column: column))
    }

    package init(protocols: [ProtocolSpec], location: SourceLocation) {
        self.protocols = protocols
        self.location = location
    }

    /// The statement, as its rule holds it.
    public var ruleStatement: RuleStatement { .protocols(self) }
}

/// A destination port, a closed range `8000...8900`, or (in a `Rewrite`
/// only) a mapping from a public port or range to one private port,
/// `2222 => 22`.
///
/// ```swift
/// Ports(80, 8000...8900)
/// Ports(2222 => 22, (8000...8100) => 80)  // in a Rewrite
/// ```
public indirect enum PortSpec: Hashable, Codable, Sendable, ExpressibleByIntegerLiteral {
    /// One port, 1 to 65535: `80`.
    case port(Int)
    /// Every port from the first to the last: `8000...8900`.
    case range(PortSpec, PortSpec)
    /// A public port or range rewritten to a private port: `2222 => 22`.
    case mapping(PortSpec, PortSpec)

    /// One port: `80` in `Ports(80)`.
    ///
    /// - Parameters:
    ///   - value: A port from 1 to 65535.
    ///
    /// ```swift
    /// let http: PortSpec = 80  // .port(80)
    /// ```
    public init(integerLiteral value: Int) { self = .port(value) }

    /// A closed range of ports: `8000...8900` is every port from 8000 to
    /// 8900, both included.
    ///
    /// Built here rather than by the standard library, so a reversed range
    /// is reported at its location, not a crash.
    ///
    /// - Parameters:
    ///   - first: The range's first port, not above the last.
    ///   - last: The range's last port.
    ///
    /// ```swift
    /// Ports(8000...8900)
    /// ```
    public static func ... (first: PortSpec, last: PortSpec) -> PortSpec {
        .range(first, last)
    }

    /// A port mapping, in a `Rewrite` only: traffic to the public port
    /// (or any port of a public range) is sent to the private port.
    ///
    /// The DNAT matches the public port and its accept the private one.
    /// Mixing `=>` and `...` needs parentheses, as Swift asks.
    ///
    /// - Parameters:
    ///   - from: The public port or range that traffic arrives on.
    ///   - to: The one private port it is sent to.
    ///
    /// ```swift
    /// Rewrite("ssh on another port") {
    ///     Ports(2222 => 22, (8000...8100) => 80)
    ///     DNAT("public" => "bastion")
    /// }
    /// ```
    public static func => (from: PortSpec, to: PortSpec) -> PortSpec {
        .mapping(from, to)
    }
}

/// The destination ports a rule matches (`--dport`).
///
/// Without `Ports`, a rule matches every port. Ports need every protocol
/// of the rule to be tcp or udp; with any other (icmp, sctp, `"all"`) they
/// are an error. In a `Rewrite` they narrow its DNATs, and may map a
/// public port to a private one.
///
/// ```swift
/// Accept("web") { Ports(80, 443, 8000...8900); To("www") }
/// Rewrite("ssh") { Ports(2222 => 22); DNAT("public" => "bastion") }
/// ```
public struct Ports: RuleContent, Hashable, Codable, Sendable {
    /// The ports, ranges and mappings, as written.
    public let ports: [PortSpec]
    /// Where `Ports` is written in its rule file.
    public let location: SourceLocation

    /// Matches these destination ports, one iptables rule each.
    ///
    /// - Parameters:
    ///   - ports: At least one port (1 to 65535), closed range
    ///     (`8000...8900`) or, in a `Rewrite`, mapping (`2222 => 22`).
    ///   - file: The rule file, for diagnostics; leave the default.
    ///   - line: The line of the word, for diagnostics; leave the default.
    ///   - column: The column of the word, for diagnostics; leave the default.
    ///
    /// ```swift
    /// Ports(80, 443, 8000...8900)
    /// ```
    public init(_ ports: PortSpec..., file: String = #filePath, line: Int = #line, column: Int = #column) {
        self.init(ports: ports, location: SourceLocation(file: file, line: line, column: column))
    }

    package init(ports: [PortSpec], location: SourceLocation) {
        self.ports = ports
        self.location = location
    }

    /// The statement, as its rule holds it.
    public var ruleStatement: RuleStatement { .ports(self) }
}

/// The labels traffic comes from (`-s`); without `From`, `all`.
///
/// A filter rule is expanded over every `From` × `To` pair of one address
/// family. In a `Rewrite`, `From` narrows its DNATs: each label applies to
/// the DNATs of its family.
///
/// ```swift
/// Accept("ssh from the offices") { Ports(22); From("office", "branch office"); To("gateway") }
/// ```
public struct From: RuleContent, Hashable, Codable, Sendable {
    /// The label names, as written.
    public let labels: [String]
    /// Where `From` is written in its rule file.
    public let location: SourceLocation

    /// Matches traffic from these labels' addresses.
    ///
    /// - Parameters:
    ///   - labels: At least one label of the partition, or `all`.
    ///   - file: The rule file, for diagnostics; leave the default.
    ///   - line: The line of the word, for diagnostics; leave the default.
    ///   - column: The column of the word, for diagnostics; leave the default.
    ///
    /// ```swift
    /// From("office")
    /// ```
    public init(_ labels: String..., file: String = #filePath, line: Int = #line, column: Int = #column) {
        self.init(labels: labels, location: SourceLocation(file: file, line: line, column: column))
    }

    package init(labels: [String], location: SourceLocation) {
        self.labels = labels
        self.location = location
    }

    /// The statement, as its rule holds it.
    public var ruleStatement: RuleStatement { .from(self) }
}

/// The labels traffic goes to (`-d`); without `To`, `all`.
///
/// A filter rule is expanded over every `From` × `To` pair of one address
/// family. In a `Rewrite`, `DNAT` names where traffic goes: a `To` there
/// adds nothing, as in the original Ript, and may name only the DNAT's
/// public labels (some or all of them).
///
/// ```swift
/// Accept("the website, in both families") { Ports(80, 443); To("www", "www6") }
/// ```
public struct To: RuleContent, Hashable, Codable, Sendable {
    /// The label names, as written.
    public let labels: [String]
    /// Where `To` is written in its rule file.
    public let location: SourceLocation

    /// Matches traffic to these labels' addresses.
    ///
    /// - Parameters:
    ///   - labels: At least one label of the partition, or `all`.
    ///   - file: The rule file, for diagnostics; leave the default.
    ///   - line: The line of the word, for diagnostics; leave the default.
    ///   - column: The column of the word, for diagnostics; leave the default.
    ///
    /// ```swift
    /// To("www")
    /// ```
    public init(_ labels: String..., file: String = #filePath, line: Int = #line, column: Int = #column) {
        self.init(labels: labels, location: SourceLocation(file: file, line: line, column: column))
    }

    package init(labels: [String], location: SourceLocation) {
        self.labels = labels
        self.location = location
    }

    /// The statement, as its rule holds it.
    public var ruleStatement: RuleStatement { .to(self) }
}

/// The interface traffic arrives on (`-i`); a trailing `+` matches every
/// interface with that prefix (`vlan+`).
///
/// Filter rules only, at most one per rule; without it, any interface.
///
/// ```swift
/// Accept("ssh from the admin vlans only") { Ports(22); From("admins"); Interface("vlan+") }
/// ```
public struct Interface: RuleContent, Hashable, Codable, Sendable {
    /// The interface name, as written.
    public let name: String
    /// Where `Interface` is written in its rule file.
    public let location: SourceLocation

    /// Matches traffic arriving on this interface.
    ///
    /// - Parameters:
    ///   - name: 1 to 15 characters of ASCII letters, digits, `.`, `_` and
    ///     `-`, not starting with `-`; a final `+` (after at least one
    ///     character) matches a prefix.
    ///   - file: The rule file, for diagnostics; leave the default.
    ///   - line: The line of the word, for diagnostics; leave the default.
    ///   - column: The column of the word, for diagnostics; leave the default.
    ///
    /// ```swift
    /// Interface("eth0")
    /// ```
    public init(_ name: String, file: String = #filePath, line: Int = #line, column: Int = #column) {
        self.init(name: name, location: SourceLocation(file: file, line: line, column: column))
    }

    package init(name: String, location: SourceLocation) {
        self.name = name
        self.location = location
    }

    /// The statement, as its rule holds it.
    public var ruleStatement: RuleStatement { .interface(self) }
}
