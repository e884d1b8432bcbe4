import Foundation
import TestSupport
import Testing

/// ript's command tree as `ript --experimental-dump-help` prints it: what the
/// completion scripts must offer, read from the binary rather than written
/// down here, so new commands and options are checked without editing tests.
struct CommandInfo: Decodable, Sendable {
    struct Argument: Decodable, Sendable {
        struct Name: Decodable, Sendable {
            let kind: String
            let name: String
        }
        let kind: String
        let names: [Name]?
        let shouldDisplay: Bool
        let allValues: [String]?
    }

    let commandName: String
    let arguments: [Argument]?
    let subcommands: [CommandInfo]?
    let shouldDisplay: Bool

    /// The command's visible subcommands.
    var visibleSubcommands: [CommandInfo] { (subcommands ?? []).filter(\.shouldDisplay) }

    /// The visible options and flags, as `--name`.
    var longOptions: Set<String> {
        Set(visibleArguments.filter { $0.kind != "positional" }
            .flatMap { ($0.names ?? []).filter { $0.kind == "long" }.map { "--" + $0.name } })
    }

    /// Each visible option with a fixed list of values, as `--name` and the values.
    var optionValues: [(option: String, values: [String])] {
        visibleArguments.compactMap { argument in
            guard let values = argument.allValues, let long = argument.names?.first(where: { $0.kind == "long" }) else { return nil }
            return ("--" + long.name, values)
        }
    }

    var takesPositional: Bool { visibleArguments.contains { $0.kind == "positional" } }

    private var visibleArguments: [Argument] { (arguments ?? []).filter(\.shouldDisplay) }

    /// Every command below the root, with the words that name it ("rules apply").
    func descendants(_ words: [String] = []) -> [(words: [String], command: CommandInfo)] {
        visibleSubcommands.flatMap { sub in [(words + [sub.commandName], sub)] + sub.descendants(words + [sub.commandName]) }
    }

    /// The root command, read from the built binary.
    static func live() throws -> CommandInfo {
        struct Dump: Decodable { let command: CommandInfo }
        let result = try ript("--experimental-dump-help")
        try #require(result.status == 0, "\(result.standardError)")
        return try JSONDecoder().decode(Dump.self, from: Data(result.standardOutput.utf8)).command
    }
}

/// One thing typed at a prompt and what completion must offer for it.
struct CompletionCase: CustomStringConvertible {
    let line: String
    let expected: Set<String>
    /// Exactly `expected`, or at least it (a shell may add file names).
    let exact: Bool

    var description: String { "'\(line)' offers \(exact ? "exactly" : "at least") \(expected.sorted())" }
}

/// The completion scripts in completions/: generated from the command tree by
/// swift-argument-parser, checked in for packages, and proven to complete in
/// the real shells.
@Suite struct CompletionTests {
    static let scripts = [("bash", "ript.bash"), ("zsh", "_ript"), ("fish", "ript.fish")]

