import Foundation
@testable import RiptCore
import TestSupport
import Testing

/// The manual pages. man/ript.1 is generated (man/generate.sh) and checked
/// against the command tree of the `ript` just built, in both directions;
/// man/ript-dsl.5 is written by hand and checked against the DSL's words,
/// the limits the code enforces and what ript generates for its examples.
/// Both must render without a single warning.
@Suite struct ManualTests {
    // MARK: ript.1 against the command tree

    @Test("man/ript.1 documents exactly ript's command tree: every command, argument and help text, and nothing else")
    func commandPageMatchesCommandTree() throws {
        let problems = ManualDrift.problems(tree: try liveCommandTree(), page: try pageSource("man/ript.1"))
        if !problems.isEmpty { Issue.record("\(ManualDrift.report(problems))") }
    }

    @Test("the drift check reports an option that man/ript.1 lacks, and tells to run man/generate.sh")
    func driftCheckReportsMissingOption() throws {
        let tree = try liveCommandTree()
        var lines = try pageSource("man/ript.1").components(separatedBy: "\n")
        // The first option of the first subcommand, with its help text.
        let command = try #require(lines.firstIndex { $0.hasPrefix(".It Em ") })
        let option = try #require(lines[command...].firstIndex { $0.hasPrefix(".It Fl -") })
        let name = "-" + MdocLine.words(lines[option])[2]
        let commandName = MdocLine.words(lines[command])[2]
        var end = option + 1
        while end < lines.count, !lines[end].hasPrefix(".") || lines[end] == ".Pp" { end += 1 }
        lines.removeSubrange(option..<end)

        let problems = ManualDrift.problems(tree: tree, page: lines.joined(separator: "\n"))
        #expect(problems.contains { $0.contains("'ript \(commandName)' has \(name)") }, "\(problems)")
        #expect(ManualDrift.report(problems).contains("run man/generate.sh"))
    }

    @Test("the drift check reports an option in man/ript.1 that ript doesn't have")
    func driftCheckReportsExtraOption() throws {
        let tree = try liveCommandTree()
        var lines = try pageSource("man/ript.1").components(separatedBy: "\n")
        let command = try #require(lines.firstIndex { $0.hasPrefix(".It Em ") })
        let option = try #require(lines[command...].firstIndex { $0.hasPrefix(".It Fl -") })
        let commandName = MdocLine.words(lines[command])[2]
        lines.insert(contentsOf: [".It Fl -no-such-option", "An option ript never had."], at: option)

        let problems = ManualDrift.problems(tree: tree, page: lines.joined(separator: "\n"))
        #expect(problems.contains { $0.contains("--no-such-option") && $0.contains("'ript \(commandName)'") }, "\(problems)")
    }

    @Test("the drift check reports changed help text, a new command and a removed one")
    func driftCheckReportsChangedTree() throws {
        let page = try pageSource("man/ript.1")
        var tree = try liveCommandTree()
        var subcommands = try #require(tree.subcommands)
        let removed = subcommands.removeLast().commandName
        subcommands[0].abstract = "A sentence the page has never seen."
        subcommands.append(HelpCommand(commandName: "frobnicate", abstract: "Frobnicates."))
        tree.subcommands = subcommands

        let problems = ManualDrift.problems(tree: tree, page: page)
        #expect(problems.contains { $0.contains("A sentence the page has never seen.") }, "\(problems)")
        #expect(problems.contains { $0.contains("'ript frobnicate'") }, "\(problems)")
        #expect(problems.contains { $0.contains("'ript \(removed)'") }, "\(problems)")
    }

    @Test("ript's help text is ASCII, which generate-manual keeps whole (it drops every other character from the page)")
    func helpTextIsASCII() throws {
        var found: [String] = []
        func walk(_ command: HelpCommand, _ path: String) {
            let texts = [command.abstract, command.discussion] + (command.arguments ?? []).flatMap { argument in
                [argument.abstract, argument.discussion] + (argument.allValueDescriptions.map { Array($0.values) } ?? [])
            }
            for case let text? in texts where !text.allSatisfy(\.isASCII) {
                found.append("'\(path)': \(text)")
            }
            for subcommand in command.subcommands ?? [] { walk(subcommand, "\(path) \(subcommand.commandName)") }
        }
        let tree = try liveCommandTree()
        walk(tree, tree.commandName)
        #expect(found.isEmpty, "write help text in ASCII, or man/ript.1 loses these characters:\n\(found.joined(separator: "\n"))")
    }

