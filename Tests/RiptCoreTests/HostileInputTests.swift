import Foundation
import RiptCore
import RiptDSL
import TestSupport
import Testing

// Hostile input: mutated and random rule files, huge and deeply nested ones,
// invalid UTF-8, big and looping directories, unreadable files, and injection
// attempts in every string. Whatever comes in, ript compiles it or answers
// with diagnostics at file:line:column, in bounded time, and what it compiles
// is only what the DSL means, quoted so no shell or iptables-restore reads more.

// MARK: - Seeded randomness

/// SplitMix64 (Steele, Lea and Flood): its whole state is one word, so a
/// seed and an iteration number reproduce an input exactly.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// True with probability `percent`/100.
    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &self) < percent }
}

/// The fuzz run: a fixed seed in the suite; `RIPT_FUZZ_SEED`,
/// `RIPT_FUZZ_ITERATIONS` and `RIPT_FUZZ_FIRST` (the first iteration, to
/// replay one) for long runs and reproductions (bench/fuzz.sh).
enum FuzzSettings {
    static let environment = ProcessInfo.processInfo.environment
    static let seed: UInt64 = environment["RIPT_FUZZ_SEED"].flatMap { UInt64($0) } ?? 20_251_121
    static let iterations = environment["RIPT_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? 3_000
    static let first = environment["RIPT_FUZZ_FIRST"].flatMap { Int($0) } ?? 0
    /// The slowest single input may take this long (debug build); any slower is a failure.
    static let slowLimit = environment["RIPT_FUZZ_SLOW_LIMIT"].flatMap { Double($0) } ?? 2.0

    /// Each iteration has its own generator, so any one can be replayed alone.
    static func generator(iteration: Int) -> SplitMix64 {
        var mixer = SplitMix64(seed: seed ^ (UInt64(iteration) &* 0xD1B5_4A32_D192_ED03))
        return SplitMix64(seed: mixer.next())
    }
}

// MARK: - Hostile strings

/// Strings that try to be more than text: options, shell, iptables-restore
/// syntax, line breaks, NULs, invisible and lookalike characters, and sheer length.
enum Hostile {
    static let strings: [String] = [
        "-j ACCEPT", "--jump ACCEPT", "-t nat", "--table nat", "; rm -rf /", "$(reboot)", "`id`", "a && reboot", "a | sh",
        "\n-A INPUT -j ACCEPT", "web\n-A INPUT -j ACCEPT", "\r\n-A INPUT -j ACCEPT", "x\u{0}-j ACCEPT", "\u{0}", "eth0\u{0}",
        "COMMIT", "COMMIT\n*filter\n-F", "*filter", ":DOCKER - [0:0]", "[0:0] -A INPUT -j ACCEPT", "# comment", "' ; reboot ; '",
        "\" -j ACCEPT \"", "\\", "\\\"", "\u{1B}[2J\u{1B}[31mred", "\u{2028}-A INPUT", "\u{85}next line", "\u{202E}gnp.exe",
        "аll", "tсp", "ｅｔｈ０", "eth0\u{200B}", "eth0 -j ACCEPT", "eth0+", "+", "-eth0", "lo;id", "%s%n%x", "../../../etc/passwd",
        "0.0.0.0/0 -j ACCEPT", "192.0.2.1 -j ACCEPT", "192.0.2.1\n", " 192.0.2.1", "192.0.2.1/32\u{0}", "192.0.2.01", "::ffff:192.0.2.1",
        "2001:db8::1%eth0", "tcp -j ACCEPT", "all", "ip", "6", "udp\n", String(repeating: "A", count: 5_000),
        String(repeating: "é", count: 300), "👍🏽", "",
    ]

    /// Raw lines that try to run more than one iptables command, or another one than they seem.
    static let rawLines: [String] = [
        "iptables -A INPUT -j ACCEPT; iptables -F", "iptables -A INPUT -j ACCEPT && reboot", "iptables -A INPUT -j ACCEPT | sh",
        "iptables -A INPUT -j $(reboot)", "iptables -A INPUT -j `id`", "iptables -A INPUT -j ACCEPT\riptables -F",
        "iptables -A INPUT -j ACCEPT\u{0}-F", "iptables -A INPUT -j ACCEPT\u{2028}iptables -F",
        "iptables -A INPUT -j ACCEPT -F", "iptables -A INPUT -j ACCEPT --flush", "iptables -A INPUT -j ACCEPT --fl", "iptables -vF",
        "iptables -X DOCKER", "iptables --delete-chain DOCKER", "iptables --delete-c DOCKER", "iptables -E DOCKER OTHER",
        "iptables --ren DOCKER OTHER", "iptables -A INPUT -m comment --comment -A --ren DOCKER OTHER", "iptables -Z", "iptables --zer",
        "iptables -A INPUT -j ACCEPT -I INPUT", "iptables :DOCKER - -A INPUT -j ACCEPT", "iptables -t nat :DOCKER - -A PREROUTING",
        "iptables [0:0 -A INPUT ] -A OUTPUT -j DROP", "iptables \"#\" -A INPUT -j DROP", "iptables \"*filter\" -A INPUT",
        "iptables COMMIT -A INPUT -j ACCEPT", "iptables -vtnat -A PREROUTING -j ACCEPT",
        "iptables -t raw -t nat -A INPUT -j ACCEPT", "iptables -t filth -A INPUT -j ACCEPT", "iptables -A INPUT -j ACCEPT '",
        "ip6tables -A INPUT -j ACCEPT", "sh -c 'iptables -F'", "-A INPUT -j ACCEPT",
        "iptables -A INPUT -m comment --comment " + String(repeating: "x", count: 5_000) + " -j ACCEPT",
    ]

    /// `text` as a Swift string literal in one of several spellings (some
    /// deliberately broken: a real line break in a one-line literal).
    static func literal(_ text: String, style: Int) -> String {
        switch style % 5 {
        case 0, 1:
            var out = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case "\t": out += "\\t"
                case "\0": out += style % 5 == 0 ? "\\0" : "\\u{0}"
                case _ where scalar.value < 0x20 || scalar.value == 0x7F || (style % 5 == 1 && scalar.value > 0x7E):
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        case 2 where !text.contains("\"#") && !text.contains(where: \.isNewline) && !text.unicodeScalars.contains("\0"):
            return "#\"" + text + "\"#"
        case 3 where !text.contains("\"\"\"") && !text.contains("\\") && !text.unicodeScalars.contains("\0"):
            return "\"\"\"\n" + text + "\n\"\"\""
        default:
            // Raw bytes between quotes: a line break here is a parse error.
            return "\"" + text.replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
    }
}

// MARK: - Outcomes

/// Where a failing input is kept, and how to replay it.
struct FuzzFailure: CustomStringConvertible {
    let iteration: Int
    let what: String
    let problem: String
    let saved: String

