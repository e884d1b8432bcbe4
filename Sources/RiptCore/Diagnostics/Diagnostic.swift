import RiptDSL

/// A problem in the rule files, at the place it was written:
/// `file:line:column: error: message`, with notes pointing at related places.
public struct Diagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Note: Hashable, Sendable {
        public let location: SourceLocation
        public let message: String

        public init(_ message: String, at location: SourceLocation) {
            self.location = location
            self.message = message
        }
    }

    public let location: SourceLocation
    public let message: String
    public let notes: [Note]

    public init(_ message: String, at location: SourceLocation, notes: [Note] = []) {
        self.location = location
        self.message = message
        self.notes = notes
    }

    /// The diagnostic as compilers print it, one line for the error and one per note.
    public var description: String {
        ([ "\(location): error: \(message)" ] + notes.map { "\($0.location): note: \($0.message)" })
            .joined(separator: "\n")
    }
}

/// The rule files did not compile. Holds every problem found, in file order.
public struct RuleErrors: Error, Sendable, CustomStringConvertible {
    public let diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) {
        self.diagnostics = diagnostics.sorted { ($0.location, $0.message) < ($1.location, $1.message) }
    }

    public var description: String {
        diagnostics.map(\.description).joined(separator: "\n")
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
}
