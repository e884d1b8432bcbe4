/// The interface traffic leaves on (`-o`); a trailing `+` matches every
/// interface with that prefix (`ppp+`).
///
/// At most one per rule. Traffic to the host has no outgoing interface, so
/// a rule with `Direction(.input)` can't have one. In a `Rewrite` it
/// narrows the SNATs and `Masquerade`, and `Masquerade` needs it.
///
/// ```swift
/// Accept("the lan may browse") { Ports(80, 443); From("lan"); OutInterface("wan0"); Direction(.forward) }
/// Rewrite("internet access") { Masquerade("lan"); OutInterface("wan0") }
/// ```
public struct OutInterface: RuleContent, Hashable, Codable, Sendable {
    /// The interface name, as written.
    public let name: String
    /// Where `OutInterface` is written in its rule file.
    public let location: SourceLocation

    /// Matches traffic leaving on this interface.
    ///
    /// - Parameters:
    ///   - name: 1 to 15 characters of ASCII letters, digits, `.`, `_` and
    ///     `-`, not starting with `-`; a final `+` matches a prefix.
    ///   - file: The rule file, for diagnostics; leave the default.
    ///   - line: The line of the word, for diagnostics; leave the default.
    ///   - column: The column of the word, for diagnostics; leave the default.
    ///
    /// ```swift
    /// OutInterface("wan0")
    /// ```
    public init(_ name: String, file: String = #filePath, line: Int = #line, column: Int = #column) {
        self.init(name: name, location: SourceLocation(file: file, line: line, column: column))
    }

    package init(name: String, location: SourceLocation) {
        self.name = name
        self.location = location
    }

    /// The statement, as its rule holds it.
    public var ruleStatement: RuleStatement { .outInterface(self) }
}

/// The source ports a rule matches (`--sport`): ports and closed ranges,
/// like `Ports`. Needs every protocol of the rule to be tcp or udp.
///
/// ```swift
/// Accept("dns answers") { Protocols("udp"); SourcePorts(53); From("resolver") }
/// ```
public struct SourcePorts: RuleContent, Hashable, Codable, Sendable {
    /// The ports and ranges, as written.
    public let ports: [PortSpec]
    /// Where `SourcePorts` is written in its rule file.
    public let location: SourceLocation

    /// Matches these source ports, one iptables rule each (and each with
    /// each of the rule's `Ports`).
    ///
    /// - Parameters:
    ///   - ports: At least one port (1 to 65535) or closed range
    ///     (`1024...65535`).
    ///   - file: The rule file, for diagnostics; leave the default.
    ///   - line: The line of the word, for diagnostics; leave the default.
    ///   - column: The column of the word, for diagnostics; leave the default.
    ///
    /// ```swift
    /// SourcePorts(53, 1024...65535)
    /// ```
    public init(_ ports: PortSpec..., file: String = #filePath, line: Int = #line, column: Int = #column) {
        self.init(ports: ports, location: SourceLocation(file: file, line: line, column: column))
    }

    package init(ports: [PortSpec], location: SourceLocation) {
        self.ports = ports
        self.location = location
    }

    /// The statement, as its rule holds it.
    public var ruleStatement: RuleStatement { .sourcePorts(self) }
}

/// An ICMP or ICMPv6 type: by name as iptables spells it
/// (`"echo-request"`, `"port-unreachable"`, which includes its code), by
/// number (`8`), or as `"type/code"` (`"3/4"`).
///
/// ```swift
/// ICMP("echo-request", 3, "11/0")
/// ```
public enum ICMPTypeSpec: Hashable, Codable, Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    /// A type by name, or `"type/code"`.
    case name(String)
    /// A type by number, 0 to 255, any code.
    case number(Int)

    /// A type by name: `"echo-request"` in `ICMP("echo-request")`.
    ///
    /// - Parameters:
    ///   - value: A name iptables knows for the family, or `"type/code"`.
    ///
    /// ```swift
    /// let ping: ICMPTypeSpec = "echo-request"  // .name("echo-request")
    /// ```
    public init(stringLiteral value: String) { self = .name(value) }

    /// A type by number: `8` in `ICMP(8)`.
    ///
    /// - Parameters:
    ///   - value: A type from 0 to 255.
    ///
    /// ```swift
    /// let ping: ICMPTypeSpec = 8  // .number(8)
    /// ```
    public init(integerLiteral value: Int) { self = .number(value) }
}

