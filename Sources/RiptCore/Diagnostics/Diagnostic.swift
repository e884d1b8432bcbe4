import RiptDSL

/// A problem in the rule files, at the place it was written:
/// `file:line:column: error: message`, with notes pointing at related places.
/// An error stops the rule files from compiling; a warning is printed and
/// changes nothing else (the output, the exit status, an apply).
public struct Diagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Hashable, Sendable {
        case error, warning
    }

    public struct Note: Hashable, Sendable {
        public let location: SourceLocation
        public let message: String

        public init(_ message: String, at location: SourceLocation) {
            self.location = location
            self.message = message
        }
    }

    public let severity: Severity
    public let location: SourceLocation
    public let message: String
    public let notes: [Note]

    public init(_ message: String, at location: SourceLocation, notes: [Note] = [], severity: Severity = .error) {
        self.severity = severity
        self.location = location
        self.message = message
        self.notes = notes
    }

    /// Something ript accepts as the original Ript and iptables do, though
    /// it is likely not what was meant.
    public static func warning(_ message: String, at location: SourceLocation, notes: [Note] = []) -> Diagnostic {
        Diagnostic(message, at: location, notes: notes, severity: .warning)
    }

    /// The diagnostic as compilers print it, one line for the error (or
    /// warning) and one per note. Whatever a path or a quoted name holds,
    /// it stays on its line: control and invisible characters are written
    /// as escapes.
    public var description: String {
        ([ "\(location.printable): \(severity.rawValue): \(printable(message))" ] + notes.map { "\($0.location.printable): note: \(printable($0.message))" })
            .joined(separator: "\n")
    }
}

/// Text with control characters (a newline, a terminal's escape sequences),
/// line and paragraph separators and invisible format characters (zero-width
/// spaces, direction overrides) written as Swift escapes, so text quoted from
/// a rule file can't start a line of its own, drive a terminal or hide.
func printable(_ text: String) -> String {
    func hidden(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }
    guard text.unicodeScalars.contains(where: hidden) else { return text }
    var out = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case "\0": out += "\\0"
        case _ where hidden(scalar): out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out
}

/// The rule files did not compile. Holds every problem found, in file
/// order: the errors, and any warnings found on the way.
public struct RuleErrors: Error, Sendable, CustomStringConvertible {
    public let diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics.inFileOrder
    }

    /// How many of the diagnostics are errors.
    public var errorCount: Int { diagnostics.count { $0.severity == .error } }

    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
    }
}

extension [Diagnostic] {
    /// By location, then by message.
    var inFileOrder: [Diagnostic] {
        sorted { ($0.location, $0.message) < ($1.location, $1.message) }
    }
}

/// Sorting helper: compare (location, message) pairs.
private func < (lhs: (SourceLocation, String), rhs: (SourceLocation, String)) -> Bool {
    lhs.0 != rhs.0 ? lhs.0 < rhs.0 : lhs.1 < rhs.1
}

extension SourceLocation {
    /// The start of a file, for problems with the file as a whole.
    static func start(of file: String) -> SourceLocation {
        SourceLocation(file: file, line: 1, column: 1)
    }

    /// `file:line:column`, with the path's control characters escaped.
    var printable: String { "\(RiptCore.printable(file)):\(line):\(column)" }
}

/// "1 partition", "3 partitions": a count and its noun, for messages and
/// summary lines.
package func plural(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }
