/// One statement of a rule body.
public enum RuleStatement: Hashable, Codable, Sendable {
    case protocols(Protocols)
    case ports(Ports)
    case from(From)
    case to(To)
    case interface(Interface)
    case dnat(DNAT)
    case snat(SNAT)
}

/// Anything that may stand in a rule body: `Protocols`, `Ports`, `From`, `To`,
/// `Interface`, `DNAT` and `SNAT`.
public protocol RuleContent {
    var ruleStatement: RuleStatement { get }
}

/// Builds a rule body over one concrete component type.
@resultBuilder
public enum RuleBuilder {
    public static func buildExpression(_ content: any RuleContent) -> [RuleStatement] {
        [content.ruleStatement]
    }

    public static func buildBlock(_ components: [RuleStatement]...) -> [RuleStatement] {
        components.flatMap { $0 }
    }
}

/// A protocol by name from /etc/protocols (`"udp"`) or by number (`47`).
public enum ProtocolSpec: Hashable, Codable, Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    case name(String)
    case number(Int)

    public init(stringLiteral value: String) { self = .name(value) }
    public init(integerLiteral value: Int) { self = .number(value) }
}

/// The protocols a rule matches; without it a rule matches tcp.
public struct Protocols: RuleContent, Hashable, Codable, Sendable {
    public let protocols: [ProtocolSpec]
    public let location: SourceLocation

    public init(_ protocols: ProtocolSpec..., file: String = #filePath, line: Int = #line, column: Int = #column) {
        self.init(protocols: protocols, location: SourceLocation(file: file, line: line, column: column))
    }

    package init(protocols: [ProtocolSpec], location: SourceLocation) {
        self.protocols = protocols
        self.location = location
    }

    public var ruleStatement: RuleStatement { .protocols(self) }
}

/// A destination port, a closed range `8000...8900`, or (in a rewrite) a
/// mapping from a public port to a private one, `2222 => 22`.
public indirect enum PortSpec: Hashable, Codable, Sendable, ExpressibleByIntegerLiteral {
    case port(Int)
    case range(PortSpec, PortSpec)
    case mapping(PortSpec, PortSpec)

    public init(integerLiteral value: Int) { self = .port(value) }

    /// `8000...8900`: every port from the first to the last. Built here rather
    /// than by the standard library so a reversed range is reported, not a crash.
    public static func ... (first: PortSpec, last: PortSpec) -> PortSpec {
        .range(first, last)
    }

    /// `2222 => 22`: traffic to public port 2222 is rewritten to private port 22.
    public static func => (from: PortSpec, to: PortSpec) -> PortSpec {
        .mapping(from, to)
    }
}

/// The destination ports a rule matches.
public struct Ports: RuleContent, Hashable, Codable, Sendable {
    public let ports: [PortSpec]
    public let location: SourceLocation

    public init(_ ports: PortSpec..., file: String = #filePath, line: Int = #line, column: Int = #column) {
        self.init(ports: ports, location: SourceLocation(file: file, line: line, column: column))
    }

    package init(ports: [PortSpec], location: SourceLocation) {
        self.ports = ports
        self.location = location
    }

    public var ruleStatement: RuleStatement { .ports(self) }
}

/// The labels traffic comes from; without it, `all`.
public struct From: RuleContent, Hashable, Codable, Sendable {
    public let labels: [String]
    public let location: SourceLocation

    public init(_ labels: String..., file: String = #filePath, line: Int = #line, column: Int = #column) {
        self.init(labels: labels, location: SourceLocation(file: file, line: line, column: column))
    }

    package init(labels: [String], location: SourceLocation) {
        self.labels = labels
        self.location = location
    }

    public var ruleStatement: RuleStatement { .from(self) }
}

/// The labels traffic goes to; without it, `all`.
public struct To: RuleContent, Hashable, Codable, Sendable {
    public let labels: [String]
    public let location: SourceLocation

    public init(_ labels: String..., file: String = #filePath, line: Int = #line, column: Int = #column) {
        self.init(labels: labels, location: SourceLocation(file: file, line: line, column: column))
    }

    package init(labels: [String], location: SourceLocation) {
        self.labels = labels
        self.location = location
    }

    public var ruleStatement: RuleStatement { .to(self) }
}

/// The interface traffic arrives on; a trailing `+` matches a prefix (`vlan+`).
public struct Interface: RuleContent, Hashable, Codable, Sendable {
    public let name: String
    public let location: SourceLocation

    public init(_ name: String, file: String = #filePath, line: Int = #line, column: Int = #column) {
        self.init(name: name, location: SourceLocation(file: file, line: line, column: column))
    }

    package init(name: String, location: SourceLocation) {
        self.name = name
        self.location = location
    }

    public var ruleStatement: RuleStatement { .interface(self) }
}