    var description: String {
        "iteration \(iteration) (\(what)): \(problem)\n  input saved as \(saved)\n  replay: RIPT_FUZZ_SEED=\(FuzzSettings.seed) RIPT_FUZZ_FIRST=\(iteration) RIPT_FUZZ_ITERATIONS=1 swift test --filter HostileInputTests.fuzz"
    }
}

/// What compiling an input gave: a ruleset, or diagnostics.
enum Outcome {
    case compiled(CompiledRuleset)
    case diagnostics([Diagnostic])
}

/// Compiles PATH through the library pipeline (no cache): a ruleset, the
/// diagnostics, or a description of anything else (a failure).
func compileHostile(_ path: String) -> Result<Outcome, HostileProblem> {
    do {
        return .success(.compiled(try Pipeline.compile(path: path, cache: nil)))
    } catch let errors as RuleErrors {
        return .success(.diagnostics(errors.diagnostics))
    } catch {
        return .failure(HostileProblem("threw \(type(of: error)), not diagnostics: \(error)"))
    }
}

struct HostileProblem: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The problems with diagnostics: each must name one of `files`, at a line
/// that exists and a column within it (byte columns, a column past the last
/// character allowed), and print as one line per error and note.
func diagnosticProblems(_ diagnostics: [Diagnostic], files: [String: [UInt8]]) -> [String] {
    var problems: [String] = []
    if diagnostics.isEmpty { problems.append("failed with no diagnostics") }
    for diagnostic in diagnostics {
        for (location, message) in [(diagnostic.location, diagnostic.message)] + diagnostic.notes.map({ ($0.location, $0.message) }) {
            if message.isEmpty { problems.append("empty message at \(location)") }
            guard let bytes = files[location.file] else {
                problems.append("diagnostic names \(location.file.debugDescription), not an input file: \(message)")
                continue
            }
            let lines = swiftLines(bytes)
            guard location.line >= 1, location.line <= lines.count else {
                problems.append("line \(location.line) is outside the file's \(lines.count) lines: \(message)")
                continue
            }
            let length = lines[location.line - 1]
            if location.column < 1 || location.column > length + 1 {
                problems.append("column \(location.column) is outside line \(location.line) (\(length) bytes): \(message)")
            }
        }
        let printed = diagnostic.description.split(separator: "\n", omittingEmptySubsequences: false)
        if printed.count != 1 + diagnostic.notes.count {
            problems.append("prints as \(printed.count) lines, not \(1 + diagnostic.notes.count): \(diagnostic.description.debugDescription)")
        }
        if printed.contains(where: { $0.unicodeScalars.contains { $0.properties.generalCategory == .control } }) {
            problems.append("prints control characters: \(diagnostic.description.debugDescription)")
        }
    }
    return problems
}

/// The length in bytes of each line, as Swift counts lines: they end at `\n`, `\r` or `\r\n`.
func swiftLines(_ bytes: [UInt8]) -> [Int] {
    var lengths: [Int] = []
    var start = 0, index = 0
    while index < bytes.count {
        switch bytes[index] {
        case UInt8(ascii: "\n"):
            lengths.append(index - start)
            start = index + 1
        case UInt8(ascii: "\r"):
            lengths.append(index - start)
            if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") { index += 1 }
            start = index + 1
        default:
            break
        }
        index += 1
    }
    return lengths + [bytes.count - start]
}

/// Splits a POSIX shell line into words, or nil if the shell would read
/// anything but plain words: bare safe characters, '…' quotes and
/// backslash escapes only.
func shellWords(_ line: String) -> [String]? {
    var words: [String] = []
    var current = ""
    var inWord = false, inQuote = false, escaped = false
    for character in line {
        if escaped {
            current.append(character)
            escaped = false
            continue
        }
        if inQuote {
            if character == "'" { inQuote = false } else { current.append(character) }
            continue
        }
        switch character {
        case " ":
            if inWord { words.append(current) }
            current = ""
            inWord = false
        case "'":
            inQuote = true
            inWord = true
        case "\\":
            escaped = true
            inWord = true
        case _ where character.isASCII && (character.isLetter || character.isNumber || "-_./:=+,@%!".contains(character)):
            current.append(character)
            inWord = true
        default:
            return nil
        }
    }
    if inQuote || escaped { return nil }
    if inWord { words.append(current) }
    return words
}

/// The problems with a compiled ruleset: names and matches must be the typed
/// values the DSL allows, and every rendering must say exactly that and no more.
func rulesetProblems(_ ruleset: CompiledRuleset) -> [String] {
    var problems: [String] = []
    let namePattern = #"^[A-Za-z0-9_.]{1,20}$"#
    let interfacePattern = #"^[A-Za-z0-9._][A-Za-z0-9._-]{0,14}\+?$"#
    for chainSet in ruleset.partitions {
        if chainSet.partition.range(of: namePattern, options: .regularExpression) == nil {
            problems.append("partition name \(chainSet.partition.debugDescription) isn't a safe chain name")
        }
        if chainSet.hash.range(of: #"^[0-9a-f]{6}$"#, options: .regularExpression) == nil {
            problems.append("hash \(chainSet.hash.debugDescription)")
        }
        let names = Set(["d", "s", "a", "i", "f", "o"].map { "\(chainSet.partition)-\($0)\(chainSet.hash)" })
        let rules = chainSet.chains.flatMap(\.rules) + chainSet.pointers.map(\.rule)
        for chain in chainSet.chains where !names.contains(chain.name) {
            problems.append("chain \(chain.name.debugDescription) isn't one of the partition's")
        }
        for pointer in chainSet.pointers where !["partition-i", "partition-f", "partition-o", "partition-d", "partition-s"].contains(pointer.chain) {
            problems.append("pointer in \(pointer.chain.debugDescription)")
        }
        for rule in rules {
            if let comment = rule.comment,
                comment.utf8.count > 255 || !comment.utf8.allSatisfy({ (0x20...0x7E).contains($0) && !"\"'\\".utf8.contains($0) })
            {
                problems.append("comment \(comment.debugDescription) isn't printable ASCII without quotes, at most 255 bytes")
            }
            if let interface = rule.inInterface, interface.utf8.count > 15 || interface.range(of: interfacePattern, options: .regularExpression) == nil {
                problems.append("interface \(interface.debugDescription) isn't a plain interface name")
            }
            if case .jump(let chain) = rule.target, !names.contains(chain) {
                problems.append("jump to \(chain.debugDescription)")
            }
        }
        // Every pointer jumps to a chain the partition makes in the pointer's own family and table.
        let made = Set(chainSet.chains.map { "\($0.family) \($0.table) \($0.name)" })
        for pointer in chainSet.pointers {
            if case .jump(let chain) = pointer.rule.target, !made.contains("\(pointer.family) \(pointer.table) \(chain)") {
                problems.append("a \(pointer.family.name) pointer jumps to \(chain), which isn't made in \(pointer.family.name) \(pointer.table)")
            }
        }
        for raw in chainSet.raw {
            if let first = raw.arguments.first, !first.hasPrefix("-"), first != "!" {
                problems.append("raw arguments start with \(first.debugDescription)")
            }
            if raw.arguments.contains(where: { $0.unicodeScalars.contains { $0.properties.generalCategory == .control } }) {
                problems.append("raw arguments hold control characters: \(raw.arguments)")
            }
            if raw.restoreArguments.joined(separator: " ").utf8.count > RawCommand.maximumLength {
                problems.append("raw line of \(raw.restoreArguments.joined(separator: " ").utf8.count) bytes")
            }
        }
    }

    // Commands: one command per line, plain words for a shell.
    for line in CommandRenderer.render(ruleset).split(separator: "\n") where !line.hasPrefix("#") {
        guard let words = shellWords(String(line)) else {
            problems.append("command line a shell reads as more than words: \(line.debugDescription)")
            continue
        }
        if !["iptables", "ip6tables"].contains(words.first ?? "") { problems.append("command line starts with \(words.first ?? "")") }
    }
    // iptables-restore: every line is what ript meant, no longer than restore reads at once.
    for family in ruleset.families {
        for line in RestoreRenderer.render(ruleset, family: family).split(separator: "\n") {
            let kind = line.first.map(String.init) ?? ""
            if !["*", ":", "-", "!", "#"].contains(kind) && line != "COMMIT" {
                problems.append("restore line iptables-restore reads as something else: \(line.debugDescription)")
            }
            if line.utf8.count > RawCommand.maximumLength + 200 { problems.append("restore line of \(line.utf8.count) bytes") }
            if line.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                problems.append("restore line with control characters: \(line.debugDescription)")
            }
        }
    }
    // JSON: parses, and gives back the raw arguments exactly.
    let json = JSONRenderer.render(ruleset)
    if let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
        let partitions = object["partitions"] as? [[String: Any]]
    {
        let raw = partitions.map { ($0["raw"] as? [[String: Any]] ?? []).map { $0["arguments"] as? [String] ?? [] } }
        if raw != ruleset.partitions.map({ $0.raw.map(\.arguments) }) { problems.append("JSON raw arguments differ from the ruleset's") }
    } else {
        problems.append("JSON output doesn't parse")
    }
    return problems
}

// MARK: - Inputs

/// The example rule files, the seeds of mutation.
enum Corpus {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let files: [[UInt8]] = {
        var files: [[UInt8]] = []
        for directory in ["examples", "examples/errors"] {
            let url = root.appendingPathComponent(directory)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
            for name in names.sorted() where name.hasSuffix(".swift") {
                if let data = FileManager.default.contents(atPath: url.appendingPathComponent(name).path) { files.append(Array(data)) }
            }
        }
        return files
    }()

    static let words = ["Partition", "Label", "Accept", "Drop", "Reject", "Log", "Rewrite", "Raw", "Group", "Protocols", "Ports",
                        "From", "To", "Interface", "DNAT", "SNAT", "address:", "log:", "true", "false", "import RiptDSL"]
    static let soup = words + ["(", ")", "{", "}", "[", "]", ",", ";", ":", "...", "=>", "..<", "-", "+", ".", "?", "!", "->", "<", ">",
                               "\n", " ", "\"", "\"\"\"", "#\"", "\"#", "\\(", "/*", "*/", "//", "'", "`", "@", "#if", "let", "var", "func",
                               "if", "else", "for", "in", "try", "await", "x", "_", "0", "80", "65536", "0x50", "8_080", "1.5", "-1",
                               "\"192.0.2.1\"", "\"tcp\"", "\"web\"", "\"eth0\"", "\"iptables -P INPUT DROP\""]

