/// A rule file's partition: a named set of labels and the rules about them.
///
/// A rule file holds exactly one partition, and its name is unique among
/// the rule files ript is given. ript compiles each partition into chains
/// of its own in each address family it has rules in: in the filter table
/// `NAME-aHASH` (its accept, drop, reject and log rules) when no rule has a
/// `Direction` and it has no `Rewrite`, otherwise `NAME-iHASH`,
/// `NAME-fHASH` and `NAME-oHASH` (the rules of INPUT, FORWARD and OUTPUT;
/// a rewrite's accepts are FORWARD's); `NAME-dHASH` and `NAME-sHASH` in the
/// nat table (its DNATs and SNATs). `HASH` changes whenever what the
/// partition generates changes (each rule's provenance comment included),
/// so a new version is built beside the old one and nothing is flushed.
///
/// ```swift
/// import RiptDSL
///
/// Partition("joeblogsco") {
///     Label("www", address: "172.19.56.216")
///     Accept("web") { Ports(80, 443); To("www") }
/// }
/// ```
public struct Partition: Hashable, Codable, Sendable {
    /// The partition's name, as written: part of each of its chain names.
    public let name: String
    /// The partition body's statements in the order written, groups flattened.
    public let statements: [PartitionStatement]
    /// Where `Partition` is written in its rule file.
    public let location: SourceLocation

    /// Declares the rule file's partition, at the top level of the file.
    ///
    /// The name becomes part of the partition's chain names, so it is 1 to
    /// 20 characters of ASCII letters, digits, `_` and `.`; whitespace and
    /// `-` are refused with a suggestion.
    ///
    /// - Parameters:
    ///   - name: The partition's name, unique among the rule files, like `"joeblogsco"`.
    ///   - file: The rule file, for diagnostics; leave the default.
    ///   - line: The line of the word, for diagnostics; leave the default.
    ///   - column: The column of the word, for diagnostics; leave the default.
    ///   - body: The partition's statements: `Label`, `Accept`, `Drop`,
    ///     `Reject`, `Log`, `Rewrite`, `Raw` and `Group`, in the order the
    ///     rules should go into its chains, and in one partition of the
    ///     rule directory the host-wide `Policies` and `ConnectionTracking`.
    ///
    /// ```swift
    /// Partition("web") {
    ///     Label("www", address: "192.0.2.80")
    ///     Label("www6", address: "2001:db8::80")
    ///     Accept("the website, in both families") { Ports(80, 443); To("www", "www6") }
    /// }
    /// ```
    @discardableResult
    public init(
        _ name: String,
        file: String = #filePath, line: Int = #line, column: Int = #column,
        @PartitionBuilder _ body: () -> [PartitionStatement]
    ) {
        self.init(name: name, statements: body(), location: SourceLocation(file: file, line: line, column: column))
    }

    /// The one initializer both paths share: the public one above, and ript's loader.
    package init(name: String, statements: [PartitionStatement], location: SourceLocation) {
        self.name = name
        self.statements = statements
        self.location = location
    }
}

/// One statement of a partition body, after groups are flattened: what
/// ``PartitionBuilder`` collects and ript compiles.
///
/// ```swift
/// Label("www", address: "192.0.2.80").partitionStatements  // [.label(…)]
/// ```
public enum PartitionStatement: Hashable, Codable, Sendable {
    /// A ``Label``: a name for an address or network.
    case label(Label)
    /// An ``Accept``, ``Drop``, ``Reject`` or ``Log`` rule.
    case filter(FilterRule)
    /// A ``Rewrite``: DNAT and SNAT with the accepts they need.
    case rewrite(Rewrite)
    /// A ``Raw`` block of iptables commands.
    case raw(Raw)
    /// ``Policies``: the host's default policies.
    case policies(Policies)
    /// ``ConnectionTracking``: stateful filtering, host-wide.
    case connectionTracking(ConnectionTracking)
}

/// Anything that may stand in a partition body: `Label`, `Accept`, `Drop`,
/// `Reject`, `Log`, `Rewrite`, `Raw` and `Group`.
///
/// ```swift
/// Partition("web") {
///     Label("www", address: "192.0.2.80")      // a PartitionContent
///     Accept("web") { Ports(80); To("www") }   // another
/// }
/// ```
public protocol PartitionContent {
    /// The statements this stands for in its partition: one, or a group's many.
    var partitionStatements: [PartitionStatement] { get }
}