    @Test("each checked-in completion script is exactly what 'ript --generate-completion-script' prints now", arguments: scripts)
    func checkedInScriptMatchesTheCommandTree(_ shell: String, _ file: String) throws {
        let live = try ript("--generate-completion-script", shell)
        #expect(live.status == 0, "\(live.standardError)")
        let checkedIn = (try? String(contentsOf: packageRoot.appendingPathComponent("completions/\(file)"), encoding: .utf8)) ?? ""
        // The first line that differs, not both whole scripts.
        let old = checkedIn.split(separator: "\n", omittingEmptySubsequences: false)
        let new = live.standardOutput.split(separator: "\n", omittingEmptySubsequences: false)
        let line = (0..<min(old.count, new.count)).first { old[$0] != new[$0] } ?? min(old.count, new.count)
        let same = checkedIn == live.standardOutput
        #expect(same, """
            completions/\(file) differs from 'ript --generate-completion-script \(shell)' at line \(line + 1) \
            ('\(line < old.count ? old[line] : "(end)")' there, '\(line < new.count ? new[line] : "(end)")' now): \
            run completions/generate.sh
            """)
    }

    /// What bash and fish must offer: `ript ru` → rules; every group's
    /// subcommands; every command's long options after `--`; every value of
    /// an option with a fixed list.
    static func cases(_ root: CommandInfo) -> [CompletionCase] {
        var cases = [CompletionCase(line: "ript ru", expected: ["rules"], exact: true)]
        for (words, command) in [([], root)] + root.descendants() {
            let prefix = (["ript"] + words).joined(separator: " ")
            if !command.visibleSubcommands.isEmpty {
                cases.append(CompletionCase(line: prefix + " ", expected: Set(command.visibleSubcommands.map(\.commandName)), exact: false))
            }
            cases.append(CompletionCase(line: prefix + " --", expected: command.longOptions, exact: true))
            for (option, values) in command.optionValues {
                cases.append(CompletionCase(line: "\(prefix) \(option) ", expected: Set(values), exact: true))
            }
        }
        return cases
    }

    /// Runs one shell over every case (one line each on standard input; the
    /// shell prints the offered words of each, then a line `--end--`).
    func offered(by shell: String, _ arguments: [String], for cases: [CompletionCase]) throws -> [[String]] {
        let result = try runTool(shell, arguments, input: cases.map { $0.line + "\n" }.joined())
        try #require(result.status == 0, "\(shell): \(result.standardError)")
        let blocks = result.standardOutput.components(separatedBy: "--end--\n").dropLast()
        try #require(blocks.count == cases.count, "\(shell) answered \(blocks.count) of \(cases.count) lines: \(result.standardOutput)\(result.standardError)")
        return blocks.map { $0.split(separator: "\n").map(String.init) }
    }

    func check(_ shell: String, _ cases: [CompletionCase], _ offered: [[String]]) {
        #expect(cases.contains { $0.line == "ript rules apply --" && $0.expected.contains("--family") }, "the tree has no 'rules apply --family'")
        for (completion, words) in zip(cases, offered) {
            let offered = Set(words)
            #expect(completion.exact ? offered == completion.expected : offered.isSuperset(of: completion.expected),
                    "\(shell): \(completion), offered \(words)")
        }
    }

    @Test("bash, with completions/ript.bash sourced, completes 'ript ru' to rules, each group's subcommands, each command's options and their values")
    func bashCompletes() throws {
        let cases = Self.cases(try CommandInfo.live())
        // What bash does on Tab: COMP_* describe the line, the function fills COMPREPLY.
        let script = """
            source completions/ript.bash
            while IFS= read -r line; do
                read -ra COMP_WORDS <<< "$line"
                [[ "$line" == *' ' ]] && COMP_WORDS+=('')
                COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )) COMP_LINE="$line" COMP_POINT=${#line} COMPREPLY=()
                _ript ript "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
                [[ ${#COMPREPLY[@]} -eq 0 ]] || printf '%s\\n' "${COMPREPLY[@]}"
                echo --end--
            done
            """
        check("bash", cases, try offered(by: "bash", ["--norc", "--noprofile", "-c", script], for: cases))
    }

    @Test("fish, with completions/ript.fish sourced, completes 'ript ru' to rules, each group's subcommands, each command's options and their values")
    func fishCompletes() throws {
        let cases = Self.cases(try CommandInfo.live())
        // `complete -C LINE` prints what Tab would offer, one "word<TAB>description" a line.
        let script = """
            source completions/ript.fish
            while read -l line
                complete -C "$line" | string replace -r '\\t.*' ''
                echo --end--
            end
            """
        check("fish", cases, try offered(by: "fish", ["--no-config", "-c", script], for: cases))
    }

    @Test("zsh parses completions/_ript (zsh -n)")
    func zshParses() throws {
        let result = try runTool("zsh", ["-n", "completions/_ript"])
        #expect(result.status == 0 && result.standardError.isEmpty, "\(result.standardError)")
    }

    /// What zsh must complete in place (a unique match, then a space): each
    /// subcommand and each long option from all but its last letter, and each
    /// value of an option with a fixed list that its other values don't share
    /// a prefix with. Options are typed after a path argument.
    static func zshCases(_ root: CommandInfo) -> [(typed: String, completed: String)] {
        func unique(_ word: String, among words: [String]) -> String? {
            let typed = String(word.dropLast())
            guard typed.count > 1, words.filter({ $0.hasPrefix(typed) }).count == 1 else { return nil }
            return typed
        }
        var cases: [(String, String)] = []
        for (words, command) in [([], root)] + root.descendants() where words != ["help"] {
            let prefix = (["ript"] + words).joined(separator: " ")
            let names = command.visibleSubcommands.map(\.commandName)
            for name in names {
                if let typed = unique(name, among: names) { cases.append(("\(prefix) \(typed)", "\(prefix) \(name) ")) }
            }
            guard names.isEmpty else { continue }
            let start = command.takesPositional ? "\(prefix) /etc/ript" : prefix
            let options = command.longOptions.sorted()
            for option in options {
                if let typed = unique(option, among: options) { cases.append(("\(start) \(typed)", "\(start) \(option) ")) }
            }
            for (option, values) in command.optionValues {
                for value in values {
                    if let typed = unique(value, among: values) { cases.append(("\(start) \(option) \(typed)", "\(start) \(option) \(value) ")) }
                }
            }
        }
        return cases
    }

    @Test("zsh, with completions/_ript in fpath and compinit, completes each subcommand, option and option value in place at a real prompt (zpty)")
    func zshCompletes() throws {
        let cases = Self.zshCases(try CommandInfo.live())
        #expect(cases.contains { $0.completed == "ript rules " })
        #expect(cases.contains { $0.completed == "ript rules apply /etc/ript --family " })
        let work = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        // An interactive zsh on a pseudo-terminal: Ctrl-T runs a widget that
        // completes the line as Tab would, then writes the line to a file.
        // (Ctrl-T, not Ctrl-X: zle waits KEYTIMEOUT after a prefix key.)
        let script = """
            zmodload zsh/zpty
            out=$1/completed lines=("${(@f)$(<$1/typed)}")
            zpty -b shell 'zsh -f -i'
            zpty -w shell "PS1='> '; fpath=($2 \\$fpath); autoload -Uz compinit; compinit -u -D"
            zpty -w shell "typed() { zle complete-word; print -r -- \\"\\$BUFFER|\\" >> $out; BUFFER=; zle accept-line }"
            zpty -w shell "zle -N typed; bindkey '^T' typed; : > $out"
            for i in {1..500}; do [[ -f $out ]] && break; sleep 0.02; done
            n=0
            for line in $lines; do
                zpty -w -n shell "$line"$'\\x14'
                (( ++n ))
                # Drain what the shell echoes, or it blocks once the pty's buffer is full.
                for i in {1..500}; do
                    (( $(wc -l < $out) >= n )) && break
                    while zpty -rt shell echoed; do :; done
                    sleep 0.01
                done
            done
            zpty -d shell
            cat $out
            """
        try cases.map { $0.typed + "\n" }.joined().write(to: work.appendingPathComponent("typed"), atomically: true, encoding: .utf8)
        let result = try runTool("zsh", ["-f", "-c", script, "zsh", work.path, packageRoot.appendingPathComponent("completions").path])
        try #require(result.status == 0, "\(result.standardError)")
        let completed = result.standardOutput.split(separator: "\n").map { String($0.dropLast()) }
        try #require(completed.count == cases.count, "zsh answered \(completed.count) of \(cases.count) lines: \(result.standardOutput)")
        for (completion, line) in zip(cases, completed) {
            #expect(line == completion.completed, "zsh: '\(completion.typed)' + Tab should be '\(completion.completed)'")
        }
    }
}
