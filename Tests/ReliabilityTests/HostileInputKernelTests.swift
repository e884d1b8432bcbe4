import Foundation
import TestSupport
import Testing

/// Rule files ript must refuse, each with what makes it hostile.
private let refusedFiles: [(name: String, bytes: [UInt8])] = [
    ("syntax", Array("Partition(\"broken\") {\n    Accept(\"a\") { Ports(80 }\n}\n".utf8)),
    ("raw-chain-line", Array("Partition(\"rawchain\") {\n    Raw(\"iptables :DOCKER - -A INPUT -j ACCEPT\")\n}\n".utf8)),
    ("raw-long-line", Array(("Partition(\"rawlong\") {\n    Raw(\"iptables -A INPUT" + String(repeating: " -m comment --comment " + String(repeating: "c", count: 200), count: 45) + " :DOCKER -\")\n}\n").utf8)),
    ("raw-second-command", Array("Partition(\"rawtwo\") {\n    Raw(\"iptables -A INPUT -j ACCEPT; iptables -F\")\n}\n".utf8)),
    ("interface-injection", Array("Partition(\"iface\") {\n    Accept(\"a\") { Interface(\"eth0 -j ACCEPT\") }\n}\n".utf8)),
    ("label-injection", Array("Partition(\"label\") {\n    Label(\"x\", address: \"10.0.0.1 -j ACCEPT\")\n    Accept(\"a\") { To(\"x\") }\n}\n".utf8)),
    ("invalid-utf8", Array("Partition(\"utf\") {\n    Accept(\"caf".utf8) + [0xC3, 0x28] + Array("\") { Ports(80) }\n}\n".utf8)),
    ("nul-byte", Array("Partition(\"nul\") {\n    Accept(\"a\u{0}\") { Ports(80) }\n}\n".utf8)),
    ("deep-arrays", Array(("Partition(\"deep\") {\n    Accept(\"a\") { Ports(" + String(repeating: "[", count: 40) + String(repeating: "]", count: 40) + ") }\n}\n").utf8)),
    ("duplicate-name", Array("Partition(\"dnatbasic\") {\n    Accept(\"a\") { Ports(80) }\n}\n".utf8)),
    ("no-partition", Array("import RiptDSL\n".utf8)),
]