/// Builds a partition body, and a group's, from its statements.
///
/// Each statement is a ``PartitionContent``; the builder collects them, in
/// order, into one list of ``PartitionStatement``. It has no `if`, `for`
/// or `let`: a rule file declares its rules, it doesn't compute them, and
/// ript refuses anything else.
///
/// ```swift
/// Partition("web") {                           // a @PartitionBuilder body
///     Label("www", address: "192.0.2.80")
///     Group("public") { Accept("web") { Ports(80); To("www") } }
/// }
/// ```
@resultBuilder
public enum PartitionBuilder {
    /// Turns one statement of the body into the statements it stands for.
    ///
    /// - Parameters:
    ///   - content: A `Label`, `Accept`, `Drop`, `Reject`, `Log`,
    ///     `Rewrite`, `Raw` or `Group`.
    ///
    /// ```swift
    /// PartitionBuilder.buildExpression(Label("www", address: "192.0.2.80"))
    /// ```
    public static func buildExpression(_ content: any PartitionContent) -> [PartitionStatement] {
        content.partitionStatements
    }

    /// Joins the body's statements, in the order written.
    ///
    /// - Parameters:
    ///   - components: The statements of each line of the body.
    ///
    /// ```swift
    /// PartitionBuilder.buildBlock(
    ///     Label("www", address: "192.0.2.80").partitionStatements,
    ///     Raw("iptables --policy INPUT DROP").partitionStatements)
    /// ```
    public static func buildBlock(_ components: [PartitionStatement]...) -> [PartitionStatement] {
        components.flatMap { $0 }
    }
}

/// Names an IPv4 or IPv6 host or network for the partition's rules.
///
/// Rules name addresses only through labels: `From`, `To`, `DNAT` and
/// `SNAT` take label names. A label belongs to its partition and may be
/// used above its definition.
///
/// The label `all` is built in and can't be redefined: every address of
/// both families, `0.0.0.0/0` and `::/0`, so a rule that says "everyone"
/// never leaves IPv6 open. A label you define as `"0.0.0.0/0"` is IPv4's
/// alone.
///
/// ```swift
/// Label("app-01", address: "192.168.5.230")
/// Label("office", address: "198.51.100.0/24")
/// Label("app-01 v6", address: "2001:db8::230")
/// ```
public struct Label: PartitionContent, Hashable, Codable, Sendable {
    /// The label's name, as rules refer to it.
    public let name: String
    /// The address or network, as written.
    public let address: String
    /// Where `Label` is written in its rule file.
    public let location: SourceLocation

    /// Names an address or network for the partition's rules.
    ///
    /// - Parameters:
    ///   - name: Any non-empty string, defined once per partition and not
    ///     `all`, like `"app-01"` or `"bad guys"`.
    ///   - address: An IPv4 or IPv6 host or network. IPv4 is four decimal
    ///     octets without leading zeros (`"192.0.2.10"`); IPv6 is any form
    ///     `inet_pton` reads, without a zone (`"2001:db8::10"`). A network
    ///     adds a prefix length (`"198.51.100.0/24"`, `"2001:db8::/64"`);
    ///     host bits set beyond it make it the network, with a warning
    ///     (`"192.168.23.70/27"` is `192.168.23.64/27`).
    ///   - file: The rule file, for diagnostics; leave the default.
    ///   - line: The line of the word, for diagnostics; leave the default.
    ///   - column: The column of the word, for diagnostics; leave the default.
    ///
    /// ```swift
    /// Label("app-01", address: "192.168.5.230")
    /// ```
    public init(_ name: String, address: String, file: String = #filePath, line: Int = #line, column: Int = #column) {
        self.init(name: name, address: address, location: SourceLocation(file: file, line: line, column: column))
    }

    package init(name: String, address: String, location: SourceLocation) {
        self.name = name
        self.address = address
        self.location = location
    }

    /// The label, as the one statement it is.
    public var partitionStatements: [PartitionStatement] { [.label(self)] }
}