    /// A rule file built from the grammar. Each string is plain (and right
    /// for its place) or, now and then, hostile, so many of these compile.
    static func generated(_ random: inout SplitMix64) -> String {
        func literal(_ plain: [String], hostile percent: Int = 12) -> String {
            let text = random.chance(percent) ? Hostile.strings.randomElement(using: &random)! : plain.randomElement(using: &random)!
            return Hostile.literal(text, style: random.chance(80) ? 0 : Int.random(in: 0..<5, using: &random))
        }
        var labels: [String] = []
        let name = random.chance(90) ? "\"fuzz\(Int.random(in: 0..<99, using: &random))\"" : literal(["fuzz"], hostile: 100)
        var lines = ["import RiptDSL", "", "Partition(\(name)) {"]
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let label = random.chance(85) ? "\"l\(labels.count)\"" : literal(["x"], hostile: 100)
            labels.append(label)
            let address = random.chance(90)
                ? "\"\(random.chance(85) ? "192.0.2.\(Int.random(in: 1...254, using: &random))" : "2001:db8::\(Int.random(in: 1...999, using: &random))")\""
                : literal(["192.0.2.1"], hostile: 100)
            lines.append("    Label(\(label), address: \(address))")
        }
        let descriptions = ["web", "ssh from the office", "café ☕ → web", "a \"quoted\" word"]
        for _ in 0..<Int.random(in: 0...6, using: &random) {
            var body: [String] = []
            if random.chance(40) { body.append("Ports(\(random.chance(90) ? Int.random(in: 1...65_535, using: &random) : Int.random(in: -9...70_000, using: &random)))") }
            if random.chance(25) { body.append("Protocols(\(literal(["tcp", "udp", "TCP"], hostile: 15)))") }
            if random.chance(40), let label = labels.randomElement(using: &random) { body.append("From(\(label))") }
            if random.chance(40), let label = labels.randomElement(using: &random) { body.append("To(\(label))") }
            if random.chance(25) { body.append("Interface(\(literal(["eth0", "vlan+", "lo", "br-1.100"], hostile: 20)))") }
            let description = literal(descriptions, hostile: 30)
            switch ["Accept", "Drop", "Reject", "Log", "Rewrite", "Raw", "Group"].randomElement(using: &random)! {
            case "Raw":
                let line = random.chance(30) ? Hostile.rawLines.randomElement(using: &random)!
                    : ["iptables -A INPUT -s 192.0.2.1 -j ACCEPT", "iptables -t mangle -A PREROUTING -j TOS --set-tos 0x10",
                       "iptables -A INPUT -m comment --comment \"a 'quoted' \\\"comment\\\"\" -j LOG --log-prefix \"ssh: \"",
                       "iptables --policy FORWARD DROP"].randomElement(using: &random)!
                lines.append("    Raw(\(Hostile.literal(line, style: random.chance(70) ? 0 : Int.random(in: 0..<5, using: &random))))")
            case "Rewrite":
                let from = labels.randomElement(using: &random)!, to = labels.randomElement(using: &random)!
                lines.append("    Rewrite(\(description)) { \(random.chance(50) ? "DNAT" : "SNAT")(\(from) => \(to)) }")
            case "Group":
                lines.append("    Group(\(description)) { Accept(\(literal(descriptions))) { \(body.joined(separator: "; ")) } }")
            case let word:
                lines.append("    \(word)(\(description)\(random.chance(20) ? ", log: true" : "")) { \(body.joined(separator: "; ")) }")
            }
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Changes to a rule file's bytes and tokens.
enum Mutator {
    static let brackets = Array("{}()[]".utf8)

    /// One change, of the kinds numbered below; `only` restricts the choice.
    static func mutate(_ bytes: inout [UInt8], _ random: inout SplitMix64, log: inout [String], only kinds: [Int] = Array(0..<15)) {
        func position() -> Int { Int.random(in: 0...bytes.count, using: &random) }
        func span(max: Int) -> Range<Int> {
            guard !bytes.isEmpty else { return 0..<0 }
            let start = Int.random(in: 0..<bytes.count, using: &random)
            return start..<min(bytes.count, start + Int.random(in: 1...max, using: &random))
        }
        switch kinds.randomElement(using: &random)! {
        case 0 where !bytes.isEmpty:
            let at = Int.random(in: 0..<bytes.count, using: &random)
            bytes[at] ^= 1 << UInt8.random(in: 0..<8, using: &random)
            log.append("flip a bit at \(at)")
        case 1 where !bytes.isEmpty:
            let at = Int.random(in: 0..<bytes.count, using: &random)
            let interesting: [UInt8] = [0, 0x80, 0xC0, 0xC3, 0xE2, 0xED, 0xF4, 0xFF, 0x22, 0x5C, 0x0A, 0x0D, 0x28, 0x7B, 0x5B, 0x23]
            bytes[at] = random.chance(50) ? interesting.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random)
            log.append("set byte \(at) to \(bytes[at])")
        case 2:
            let at = position()
            bytes.insert(contentsOf: (0..<Int.random(in: 1...8, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }, at: at)
            log.append("insert random bytes at \(at)")
        case 3:
            let range = span(max: 64)
            bytes.removeSubrange(range)
            log.append("delete \(range)")
        case 4:
            let range = span(max: 256), at = position()
            let copies = random.chance(20) ? Int.random(in: 2...50, using: &random) : 1
            bytes.insert(contentsOf: Array(repeating: Array(bytes[range]), count: copies).flatMap { $0 }, at: at)
            log.append("duplicate \(range) \(copies)× at \(at)")
        case 5:
            let other = Corpus.files.randomElement(using: &random)!
            guard !other.isEmpty else { return }
            let start = Int.random(in: 0..<other.count, using: &random)
            let piece = other[start..<min(other.count, start + Int.random(in: 1...300, using: &random))]
            let at = position()
            bytes.insert(contentsOf: piece, at: at)
            log.append("splice \(piece.count) bytes from another file at \(at)")
        case 6:
            let other = Corpus.files.randomElement(using: &random)!
            let cut = position(), otherCut = Int.random(in: 0...other.count, using: &random)
            bytes = Array(bytes[..<cut]) + Array(other[otherCut...])
            log.append("crossover at \(cut)/\(otherCut)")
        case 7, 8:
            // A string literal swapped for a hostile one.
            let literals = stringLiterals(bytes)
            guard let range = literals.randomElement(using: &random) else { return }
            let hostile = Hostile.strings.randomElement(using: &random)!
            bytes.replaceSubrange(range, with: Array(Hostile.literal(hostile, style: Int.random(in: 0..<5, using: &random)).utf8))
            log.append("string at \(range.lowerBound) := \(hostile.prefix(40).debugDescription)")
        case 9:
            let numbers = integerLiterals(bytes)
            guard let range = numbers.randomElement(using: &random) else { return }
            let value = ["0", "-1", "-0", "65535", "65536", "256", "255", "99999999999999999999", "0x10000", "0b1", "1_0", "007", "-9223372036854775808"]
                .randomElement(using: &random)!
            bytes.replaceSubrange(range, with: Array(value.utf8))
            log.append("integer at \(range.lowerBound) := \(value)")
        case 10:
            let indices = bytes.indices.filter { brackets.contains(bytes[$0]) }
            guard let at = indices.randomElement(using: &random) else { return }
            bytes.remove(at: at)
            log.append("delete bracket at \(at)")
        case 11:
            let at = position()
            bytes.insert(brackets.randomElement(using: &random)!, at: at)
            log.append("insert bracket at \(at)")
        case 12:
            // Nesting: a span wrapped in many brackets, groups or closures.
            let depth = random.chance(30) ? Int.random(in: 20...400, using: &random) : Int.random(in: 1...12, using: &random)
            let (open, close) = [("(", ")"), ("[", "]"), ("{", "}"), ("Group { ", " }"), ("Accept(\"x\") { ", " }"), ("(\"", "\")")]
                .randomElement(using: &random)!
            let range = span(max: 80)
            let inner = Array(bytes[range])
            bytes.replaceSubrange(range, with: Array(String(repeating: open, count: depth).utf8) + inner + Array(String(repeating: close, count: depth).utf8))
            log.append("nest \(range) \(depth)× in \(open)…\(close)")
        case 13:
            // Tokens that no rule file has, some in long chains.
            let token = Corpus.soup.randomElement(using: &random)!
            let count = random.chance(20) ? Int.random(in: 10...2_000, using: &random) : 1
            let at = position()
            bytes.insert(contentsOf: Array(String(repeating: token + (random.chance(50) ? " " : ""), count: count).utf8), at: at)
            log.append("insert \(token.debugDescription) \(count)× at \(at)")
        default:
            // A hostile statement on a line of its own.
            let hostile = Hostile.literal(Hostile.strings.randomElement(using: &random)!, style: Int.random(in: 0..<5, using: &random))
            let statement = [
                "Raw(\(Hostile.literal(Hostile.rawLines.randomElement(using: &random)!, style: Int.random(in: 0..<5, using: &random))))",
                "Label(\(hostile), address: \"192.0.2.77\")", "Label(\"h\", address: \(hostile))", "Accept(\(hostile)) { Interface(\(hostile)) }",
                "Drop(\"d\") { Protocols(\(hostile)) }", "Accept(\"a\") { From(\(hostile)); To(\(hostile)) }", "Group(\(hostile)) { }",
                "Rewrite(\"r\") { DNAT(\(hostile) => \(hostile)) }", "Partition(\(hostile)) { }",
            ].randomElement(using: &random)!
            let lineStarts = [0] + bytes.indices.filter { bytes[$0] == UInt8(ascii: "\n") }.map { $0 + 1 }
            let at = lineStarts.randomElement(using: &random)!
            bytes.insert(contentsOf: Array((statement + "\n").utf8), at: at)
            log.append("insert \(statement.prefix(60).debugDescription) at \(at)")
        }
    }

    /// The byte ranges of one-line "…" literals, quotes included.
    static func stringLiterals(_ bytes: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var index = 0
        while index < bytes.count {
            guard bytes[index] == UInt8(ascii: "\"") else { index += 1; continue }
            var end = index + 1
            while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\n") {
                end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1
            }
            if end < bytes.count, bytes[end] == UInt8(ascii: "\"") { ranges.append(index..<(end + 1)) }
            index = end + 1
        }
        return ranges
    }

    /// The byte ranges of runs of decimal digits.
    static func integerLiterals(_ bytes: [UInt8]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var index = 0
        while index < bytes.count {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { index += 1; continue }
            var end = index
            while end < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[end]) { end += 1 }
            ranges.append(index..<end)
            index = end
        }
        return ranges
    }

