/// A partition: one rule file's named set of labels and rules, compiled to
/// three chains of its own (`NAME-aHASH`, `NAME-dHASH`, `NAME-sHASH`).
///
///     Partition("joeblogsco") {
///         Label("www", address: "172.19.56.216")
///         Accept("web") { Ports(80, 443); To("www") }
///     }
public struct Partition: Hashable, Codable, Sendable {
    public let name: String
    public let statements: [PartitionStatement]
    public let location: SourceLocation

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

/// One statement of a partition body, after groups are flattened.
public enum PartitionStatement: Hashable, Codable, Sendable {
    case label(Label)
    case filter(FilterRule)
    case rewrite(Rewrite)
    case raw(Raw)
}

/// Anything that may stand in a partition body: `Label`, `Accept`, `Drop`,
/// `Reject`, `Log`, `Rewrite`, `Raw` and `Group`.
public protocol PartitionContent {
    var partitionStatements: [PartitionStatement] { get }
}

/// Builds a partition body. One concrete component type keeps type-checking
/// linear in the number of statements.
@resultBuilder
public enum PartitionBuilder {
    public static func buildExpression(_ content: any PartitionContent) -> [PartitionStatement] {
        content.partitionStatements
    }

    public static func buildBlock(_ components: [PartitionStatement]...) -> [PartitionStatement] {
        components.flatMap { $0 }
    }
}

/// Names an address or network for the partition's rules: `Label("app-01", address: "192.168.5.230")`.
/// Labels are scoped to their partition; `all` (0.0.0.0/0) is always defined.
public struct Label: PartitionContent, Hashable, Codable, Sendable {
    public let name: String
    public let address: String
    public let location: SourceLocation

    public init(_ name: String, address: String, file: String = #filePath, line: Int = #line, column: Int = #column) {
        self.init(name: name, address: address, location: SourceLocation(file: file, line: line, column: column))
    }

    package init(name: String, address: String, location: SourceLocation) {
        self.name = name
        self.address = address
        self.location = location
    }

    public var partitionStatements: [PartitionStatement] { [.label(self)] }
}

/// Groups statements of a large partition so each builder body stays small
/// (type-checking time grows with the square of one body's length). A group
/// has no meaning of its own: its statements count as if written in its place.
///
///     Group("web tier") { … }
public struct Group: PartitionContent, Sendable {
    public let description: String?
    public let partitionStatements: [PartitionStatement]

    public init(
        _ description: String? = nil,
        @PartitionBuilder _ body: () -> [PartitionStatement]
    ) {
        self.init(description: description, statements: body())
    }

    package init(description: String?, statements: [PartitionStatement]) {
        self.description = description
        self.partitionStatements = statements
    }
}

/// The escape hatch: iptables commands, one per line, applied as written once
/// per content change. Lines that flush or delete chains are refused.
public struct Raw: PartitionContent, Hashable, Codable, Sendable {
    public let text: String
    public let location: SourceLocation

    public init(_ text: String, file: String = #filePath, line: Int = #line, column: Int = #column) {
        self.init(text: text, location: SourceLocation(file: file, line: line, column: column))
    }

    package init(text: String, location: SourceLocation) {
        self.text = text
        self.location = location
    }

    public var partitionStatements: [PartitionStatement] { [.raw(self)] }
}
