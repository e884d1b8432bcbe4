/// What a `DNAT` or `SNAT` translates: one or more labels on the left of
/// `=>`, one label on the right.
///
/// ```swift
/// DNAT("www" => "app-01")                // LabelMapping(from: ["www"], to: "app-01")
/// SNAT(["app-01", "office"] => "www")    // LabelMapping(from: ["app-01", "office"], to: "www")
/// ```
public struct LabelMapping: Hashable, Codable, Sendable {
    /// The labels left of `=>`: a DNAT's public ones, an SNAT's private ones.
    public let from: [String]
    /// The label right of `=>`: a DNAT's private one, an SNAT's public one.
    public let to: String

    /// Maps labels to one label; rule files write `"from" => "to"`.
    ///
    /// - Parameters:
    ///   - from: The labels left of `=>`, at least one.
    ///   - to: The label right of `=>`: a single address.
    ///
    /// ```swift
    /// LabelMapping(from: ["www"], to: "app-01")  // "www" => "app-01"
    /// ```
    public init(from: [String], to: String) {
        self.from = from
        self.to = to
    }
}

/// The precedence of `=>`: above comparisons, and unrelated to `...`, so
/// `(8000...8100) => 80` needs its parentheses.
///
/// ```swift
/// Ports((8000...8100) => 80)
/// ```
precedencegroup LabelMappingPrecedence {
    associativity: none
    higherThan: ComparisonPrecedence
}

/// Maps one thing to another: ports in `Ports(2222 => 22)`, labels in
/// `DNAT("www" => "app-01")` and `SNAT(["app-01", "office"] => "www")`.
///
/// ```swift
/// Rewrite("ssh to the bastion") {
///     Ports(2222 => 22)
///     DNAT("public" => "bastion")
/// }
/// ```
infix operator => : LabelMappingPrecedence

/// Maps one label to another, in a `DNAT` or `SNAT`.
///
/// - Parameters:
///   - from: The label left of `=>`: a DNAT's public label, an SNAT's
///     private one.
///   - to: The label right of `=>`: a DNAT's private label, an SNAT's
///     public one; a single address.
///
/// ```swift
/// DNAT("public" => "www")
/// ```
public func => (from: String, to: String) -> LabelMapping {
    LabelMapping(from: [from], to: to)
}

/// Maps several labels to one, in a `DNAT` or `SNAT`.
///
/// - Parameters:
///   - from: The labels left of `=>`: a DNAT's public labels, an SNAT's
///     private ones.
///   - to: The label right of `=>`: a DNAT's private label, an SNAT's
///     public one; a single address.
///
/// ```swift
/// SNAT(["lan a", "lan b"] => "public")
/// ```
public func => (from: [String], to: String) -> LabelMapping {
    LabelMapping(from: from, to: to)
}

/// Destination NAT, in a `Rewrite` only: traffic to the public label or
/// labels is sent to the private one.
///
/// The private label must be a single address (not a network, not `all`)
/// of the same family as each public label. The rewrite's `Ports`,
/// `Protocols` and `From` narrow what is translated (with neither ports
/// nor protocols, the whole address is), and each translation comes with
/// an accept of the translated traffic to the private address.
///
/// ```swift
/// Rewrite("mail from outside") {
///     Ports(25, 587)
///     DNAT("public" => "mail")
/// }
/// ```
public struct DNAT: RuleContent, Hashable, Codable, Sendable {
    /// The public labels and the private one.
    public let mapping: LabelMapping
    /// Where `DNAT` is written in its rule file.
    public let location: SourceLocation

    /// Sends traffic to public addresses on to a private one.
    ///
    /// - Parameters:
    ///   - mapping: `"public" => "private"` or
    ///     `["public 1", "public 2"] => "private"`.
    ///   - file: The rule file, for diagnostics; leave the default.
    ///   - line: The line of the word, for diagnostics; leave the default.
    ///   - column: The column of the word, for diagnostics; leave the default.
    ///
    /// ```swift
    /// DNAT(["www", "shop"] => "app-01")
    /// ```
    public init(_ mapping: LabelMapping, file: String = #filePath, line: Int = #line, column: Int = #column) {
        self.init(mapping: mapping, location: SourceLocation(file: file, line: line, column: column))
    }

    package init(mapping: LabelMapping, location: SourceLocation) {
        self.mapping = mapping
        self.location = location
    }

    /// The statement, as its rewrite holds it.
    public var ruleStatement: RuleStatement { .dnat(self) }
}

/// Source NAT, in a `Rewrite` only: traffic from the private label or
/// labels leaves as the public one.
///
/// The private labels may be hosts or networks; the public label must be a
/// single address of the same family. An SNAT translates all traffic from
/// its private labels: the rewrite's `Ports`, `Protocols` and `From` don't
/// apply to it. Each translation comes with an accept of traffic from the
/// private label.
///
/// ```swift
/// Rewrite("internet access") { SNAT(["lan", "mail"] => "public") }
/// ```
public struct SNAT: RuleContent, Hashable, Codable, Sendable {
    /// The private labels and the public one.
    public let mapping: LabelMapping
    /// Where `SNAT` is written in its rule file.
    public let location: SourceLocation

    /// Makes traffic from private addresses leave as a public one.
    ///
    /// - Parameters:
    ///   - mapping: `"private" => "public"` or
    ///     `["private 1", "private 2"] => "public"`.
    ///   - file: The rule file, for diagnostics; leave the default.
    ///   - line: The line of the word, for diagnostics; leave the default.
    ///   - column: The column of the word, for diagnostics; leave the default.
    ///
    /// ```swift
    /// SNAT("mail relay" => "mail public")
    /// ```
    public init(_ mapping: LabelMapping, file: String = #filePath, line: Int = #line, column: Int = #column) {
        self.init(mapping: mapping, location: SourceLocation(file: file, line: line, column: column))
    }

    package init(mapping: LabelMapping, location: SourceLocation) {
        self.mapping = mapping
        self.location = location
    }

    /// The statement, as its rewrite holds it.
    public var ruleStatement: RuleStatement { .snat(self) }
}