    /// One fuzz input: mostly mutated examples, some built from the grammar, some noise.
    static func input(_ random: inout SplitMix64) -> (bytes: [UInt8], what: String) {
        var log: [String] = []
        var bytes: [UInt8]
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<45:
            let index = Int.random(in: 0..<Corpus.files.count, using: &random)
            bytes = Corpus.files[index]
            log.append("example \(index)")
            for _ in 0..<Int.random(in: 1...4, using: &random) { mutate(&bytes, &random, log: &log) }
        case 45..<60:
            // Changes within the grammar: a string, a number or a statement, so more of them compile.
            let index = Int.random(in: 0..<Corpus.files.count, using: &random)
            bytes = Corpus.files[index]
            log.append("example \(index)")
            mutate(&bytes, &random, log: &log, only: [7, 8, 9, 14])
        case 60..<85:
            bytes = Array(Corpus.generated(&random).utf8)
            log.append("generated")
            if random.chance(40) { mutate(&bytes, &random, log: &log) }
        case 85..<95:
            bytes = Array((0..<Int.random(in: 0...200, using: &random)).map { _ in Corpus.soup.randomElement(using: &random)! + " " }.joined().utf8)
            log.append("token soup")
        default:
            bytes = (0..<Int.random(in: 0...512, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            log.append("random bytes")
        }
        return (bytes, log.joined(separator: "; "))
    }
}

// MARK: - The fuzz test and the hostile cases

// Serialized: the timings mean something only without the 10,000-file test beside them.
// A class, so each test's scratch directory (10,000 files, a 3.8 MB file) goes when it ends.
@Suite("Hostile input", .serialized) final class HostileInputTests {
    let root: URL

    init() throws {
        root = try temporaryDirectory()
    }

    deinit {
        try? FileManager.default.removeItem(at: root)
    }

    func write(_ relative: String, _ bytes: [UInt8]) throws -> String {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
        return url.path
    }

    func write(_ relative: String, _ text: String) throws -> String { try write(relative, Array(text.utf8)) }

    /// Compiles PATH and requires diagnostics, all well formed, for `files`.
    @discardableResult
    func expectDiagnostics(_ path: String, files: [String: [UInt8]], sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> [Diagnostic] {
        switch compileHostile(path) {
        case .failure(let problem):
            Issue.record("\(problem)", sourceLocation: sourceLocation)
            return []
        case .success(.compiled):
            Issue.record("compiled, but should have failed", sourceLocation: sourceLocation)
            return []
        case .success(.diagnostics(let diagnostics)):
            for problem in diagnosticProblems(diagnostics, files: files) { Issue.record("\(problem)", sourceLocation: sourceLocation) }
            return diagnostics
        }
    }

    @Test("fuzz: mutated and random rule files compile or fail with diagnostics at file:line:column, each input in bounded time")
    func fuzz() throws {
        let seed = FuzzSettings.seed, range = FuzzSettings.first..<(FuzzSettings.first + FuzzSettings.iterations)
        try #require(!Corpus.files.isEmpty, "no examples found under \(Corpus.root.path)")
        // The input of the iteration running now stays at input.swift: if the process dies, it is the one.
        let fuzzDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("ript-fuzz-\(seed)-\(range.lowerBound)")
        try? FileManager.default.removeItem(at: fuzzDirectory)
        try FileManager.default.createDirectory(at: fuzzDirectory.appendingPathComponent("dir"), withIntermediateDirectories: true)
        let good = Array("import RiptDSL\n\nPartition(\"fuzzgood\") {\n    Label(\"www\", address: \"192.0.2.10\")\n    Accept(\"web\") { Ports(80); To(\"www\") }\n}\n".utf8)
        let goodPath = fuzzDirectory.appendingPathComponent("dir/a-good.swift").path
        try Data(good).write(to: URL(fileURLWithPath: goodPath))
        print("ript fuzz: seed \(seed), iterations \(range.lowerBound)..<\(range.upperBound); the input being compiled is kept in \(fuzzDirectory.path)")

        var failures: [FuzzFailure] = []
        var slowest: [(seconds: Double, iteration: Int, what: String)] = []
        var compiled = 0, failed = 0
        // RIPT_FUZZ_VERBOSE=1: the first diagnostic of each input that fails.
        let verbose = FuzzSettings.environment["RIPT_FUZZ_VERBOSE"] != nil
        let clock = ContinuousClock()
        let started = clock.now
        for iteration in range {
            var random = FuzzSettings.generator(iteration: iteration)
            let (bytes, what) = Mutator.input(&random)
            // Every fourth input sits beside a good file in a directory: nothing may compile when it fails.
            let inDirectory = iteration % 4 == 3
            let path = fuzzDirectory.appendingPathComponent(inDirectory ? "dir/b-input.swift" : "input.swift").path
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let start = clock.now
            var problems: [String] = []
            switch compileHostile(inDirectory ? fuzzDirectory.appendingPathComponent("dir").path : path) {
            case .failure(let problem):
                problems.append(problem.description)
            case .success(.compiled(let ruleset)):
                compiled += 1
                problems += rulesetProblems(ruleset)
                if inDirectory, ruleset.partitions.count != 2 {
                    problems.append("a directory of two files compiled to \(ruleset.partitions.count) partitions")
                }
            case .success(.diagnostics(let diagnostics)):
                failed += 1
                problems += diagnosticProblems(diagnostics, files: inDirectory ? [path: bytes, goodPath: good] : [path: bytes])
                if verbose { print("ript fuzz: iteration \(iteration) (\(what.prefix(80))): \(diagnostics.first.map { $0.message.prefix(120) } ?? "")") }
            }
            let seconds = (clock.now - start) / .seconds(1)
            slowest.append((seconds, iteration, what))
            slowest = Array(slowest.sorted { $0.seconds > $1.seconds }.prefix(5))
            if !problems.isEmpty {
                let saved = fuzzDirectory.appendingPathComponent("failure-\(iteration).swift")
                try Data(bytes).write(to: saved)
                failures.append(FuzzFailure(iteration: iteration, what: what, problem: problems.joined(separator: "; "), saved: saved.path))
                if failures.count >= 20 { break }
            }
        }
        let total = (clock.now - started) / .seconds(1)
        print("ript fuzz: seed \(seed): \(range.count) inputs in \(String(format: "%.1f", total)) s, \(compiled) compiled, \(failed) failed with diagnostics, \(failures.count) failures")
        for slow in slowest {
            print("ript fuzz: slow input: iteration \(slow.iteration), \(String(format: "%.3f", slow.seconds)) s: \(slow.what.prefix(200))")
        }
        for failure in failures { Issue.record("\(failure)") }
        #expect((slowest.first?.seconds ?? 0) < FuzzSettings.slowLimit, "the slowest input took \(slowest.first?.seconds ?? 0) s: iteration \(slowest.first?.iteration ?? 0)")
        if failures.isEmpty, FuzzSettings.environment["RIPT_FUZZ_KEEP"] == nil { try? FileManager.default.removeItem(at: fuzzDirectory) }
    }
}

// MARK: - Big, deep and broken files

/// A rule body that nests or chains some construct far beyond any rule file.
struct DeepInput: Sendable, CustomTestStringConvertible {
    let name: String
    let body: String
    var testDescription: String { name }

