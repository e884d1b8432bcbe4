/// What a filter rule does with the packets it matches: its iptables target.
///
/// ```swift
/// FilterAction.reject.rawValue  // "REJECT"
/// FilterAction.reject.word      // "Reject"
/// ```
public enum FilterAction: String, Hashable, Codable, Sendable, CaseIterable {
    /// `-j ACCEPT`, from ``Accept``.
    case accept = "ACCEPT"
    /// `-j DROP`, from ``Drop``.
    case drop = "DROP"
    /// `-j REJECT`, from ``Reject``.
    case reject = "REJECT"
    /// `-j LOG`, from ``Log``.
    case log = "LOG"

    /// The DSL word that makes a rule with this action.
    ///
    /// ```swift
    /// FilterAction.accept.word  // "Accept"
    /// ```
    public var word: String {
        switch self {
        case .accept: "Accept"
        case .drop: "Drop"
        case .reject: "Reject"
        case .log: "Log"
        }
    }
}

/// An accept, drop, reject or log rule, as written: what ``Accept``,
/// ``Drop``, ``Reject`` and ``Log`` hold.
///
/// ```swift
/// Accept("web") { Ports(80) }.rule.action  // .accept
/// ```
public struct FilterRule: Hashable, Codable, Sendable {
    /// What the rule does with the packets it matches.
    public let action: FilterAction
    /// The rule's description: documentation only.
    public let description: String
    /// Whether a LOG rule goes before each rule this one generates.
    public let log: Bool
    /// The rule body's statements, in the order written.
    public let statements: [RuleStatement]
    /// Where the rule's word is written in its rule file.
    public let location: SourceLocation
    /// A `Reject`'s chosen answer; nil for the default (port unreachable).
    public let rejectWith: RejectWith?
    /// A `Log`'s prefix for its log lines; nil for none.
    public let logPrefix: String?
    /// A `Log`'s syslog level; nil for iptables' default, warning.
    public let logLevel: LogLevel?

    package init(
        action: FilterAction, description: String, log: Bool, statements: [RuleStatement], location: SourceLocation,
        rejectWith: RejectWith? = nil, logPrefix: String? = nil, logLevel: LogLevel? = nil
    ) {
        self.action = action
        self.description = description
        self.log = log
        self.statements = statements
        self.location = location
        self.rejectWith = rejectWith
        self.logPrefix = logPrefix
        self.logLevel = logLevel
    }

    /// The same rule with more statements, as a directed `Group` adds its `Direction`.
    package func adding(_ extra: [RuleStatement]) -> FilterRule {
        FilterRule(
            action: action, description: description, log: log, statements: statements + extra, location: location,
            rejectWith: rejectWith, logPrefix: logPrefix, logLevel: logLevel)
    }
}

/// The shape the four filter words share: ``Accept``, ``Drop``,
/// ``Reject`` and ``Log`` each fix their action and are written alike.
///
/// ```swift
/// Accept("web") { Ports(80, 443); To("www") }
/// Drop("abusers") { Protocols("all"); From("bad guys") }
/// ```
public protocol FilterRuleWord: PartitionContent {
    /// The action every rule of this word takes.
    static var action: FilterAction { get }
    /// The rule, as written.
    var rule: FilterRule { get }
    /// Wraps a rule already made; rule files use the initializer with a body.
    ///
    /// - Parameters:
    ///   - rule: The rule, whose action is this word's.
    ///
    /// ```swift
    /// Drop(rule: Drop("abusers") { From("bad guys") }.rule)
    /// ```
    init(rule: FilterRule)
}

