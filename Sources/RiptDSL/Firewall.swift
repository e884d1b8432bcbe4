/// What a built-in chain does with a packet no rule decided: its policy.
///
/// ```swift
/// Policies(input: .drop, forward: .drop, output: .accept)
/// ```
public enum Policy: String, Hashable, Codable, Sendable, CaseIterable {
    /// Let it through (`ACCEPT`), the kernel's default.
    case accept = "ACCEPT"
    /// Discard it silently (`DROP`).
    case drop = "DROP"
}

/// An address family, for the host-wide words that may differ between them.
///
/// ```swift
/// Policies(.ipv6, input: .drop, forward: .drop)
/// ```
public enum AddressFamily: String, Hashable, Codable, Sendable, CaseIterable {
    /// IPv4: iptables.
    case ipv4
    /// IPv6: ip6tables.
    case ipv6
}

/// The default policies of the host's INPUT, FORWARD and OUTPUT chains,
/// in both address families or one.
///
/// Host-wide: one partition of a rule directory may set policies (in one
/// `Policies` for both families, or one for each), and ript owns them from
/// then on. A hook left out is ACCEPT. `apply` sets them in the same
/// commit as the rules that make them safe, `--confirm` puts back the
/// ones before, and `rules flush` puts back ACCEPT. Under an IPv6 DROP
/// policy for INPUT or FORWARD, ript adds the ICMPv6 that IPv6 can't work
/// without (neighbour and router discovery, packet too big); generate
/// shows them.
///
/// ```swift
/// Partition("host") {
///     Policies(input: .drop, forward: .drop)
///     ConnectionTracking()
///     Accept("loopback") { Protocols("all"); Loopback() }
/// }
/// ```
public struct Policies: PartitionContent, Hashable, Codable, Sendable {
    /// The family these policies are for; nil for both.
    public let family: AddressFamily?
    /// INPUT's policy (traffic to the host); nil leaves it ACCEPT.
    public let input: Policy?
    /// FORWARD's policy (traffic through the host); nil leaves it ACCEPT.
    public let forward: Policy?
    /// OUTPUT's policy (traffic from the host); nil leaves it ACCEPT.
    public let output: Policy?
    /// Where `Policies` is written in its rule file.
    public let location: SourceLocation

    /// Sets the default policies, host-wide.
    ///
    /// - Parameters:
    ///   - family: `.ipv4` or `.ipv6` for one family; left out, both.
    ///   - input: INPUT's policy; left out, ACCEPT.
    ///   - forward: FORWARD's policy; left out, ACCEPT.
    ///   - output: OUTPUT's policy; left out, ACCEPT.
    ///   - file: The rule file, for diagnostics; leave the default.
    ///   - line: The line of the word, for diagnostics; leave the default.
    ///   - column: The column of the word, for diagnostics; leave the default.
    ///
    /// ```swift
    /// Policies(input: .drop, forward: .drop)
    /// Policies(.ipv6, input: .drop, forward: .drop, output: .accept)
    /// ```
    public init(
        _ family: AddressFamily? = nil, input: Policy? = nil, forward: Policy? = nil, output: Policy? = nil,
        file: String = #filePath, line: Int = #line, column: Int = #column
    ) {
        self.init(family: family, input: input, forward: forward, output: output, location: SourceLocation(file: file, line: line, column: column))
    }

    package init(family: AddressFamily?, input: Policy?, forward: Policy?, output: Policy?, location: SourceLocation) {
        self.family = family
        self.input = input
        self.forward = forward
        self.output = output
        self.location = location
    }

    /// The policies, as the one statement they are.
    public var partitionStatements: [PartitionStatement] { [.policies(self)] }
}

/// Stateful filtering, host-wide: packets of established and related
/// connections are accepted and invalid ones dropped, in INPUT, FORWARD
/// and OUTPUT of both families, before any partition's rules.
///
/// One rule per hook (`-m conntrack --ctstate RELATED,ESTABLISHED -j
/// ACCEPT`, then `--ctstate INVALID -j DROP`), so each partition's rules
/// only need to accept the first packet of a connection. Set by the same
/// partition as `Policies`.
///
/// ```swift
/// Partition("host") {
///     Policies(input: .drop, forward: .drop)
///     ConnectionTracking()
/// }
/// ```
public struct ConnectionTracking: PartitionContent, Hashable, Codable, Sendable {
    /// Where `ConnectionTracking` is written in its rule file.
    public let location: SourceLocation

    /// Accepts established and related traffic and drops invalid packets, host-wide.
    ///
    /// - Parameters:
    ///   - file: The rule file, for diagnostics; leave the default.
    ///   - line: The line of the word, for diagnostics; leave the default.
    ///   - column: The column of the word, for diagnostics; leave the default.
    ///
    /// ```swift
    /// ConnectionTracking()
    /// ```
    public init(file: String = #filePath, line: Int = #line, column: Int = #column) {
        self.init(location: SourceLocation(file: file, line: line, column: column))
    }

    package init(location: SourceLocation) {
        self.location = location
    }

    /// Connection tracking, as the one statement it is.
    public var partitionStatements: [PartitionStatement] { [.connectionTracking(self)] }
}

/// Which way traffic goes relative to the host: the iptables hook a rule
/// applies in.
///
/// ```swift
/// Accept("ssh to this host") { Ports(22); Direction(.input) }
/// ```
public enum Traffic: String, Hashable, Codable, Sendable, CaseIterable {
    /// Traffic to the host itself (INPUT).
    case input
    /// Traffic through the host, routed between its interfaces (FORWARD).
    case forward
    /// Traffic the host itself sends (OUTPUT).
    case output
}

/// Limits a rule to traffic to the host, through it, or from it.
///
/// A rule without `Direction` applies to all three, as in the original
/// Ript. Several `Direction`s (or a `Direction` inside a `Group` with a
/// `direction:`) narrow each other: the rule applies where all of them
/// agree. A `Rewrite` is always forwarded traffic and takes no direction.
///
/// ```swift
/// Accept("ssh to this host") { Ports(22); From("admins"); Direction(.input) }
/// Accept("web, served here and proxied") { Ports(80, 443); Direction(.input, .forward) }
/// ```
public struct Direction: RuleContent, Hashable, Codable, Sendable {
    /// The directions, as written.
    public let traffic: [Traffic]
    /// Where `Direction` is written in its rule file (a group's, for a
    /// `Group` with `direction:`).
    public let location: SourceLocation

    /// Applies the rule only to these directions.
    ///
    /// - Parameters:
    ///   - traffic: At least one of `.input` (to the host), `.forward`
    ///     (through it) and `.output` (from it).
    ///   - file: The rule file, for diagnostics; leave the default.
    ///   - line: The line of the word, for diagnostics; leave the default.
    ///   - column: The column of the word, for diagnostics; leave the default.
    ///
    /// ```swift
    /// Direction(.input)
    /// ```
    public init(_ traffic: Traffic..., file: String = #filePath, line: Int = #line, column: Int = #column) {
        self.init(traffic: traffic, location: SourceLocation(file: file, line: line, column: column))
    }

    package init(traffic: [Traffic], location: SourceLocation) {
        self.traffic = traffic
        self.location = location
    }

    /// The statement, as its rule holds it.
    public var ruleStatement: RuleStatement { .direction(self) }
}