@Suite(.disabled(if: kernelTestsSkipped, "RIPT_SKIP_KERNEL_TESTS=1"))
struct HostileInputKernelTests {
    @Test("a broken or hostile file beside good ones: rules apply, apply and clean apply exit 2 with diagnostics at file:line:column, and iptables and ip6tables stay byte for byte as they were (unshare -n)")
    func nothingAppliedWhenAnyFileFails() throws {
        let hostile = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: hostile) }
        for file in refusedFiles {
            try Data(file.bytes).write(to: hostile.appendingPathComponent("\(file.name).swift"))
        }
        let result = try inFreshNetworkNamespace(namespaceLibrary + """
            docker
            mkdir "$WORK/rules"
            cp examples/dnat.swift examples/dual-stack.swift examples/accept.swift "$WORK/rules/"
            $RIPT rules apply "$WORK/rules" > /dev/null
            # Changes that apply and clean would make, were every file good:
            # a changed partition, and a removed one.
            sed -i 's/Ports(80)/Ports(81)/' "$WORK/rules/dnat.swift"
            rm "$WORK/rules/accept.swift"
            save > "$WORK/before"
            attempt() {
                for command in "rules apply" "apply" "clean apply"; do
                    status=0
                    $RIPT $command "$WORK/rules" > "$WORK/out" 2> "$WORK/err" || status=$?
                    echo "=== $1 / $command / exit $status"
                    cat "$WORK/err"
                    [ ! -s "$WORK/out" ] || { echo "STDOUT:"; cat "$WORK/out"; }
                    save | cmp -s - "$WORK/before" || { echo "CHANGED:"; save | diff "$WORK/before" - || true; }
                done
            }
            for bad in "$HOSTILE"/*.swift; do
                cp "$bad" "$WORK/rules/zz-hostile.swift"
                attempt "$(basename "$bad")"
                rm "$WORK/rules/zz-hostile.swift"
            done
            # A FIFO where a rule file should be: refused at once, not waited on.
            mkfifo "$WORK/rules/zz-fifo.swift"
            attempt fifo
            rm "$WORK/rules/zz-fifo.swift"
            # Without them, the waiting changes go in: so nothing above was a no-op by chance.
            $RIPT apply "$WORK/rules" > /dev/null
            save | cmp -s - "$WORK/before" && echo "=== NOTHING CHANGED WITHOUT THE HOSTILE FILE" || true
            save | grep -c 'DOCKER' | sed 's/^/DOCKER lines: /'
            """, environment: ["HOSTILE=\(hostile.path)"])
        #expect(result.status == 0, "\(result.standardError)")
        let output = result.standardOutput
        #expect(!output.contains("CHANGED") && !output.contains("STDOUT") && !output.contains("NOTHING CHANGED"), "\(output)")
        #expect(output.contains("DOCKER lines: 3"), "\(output)")

        // Each attempt: exit 2, and standard error only diagnostics at file:line:column and the summary.
        let attempts = output.components(separatedBy: "=== ").dropFirst().filter { !$0.hasPrefix("DOCKER") }
        #expect(attempts.count == (refusedFiles.count + 1) * 3, "\(output)")
        let location = #"^/[^\n]*\.swift:[0-9]+:[0-9]+: (error|note): "#
        for attempt in attempts {
            let lines = attempt.split(separator: "\n").map(String.init)
            let header = lines.first ?? ""
            #expect(header.hasSuffix("exit 2"), "\(attempt)")
            let diagnostics = lines.dropFirst().filter { !$0.hasPrefix("ript: ") && !$0.hasPrefix("DOCKER lines") }
            #expect(!diagnostics.isEmpty, "\(attempt)")
            for line in diagnostics {
                #expect(line.range(of: location, options: .regularExpression) != nil, "\(header): \(line)")
            }
            #expect(lines.contains { $0.hasPrefix("ript: ") && $0.hasSuffix("nothing was generated") }, "\(attempt)")
        }
    }

    @Test("hostile strings in descriptions and label names give the same rules as plain ones, each description one sanitised comment that restores; a hostile raw comment arrives as one comment (unshare -n)")
    func hostileButValid() throws {
        let hostileStrings = ["-j ACCEPT\\n-A INPUT -j ACCEPT", "; rm -rf / $(reboot) `id`", "COMMIT\\n*filter\\n:DOCKER - [0:0]", "\\u{0}--jump DROP", "\\u{1B}[2J\\r\\n"]
        func file(_ text: (Int) -> String) -> String {
            """
            import RiptDSL

            Partition("hostile") {
                Label("\(text(0))", address: "192.0.2.10")
                Label("\(text(1))", address: "2001:db8::10")
                Accept("\(text(2))") { Ports(22); To("\(text(0))", "\(text(1))") }
                Group("\(text(3))") {
                    Drop("\(text(4))", log: true) { Protocols("udp"); From("\(text(0))") }
                }
                Rewrite("\(text(1))") { Ports(8080 => 80); DNAT("\(text(0))" => "\(text(0))") }
                Raw(#"iptables -A INPUT -m comment --comment "; rm -rf / `id` $(reboot) COMMIT \\"q\\"" -j ACCEPT"#)
            }

            """
        }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let hostile = directory.appendingPathComponent("hostile.swift"), plain = directory.appendingPathComponent("plain.swift")
        try file { hostileStrings[$0] }.write(to: hostile, atomically: true, encoding: .utf8)
        try file { ["www", "www6", "ssh", "udp", "no udp"][$0] }.write(to: plain, atomically: true, encoding: .utf8)

        var saved: [String] = []
        for path in [hostile.path, plain.path] {
            let result = try inFreshNetworkNamespace(namespaceLibrary + """
                $RIPT rules apply '\(path)' > /dev/null
                save > "$WORK/saved"
                # What the kernel holds restores as it is: no description broke out of its comment.
                iptables-legacy-save | iptables-legacy-restore --test
                ip6tables-legacy-save | ip6tables-legacy-restore --test
                cat "$WORK/saved"
                """)
            #expect(result.status == 0, "\(result.standardError)")
            saved.append(result.standardOutput)
        }
        // Descriptions are in the rules' comments, label names are not in the
        // kernel at all: without the comments and the chain hashes (which
        // cover the comments), the two are the same rules.
        func structure(_ text: String) -> String {
            text.replacingOccurrences(of: #" -m comment --comment ("([^"\\]|\\.)*"|[^ ]+)"#, with: "", options: .regularExpression)
                .replacingOccurrences(of: #"hostile-([aifods])[0-9a-f]{6}"#, with: "hostile-$1HASH", options: .regularExpression)
        }
        #expect(structure(saved[0]) == structure(saved[1]), "\(saved[0])")
        #expect(saved[0].contains(#"-A INPUT -m comment --comment "; rm -rf / `id` $(reboot) COMMIT \"q\"" -j ACCEPT"#), "\(saved[0])")
        let rules = saved[0].split(separator: "\n").filter { $0.hasPrefix("-A ") && !$0.contains("partition-") && !$0.hasPrefix("-A INPUT -j") }
        // A partition with a Rewrite has its filter rules by hook. IPv4: ssh
        // and the LOG and DROP in INPUT, FORWARD and OUTPUT, the DNAT and its
        // accept (FORWARD only), the raw rule; IPv6: ssh in each hook.
        #expect(rules.count == 15, "\(rules.joined(separator: "\n"))")
        // Each description is one comment of printable ASCII without quotes
        // or backslashes: the newline, NUL and escape became '_', and the
        // injected restore lines made no chain of their own.
        #expect(saved[0].contains(#"--comment "hostile hostile.swift:10 ; rm -rf / $(reboot) `id`""#), "\(saved[0])")
        #expect(saved[0].contains(#"--comment "hostile hostile.swift:8 _[2J__""#), "\(saved[0])")
        #expect(!saved[0].split(separator: "\n").contains { $0.hasPrefix(":DOCKER") }, "\(saved[0])")
        for line in saved[0].split(separator: "\n") {
            #expect(line.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }, "\(line)")
        }
    }
}