/// ICMP (IPv4) types a rule matches (`-p icmp --icmp-type`); the rule's
/// protocol is icmp and it is an IPv4 rule.
///
/// Names are iptables' (`iptables -p icmp -h` lists them); an ICMPv6 name
/// like `"neighbour-solicitation"` is an error that says to use `ICMPv6`.
/// A rule may have both `ICMP` and `ICMPv6`: each goes into its family's
/// rules, and `Protocols` may then be left out.
///
/// ```swift
/// Accept("ping, limited") { ICMP("echo-request"); ICMPv6("echo-request"); Limit(5, per: .second, burst: 10) }
/// ```
public struct ICMP: RuleContent, Hashable, Codable, Sendable {
    /// The types, as written.
    public let types: [ICMPTypeSpec]
    /// Where `ICMP` is written in its rule file.
    public let location: SourceLocation

    /// Matches these ICMP types, one iptables rule each.
    ///
    /// - Parameters:
    ///   - types: At least one type, by name (`"echo-request"`), number
    ///     (`8`) or `"type/code"`.
    ///   - file: The rule file, for diagnostics; leave the default.
    ///   - line: The line of the word, for diagnostics; leave the default.
    ///   - column: The column of the word, for diagnostics; leave the default.
    ///
    /// ```swift
    /// ICMP("echo-request", "destination-unreachable", "time-exceeded")
    /// ```
    public init(_ types: ICMPTypeSpec..., file: String = #filePath, line: Int = #line, column: Int = #column) {
        self.init(types: types, location: SourceLocation(file: file, line: line, column: column))
    }

    package init(types: [ICMPTypeSpec], location: SourceLocation) {
        self.types = types
        self.location = location
    }

    /// The statement, as its rule holds it.
    public var ruleStatement: RuleStatement { .icmp(self) }
}

/// ICMPv6 types a rule matches (`-p ipv6-icmp --icmpv6-type`); the rule's
/// protocol is ipv6-icmp and it is an IPv6 rule.
///
/// Names are ip6tables' (`ip6tables -p ipv6-icmp -h` lists them); an
/// ICMP-only name is an error that says to use `ICMP`.
///
/// ```swift
/// Accept("ping6") { ICMPv6("echo-request") }
/// ```
public struct ICMPv6: RuleContent, Hashable, Codable, Sendable {
    /// The types, as written.
    public let types: [ICMPTypeSpec]
    /// Where `ICMPv6` is written in its rule file.
    public let location: SourceLocation

    /// Matches these ICMPv6 types, one ip6tables rule each.
    ///
    /// - Parameters:
    ///   - types: At least one type, by name (`"echo-request"`), number
    ///     (`128`) or `"type/code"`.
    ///   - file: The rule file, for diagnostics; leave the default.
    ///   - line: The line of the word, for diagnostics; leave the default.
    ///   - column: The column of the word, for diagnostics; leave the default.
    ///
    /// ```swift
    /// ICMPv6("echo-request", "packet-too-big")
    /// ```
    public init(_ types: ICMPTypeSpec..., file: String = #filePath, line: Int = #line, column: Int = #column) {
        self.init(types: types, location: SourceLocation(file: file, line: line, column: column))
    }

    package init(types: [ICMPTypeSpec], location: SourceLocation) {
        self.types = types
        self.location = location
    }

    /// The statement, as its rule holds it.
    public var ruleStatement: RuleStatement { .icmpv6(self) }
}

