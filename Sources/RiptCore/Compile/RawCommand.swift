/// One line of a `Raw` block: an iptables command, split into its arguments
/// without a shell, with its table taken out.
public struct RawCommand: Hashable, Sendable {
    public let table: Table
    /// The arguments after `iptables`, without `-t`/`--table`.
    public let arguments: [String]
    /// The line as written, trimmed.
    public let line: String

    /// The commands ript accepts in raw lines: they add, insert, delete or
    /// replace rules, set policies and create chains.
    static let commands: [Character: String] = [
        "A": "append", "I": "insert", "D": "delete", "R": "replace", "P": "policy", "N": "new-chain",
    ]
    static let refusedCommands: [Character: String] = [
        "L": "list", "S": "list-rules", "Z": "zero", "E": "rename-chain", "C": "check", "h": "help", "V": "version",
    ]
    /// Short options that take an argument (getopt's `x:` and `x::`): the rest of a cluster is that argument.
    static let shortWithArgument: Set<Character> = Set("ACDRILSMFZNXEPhopsdjitmcgwW")
    /// iptables-restore reads its input in pieces of 10,240 bytes, so a longer
    /// line would be read as two; raw lines stay well below that.
    public static let maximumLength = 4096

    /// Parses and checks a line. The error says what is wrong and what to do.
    public static func parse(_ line: String) -> Result<RawCommand, RawLineError> {
        let words: [String]
        switch split(line) {
        case .success(let value): words = value
        case .failure(let error): return .failure(error)
        }
        guard words.first == "iptables" else {
            return .failure(RawLineError("isn't an iptables command; each raw line starts with 'iptables'"))
        }
        var table = Table.filter
        var tableGiven = false
        var arguments: [String] = []
        var command: String?
        var index = 1
        func setCommand(_ name: String) -> RawLineError? {
            if let command { return RawLineError("has two commands ('\(command)' and '\(name)'); write one command per line") }
            command = name
            return nil
        }
        while index < words.count {
            let word = words[index]
            index += 1
            // getopt takes any abbreviation of a long option: --tab is --table.
            let longName = word.hasPrefix("--") ? word.dropFirst(2).prefix { $0 != "=" } : ""
            if word == "-t" || (!longName.isEmpty && "table".hasPrefix(longName)) || (word.hasPrefix("-t") && !word.hasPrefix("--")) {
                var name: String
                if word.hasPrefix("--"), let equals = word.firstIndex(of: "=") {
                    name = String(word[word.index(after: equals)...])
                } else if word.count > 2 && !word.hasPrefix("--") {
                    name = String(word.dropFirst(2))
                } else {
                    guard index < words.count else { return .failure(RawLineError("'\(word)' needs a table name")) }
                    name = words[index]
                    index += 1
                }
                guard let value = Table(rawValue: name) else {
                    return .failure(RawLineError("names the unknown table '\(name)'; tables are \(Table.allCases.map(\.rawValue).joined(separator: ", "))"))
                }
                if tableGiven { return .failure(RawLineError("names a table twice; write -t TABLE once")) }
                table = value
                tableGiven = true
                continue
            }
            arguments.append(word)
            if word.hasPrefix("--") {
                let name = String(word.dropFirst(2).prefix { $0 != "=" })
                if !name.isEmpty, "flush".hasPrefix(name) { return .failure(.flush(word)) }
                if name.count > "delete".count, "delete-chain".hasPrefix(name) { return .failure(.deleteChain(word)) }
                // An abbreviation too (--ren is --rename-chain), and one that
                // iptables finds ambiguous is refused all the same.
                if !name.isEmpty, let refused = refusedCommands.values.sorted().first(where: { $0.hasPrefix(name) }) {
                    return .failure(.unsupportedCommand("--\(refused)"))
                }
                if commands.values.contains(name), let error = setCommand("--\(name)") { return .failure(error) }
            } else if word.hasPrefix("-"), word.count > 1, !word.dropFirst().allSatisfy(\.isNumber) {
                for option in word.dropFirst() {
                    if option == "t" {
                        return .failure(RawLineError("sets the table inside '\(word)'; write -t TABLE as a word of its own"))
                    }
                    if option == "F" { return .failure(.flush(word)) }
                    if option == "X" { return .failure(.deleteChain(word)) }
                    if refusedCommands[option] != nil { return .failure(.unsupportedCommand("-\(option)")) }
                    if commands[option] != nil, let error = setCommand("-\(option)") { return .failure(error) }
                    if shortWithArgument.contains(option) { break }
                }
            }
        }
        guard command != nil else {
            return .failure(RawLineError("has no command; raw lines use -A, -I, -D, -R, -P or -N"))
        }
        // iptables-restore reads a line's first character as what the line
        // is: ':' declares a chain (and with --noflush flushes it), '*' starts
        // a table, '[' gives counters and '#' a comment. An option can't be read
        // as any of them.
        if let first = arguments.first, !first.hasPrefix("-"), first != "!" {
            return .failure(RawLineError("starts with '\(first)'; after 'iptables' (and its table) come options, like iptables -A INPUT …"))
        }
        let parsed = RawCommand(table: table, arguments: arguments, line: line)
        let length = parsed.restoreArguments.joined(separator: " ").utf8.count
        if length > maximumLength {
            return .failure(RawLineError("is \(length) bytes long; a raw line can be at most \(maximumLength), since iptables-restore reads longer lines in pieces"))
        }
        return .success(parsed)
    }