    @Test("man/ript.1 says, under ENVIRONMENT, what each environment variable ript reads does, and the GLIBC_TUNABLES the systemd unit sets")
    func commandPageHasEnvironment() throws {
        let text = try renderedText("man/ript.1")
        let environment = try #require(text.range(of: "ENVIRONMENT").map { String(text[$0.upperBound...]) })
        for name in ["RIPT_CACHE_DIR", "RIPT_RUN_DIR", "XTABLES_LOCKFILE", "RIPT_TRACE", "NO_COLOR", "GLIBC_TUNABLES"] {
            #expect(environment.contains(name + ": "), "man/ript.1 has no entry '\(name): ...' under ENVIRONMENT")
        }
        let unit = try #require(SystemdUnit().values("Service", "Environment").first { $0.hasPrefix("GLIBC_TUNABLES=") })
        #expect(environment.contains("GLIBC_TUNABLES: " + unit.dropFirst("GLIBC_TUNABLES=".count)), "\(environment)")
    }

    // MARK: Rendering

    @Test("each manual page renders with man -l without a single warning", arguments: ["man/ript.1", "man/ript-dsl.5"])
    func pageRendersWithoutWarnings(_ page: String) throws {
        let result = try renderManual(packageRoot.appendingPathComponent(page).path)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError == "", "man -l \(page) warns:\n\(result.standardError)")
        #expect(result.standardOutput.components(separatedBy: "\n").count > 20)
        #expect(result.standardOutput.contains("NAME") && result.standardOutput.contains("DESCRIPTION"))
    }

    @Test("the rendering check catches warnings: a page with an unknown macro and a misused one warns")
    func renderingCheckCanFail() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let page = directory.appendingPathComponent("broken.5")
        try """
            .Dd November 21, 2026
            .Dt BROKEN 5
            .Os
            .Sh NAME
            .Nm broken
            .Nd a page with mistakes
            .Sh DESCRIPTION
            .Ss At the top level
            .Xx not a macro
            """.write(to: page, atomically: true, encoding: .utf8)
        let result = try renderManual(page.path)
        // One warning each: troff's for the unknown macro, mdoc's for '.Ss At …' (At is a macro).
        let warnings = result.standardError.split(separator: "\n")
        #expect(warnings.count == 2 && warnings.contains { $0.contains("'Xx'") }, "\(result.standardError)")
    }

    // MARK: ript-dsl.5 against the DSL

    @Test("every word a rule file can use has an entry (.It Ic WORD) in man/ript-dsl.5, and every entry is such a word")
    func dslPageHasAnEntryPerWord() throws {
        let entries = Set(try dslPageEntries())
        let words = Set(Vocabulary.topLevel + Vocabulary.partitionBody + Vocabulary.ruleBody).union(try libraryWords())
        #expect(words.count >= 16)
        let missing = words.subtracting(entries).sorted(), unknown = entries.subtracting(words).sorted()
        #expect(missing.isEmpty, "man/ript-dsl.5 has no entry for \(missing); document each word as '.It Ic WORD …' in its WORDS section")
        #expect(unknown.isEmpty, "man/ript-dsl.5 documents \(unknown), which rule files can't use; remove or rename the entries")
    }

    @Test("man/ript-dsl.5 shows as code every other word a rule file may hold (argument labels, literals, the import) and both operators")
    func dslPageShowsEveryWord() throws {
        let code = Set(try dslPageCode())
        let others = ParserLimits.words.subtracting(Vocabulary.topLevel + Vocabulary.partitionBody + Vocabulary.ruleBody)
        #expect(others.contains("address") && others.contains("log"))
        // An argument label counts with its colon: `.Li address:`.
        let missing = (others.sorted() + ["...", "=>"]).filter { !code.contains($0) && !code.contains($0 + ":") }
        #expect(missing.isEmpty, "man/ript-dsl.5 never shows these as code ('.Li WORD' or '.Li label:'): \(missing)")
    }

    @Test("man/ript-dsl.5 states every limit with the value the code enforces")
    func dslPageStatesLimits() throws {
        let text = try renderedText("man/ript-dsl.5")
        let statements = [
            "A rule file is at most \(RuleFileLoader.maximumFileSize >> 20) MiB",
            "A partition name is at most \(maximumPartitionNameLength) characters, so chain names stay within \(maximumPartitionNameLength + 8)",
            "A partition expands to at most \(grouped(maximumRulesPerPartition)) iptables rules",
            "A raw line is at most \(RawCommand.maximumLength) bytes",
            "brackets nested more than \(ParserLimits.maximumNesting) deep",
            "more than \(ParserLimits.maximumSquareNesting) square brackets open within one body",
            "more than \(ParserLimits.maximumForeignTokens) tokens that are no part of a rule file",
            "More than \(ParserLimits.maximumSyntaxErrors) syntax errors give one diagnostic",
        ]
        let missing = statements.filter { !text.contains($0) }
        #expect(missing.isEmpty, "man/ript-dsl.5 should say, in its LIMITS section: \(missing)")
    }

    @Test("every rule file in the EXAMPLES of man/ript-dsl.5 compiles, and the output shown is exactly what ript generates")
    func dslPageExamplesAreTrue() throws {
        let displays = try examplesDisplays()
        let ruleFiles = displays.indices.filter { displays[$0].text.hasPrefix("import RiptDSL\n") }
        #expect(ruleFiles.count >= 3)
        var outputsChecked = 0
        for index in ruleFiles {
            let directory = try temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: directory) }
            // A display of output follows its rule file, after the command that prints it.
            let next = displays.indices.contains(index + 1) ? displays[index + 1] : nil
            let command = next.flatMap { $0.text.hasPrefix("# ") ? commandLine($0.introduction) : nil }
            let file = command?.last ?? "example.swift"
            try displays[index].text.write(to: directory.appendingPathComponent(file), atomically: true, encoding: .utf8)
            let result = try run(riptBinary, command ?? ["rules", "generate", file], in: directory)
            #expect(result.status == 0 && result.standardError.isEmpty, "the example in man/ript-dsl.5 doesn't compile:\n\(displays[index].text)\n\(result.standardError)")
            if let next, command != nil {
                let shown = result.standardOutput.hasPrefix("# bootstrap\n") && result.standardOutput.hasSuffix("\n" + next.text)
                #expect(shown, "man/ript-dsl.5 shows output ript doesn't generate; \(command ?? []) prints:\n\(result.standardOutput)")
                outputsChecked += 1
            }
        }
        #expect(outputsChecked >= 1)
    }
}