/// A connection-tracking state, as conntrack names it.
///
/// ```swift
/// State(.new)
/// ```
public enum ConnectionState: String, Hashable, Codable, Sendable, CaseIterable {
    /// The first packet of a connection (`NEW`).
    case new = "NEW"
    /// A packet of a connection seen both ways (`ESTABLISHED`).
    case established = "ESTABLISHED"
    /// A packet that starts a connection belonging to another, like an
    /// ICMP error or an FTP data connection (`RELATED`).
    case related = "RELATED"
    /// A packet conntrack can't place (`INVALID`).
    case invalid = "INVALID"
    /// A packet exempted from tracking in the raw table (`UNTRACKED`).
    case untracked = "UNTRACKED"
}

/// The connection-tracking states a rule matches (`-m conntrack --ctstate`).
///
/// With `ConnectionTracking()` in force, established and related traffic
/// is accepted before any partition, so `State(.new)` says what a rule
/// already means; it matters for `Log` and rate limits, and without
/// `ConnectionTracking`.
///
/// ```swift
/// Accept("ssh, new connections only") { Ports(22); From("admins"); State(.new) }
/// ```
public struct State: RuleContent, Hashable, Codable, Sendable {
    /// The states, as written.
    public let states: [ConnectionState]
    /// Where `State` is written in its rule file.
    public let location: SourceLocation

    /// Matches packets in any of these states.
    ///
    /// - Parameters:
    ///   - states: At least one state.
    ///   - file: The rule file, for diagnostics; leave the default.
    ///   - line: The line of the word, for diagnostics; leave the default.
    ///   - column: The column of the word, for diagnostics; leave the default.
    ///
    /// ```swift
    /// State(.new)
    /// ```
    public init(_ states: ConnectionState..., file: String = #filePath, line: Int = #line, column: Int = #column) {
        self.init(states: states, location: SourceLocation(file: file, line: line, column: column))
    }

    package init(states: [ConnectionState], location: SourceLocation) {
        self.states = states
        self.location = location
    }

    /// The statement, as its rule holds it.
    public var ruleStatement: RuleStatement { .state(self) }
}

/// The period a rate is counted over.
///
/// ```swift
/// Limit(5, per: .minute)
/// ```
public enum RateUnit: String, Hashable, Codable, Sendable, CaseIterable {
    /// Per second (`/sec`).
    case second
    /// Per minute (`/min`).
    case minute
    /// Per hour (`/hour`).
    case hour
    /// Per day (`/day`).
    case day
}

/// A rate limit (`-m limit --limit 5/sec --limit-burst 10`): the rule
/// matches at most this often, after an initial burst; packets over the
/// limit go on to the next rule.
///
/// Each iptables rule the rule expands to counts on its own.
///
/// ```swift
/// Accept("ping, limited") { ICMP("echo-request"); Limit(5, per: .second, burst: 10) }
/// Log("dropped", prefix: "fw-in-drop: ") { Protocols("all"); Limit(5, per: .minute) }
/// ```
public struct Limit: RuleContent, Hashable, Codable, Sendable {
    /// Matches allowed per `unit`.
    public let rate: Int
    /// The period `rate` is counted over.
    public let unit: RateUnit
    /// Matches allowed at once before the rate applies.
    public let burst: Int
    /// Where `Limit` is written in its rule file.
    public let location: SourceLocation

    /// Matches at most `rate` packets per `unit`, after `burst`.
    ///
    /// - Parameters:
    ///   - rate: 1 or more; at most 10,000 per second.
    ///   - unit: `.second`, `.minute`, `.hour` or `.day`.
    ///   - burst: 1 to 10,000; iptables' default is 5.
    ///   - file: The rule file, for diagnostics; leave the default.
    ///   - line: The line of the word, for diagnostics; leave the default.
    ///   - column: The column of the word, for diagnostics; leave the default.
    ///
    /// ```swift
    /// Limit(5, per: .second, burst: 10)
    /// ```
    public init(_ rate: Int, per unit: RateUnit, burst: Int = 5, file: String = #filePath, line: Int = #line, column: Int = #column) {
        self.init(rate: rate, unit: unit, burst: burst, location: SourceLocation(file: file, line: line, column: column))
    }