    static func repeated(_ name: String, _ open: String, _ middle: String, _ close: String, _ count: Int) -> DeepInput {
        DeepInput(name: name, body: String(repeating: open, count: count) + middle + String(repeating: close, count: count))
    }

    static let all: [DeepInput] = [
        repeated("10,000 parentheses", "Ports(", "80", ")", 10_000),
        repeated("10,000 braces", "{ ", "", " }", 10_000),
        DeepInput(name: "5,000 groups", body: "} " + String(repeating: "Group { ", count: 5_000) + String(repeating: "} ", count: 5_000) + "Accept(\"y\") {"),
        repeated("5,000 closures as arguments", "Ports({ ", "80", " })", 5_000),
        repeated("30 nested arrays (exponential for SwiftParser)", "Ports([", "80", "])", 30),
        repeated("20 arrays of tuples", "Ports([(", "80", ")])", 20),
        repeated("2,000 string interpolations", "From(\"\\(", "1", ")\")", 2_000),
        repeated("100,000 member accesses", "Ports(a", "", ".b", 100_000),
        repeated("100,000 calls of calls", "Ports(f", "", "()", 100_000),
        repeated("100,000 subscripts", "Ports(x", "", "[0]", 100_000),
        repeated("100,000 force unwraps", "Ports(x", "", "!", 100_000),
        repeated("100,000 optional chains", "Ports(x", "", "?.y", 100_000),
        repeated("10,000 ternaries", "Ports(a ? ", "1", " : 2", 10_000),
        repeated("10,000 try", "Ports(try ", "1", "", 10_000),
        repeated("10,000 generic arguments", "Ports(A<", "B", ">", 10_000),
        DeepInput(name: "2,000 function types", body: "}\n let x: A" + String(repeating: " -> A", count: 2_000) + "\n Accept(\"y\") {"),
        DeepInput(name: "10,000 else-ifs", body: "}\n if a {}" + String(repeating: " else if a {}", count: 10_000) + "\n Accept(\"y\") {"),
        DeepInput(name: "100,000 statement labels", body: String(repeating: "Ports: ", count: 100_000) + "Ports(80)"),
        DeepInput(name: "100,000 statement labels named like argument labels", body: String(repeating: "log: ", count: 100_000) + "Ports(80)"),
        DeepInput(name: "100,000 argument labels in one call", body: "Ports(" + String(repeating: "address: ", count: 100_000) + "80)"),
        DeepInput(name: "100,000 trailing closures on results", body: "} Accept(\"z\")" + String(repeating: " {}", count: 100_000) + " Accept(\"y\") {"),
        DeepInput(name: "60 unclosed calls (cubic recovery)", body: String(repeating: "Label(\"web\", address ", count: 60)),
        DeepInput(name: "100,000 prefix minuses", body: "Ports(" + String(repeating: "- ", count: 100_000) + "1)"),
        DeepInput(name: "100,000 #if", body: String(repeating: "#if a\n", count: 100_000)),
        // Found by the fuzz test: SwiftParser's diagnostics take time quadratic in the errors.
        DeepInput(name: "8,000 stray multi-line string delimiters", body: String(repeating: "\"\"\"", count: 8_000)),
        DeepInput(name: "5,000 statements without separators", body: String(repeating: "Ports(1) ", count: 5_000).replacingOccurrences(of: ") P", with: ")P")),
    ]
}

/// A byte sequence that isn't UTF-8, and where ript must say it is.
struct BadBytes: Sendable, CustomTestStringConvertible {
    let name: String
    let bytes: [UInt8]
    let line: Int
    let column: Int
    var testDescription: String { name }