// MARK: The command tree

/// One command as `ript --experimental-dump-help` prints it: the fields of
/// swift-argument-parser's ToolInfoV0 that generate-manual puts in the page.
private struct HelpCommand: Decodable {
    var commandName: String
    var aliases: [String]?
    var abstract: String?
    var discussion: String?
    var defaultSubcommand: String?
    var arguments: [HelpArgument]?
    var subcommands: [HelpCommand]?
}

/// An argument, option or flag of a command.
private struct HelpArgument: Decodable {
    struct Name: Decodable {
        /// `short`, `long` or `longWithSingleDash`.
        var kind: String
        var name: String
    }

    /// `positional`, `option` or `flag`.
    var kind: String
    var shouldDisplay: Bool
    var isOptional: Bool
    var isRepeating: Bool
    var names: [Name]?
    var preferredName: Name?
    var valueName: String?
    var allValues: [String]?
    var allValueDescriptions: [String: String]?
    var abstract: String?
    var discussion: String?
}

/// The command tree of the `ript` these tests run.
private func liveCommandTree() throws -> HelpCommand {
    struct Dump: Decodable {
        var serializationVersion: Int
        var command: HelpCommand
    }
    let result = try ript("--experimental-dump-help")
    try #require(result.status == 0, "ript --experimental-dump-help failed: \(result.standardError)")
    let dump = try JSONDecoder().decode(Dump.self, from: Data(result.standardOutput.utf8))
    try #require(dump.serializationVersion == 0, "the dump-help format changed (version \(dump.serializationVersion)); ManualTests read version 0")
    return dump.command
}

// MARK: What a generated page says

/// What a page generated by swift-argument-parser's generate-manual says
/// about a command tree, or (built from the tree) should say.
private struct Manual {
    /// `.Dt`: `RIPT 1`.
    var title = ""
    /// The SYNOPSIS items: `<subcommand>`, `[--version]`.
    var synopsis: [String] = []
    var root = ManualCommand()
}

private struct ManualCommand {
    /// The command's name, with its aliases after commas.
    var name = ""
    /// Its abstract and discussion, as plain text.
    var text = ""
    var arguments: [ManualArgument] = []
    var subcommands: [ManualCommand] = []
}