    package init(rate: Int, unit: RateUnit, burst: Int, location: SourceLocation) {
        self.rate = rate
        self.unit = unit
        self.burst = burst
        self.location = location
    }

    /// The statement, as its rule holds it.
    public var ruleStatement: RuleStatement { .limit(self) }
}

/// Matches the loopback interface, `lo`: arriving on it (`-i lo`) for
/// traffic to the host, leaving on it (`-o lo`) for traffic from it.
///
/// Without a `Direction` the rule becomes both; forwarded traffic never
/// uses loopback, so `Direction(.forward)` with it is an error. Not with
/// `Interface`, `OutInterface` or labels.
///
/// ```swift
/// Accept("loopback") { Protocols("all"); Loopback() }
/// ```
public struct Loopback: RuleContent, Hashable, Codable, Sendable {
    /// Where `Loopback` is written in its rule file.
    public let location: SourceLocation

    /// Matches traffic on the loopback interface.
    ///
    /// - Parameters:
    ///   - file: The rule file, for diagnostics; leave the default.
    ///   - line: The line of the word, for diagnostics; leave the default.
    ///   - column: The column of the word, for diagnostics; leave the default.
    ///
    /// ```swift
    /// Loopback()
    /// ```
    public init(file: String = #filePath, line: Int = #line, column: Int = #column) {
        self.init(location: SourceLocation(file: file, line: line, column: column))
    }

    package init(location: SourceLocation) {
        self.location = location
    }

    /// The statement, as its rule holds it.
    public var ruleStatement: RuleStatement { .loopback(self) }
}

/// Source NAT to the address of the interface traffic leaves on
/// (`-j MASQUERADE`), in a `Rewrite` with an `OutInterface`: for a
/// gateway whose public address comes from DHCP or PPP.
///
/// Like `SNAT`, it comes with an accept of the forwarded traffic from its
/// private labels out of that interface.
///
/// ```swift
/// Rewrite("internet access") { Masquerade("lan", "guests"); OutInterface("wan0") }
/// ```
public struct Masquerade: RuleContent, Hashable, Codable, Sendable {
    /// The private labels, as written.
    public let labels: [String]
    /// Where `Masquerade` is written in its rule file.
    public let location: SourceLocation

    /// Makes traffic from these labels leave as the outgoing interface's address.
    ///
    /// - Parameters:
    ///   - labels: At least one label: hosts or networks, or `all`.
    ///   - file: The rule file, for diagnostics; leave the default.
    ///   - line: The line of the word, for diagnostics; leave the default.
    ///   - column: The column of the word, for diagnostics; leave the default.
    ///
    /// ```swift
    /// Masquerade("lan")
    /// ```
    public init(_ labels: String..., file: String = #filePath, line: Int = #line, column: Int = #column) {
        self.init(labels: labels, location: SourceLocation(file: file, line: line, column: column))
    }

    package init(labels: [String], location: SourceLocation) {
        self.labels = labels
        self.location = location
    }

    /// The statement, as its rewrite holds it.
    public var ruleStatement: RuleStatement { .masquerade(self) }
}

/// The answer a `Reject` sends (`--reject-with`), named the same in both
/// families; each has its ICMP and ICMPv6 spelling.
///
/// ```swift
/// Reject("no ident", with: .tcpReset) { Ports(113) }
/// ```
public enum RejectWith: String, Hashable, Codable, Sendable, CaseIterable {
    /// ICMP port unreachable, ICMPv6 port unreachable: the default.
    case portUnreachable
    /// ICMP host unreachable, ICMPv6 address unreachable.
    case hostUnreachable
    /// ICMP network unreachable, ICMPv6 no route.
    case netUnreachable
    /// ICMP administratively prohibited, ICMPv6 administratively prohibited.
    case adminProhibited
    /// A TCP reset (`tcp-reset`); the rule's protocols must be tcp alone.
    case tcpReset
}

