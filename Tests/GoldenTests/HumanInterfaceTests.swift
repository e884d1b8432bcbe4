import Foundation
import TestSupport
import Testing

private let escape = "\u{1B}["

/// Text without ANSI SGR sequences and carriage returns (a pty writes CRLF).
private func plain(_ text: String) -> String {
    text.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
        .replacingOccurrences(of: "\r", with: "")
}

private func lines(_ text: String) -> [String] {
    text.split(separator: "\n").map(String.init)
}

/// Whether `line` is a summary line as `pattern` (a regular expression
/// without the time) describes it, ending with the time in ms.
private func isSummary(_ line: String?, _ pattern: String) -> Bool {
    guard let line else { return false }
    return line.range(of: "^\(pattern), [0-9]+ ms$", options: .regularExpression) != nil
}

/// The environment of these scripts: their pseudo-terminals (`terminal`,
/// `script`) are xterms; a namespace script otherwise has no TERM.
private let xterm = ["TERM=xterm"]

private func file(_ directory: URL, _ name: String) -> String {
    (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)) ?? ""
}

@Suite(.disabled(if: kernelTestsSkipped, "RIPT_SKIP_KERNEL_TESTS=1"))
struct HumanInterfaceTests {
    @Test("on a terminal, commands are coloured by what they do and end with one summary line; piped, the same commands are plain text with no summary (unshare -n)")
    func terminalColourAndSummary() throws {
        let result = try namespaceScript("""
            plain
            terminal "$WORK/diff.tty" $RIPT rules diff "$WORK/rules"
            $RIPT rules diff "$WORK/rules" > "$WORK/diff.pipe"
            terminal "$WORK/apply.tty" $RIPT rules apply "$WORK/rules"
            terminal "$WORK/insync.tty" $RIPT rules diff "$WORK/rules"
            rm "$WORK/rules/drop.swift"
            sed -i 's/Ports(22)/Ports(22, 2022)/' "$WORK/rules/dual-stack.swift"
            $RIPT apply "$WORK/rules" > "$WORK/both.pipe"
            iptables -A dnatbasic-fa2b97e -j ACCEPT
            terminal "$WORK/both.tty" $RIPT apply "$WORK/rules"
            terminal "$WORK/generate.tty" $RIPT rules generate "$WORK/rules"
            for name in diff.tty diff.pipe apply.tty insync.tty both.pipe both.tty generate.tty; do
                echo "=== $name"; cat "$WORK/$name"
            done
            """, environment: xterm)
        let outputs = sections(result.standardOutput)
        let diffTerminal = outputs["diff.tty"] ?? "", diffPipe = outputs["diff.pipe"] ?? ""
        // The pipe gets plain text and no summary; the terminal the same commands, coloured, and the summary.
        #expect(!diffPipe.contains("\u{1B}"))
        #expect(diffTerminal.contains("\(escape)32miptables --table filter --new-chain partition-i\(escape)0m"))
        let shown = lines(plain(diffTerminal))
        #expect(Array(shown.dropLast()) == lines(diffPipe).filter { !$0.isEmpty })
        #expect(isSummary(shown.last, "[0-9]+ partitions to change, [0-9]+ bootstrap changes to make"), "\(shown.last ?? "")")
        #expect(isSummary(lines(plain(outputs["apply.tty"] ?? "")).last, "[0-9]+ partitions changed, [0-9]+ bootstrap changes"))
        #expect(lines(plain(outputs["insync.tty"] ?? "")).count == 1)
        #expect(isSummary(lines(plain(outputs["insync.tty"] ?? "")).last, "in sync"))
        // Removals are red; the summary counts the repaired partition and the replaced one, and the stale chains.
        let both = outputs["both.tty"] ?? ""
        #expect(isSummary(lines(plain(both)).last, "1 partition changed"), "\(plain(both))")
        let replaced = outputs["both.pipe"] ?? ""
        #expect(replaced.contains("--delete-chain dropper-"))
        #expect(lines(replaced).allSatisfy { !$0.contains(" ms") })
        #expect(isSummary(lines(plain(outputs["generate.tty"] ?? "")).last, "[0-9]+ partitions compiled to [0-9]+ rules"))
        #expect(both.contains("\(escape)31miptables --table filter --delete dnatbasic-fa2b97e"), "\(both)")
        #expect(result.standardError.isEmpty || !result.standardError.contains("error"), "\(result.standardError)")
    }