private struct ManualArgument {
    /// `-h, --help`, `--family <family>`, `<path>`.
    var title: String
    var text: String
    /// `value: description`, for values that have descriptions.
    var values: [String] = []
}

extension Manual {
    /// What generate-manual writes for a tree (one page, section 1).
    init(tree: HelpCommand) {
        title = "\(tree.commandName.uppercased()) 1"
        if tree.subcommands != nil { synopsis.append(tree.defaultSubcommand == nil ? "<subcommand>" : "[<subcommand>]") }
        for argument in tree.arguments ?? [] where argument.shouldDisplay {
            let preferred = argument.preferredName.map { [Manual.spelled($0)] } ?? []
            let item = Manual.title(argument, names: preferred)
            synopsis.append(argument.isOptional ? "[\(item)]" : item)
        }
        root = ManualCommand(tree)
    }

    /// How the page names an argument: its names, short ones first, and its value.
    static func title(_ argument: HelpArgument, names: [String]? = nil) -> String {
        let value = "<\(argument.valueName ?? "")\(argument.isRepeating ? "..." : "")>"
        let all = argument.names ?? []
        let spelledNames = (names ?? (all.filter { $0.kind == "short" } + all.filter { $0.kind != "short" }).map(spelled))
            .joined(separator: ", ")
        switch argument.kind {
        case "positional": return value
        case "option": return "\(spelledNames) \(value)"
        default: return spelledNames
        }
    }

    static func spelled(_ name: HelpArgument.Name) -> String {
        name.kind == "long" ? "--\(name.name)" : "-\(name.name)"
    }
}

extension ManualCommand {
    init(_ command: HelpCommand) {
        name = ([command.commandName] + (command.aliases ?? [])).joined(separator: ", ")
        text = plainText([command.abstract, command.discussion])
        arguments = (command.arguments ?? []).filter(\.shouldDisplay).map { argument in
            let values = argument.allValueDescriptions.map { descriptions in
                (argument.allValues ?? []).map { plainText(["\($0):", descriptions[$0]]) }
            }
            return ManualArgument(
                title: Manual.title(argument), text: plainText([argument.abstract, argument.discussion]), values: values ?? [])
        }
        subcommands = (command.subcommands ?? []).map(ManualCommand.init)
    }
}

/// Text as the page shows it: ASCII only (generate-manual drops the rest),
/// blanks and line breaks as single spaces.
private func plainText(_ parts: [String?]) -> String {
    normalizedSpaces(parts.compactMap { $0 }.joined(separator: " ").filter(\.isASCII))
}

private func normalizedSpaces(_ text: String) -> String {
    text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
}

// MARK: Reading mdoc

/// One line of mdoc source.
private enum MdocLine {
    /// A macro line's words, the macro first (without its dot), quotes and escapes resolved.
    static func words(_ line: String) -> [String] {
        var words: [String] = []
        var current = ""
        var inQuotes = false, inWord = false
        for character in line.dropFirst() {
            if character == "\"" {
                inQuotes.toggle()
                inWord = true
            } else if character == " " && !inQuotes {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(character)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words.map(unescaped)
    }

    /// Text with roff's escapes resolved: `\e`, `\&`, `\(dq` and the like.
    static func unescaped(_ text: String) -> String {
        let named = ["dq": "\"", "aq": "'", "ga": "`", "mu": "x", "en": "-", "em": "--"]
        var out = ""
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            guard character == "\\", let next = characters.popFirst() else {
                out.append(character)
                continue
            }
            switch next {
            case "e": out.append("\\")
            case "&": break
            case "-": out.append("-")
            case " ", "~": out.append(" ")
            case "(":
                let name = String(characters.prefix(2))
                characters = characters.dropFirst(2)
                out += named[name] ?? "\\(\(name)"
            default: out += "\\\(next)"
            }
        }
        return out
    }

    static func isComment(_ line: String) -> Bool { line.hasPrefix(".\\\"") }
}

/// Reads a page generate-manual wrote into a `Manual`; anything it does not
/// expect there becomes a problem, so a change in the generator's output
/// fails loudly instead of passing unread.
private struct GeneratedPageReader {
    var lines: [String]
    var index = 0
    var problems: [String] = []

    init(_ page: String) {
        lines = page.components(separatedBy: "\n").filter { !MdocLine.isComment($0) }
    }