/// A syslog level for the kernel log (`--log-level`).
///
/// ```swift
/// Log("dropped", level: .info) { Protocols("all") }
/// ```
public enum LogLevel: Int, Hashable, Codable, Sendable, CaseIterable {
    /// 0, `emerg`.
    case emergency = 0
    /// 1, `alert`.
    case alert = 1
    /// 2, `crit`.
    case critical = 2
    /// 3, `err`.
    case error = 3
    /// 4, `warning`: iptables' default.
    case warning = 4
    /// 5, `notice`.
    case notice = 5
    /// 6, `info`.
    case info = 6
    /// 7, `debug`.
    case debug = 7
}

extension Reject {
    /// A reject rule with a chosen answer.
    ///
    /// - Parameters:
    ///   - description: What the rule is for.
    ///   - reply: What the rejected sender is told; `.tcpReset` needs the
    ///     rule's protocols to be tcp alone.
    ///   - log: `true` puts a LOG rule with the same matches before each rule.
    ///   - file: The rule file, for diagnostics; leave the default.
    ///   - line: The line of the word, for diagnostics; leave the default.
    ///   - column: The column of the word, for diagnostics; leave the default.
    ///   - body: What the rule matches, as for `Accept`.
    ///
    /// ```swift
    /// Reject("smtp goes through the relay", with: .adminProhibited) { Ports(25); From("lan"); Direction(.forward) }
    /// ```
    public init(
        _ description: String, with reply: RejectWith, log: Bool = false,
        file: String = #filePath, line: Int = #line, column: Int = #column,
        @RuleBuilder _ body: () -> [RuleStatement]
    ) {
        self.init(rule: FilterRule(
            action: .reject, description: description, log: log, statements: body(),
            location: SourceLocation(file: file, line: line, column: column), rejectWith: reply))
    }
}

extension Log {
    /// A log rule with a prefix for its kernel log lines, and perhaps a level.
    ///
    /// - Parameters:
    ///   - description: What the rule is for.
    ///   - prefix: Up to 29 characters put before each log line, like
    ///     `"fw-in-drop: "`; printable ASCII without quotes or backslashes.
    ///   - level: The syslog level; `.warning` (iptables' default) when left out.
    ///   - file: The rule file, for diagnostics; leave the default.
    ///   - line: The line of the word, for diagnostics; leave the default.
    ///   - column: The column of the word, for diagnostics; leave the default.
    ///   - body: What the rule matches, as for `Accept`.
    ///
    /// ```swift
    /// Log("what the policy drops", prefix: "fw-in-drop: ") { Protocols("all"); Limit(5, per: .minute); Direction(.input) }
    /// ```
    public init(
        _ description: String, prefix: String, level: LogLevel? = nil,
        file: String = #filePath, line: Int = #line, column: Int = #column,
        @RuleBuilder _ body: () -> [RuleStatement]
    ) {
        self.init(rule: FilterRule(
            action: .log, description: description, log: false, statements: body(),
            location: SourceLocation(file: file, line: line, column: column), logPrefix: prefix, logLevel: level))
    }

    /// A log rule with a chosen syslog level and no prefix.
    ///
    /// - Parameters:
    ///   - description: What the rule is for.
    ///   - level: The syslog level.
    ///   - file: The rule file, for diagnostics; leave the default.
    ///   - line: The line of the word, for diagnostics; leave the default.
    ///   - column: The column of the word, for diagnostics; leave the default.
    ///   - body: What the rule matches, as for `Accept`.
    ///
    /// ```swift
    /// Log("new ssh connections", level: .info) { Ports(22); State(.new) }
    /// ```
    public init(
        _ description: String, level: LogLevel,
        file: String = #filePath, line: Int = #line, column: Int = #column,
        @RuleBuilder _ body: () -> [RuleStatement]
    ) {
        self.init(rule: FilterRule(
            action: .log, description: description, log: false, statements: body(),
            location: SourceLocation(file: file, line: line, column: column), logLevel: level))
    }
}