/// Organises a large partition into sections, and may give a section's
/// rules a direction.
///
/// A group without `direction:` has no meaning of its own: its statements
/// count as if written in its place, and groups may nest. With
/// `direction:`, each rule in it (nested groups' too) gets that
/// `Direction`, as if written in its body; a `Rewrite` (always forwarded
/// traffic) can't be in a directed group. It makes a long partition easier
/// to read; it does not make it faster to type-check, since Swift solves
/// the whole partition as one expression all the same.
///
/// ```swift
/// Group("inbound") {
///     Drop("known abusers", log: true) { Protocols("all"); From("bad guys") }
///     Accept("web") { Ports(80, 443); To("www") }
/// }
/// Group("served by this host", direction: .input) {
///     Accept("ssh") { Ports(22); From("admins") }
/// }
/// ```
public struct Group: PartitionContent, Sendable {
    /// The group's description, if it has one: documentation only.
    public let description: String?
    /// The group's statements, nested groups flattened, with the group's
    /// direction added to each rule.
    public let partitionStatements: [PartitionStatement]

    /// Makes a section of a partition body.
    ///
    /// - Parameters:
    ///   - description: What the section holds, for the reader only; it
    ///     may be left out.
    ///   - direction: The direction of every rule in the section; left
    ///     out, the rules keep their own.
    ///   - file: The rule file, for diagnostics; leave the default.
    ///   - line: The line of the word, for diagnostics; leave the default.
    ///   - column: The column of the word, for diagnostics; leave the default.
    ///   - body: The section's statements: the same words as a partition
    ///     body, `Group` included.
    ///
    /// ```swift
    /// Group("outbound") {
    ///     Rewrite("internet access") { SNAT(["lan", "mail"] => "public") }
    /// }
    /// ```
    public init(
        _ description: String? = nil, direction: Traffic? = nil,
        file: String = #filePath, line: Int = #line, column: Int = #column,
        @PartitionBuilder _ body: () -> [PartitionStatement]
    ) {
        self.init(
            description: description, direction: direction, statements: body(),
            location: SourceLocation(file: file, line: line, column: column))
    }

    package init(description: String?, direction: Traffic? = nil, statements: [PartitionStatement], location: SourceLocation? = nil) {
        self.description = description
        guard let direction, let location else {
            self.partitionStatements = statements
            return
        }
        let added = [RuleStatement.direction(Direction(traffic: [direction], location: location))]
        self.partitionStatements = statements.map { statement in
            switch statement {
            case .filter(let rule): .filter(rule.adding(added))
            case .rewrite(let rewrite): .rewrite(rewrite.adding(added))
            default: statement
            }
        }
    }
}

/// The escape hatch: iptables commands, one per line, for what the words
/// don't cover (policies, connection tracking, other tables).
///
/// Raw lines are IPv4 lines: each starts with `iptables` (`ip6tables` is
/// refused), names at most one table, and uses exactly one of `-A`, `-I`,
/// `-D`, `-R`, `-P` and `-N`; flushing and deleting chains (`-F`, `-X`)
/// are refused. Blank lines and lines starting with `#` are skipped. ript
/// runs them as written through iptables-restore, once each time their
/// partition gets a new version, and doesn't track or undo what they do.
///
/// ```swift
/// Raw("""
///     # Loopback and replies first, then drop the rest.
///     iptables -A INPUT -i lo -j ACCEPT
///     iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
///     iptables --policy INPUT DROP
///     """)
/// ```
public struct Raw: PartitionContent, Hashable, Codable, Sendable {
    /// The iptables commands, as written.
    public let text: String
    /// Where `Raw` is written in its rule file.
    public let location: SourceLocation

    /// Adds iptables commands to the partition, one per line.
    ///
    /// - Parameters:
    ///   - text: The commands, usually a multi-line string; each line at
    ///     most 4096 bytes, without shell syntax outside quotes.
    ///   - file: The rule file, for diagnostics; leave the default.
    ///   - line: The line of the word, for diagnostics; leave the default.
    ///   - column: The column of the word, for diagnostics; leave the default.
    ///
    /// ```swift
    /// Raw("iptables --policy INPUT DROP")
    /// ```
    public init(_ text: String, file: String = #filePath, line: Int = #line, column: Int = #column) {
        self.init(text: text, location: SourceLocation(file: file, line: line, column: column))
    }

    package init(text: String, location: SourceLocation) {
        self.text = text
        self.location = location
    }

    /// The raw block, as the one statement it is.
    public var partitionStatements: [PartitionStatement] { [.raw(self)] }
}