    mutating func read() -> Manual {
        var manual = Manual()
        var section = ""
        var abstract = ""
        var optional = false
        while index < lines.count {
            let line = lines[index]
            index += 1
            guard line.hasPrefix(".") else {
                if !line.isEmpty { problem("text outside the DESCRIPTION: '\(line)'") }
                continue
            }
            let words = MdocLine.words(line)
            switch (section, words.first ?? "") {
            case (_, "Dd"), (_, "Os"): continue
            case (_, "Dt"): manual.title = words.dropFirst().joined(separator: " ")
            case (_, "Sh"):
                section = words.dropFirst().joined(separator: " ")
                if section == "DESCRIPTION" {
                    manual.root = readCommand(named: manual.root.name)
                    manual.root.text = normalizedSpaces(abstract + " " + manual.root.text)
                }
            case ("NAME", "Nm"): manual.root.name = words.dropFirst().filter { $0 != "," }.joined(separator: ", ")
            case ("NAME", "Nd"): abstract = words.dropFirst().joined(separator: " ")
            case ("SYNOPSIS", "Nm") where words.count == 1: continue
            case ("SYNOPSIS", "Oo"): optional = true
            case ("SYNOPSIS", "Oc"): optional = false
            case ("SYNOPSIS", "Op"): manual.synopsis.append("[\(title(Array(words.dropFirst())))]")
            case ("SYNOPSIS", _):
                let item = title(words)
                manual.synopsis.append(optional ? "[\(item)]" : item)
            case ("EXIT STATUS", "Ex"): continue
            default: problem("unexpected '\(line)' in \(section.isEmpty ? "the preamble" : section)")
            }
        }
        return manual
    }

    mutating func problem(_ message: String) {
        problems.append("man/ript.1 line \(index): \(message)")
    }

    /// The text lines (and paragraph breaks) from here, as plain text.
    mutating func readText() -> String {
        var parts: [String] = []
        while index < lines.count, !lines[index].hasPrefix(".") || lines[index] == ".Pp" {
            if lines[index] != ".Pp" { parts.append(MdocLine.unescaped(lines[index])) }
            index += 1
        }
        return normalizedSpaces(parts.joined(separator: " "))
    }

    func currentMacro() -> String? {
        index < lines.count && lines[index].hasPrefix(".") ? MdocLine.words(lines[index]).first : nil
    }

    /// A command's text, then its list: arguments (`.It Fl …`, `.It Ar …`) and subcommands (`.It Em name`).
    mutating func readCommand(named name: String) -> ManualCommand {
        var command = ManualCommand(name: name, text: readText())
        guard currentMacro() == "Bl" else { return command }
        index += 1
        while index < lines.count {
            let words = MdocLine.words(lines[index])
            switch currentMacro() {
            case "El":
                index += 1
                return command
            case "It" where words.dropFirst().first == "Em":
                index += 1
                command.subcommands.append(readCommand(named: words.dropFirst(2).joined(separator: " ")))
            case "It":
                index += 1
                var argument = ManualArgument(title: title(Array(words.dropFirst())), text: readText())
                if currentMacro() == "Bl" {
                    index += 1
                    argument.values = readValues()
                }
                command.arguments.append(argument)
            default:
                problem("expected '.It' or '.El' in the list of '\(name)', found '\(lines[index])'")
                index += 1
            }
        }
        problem("the list of '\(name)' is never closed with '.El'")
        return command
    }

    /// An option's values with their descriptions: `.It Ar value`, text.
    mutating func readValues() -> [String] {
        var values: [String] = []
        while index < lines.count {
            let words = MdocLine.words(lines[index])
            index += 1
            if words.first == "El" { return values }
            guard words.count == 3, words[0] == "It", words[1] == "Ar" else {
                problem("expected a value ('.It Ar value') or '.El', found '\(lines[index - 1])'")
                continue
            }
            values.append(normalizedSpaces("\(words[2]): \(readText())"))
        }
        return values
    }