    @Test("NO_COLOR, TERM=dumb and --color never turn colour off on a terminal; --color always turns it on in a pipe, still without a summary (unshare -n)")
    func colourChoices() throws {
        let result = try namespaceScript("""
            plain
            NO_COLOR=1 terminal "$WORK/no-color" $RIPT rules diff "$WORK/rules"
            TERM=dumb terminal "$WORK/dumb" $RIPT rules diff "$WORK/rules"
            terminal "$WORK/never" $RIPT rules diff --color never "$WORK/rules"
            $RIPT rules diff --color always "$WORK/rules" > "$WORK/always"
            $RIPT rules diff "$WORK/rules" > "$WORK/pipe"
            for name in no-color dumb never always pipe; do echo "=== $name"; cat "$WORK/$name"; done
            """, environment: xterm)
        let outputs = sections(result.standardOutput)
        for name in ["no-color", "dumb", "never"] {
            let output = outputs[name] ?? ""
            #expect(!output.contains("\u{1B}"), "\(name) has colour")
            #expect(isSummary(lines(plain(output)).last, "[0-9]+ partitions to change, [0-9]+ bootstrap changes to make"), "\(name)")
        }
        let always = outputs["always"] ?? ""
        #expect(always.contains("\(escape)32m"))
        #expect(plain(always) == outputs["pipe"])
    }

    @Test("--quiet prints nothing on standard output, on a terminal or piped, and keeps the exit status; errors still reach standard error (unshare -n)")
    func quiet() throws {
        let result = try namespaceScript("""
            plain
            set +e
            terminal "$WORK/diff.tty" "$RIPT rules diff --quiet --exit-code $WORK/rules; echo status \\$?"
            $RIPT rules diff -q --exit-code "$WORK/rules" > "$WORK/diff.pipe"; echo "diff piped: $?"
            $RIPT apply --quiet --detailed-exit-codes "$WORK/rules" > "$WORK/apply.pipe"; echo "apply: $?"
            $RIPT rules generate --quiet "$WORK/rules" > "$WORK/generate.pipe"; echo "generate: $?"
            $RIPT rules flush --quiet > "$WORK/flush.pipe"; echo "flush: $?"
            echo 'Partition("broken") { Accept("x") }' > "$WORK/rules/zz.swift"
            $RIPT rules generate --quiet "$WORK/rules" > "$WORK/broken.pipe" 2> "$WORK/broken.err"; echo "broken: $?"
            echo "=== tty"; cat "$WORK/diff.tty"
            echo "=== sizes"; wc -c < "$WORK/diff.pipe"; wc -c < "$WORK/apply.pipe"; wc -c < "$WORK/generate.pipe"; wc -c < "$WORK/flush.pipe"; wc -c < "$WORK/broken.pipe"
            echo "=== err"; cat "$WORK/broken.err"
            """, environment: xterm)
        let output = result.standardOutput
        #expect(output.contains("diff piped: 1\napply: 1\ngenerate: 0\nflush: 0\nbroken: 2\n"), "\(output)")
        #expect(output.contains("=== tty\nstatus 1\r\n"), "\(output)")
        #expect(output.contains("=== sizes\n0\n0\n0\n0\n0\n"), "\(output)")
        #expect(output.contains("zz.swift:1:"), "\(output)")
    }

    @Test("every failure prints only on standard error: rule errors, usage errors, kernel errors, a held lock; on a terminal 'error:' is red (unshare -n)")
    func errorsOnStandardError() throws {
        let result = try namespaceScript("""
            plain
            set +e
            fail() { name=$1; shift; "$@" > "$WORK/$name.out" 2> "$WORK/$name.err"; echo "$name: $? $(wc -c < "$WORK/$name.out") $(wc -l < "$WORK/$name.err")"; }
            fail usage $RIPT rules apply --format restore "$WORK/rules"
            fail missing $RIPT rules diff "$WORK/none"
            fail kernel env RIPT_FAULTS=iptc_commit=EPERM $RIPT apply --format json "$WORK/rules"
            hold 3
            fail lock $RIPT apply --wait 0.2 "$WORK/rules"
            echo 'Partition("broken") { Accept("x") }' > "$WORK/rules/zz.swift"
            fail rules $RIPT apply --detailed-exit-codes "$WORK/rules"
            script -qec "$RIPT rules generate $WORK/rules > $WORK/tty.out" /dev/null > "$WORK/tty.err"
            echo "tty: $(wc -c < "$WORK/tty.out")"
            echo "=== err"; cat "$WORK/tty.err"
            """, environment: xterm)
        let output = result.standardOutput
        for name in ["usage", "missing", "kernel", "lock", "rules"] {
            #expect(output.range(of: "\(name): 2 0 [1-9]", options: .regularExpression) != nil, "\(name): \(output)")
        }
        #expect(output.contains("tty: 0\n"))
        #expect(output.contains("zz.swift:1:") && output.contains("\(escape)1;31merror:\(escape)0m"), "\(output)")
    }
}