    static let all: [BadBytes] = [
        BadBytes(name: "a lone continuation byte in a comment", bytes: Array("import RiptDSL\n// caf".utf8) + [0x80] + Array("\n".utf8), line: 2, column: 7),
        BadBytes(name: "an overlong '/' in a partition name", bytes: Array("Partition(\"".utf8) + [0xC0, 0xAF] + Array("\") {}\n".utf8), line: 1, column: 12),
        BadBytes(name: "an encoded UTF-16 surrogate in a label", bytes: Array("Partition(\"p\") {\n    Label(\"".utf8) + [0xED, 0xA0, 0x80] + Array("\", address: \"192.0.2.1\")\n}\n".utf8), line: 2, column: 12),
        BadBytes(name: "a sequence cut off at the end of the file", bytes: Array("Partition(\"p\") {}\n// €".utf8).dropLast(1) + [], line: 2, column: 4),
        BadBytes(name: "0xFF inside an identifier", bytes: Array("Parti".utf8) + [0xFF] + Array("tion(\"p\") {}".utf8), line: 1, column: 6),
        BadBytes(name: "after CR and CRLF line breaks, counted as Swift counts them", bytes: Array("import RiptDSL\r// a\r\n// ".utf8) + [0xFE], line: 3, column: 4),
        BadBytes(name: "a NUL byte in a string literal", bytes: Array("Partition(\"p".utf8) + [0] + Array("\") {}".utf8), line: 1, column: 13),
    ]
}

extension HostileInputTests {
    @Test("a 3.8 MB rule file (2,000 rules, a 2 MB comment, a 1.5 MB description) compiles in seconds, and only its rules (and their descriptions, cut short in comments) reach the output")
    func hugeFile() throws {
        var text = "import RiptDSL\n\n// " + String(repeating: "COMMENT ", count: 250_000) + "\nPartition(\"huge\") {\n"
        for group in 0..<80 {
            text += "    Group(\"group \(group)\") {\n"
            for rule in 0..<25 {
                let n = group * 25 + rule
                text += "        Label(\"LABEL \(n)\", address: \"10.0.\(n / 256).\(n % 256)\")\n"
                text += "        Accept(\"DESCRIPTION \(n) --jump DROP\") { Ports(\(1 + n)); From(\"LABEL \(n)\"); To(\"all\") }\n"
            }
            text += "    }\n"
        }
        text += "    Accept(\"" + String(repeating: "d", count: 1_500_000) + "\") { Ports(22) }\n}\n"
        #expect(text.utf8.count > 3_500_000)
        let path = try write("huge.swift", text)
        let clock = ContinuousClock(), start = clock.now
        let ruleset = try Pipeline.compile(path: path, cache: nil)
        print("ript hostile: a \(String(format: "%.1f", Double(text.utf8.count) / 1e6)) MB file of 2,000 rules compiled in \(clock.now - start)")
        let rules = ruleset.partitions.flatMap { $0.chains.flatMap(\.rules) }
        // Each host rule in IPv4; the last rule, to and from all, in both families.
        #expect(rules.count == 2_002)
        let outputs = [CommandRenderer.render(ruleset), RestoreRenderer.render(ruleset, family: .ipv4), JSONRenderer.render(ruleset)]
        for output in outputs {
            for marker in ["COMMENT", "LABEL", String(repeating: "d", count: 256)] { #expect(!output.contains(marker)) }
        }
        #expect(rulesetProblems(ruleset).isEmpty)
    }

    @Test("a rule that expands to millions of iptables rules is refused at its file:line:column at once; one at the limit compiles")
    func expansionLimit() throws {
        func partition(labels: Int, ports: Int) -> String {
            let names = (0..<labels).map { "\"l\($0)\"" }.joined(separator: ", ")
            return "Partition(\"big\") {\n" + (0..<labels).map { "    Label(\"l\($0)\", address: \"10.0.\($0 / 256).\($0 % 256)\")\n" }.joined()
                + "    Accept(\"everything\") { Ports(\((1...ports).map(String.init).joined(separator: ", "))); From(\(names)); To(\(names)) }\n}\n"
        }
        let tooMany = partition(labels: 300, ports: 100)  // 9,000,000 rules
        let path = try write("big.swift", tooMany)
        let clock = ContinuousClock(), start = clock.now
        let diagnostics = try expectDiagnostics(path, files: [path: Array(tooMany.utf8)])
        #expect(clock.now - start < .seconds(5))
        #expect(diagnostics.map(\.location.line) == [302])
        #expect(diagnostics.first?.message.contains("more than \(maximumRulesPerPartition) iptables rules") == true)

        let atLimit = partition(labels: 100, ports: 10)  // 100 × 100 × 10 = 100,000
        let ruleset = try Pipeline.compile(path: try write("limit.swift", atLimit), cache: nil)
        #expect(ruleset.partitions[0].chains.flatMap(\.rules).count == maximumRulesPerPartition)
    }

    @Test("deep nesting, long chains and floods of syntax errors give a diagnostic at file:line:column, never a stack overflow or a parse that runs for minutes",
          .timeLimit(.minutes(1)), arguments: DeepInput.all)
    func deepNesting(_ input: DeepInput) throws {
        let text = "import RiptDSL\n\nPartition(\"deep\") {\n    Accept(\"x\") { \(input.body) }\n}\n"
        let path = try write("deep.swift", text)
        let clock = ContinuousClock(), start = clock.now
        try expectDiagnostics(path, files: [path: Array(text.utf8)])
        let elapsed = clock.now - start
        #expect(elapsed < .seconds(5), "\(input.name) took \(elapsed)")
    }

    @Test("nesting a rule file could really use (groups in groups, parentheses in ports) still compiles")
    func reasonableNesting() throws {
        var body = "Accept(\"web\") { Ports(((((80))))); To(\"www\") }"
        for _ in 0..<12 { body = "Group { \(body) }" }
        let text = "Partition(\"nested\") {\n    Label(\"www\", address: \"192.0.2.10\")\n    \(body)\n    Rewrite(\"r\") { Ports(((8000...8100)) => 8080); DNAT([\"www\"] => \"www\") }\n}\n"
        let ruleset = try Pipeline.compile(path: try write("nested.swift", text), cache: nil)
        // The accept (in the i, f and o chains: the Rewrite makes the partition directed), the DNAT and its accept.
        #expect(ruleset.partitions[0].chains.flatMap(\.rules).count == 5)
    }

    @Test("invalid UTF-8 and NUL bytes are diagnostics at the line and byte column where they are", arguments: BadBytes.all)
    func invalidUTF8(_ input: BadBytes) throws {
        let path = try write("bad.swift", input.bytes)
        let diagnostics = try expectDiagnostics(path, files: [path: input.bytes])
        #expect(diagnostics.map { [$0.location.line, $0.location.column] } == [[input.line, input.column]])
    }

    @Test("a directory of 10,000 rule files compiles in seconds; one broken file among them fails them all with its diagnostic alone")
    func tenThousandFiles() throws {
        for n in 0..<10_000 {
            _ = try write(String(format: "many/%02d/p%05d.swift", n / 1000, n), "Partition(\"p\(n)\") { Accept(\"a\") { Ports(\(1 + n)) } }\n")
        }
        let directory = root.appendingPathComponent("many").path
        let clock = ContinuousClock()
        var start = clock.now
        let ruleset = try Pipeline.compile(path: directory, cache: nil)
        let good = clock.now - start
        #expect(ruleset.partitions.count == 10_000)
        #expect(ruleset.partitions.map(\.partition).prefix(3) == ["p0", "p1", "p2"])

        let broken = try write("many/05/p05000.swift", "Partition(\"p5000\") { Accept(\"a\") { Ports(80 }\n")
        start = clock.now
        let diagnostics = try expectDiagnostics(directory, files: [broken: Array("Partition(\"p5000\") { Accept(\"a\") { Ports(80 }\n".utf8)])
        let bad = clock.now - start
        #expect(Set(diagnostics.map(\.location.file)) == [broken])
        print("ript hostile: 10,000 files compiled in \(good); with one broken, failed in \(bad)")
        #expect(good < .seconds(60) && bad < .seconds(60))
    }

    @Test("symbolic link loops and directory cycles end; a looping or dangling link named like a rule file is a diagnostic, not a missing partition")
    func symlinkLoops() throws {
        let good = "Partition(\"a\") { Accept(\"a\") { Ports(80) } }\n"
        _ = try write("links/a/rules.swift", good)
        let manager = FileManager.default
        let links = root.appendingPathComponent("links")
        try manager.createSymbolicLink(atPath: links.appendingPathComponent("a/up").path, withDestinationPath: "..")  // a cycle through the root
        try manager.createSymbolicLink(atPath: links.appendingPathComponent("a/self").path, withDestinationPath: ".")
        try manager.createSymbolicLink(atPath: links.appendingPathComponent("ping").path, withDestinationPath: "pong")  // a loop of two links
        try manager.createSymbolicLink(atPath: links.appendingPathComponent("pong").path, withDestinationPath: "ping")
        try manager.createSymbolicLink(atPath: links.appendingPathComponent("loop.swift").path, withDestinationPath: "loop.swift")
        try manager.createSymbolicLink(atPath: links.appendingPathComponent("gone.swift").path, withDestinationPath: "missing.swift")
        let diagnostics = try expectDiagnostics(links.path, files: [
            links.appendingPathComponent("loop.swift").path: [], links.appendingPathComponent("gone.swift").path: [],
        ])
        #expect(diagnostics.map(\.message) == ["cannot read rule file: no such file or directory", "cannot read rule file: too many levels of symbolic links"])

        // Without the two broken rule files, the cycles end and the one partition compiles once.
        try manager.removeItem(at: links.appendingPathComponent("loop.swift"))
        try manager.removeItem(at: links.appendingPathComponent("gone.swift"))
        #expect(try Pipeline.compile(path: links.path, cache: nil).partitions.map(\.partition) == ["a"])
    }

    @Test("files that can't be read as rule files, even by root (a FIFO, a socket, a device, a link loop), are diagnostics at once, never a hang",
          .timeLimit(.minutes(1)))
    func unreadableFiles() throws {
        // chmod 000 doesn't stop root (CI runs the tests as root): these fail for root too.
        let directory = root.appendingPathComponent("unreadable")
        _ = try write("unreadable/good.swift", "Partition(\"good\") {}\n")
        let fifo = directory.appendingPathComponent("fifo.swift").path
        #expect(mkfifo(fifo, 0o644) == 0)
        let device = directory.appendingPathComponent("device.swift").path
        try FileManager.default.createSymbolicLink(atPath: device, withDestinationPath: "/dev/zero")
        let socketPath = directory.appendingPathComponent("socket.swift").path
        let socket = try bindUnixSocket(socketPath)
        defer { close(socket) }
        // A directory named like a rule file is a directory: its files are read.
        _ = try write("unreadable/folder.swift/inner.swift", "Partition(\"inner\") {}\n")
        let locked = try write("unreadable/locked.swift", "Partition(\"locked\") {}\n")
        #expect(chmod(locked, 0) == 0)

        let clock = ContinuousClock(), start = clock.now
        let diagnostics = try expectDiagnostics(directory.path, files: [fifo: [], device: [], socketPath: [], locked: Array("Partition(\"locked\") {}\n".utf8)])
        #expect(clock.now - start < .seconds(5))
        let byFile = Dictionary(grouping: diagnostics, by: { URL(fileURLWithPath: $0.location.file).lastPathComponent }).mapValues { $0.map(\.message) }
        #expect(byFile["fifo.swift"] == ["rule file isn't a regular file (a FIFO or a device); a rule file is Swift source text"])
        #expect(byFile["device.swift"] == ["rule file isn't a regular file (a FIFO or a device); a rule file is Swift source text"])
        #expect(byFile["socket.swift"] == ["cannot read rule file: no such device or address; check its permissions"])
        // Root reads a chmod 000 file; anyone else gets a diagnostic.
        #expect(byFile["locked.swift"] == (geteuid() == 0 ? nil : ["cannot read rule file: permission denied; check its permissions"]))
        #expect(diagnostics.allSatisfy { $0.location.line == 1 && $0.location.column == 1 })

        // Named as PATH itself, a FIFO is refused the same way, without waiting for a writer.
        try expectDiagnostics(fifo, files: [fifo: []])
    }

    @Test("an empty file, one of blank lines, comments or only 'import RiptDSL' has no partition: a diagnostic at file:1:1",
          arguments: ["", "\n\n  \n", "// a comment\n/* and another */\n", "import RiptDSL\n", "\u{FEFF}import RiptDSL\n", "import RiptDSL; import RiptDSL\n"])
    func emptyFiles(_ text: String) throws {
        let path = try write("empty.swift", text)
        let diagnostics = try expectDiagnostics(path, files: [path: Array(text.utf8)])
        #expect(diagnostics.map(\.description) == ["\(path):1:1: error: no partition in this rule file; a rule file holds one Partition(\"name\") { … }"])
    }

    @Test("names and paths quoted in diagnostics can't add lines or terminal escapes: control and invisible characters print as escapes")
    func diagnosticsStayOnTheirLines() throws {
        let text = "Partition(\"p\") {\n    Accept(\"a\") { Protocols(\"tcp\\n/etc/passwd:1:1: error: \\u{1B}[2J\\u{200B}\") }\n}\n"
        let path = try write("evil\nname:1:1: error: fake.swift", text)
        let diagnostics = try expectDiagnostics(path, files: [path: Array(text.utf8)])
        let printed = RuleErrors(diagnostics).description
        #expect(printed.split(separator: "\n").count == 1)
        #expect(printed.contains("evil\\nname:1:1: error: fake.swift:2:28: error: unknown protocol 'tcp\\n/etc/passwd:1:1: error: \\u{1B}[2J\\u{200B}'"))
    }

    @Test("a misspelt 100,000-character label or protocol is reported at once, without a 'did you mean' that would take minutes")
    func longNames() throws {
        let long = String(repeating: "a", count: 100_000)
        let text = "Partition(\"p\") {\n    Label(\"\(long)\", address: \"192.0.2.1\")\n    Accept(\"a\") { From(\"\(long)b\"); Protocols(\"\(long)\") }\n}\n"
        let path = try write("long.swift", text)
        let clock = ContinuousClock(), start = clock.now
        let diagnostics = try expectDiagnostics(path, files: [path: Array(text.utf8)])
        #expect(clock.now - start < .seconds(5))
        #expect(diagnostics.count == 2)
        #expect(diagnostics.allSatisfy { !$0.message.contains("did you mean") })
    }

    @Test("3,000 undefined labels among 3,000 labels are all reported at once; only the first 20 get a 'did you mean'")
    func manyMisspeltLabels() throws {
        let labels = (0..<3_000).map { "    Label(\"host\($0)\", address: \"10.0.\($0 / 256).\($0 % 256)\")\n" }.joined()
        let rules = (0..<3_000).map { "    Accept(\"r\") { From(\"hosx\($0)\") }\n" }.joined()
        let evaluated = RuleFileEvaluator.evaluate(RuleSource(path: "many.swift", text: "Partition(\"many\") {\n" + labels + rules + "}\n"))
        // Only the compile: each miss compared with every label took 9 million comparisons.
        let clock = ContinuousClock(), start = clock.now
        let result = Compiler().compile([evaluated])
        #expect(clock.now - start < .seconds(2))
        guard case .failure(let errors) = result else { Issue.record("compiled"); return }
        #expect(errors.diagnostics.count == 3_000)
        #expect(errors.diagnostics.filter { $0.message.contains("did you mean") }.count == 20)
    }
}

/// Binds a UNIX socket at `path`: a file no process can open.
func bindUnixSocket(_ path: String) throws -> Int32 {
    let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { throw HostileProblem("socket: \(errno)") }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw HostileProblem("socket path too long") }
    withUnsafeMutableBytes(of: &address.sun_path) { buffer in
        for (index, byte) in bytes.enumerated() { buffer[index] = byte }
    }
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard result == 0 else { throw HostileProblem("bind: \(errno)") }
    return descriptor
}

// MARK: - Injection

/// A place in a rule file where the DSL takes a string.
struct StringPosition: Sendable, CustomTestStringConvertible {
    /// What an accepted string may change in the output.
    enum Reach: Sendable {
        /// Nothing: documentation, or a name only the file uses.
        case nothing
        /// The partition's name, in its chain names (and its rules' comments).
        case partitionName
        /// A rule's description, in its rules' provenance comments only.
        case comment
        /// The label's address, as the network it parses to.
        case address
        /// The rule's incoming interface.
        case interface
        /// The rule's protocol, as /etc/protocols names it.
        case ipProtocol
    }