    /// `Fl h , -help` is `-h, --help`; `Fl -family Ar family` is `--family <family>`.
    mutating func title(_ words: [String]) -> String {
        var parts: [String] = []
        var macro = ""
        for word in words {
            switch word {
            case "Fl", "Ar": macro = word
            case "," where !parts.isEmpty: parts[parts.count - 1] += ","
            default:
                switch macro {
                case "Fl": parts.append("-\(word)")
                case "Ar": parts.append("<\(word)>")
                default: problem("unexpected '\(word)' in an item's title")
                }
            }
        }
        return parts.joined(separator: " ")
    }
}

// MARK: Comparing

/// Differences between man/ript.1 and the command tree, one sentence each.
private enum ManualDrift {
    static func problems(tree: HelpCommand, page: String) -> [String] {
        var reader = GeneratedPageReader(page)
        let documented = reader.read()
        var problems = reader.problems
        let expected = Manual(tree: tree)
        if documented.title != expected.title {
            problems.append("the page's title is '\(documented.title)'; the code's is '\(expected.title)'")
        }
        if documented.synopsis != expected.synopsis {
            problems.append("the SYNOPSIS shows \(documented.synopsis); the code's is \(expected.synopsis)")
        }
        if documented.root.name != expected.root.name {
            problems.append("the page is for '\(documented.root.name)'; the command is '\(expected.root.name)'")
        }
        compare(expected.root, with: documented.root, path: expected.root.name, &problems)
        return problems
    }

    static func compare(_ code: ManualCommand, with page: ManualCommand, path: String, _ problems: inout [String]) {
        if code.text != page.text {
            problems.append("'\(path)': the code's help text is \"\(code.text)\"; the page says \"\(page.text)\"")
        }
        let codeTitles = code.arguments.map(\.title), pageTitles = page.arguments.map(\.title)
        for title in codeTitles where !pageTitles.contains(title) {
            problems.append("'\(path)' has \(title), which the page does not document")
        }
        for title in pageTitles where !codeTitles.contains(title) {
            problems.append("the page documents \(title) for '\(path)', which has no such argument")
        }
        if codeTitles.filter(pageTitles.contains) != pageTitles.filter(codeTitles.contains) {
            problems.append("the page lists the arguments of '\(path)' as \(pageTitles); the code's order is \(codeTitles)")
        }
        for argument in code.arguments {
            guard let documented = page.arguments.first(where: { $0.title == argument.title }) else { continue }
            if argument.text != documented.text {
                problems.append("'\(path) \(argument.title)': the code's help text is \"\(argument.text)\"; the page says \"\(documented.text)\"")
            }
            if argument.values != documented.values {
                problems.append("'\(path) \(argument.title)': the code's values are \(argument.values); the page says \(documented.values)")
            }
        }
        let codeNames = code.subcommands.map(\.name), pageNames = page.subcommands.map(\.name)
        for name in codeNames where !pageNames.contains(name) {
            problems.append("'\(path) \(name)' is a command the page does not document")
        }
        for name in pageNames where !codeNames.contains(name) {
            problems.append("the page documents '\(path) \(name)', which is no command of ript's")
        }
        if codeNames.filter(pageNames.contains) != pageNames.filter(codeNames.contains) {
            problems.append("the page lists the subcommands of '\(path)' as \(pageNames); the code's order is \(codeNames)")
        }
        for subcommand in code.subcommands {
            guard let documented = page.subcommands.first(where: { $0.name == subcommand.name }) else { continue }
            compare(subcommand, with: documented, path: "\(path) \(subcommand.name)", &problems)
        }
    }