    /// Splits a line into words: whitespace separates, '…' and "…" quote
    /// (a backslash escapes " and \ inside "…"). Shell syntax is refused, since
    /// ript runs no shell: it would reach iptables as literal arguments.
    static func split(_ line: String) -> Result<[String], RawLineError> {
        var words: [String] = []
        var current = ""
        var inWord = false
        var characters = line.makeIterator()
        while let character = characters.next() {
            if character.isWhitespace {
                if inWord { words.append(current) }
                current = ""
                inWord = false
                continue
            }
            if character.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                return .failure(RawLineError("contains a control character; write plain text"))
            }
            inWord = true
            switch character {
            case "'", "\"":
                var closed = false
                while let next = characters.next() {
                    if next == character { closed = true; break }
                    if next.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                        return .failure(RawLineError("contains a control character; write plain text"))
                    }
                    if character == "\"", next == "\\", let escaped = characters.next() {
                        current.append(escaped)
                    } else {
                        current.append(next)
                    }
                }
                if !closed { return .failure(RawLineError("has an unclosed \(character) quote")) }
            case ";", "|", "&", "$", "`", "<", ">", "(", ")", "{", "}", "\\", "*", "?", "#":
                return .failure(RawLineError("contains '\(character)', which is shell syntax; ript runs iptables without a shell, so quote it or remove it"))
            default:
                current.append(character)
            }
        }
        if inWord { words.append(current) }
        return .success(words)
    }
}

/// Why a raw line was refused.
public struct RawLineError: Error, Sendable, Equatable {
    public let message: String

    init(_ message: String) { self.message = message }

    static func flush(_ option: String) -> RawLineError {
        RawLineError("flushes ('\(option)'); raw rules can't flush tables or chains: ript changes firewalls without flushing, so delete single rules with -D")
    }

    static func deleteChain(_ option: String) -> RawLineError {
        RawLineError("deletes chains ('\(option)'); raw rules can't delete chains: ript removes only the chains it owns, with 'ript clean apply'")
    }

    static func unsupportedCommand(_ option: String) -> RawLineError {
        RawLineError("uses '\(option)'; raw lines change rules with -A, -I, -D, -R, -P or -N")
    }
}

extension RawCommand {
    /// The arguments quoted for iptables-restore: double quotes around any
    /// argument with spaces or quotes, backslash before `"` and `\`.
    public var restoreArguments: [String] {
        arguments.map { argument in
            guard argument.isEmpty || argument.contains(where: { $0.isWhitespace || $0 == "\"" || $0 == "'" || $0 == "\\" }) else { return argument }
            var quoted = "\""
            for character in argument {
                if character == "\"" || character == "\\" { quoted.append("\\") }
                quoted.append(character)
            }
            return quoted + "\""
        }
    }
}