    let name: String
    /// The file, with `@@` where the string goes (as a literal).
    let template: String
    /// A plain string for the same place.
    let plain: String
    let reach: Reach
    var testDescription: String { name }

    static let www = "    Label(\"www\", address: \"192.0.2.10\")\n"
    static let all: [StringPosition] = [
        StringPosition(name: "partition name", template: "Partition(@@) {\n\(www)    Accept(\"web\") { Ports(80); To(\"www\") }\n}\n", plain: "web", reach: .partitionName),
        StringPosition(name: "filter rule description", template: "Partition(\"p\") {\n\(www)    Accept(@@) { Ports(80); To(\"www\") }\n    Log(@@, log: true) { To(\"www\") }\n}\n", plain: "web", reach: .comment),
        StringPosition(name: "rewrite description", template: "Partition(\"p\") {\n\(www)    Label(\"app\", address: \"192.168.1.2\")\n    Rewrite(@@) { Ports(80); DNAT(\"www\" => \"app\") }\n}\n", plain: "web", reach: .comment),
        StringPosition(name: "group description", template: "Partition(\"p\") {\n\(www)    Group(@@) { Accept(\"web\") { Ports(80); To(\"www\") } }\n}\n", plain: "web", reach: .nothing),
        StringPosition(name: "label name, defined and used", template: "Partition(\"p\") {\n    Label(@@, address: \"192.0.2.10\")\n    Accept(\"web\") { Ports(80); From(@@); To(@@) }\n}\n", plain: "www", reach: .nothing),
        StringPosition(name: "label used but not defined", template: "Partition(\"p\") {\n\(www)    Accept(\"web\") { Ports(80); From(@@); To(\"www\") }\n}\n", plain: "all", reach: .nothing),
        StringPosition(name: "labels of DNAT and SNAT", template: "Partition(\"p\") {\n    Label(@@, address: \"203.0.113.1\")\n    Label(\"app\", address: \"192.168.1.2\")\n    Rewrite(\"in\") { Ports(80); DNAT(@@ => \"app\") }\n    Rewrite(\"out\") { SNAT([\"app\"] => @@) }\n}\n", plain: "public", reach: .nothing),
        StringPosition(name: "label address", template: "Partition(\"p\") {\n    Label(\"www\", address: @@)\n    Accept(\"web\") { Ports(80); To(\"www\") }\n}\n", plain: "192.0.2.10", reach: .address),
        StringPosition(name: "interface name", template: "Partition(\"p\") {\n\(www)    Accept(\"web\") { Ports(80); To(\"www\"); Interface(@@) }\n}\n", plain: "eth0", reach: .interface),
        StringPosition(name: "protocol name", template: "Partition(\"p\") {\n\(www)    Accept(\"web\") { Protocols(@@); To(\"www\") }\n}\n", plain: "udp", reach: .ipProtocol),
    ]

    func text(_ value: String) -> String { template.replacingOccurrences(of: "@@", with: Hostile.literal(value, style: 0)) }

    /// The lines the string is on, from 1.
    var lines: Set<Int> { Set(template.split(separator: "\n", omittingEmptySubsequences: false).enumerated().filter { $0.element.contains("@@") }.map { $0.offset + 1 }) }
}

/// A raw line ript accepts, and the one iptables command it must stay.
struct AcceptedRawLine: Sendable, CustomTestStringConvertible {
    let line: String
    let table: Table
    let arguments: [String]
    var testDescription: String { line }