    /// The failure message: what differs, and the fix.
    static func report(_ problems: [String]) -> String {
        """
        man/ript.1 is out of date with ript's commands (\(problems.count) difference\(problems.count == 1 ? "" : "s")); \
        run man/generate.sh and commit man/ript.1:
        \(problems.map { "  - \($0)" }.joined(separator: "\n"))
        """
    }
}

// MARK: Pages

/// A page's source, from the package root.
private func pageSource(_ path: String) throws -> String {
    try String(contentsOf: packageRoot.appendingPathComponent(path), encoding: .utf8)
}

/// `man -l` with every groff warning on, 80 columns, UTF-8: the same output on every machine.
private func renderManual(_ path: String) throws -> ProcessResult {
    let result = try run(URL(fileURLWithPath: "/usr/bin/env"), [
        "MANWIDTH=80", "LC_ALL=C.UTF-8", "MANOPT=", "MAN_DISABLE_SECCOMP=1",
        "man", "--warnings=w", "-l", path,
    ])
    try #require(result.status != 127, "man is missing: apt-get install man-db groff-base")
    return result
}

/// A page as rendered, as one line of text: hyphenation undone, blanks single.
private func renderedText(_ page: String) throws -> String {
    let result = try renderManual(packageRoot.appendingPathComponent(page).path)
    try #require(result.status == 0, "\(result.standardError)")
    let joined = result.standardOutput.replacingOccurrences(of: "\u{2010}\n\\s*", with: "", options: .regularExpression)
    return normalizedSpaces(joined)
}

/// The words with entries in ript-dsl.5: the word after `Ic` on each `.It` line.
private func dslPageEntries() throws -> [String] {
    try pageSource("man/ript-dsl.5").components(separatedBy: "\n").filter { $0.hasPrefix(".It ") }.compactMap { line in
        let words = MdocLine.words(line)
        return words.firstIndex(of: "Ic").flatMap { words.indices.contains($0 + 1) ? words[$0 + 1] : nil }
    }
}

/// What ript-dsl.5 marks up as code: the arguments of its `.Li`, `.Ic`,
/// `.Ql` and `.Cm` macros (not its displays, whose prose and examples would
/// mention any word).
private func dslPageCode() throws -> [String] {
    let macros: Set = ["Li", "Ic", "Ql", "Cm", "Ns", "Pq", "Po", "Pc", "Qo", "Qc", "Qq", "Dq", "Ar", "Fl", "Brq", "Bo", "Bc", "Sx", "Pa", "Xr", "Em", "Nm", "Op", "Sy", "No", "It"]
    let code: Set = ["Li", "Ic", "Ql", "Cm"]
    var found: [String] = []
    for line in try pageSource("man/ript-dsl.5").components(separatedBy: "\n") where line.hasPrefix(".") && !MdocLine.isComment(line) {
        var inCode = false
        for word in MdocLine.words(line) {
            if macros.contains(word) { inCode = code.contains(word) } else if inCode { found.append(word) }
        }
    }
    return found
}

/// The words the RiptDSL library gives rule files: its types that can stand
/// in a partition or rule body.
private func libraryWords() throws -> Set<String> {
    let directory = packageRoot.appendingPathComponent("Sources/RiptDSL")
    let sources = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".swift") }
        .map { try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8) }
    let declaration = try Regex(#"(?:public struct|extension)\s+(\w+)\s*:\s*([^{]+)\{"#)
    var words: Set<String> = []
    for source in sources {
        for match in source.matches(of: declaration) {
            guard let name = match.output[1].substring, let conformances = match.output[2].substring else { continue }
            let protocols = conformances.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            if protocols.contains(where: ["PartitionContent", "RuleContent", "FilterRuleWord"].contains) { words.insert(String(name)) }
        }
    }
    return words
}

/// A literal display of the EXAMPLES section and the text lines and macros before it.
private struct Display {
    var introduction: [String]
    var text: String
}

/// The `.Bd -literal` displays of ript-dsl.5's EXAMPLES, unescaped.
private func examplesDisplays() throws -> [Display] {
    var displays: [Display] = []
    var inExamples = false
    var introduction: [String] = []
    var body: [String]?
    for line in try pageSource("man/ript-dsl.5").components(separatedBy: "\n") {
        if line.hasPrefix(".Sh ") { inExamples = line == ".Sh EXAMPLES" }
        guard inExamples else { continue }
        if line.hasPrefix(".Bd -literal") {
            body = []
        } else if line == ".Ed", let lines = body {
            displays.append(Display(introduction: introduction, text: lines.joined(separator: "\n") + "\n"))
            introduction = []
            body = nil
        } else if body != nil {
            body?.append(MdocLine.unescaped(line))
        } else {
            introduction.append(line)
        }
    }
    return displays
}

/// The ript arguments an introduction names: `.Nm ript Cm rules generate Fl -family Ar 4 Pa web.swift`.
private func commandLine(_ introduction: [String]) -> [String]? {
    guard let line = introduction.first(where: { $0.hasPrefix(".Nm ript Cm ") }) else { return nil }
    var arguments: [String] = []
    var macro = ""
    for word in MdocLine.words(line).dropFirst(2) {
        switch word {
        case "Cm", "Fl", "Ar", "Pa": macro = word
        default: arguments.append(macro == "Fl" ? "-\(word)" : word)
        }
    }
    return arguments
}

/// 100000 as 100,000.
private func grouped(_ number: Int) -> String {
    let digits = Array(String(number))
    return digits.enumerated().map { index, digit in
        index > 0 && (digits.count - index) % 3 == 0 ? ",\(digit)" : "\(digit)"
    }.joined()
}
