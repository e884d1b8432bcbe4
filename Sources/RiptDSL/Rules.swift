/// What a filter rule does with the packets it matches.
public enum FilterAction: String, Hashable, Codable, Sendable, CaseIterable {
    case accept = "ACCEPT"
    case drop = "DROP"
    case reject = "REJECT"
    case log = "LOG"

    /// The DSL word that makes a rule with this action.
    public var word: String {
        switch self {
        case .accept: "Accept"
        case .drop: "Drop"
        case .reject: "Reject"
        case .log: "Log"
        }
    }
}

/// An accept, drop, reject or log rule, as written.
public struct FilterRule: Hashable, Codable, Sendable {
    public let action: FilterAction
    public let description: String
    public let log: Bool
    public let statements: [RuleStatement]
    public let location: SourceLocation

    package init(action: FilterAction, description: String, log: Bool, statements: [RuleStatement], location: SourceLocation) {
        self.action = action
        self.description = description
        self.log = log
        self.statements = statements
        self.location = location
    }
}

/// The four filter words share one shape; each fixes its action.
public protocol FilterRuleWord: PartitionContent {
    static var action: FilterAction { get }
    var rule: FilterRule { get }
    init(rule: FilterRule)
}

extension FilterRuleWord {
    /// `Accept("web", log: true) { Ports(80, 443); To("www") }`. The description
    /// is documentation only; `log: true` logs each match before acting on it.
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

    public var partitionStatements: [PartitionStatement] { [.filter(rule)] }
}

/// Lets matching packets through.
public struct Accept: FilterRuleWord, Sendable {
    public static let action = FilterAction.accept
    public let rule: FilterRule
    public init(rule: FilterRule) { self.rule = rule }
}

/// Silently discards matching packets.
public struct Drop: FilterRuleWord, Sendable {
    public static let action = FilterAction.drop
    public let rule: FilterRule
    public init(rule: FilterRule) { self.rule = rule }
}

/// Discards matching packets and answers with ICMP port-unreachable.
public struct Reject: FilterRuleWord, Sendable {
    public static let action = FilterAction.reject
    public let rule: FilterRule
    public init(rule: FilterRule) { self.rule = rule }
}

/// Logs matching packets to the kernel log and lets later rules decide.
public struct Log: FilterRuleWord, Sendable {
    public static let action = FilterAction.log
    public let rule: FilterRule
    public init(rule: FilterRule) { self.rule = rule }
}

/// Address translation: `DNAT(public => private)` and `SNAT(private => public)`,
/// with the filter accepts that let the rewritten traffic through.
public struct Rewrite: PartitionContent, Hashable, Codable, Sendable {
    public let description: String
    public let log: Bool
    public let statements: [RuleStatement]
    public let location: SourceLocation

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

    public var partitionStatements: [PartitionStatement] { [.rewrite(self)] }
}