    static let all: [AcceptedRawLine] = [
        AcceptedRawLine(line: "iptables --tab nat -A PREROUTING -j ACCEPT", table: .nat, arguments: ["-A", "PREROUTING", "-j", "ACCEPT"]),
        AcceptedRawLine(line: "iptables -A PREROUTING --table=mangle -j ACCEPT", table: .mangle, arguments: ["-A", "PREROUTING", "-j", "ACCEPT"]),
        AcceptedRawLine(line: "iptables -A INPUT -m comment --comment \"; rm -rf / && reboot\" -j ACCEPT", table: .filter,
                        arguments: ["-A", "INPUT", "-m", "comment", "--comment", "; rm -rf / && reboot", "-j", "ACCEPT"]),
        AcceptedRawLine(line: "iptables -A INPUT -m comment --comment '$(reboot) `id`' -j ACCEPT", table: .filter,
                        arguments: ["-A", "INPUT", "-m", "comment", "--comment", "$(reboot) `id`", "-j", "ACCEPT"]),
        AcceptedRawLine(line: "iptables -A INPUT -m comment --comment \"-j DROP\" -j ACCEPT", table: .filter,
                        arguments: ["-A", "INPUT", "-m", "comment", "--comment", "-j DROP", "-j", "ACCEPT"]),
        AcceptedRawLine(line: "iptables -A INPUT -m comment --comment \"COMMIT\" -j ACCEPT", table: .filter,
                        arguments: ["-A", "INPUT", "-m", "comment", "--comment", "COMMIT", "-j", "ACCEPT"]),
        AcceptedRawLine(line: "iptables -A INPUT -m comment --comment \"a \\\"quoted\\\" \\\\ 'word'\" -j ACCEPT", table: .filter,
                        arguments: ["-A", "INPUT", "-m", "comment", "--comment", "a \"quoted\" \\ 'word'", "-j", "ACCEPT"]),
        AcceptedRawLine(line: "iptables -A INPUT -m comment --comment \"café ☕ *filter #\" -j ACCEPT", table: .filter,
                        arguments: ["-A", "INPUT", "-m", "comment", "--comment", "café ☕ *filter #", "-j", "ACCEPT"]),
        AcceptedRawLine(line: "iptables ! -s 192.0.2.1 -A INPUT -j ACCEPT", table: .filter, arguments: ["!", "-s", "192.0.2.1", "-A", "INPUT", "-j", "ACCEPT"]),
    ]
}

/// A line as iptables-restore 1.8 splits it (its add_param_to_argv): spaces,
/// tabs and newlines separate; "…" quotes, and inside quotes a backslash
/// takes the next character as it is.
func restoreWords(_ line: String) -> [String] {
    var words: [String] = []
    var current: [UInt8] = []
    var quoted = false, escaped = false
    for byte in line.utf8 {
        if quoted {
            if escaped {
                current.append(byte)
                escaped = false
                continue
            }
            if byte == UInt8(ascii: "\\") { escaped = true; continue }
            if byte != UInt8(ascii: "\"") { current.append(byte); continue }
            quoted = false
        } else if byte == UInt8(ascii: "\"") {
            quoted = true
            continue
        }
        switch byte {
        case UInt8(ascii: "\""): break
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"): if current.isEmpty { continue }
        default: current.append(byte); continue
        }
        words.append(String(decoding: current, as: UTF8.self))
        current = []
    }
    if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)) }
    return words
}

extension Rule {
    /// The rule without its provenance comment.
    var uncommented: Rule {
        var copy = self
        copy.comment = nil
        return copy
    }
}

/// Evaluates and compiles one rule text in memory, with this machine's protocols.
func compileText(_ text: String, path: String = "hostile.swift") -> Result<CompiledRuleset, RuleErrors> {
    Compiler().compile([RuleFileEvaluator.evaluate(RuleSource(path: path, text: text))])
}

@Suite struct HostileInputInjectionTests {
    @Test("a hostile string in any string of the DSL is refused at its file:line:column, or changes only what the DSL means by it",
          arguments: StringPosition.all)
    func everyString(_ position: StringPosition) throws {
        let plain = try compileText(position.text(position.plain)).get()
        var accepted: [String] = []
        for hostile in Hostile.strings {
            let text = position.text(hostile)
            switch compileText(text) {
            case .failure(let errors):
                for problem in diagnosticProblems(errors.diagnostics, files: ["hostile.swift": Array(text.utf8)]) {
                    Issue.record("\(hostile.debugDescription): \(problem)")
                }
                // Refused where it was written (a label refused there may also be missed where it is used).
                if !errors.diagnostics.contains(where: { position.lines.contains($0.location.line) }) {
                    Issue.record("\(hostile.debugDescription): refused only at lines \(errors.diagnostics.map(\.location.line)), not where it was written")
                }
            case .success(let ruleset):
                accepted.append(hostile)
                for problem in rulesetProblems(ruleset) { Issue.record("\(hostile.debugDescription): \(problem)") }
                let chainSet = try #require(ruleset.partitions.first), plainSet = try #require(plain.partitions.first)
                let rules = chainSet.chains.flatMap(\.rules), plainRules = plainSet.chains.flatMap(\.rules)
                switch position.reach {
                case .nothing:
                    // The very same output as with a plain string: the kernel can't tell them apart.
                    #expect(CommandRenderer.render(ruleset) == CommandRenderer.render(plain), "\(hostile.debugDescription)")
                    #expect(RestoreRenderer.render(ruleset, family: .ipv4) == RestoreRenderer.render(plain, family: .ipv4))
                    #expect(JSONRenderer.render(ruleset) == JSONRenderer.render(plain))
                case .partitionName:
                    #expect(chainSet.partition == hostile && rules.map(\.uncommented) == plainRules.map(\.uncommented), "\(hostile.debugDescription)")
                case .comment:
                    #expect(rules.map(\.uncommented) == plainRules.map(\.uncommented), "\(hostile.debugDescription)")
                case .address:
                    let network = try IPNetwork.parse(hostile).get()
                    #expect(rules.map(\.destination) == [network], "\(hostile.debugDescription)")
                case .interface:
                    #expect(rules.map(\.inInterface) == [hostile], "\(hostile.debugDescription)")
                case .ipProtocol:
                    let table = ProtocolTable.system()
                    for rule in rules {
                        if let ipProtocol = rule.ipProtocol { #expect(table.protocol(number: ipProtocol.number).name == ipProtocol.name) }
                        #expect(rule.destination == plainRules.first?.destination)
                    }
                }
            }
        }
        let shown = position.reach == .nothing ? "" : ": " + accepted.map { String($0.prefix(24)).debugDescription }.joined(separator: " ")
        print("ript hostile: \(position.name): \(accepted.count) of \(Hostile.strings.count) hostile strings accepted\(shown)")
    }

    @Test("a port written as a string, hostile or not, is refused at its line: ports are integers")
    func portsAreIntegers() throws {
        for hostile in Hostile.strings + ["80", "0x50", "8000...8100", "2222 => 22"] {
            let text = "Partition(\"p\") {\n    Accept(\"a\") {\n        Ports(\(Hostile.literal(hostile, style: 0)))\n    }\n}\n"
            switch compileText(text) {
            case .success: Issue.record("\(hostile.debugDescription) accepted as a port")
            case .failure(let errors):
                #expect(diagnosticProblems(errors.diagnostics, files: ["hostile.swift": Array(text.utf8)]).isEmpty)
                #expect(errors.diagnostics.map(\.location.line) == [3], "\(hostile.debugDescription)")
            }
        }
    }

    @Test("a raw line that runs a second command, another table's command, a refused one or restore syntax is refused at the Raw's file:line:column",
          arguments: Hostile.rawLines + ["iptables -A INPUT -j ACCEPT\niptables -F", "iptables -A INPUT -j ACCEPT\nCOMMIT\n*filter\n-F"])
    func rawInjection(_ line: String) throws {
        let text = "Partition(\"raw\") {\n    Raw(\(Hostile.literal(line, style: 0)))\n}\n"
        switch compileText(text) {
        case .success(let ruleset):
            Issue.record("accepted as \(ruleset.partitions.first?.raw.map(\.arguments) ?? [])")
        case .failure(let errors):
            #expect(diagnosticProblems(errors.diagnostics, files: ["hostile.swift": Array(text.utf8)]).isEmpty)
            #expect(Set(errors.diagnostics.map { "\($0.location.line):\($0.location.column)" }) == ["2:8"])
            #expect(errors.diagnostics.allSatisfy { $0.message.hasPrefix("raw line ") })
        }
    }

    @Test("an accepted raw line stays one iptables command with its own arguments for a shell, for iptables-restore and in JSON",
          arguments: AcceptedRawLine.all)
    func rawQuoting(_ expected: AcceptedRawLine) throws {
        let ruleset = try compileText("Partition(\"raw\") {\n    Raw(\(Hostile.literal(expected.line, style: 0)))\n}\n").get()
        let raw = try #require(ruleset.partitions.first?.raw.first)
        #expect(raw.table == expected.table)
        #expect(raw.arguments == expected.arguments)
        #expect(rulesetProblems(ruleset).isEmpty)

        let tableWords = expected.table == .filter ? [] : ["--table", expected.table.rawValue]
        let command = try #require(CommandRenderer.render(ruleset).split(separator: "\n").last)
        #expect(shellWords(String(command)) == ["iptables"] + tableWords + expected.arguments)

        let restore = RestoreRenderer.render(ruleset, family: .ipv4).split(separator: "\n").map(String.init)
        let tableStart = try #require(restore.firstIndex(of: "*\(expected.table.rawValue)"))
        let rawLine = try #require(restore[tableStart...].first { restoreWords($0).first == expected.arguments.first && !$0.hasPrefix("-I ") })
        #expect(restoreWords(rawLine) == expected.arguments)
    }
}