extension FilterRuleWord {
    /// A filter rule: matches packets by protocol, port, source, destination
    /// and interface, and accepts, drops, rejects or logs them.
    ///
    /// The body narrows what the rule matches; each word left out matches
    /// everything, except protocols: without `Protocols` a rule matches
    /// tcp only, so an empty body matches all tcp traffic. The rule is
    /// expanded over every `From` × `To` pair of one address family (a
    /// pair of `all` and `all` goes to both), with one iptables rule per
    /// protocol and port, in the partition's `NAME-aHASH` chain.
    ///
    /// - Parameters:
    ///   - description: What the rule is for. Documentation only: it is
    ///     not in the generated rules and doesn't change chain names.
    ///   - log: `true` puts a LOG rule with the same matches directly
    ///     before each generated rule (a `Log` rule logs once); `false`
    ///     by default.
    ///   - file: The rule file, for diagnostics; leave the default.
    ///   - line: The line of the word, for diagnostics; leave the default.
    ///   - column: The column of the word, for diagnostics; leave the default.
    ///   - body: What the rule matches: `Protocols`, `Ports`, `From`, `To`
    ///     and `Interface`, each optional.
    ///
    /// ```swift
    /// Accept("web", log: true) { Ports(80, 443); To("www") }
    /// Reject("no smtp from the lan's vlans") { Ports(25); From("lan"); Interface("vlan+") }
    /// ```
    public init(
        _ description: String, log: Bool = false,
        file: String = #filePath, line: Int = #line, column: Int = #column,
        @RuleBuilder _ body: () -> [RuleStatement]
    ) {
        self.init(
            description: description, log: log, statements: body(),
            location: SourceLocation(file: file, line: line, column: column))
    }

    package init(description: String, log: Bool, statements: [RuleStatement], location: SourceLocation) {
        self.init(rule: FilterRule(action: Self.action, description: description, log: log, statements: statements, location: location))
    }

    /// The rule, as the one statement it is.
    public var partitionStatements: [PartitionStatement] { [.filter(rule)] }
}

/// Lets matching packets through (`-j ACCEPT`).
///
/// Without `Protocols` it matches tcp; without `From` or `To`, `all`.
///
/// ```swift
/// Accept("web") { Ports(80, 443); To("www") }
/// ```
public struct Accept: FilterRuleWord, Sendable {
    /// `.accept`: every `Accept` rule accepts.
    public static let action = FilterAction.accept
    /// The rule, as written.
    public let rule: FilterRule
    /// Wraps a rule already made; rule files write `Accept("…") { … }`.
    ///
    /// - Parameters:
    ///   - rule: The rule, whose action is `.accept`.
    ///
    /// ```swift
    /// Accept(rule: Accept("web") { Ports(80) }.rule)
    /// ```
    public init(rule: FilterRule) { self.rule = rule }
}

/// Discards matching packets silently (`-j DROP`).
///
/// Without `Protocols` it matches tcp only: write `Protocols("all")` to
/// drop everything from a source.
///
/// ```swift
/// Drop("known abusers", log: true) { Protocols("all"); From("bad guys") }
/// ```
public struct Drop: FilterRuleWord, Sendable {
    /// `.drop`: every `Drop` rule drops.
    public static let action = FilterAction.drop
    /// The rule, as written.
    public let rule: FilterRule
    /// Wraps a rule already made; rule files write `Drop("…") { … }`.
    ///
    /// - Parameters:
    ///   - rule: The rule, whose action is `.drop`.
    ///
    /// ```swift
    /// Drop(rule: Drop("abusers") { From("bad guys") }.rule)
    /// ```
    public init(rule: FilterRule) { self.rule = rule }
}

/// Discards matching packets and answers with ICMP port-unreachable
/// (`-j REJECT --reject-with icmp-port-unreachable`; in IPv6,
/// `icmp6-port-unreachable`).
///
/// ```swift
/// Reject("no smtp from the lan's vlans") { Ports(25); From("lan"); Interface("vlan+") }
/// ```
public struct Reject: FilterRuleWord, Sendable {
    /// `.reject`: every `Reject` rule rejects.
    public static let action = FilterAction.reject
    /// The rule, as written.
    public let rule: FilterRule
    /// Wraps a rule already made; rule files write `Reject("…") { … }`.
    ///
    /// - Parameters:
    ///   - rule: The rule, whose action is `.reject`.
    ///
    /// ```swift
    /// Reject(rule: Reject("smtp") { Ports(25) }.rule)
    /// ```
    public init(rule: FilterRule) { self.rule = rule }
}

