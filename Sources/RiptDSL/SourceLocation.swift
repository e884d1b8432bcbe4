/// Where a DSL word was written: the file, and the line and column of the
/// token that follows the word (its `(` or, with only a trailing closure, its `{`).
///
/// That is the position Swift gives `#line`/`#column` default arguments, so a
/// rule file compiled by swiftc and the same file evaluated by ript's loader
/// record identical locations. Columns count UTF-8 bytes from 1.
///
/// ```swift
/// Label("www", address: "192.0.2.80").location.description  // "rules/web.swift:4:10"
/// ```
public struct SourceLocation: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    /// The rule file's path, as given.
    public let file: String
    /// The line, counted from 1.
    public let line: Int
    /// The column, counted in UTF-8 bytes from 1.
    public let column: Int

    /// A place in a rule file.
    ///
    /// - Parameters:
    ///   - file: The rule file's path.
    ///   - line: The line, from 1.
    ///   - column: The column, in UTF-8 bytes from 1.
    ///
    /// ```swift
    /// SourceLocation(file: "rules/web.swift", line: 4, column: 10)
    /// ```
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, as diagnostics print it.
    public var description: String { "\(file):\(line):\(column)" }

    /// Orders locations by file, then line, then column.
    ///
    /// - Parameters:
    ///   - lhs: A location.
    ///   - rhs: Another location.
    ///
    /// ```swift
    /// SourceLocation(file: "a.swift", line: 2, column: 1) < SourceLocation(file: "a.swift", line: 10, column: 1)  // true
    /// ```
    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}
