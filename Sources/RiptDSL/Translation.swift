/// `"public" => "private"` or `["public 1", "public 2"] => "private"`.
public struct LabelMapping: Hashable, Codable, Sendable {
    public let from: [String]
    public let to: String

    public init(from: [String], to: String) {
        self.from = from
        self.to = to
    }
}

precedencegroup LabelMappingPrecedence {
    associativity: none
    higherThan: ComparisonPrecedence
}

/// Maps one thing to another: ports in `Ports(2222 => 22)`, labels in
/// `DNAT("www" => "app-01")` and `SNAT(["app-01", "office"] => "www")`.
infix operator => : LabelMappingPrecedence

public func => (from: String, to: String) -> LabelMapping {
    LabelMapping(from: [from], to: to)
}

public func => (from: [String], to: String) -> LabelMapping {
    LabelMapping(from: from, to: to)
}

/// Destination NAT: traffic to the public label(s) is sent to the private one.
public struct DNAT: RuleContent, Hashable, Codable, Sendable {
    public let mapping: LabelMapping
    public let location: SourceLocation

    public init(_ mapping: LabelMapping, file: String = #filePath, line: Int = #line, column: Int = #column) {
        self.init(mapping: mapping, location: SourceLocation(file: file, line: line, column: column))
    }

    package init(mapping: LabelMapping, location: SourceLocation) {
        self.mapping = mapping
        self.location = location
    }

    public var ruleStatement: RuleStatement { .dnat(self) }
}

/// Source NAT: traffic from the private label(s) leaves as the public one.
public struct SNAT: RuleContent, Hashable, Codable, Sendable {
    public let mapping: LabelMapping
    public let location: SourceLocation

    public init(_ mapping: LabelMapping, file: String = #filePath, line: Int = #line, column: Int = #column) {
        self.init(mapping: mapping, location: SourceLocation(file: file, line: line, column: column))
    }

    package init(mapping: LabelMapping, location: SourceLocation) {
        self.mapping = mapping
        self.location = location
    }

    public var ruleStatement: RuleStatement { .snat(self) }
}
