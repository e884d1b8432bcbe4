/// Where a DSL word was written: the file, and the line and column of the
/// token that follows the word (its `(` or, with only a trailing closure, its `{`).
///
/// That is the position Swift gives `#line`/`#column` default arguments, so a
/// rule file compiled by swiftc and the same file evaluated by ript's loader
/// record identical locations.
public struct SourceLocation: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}