/// Logs matching packets to the kernel log (`-j LOG`) and lets later rules
/// decide.
///
/// `log: true` on a `Log` rule still logs each packet once.
///
/// ```swift
/// Log("who knocks on ssh") { Ports(22); To("gateway") }
/// ```
public struct Log: FilterRuleWord, Sendable {
    /// `.log`: every `Log` rule logs.
    public static let action = FilterAction.log
    /// The rule, as written.
    public let rule: FilterRule
    /// Wraps a rule already made; rule files write `Log("…") { … }`.
    ///
    /// - Parameters:
    ///   - rule: The rule, whose action is `.log`.
    ///
    /// ```swift
    /// Log(rule: Log("ssh") { Ports(22) }.rule)
    /// ```
    public init(rule: FilterRule) { self.rule = rule }
}

/// Address translation: `DNAT(public => private)` and
/// `SNAT(private => public)`, with the filter accepts that let the
/// translated traffic through.
///
/// `Ports`, `Protocols` and `From` narrow the rewrite's DNATs; a rewrite
/// without a DNAT may not have them, since an SNAT translates all traffic
/// from its private labels. `To` and `Interface` aren't used in a rewrite.
///
/// The protocols a DNAT translates:
/// - with `Protocols`, those;
/// - with `Ports` but no `Protocols`, tcp;
/// - with neither, every protocol: the whole address is translated (1:1),
///   with no `-p` and no `--dport`.
///
/// Each DNAT comes with an accept of the translated traffic to the private
/// address (on the private port of a mapping, and from the rewrite's `From`),
/// each SNAT with an accept of traffic from its private labels. Within a
/// rewrite, its DNATs come before its SNATs.
///
/// ```swift
/// Rewrite("ssh to the bastion") {
///     Ports(2222 => 22)
///     DNAT("public" => "bastion")
/// }
/// Rewrite("internet access") { SNAT(["lan", "mail"] => "public") }
/// ```
public struct Rewrite: PartitionContent, Hashable, Codable, Sendable {
    /// The rewrite's description: documentation only.
    public let description: String
    /// Whether a LOG rule goes before each rule this one generates.
    public let log: Bool
    /// The rewrite body's statements, in the order written.
    public let statements: [RuleStatement]
    /// Where `Rewrite` is written in its rule file.
    public let location: SourceLocation

    /// Translates addresses: `DNAT`, `SNAT` or both, with the accepts the
    /// translated traffic needs.
    ///
    /// - Parameters:
    ///   - description: What the rewrite is for. Documentation only: it is
    ///     not in the generated rules and doesn't change chain names.
    ///   - log: `true` puts a LOG rule with the same matches directly
    ///     before each generated rule, translations and accepts alike;
    ///     `false` by default.
    ///   - file: The rule file, for diagnostics; leave the default.
    ///   - line: The line of the word, for diagnostics; leave the default.
    ///   - column: The column of the word, for diagnostics; leave the default.
    ///   - body: At least one `DNAT` or `SNAT`, and for the DNATs,
    ///     optionally `Ports` (mappings like `2222 => 22` allowed),
    ///     `Protocols` and `From`.
    ///
    /// ```swift
    /// Rewrite("dns for customers") {
    ///     Protocols("udp", "tcp")
    ///     Ports(53)
    ///     From("customers")
    ///     DNAT("public dns" => "resolver")
    /// }
    /// ```
    public init(
        _ description: String, log: Bool = false,
        file: String = #filePath, line: Int = #line, column: Int = #column,
        @RuleBuilder _ body: () -> [RuleStatement]
    ) {
        self.init(
            description: description, log: log, statements: body(),
            location: SourceLocation(file: file, line: line, column: column))
    }

    package init(description: String, log: Bool, statements: [RuleStatement], location: SourceLocation) {
        self.description = description
        self.log = log
        self.statements = statements
        self.location = location
    }

    /// The rewrite, as the one statement it is.
    public var partitionStatements: [PartitionStatement] { [.rewrite(self)] }

    /// The same rewrite with more statements, as a directed `Group` adds its `Direction`.
    package func adding(_ extra: [RuleStatement]) -> Rewrite {
        Rewrite(description: description, log: log, statements: statements + extra, location: location)
    }
}
