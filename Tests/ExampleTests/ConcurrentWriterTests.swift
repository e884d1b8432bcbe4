import Foundation
import Testing

/// Another program changing the firewall while ript applies: a shell loop
/// of `iptables -w` and `ip6tables -w` (the legacy tools, which take the
/// xtables lock as ript does) adding and deleting its own rules in INPUT
/// and in its chain FOREIGN, each rule tagged with its iteration. Each
/// iteration deletes the previous one's rules: a delete fails if ript had
/// lost them. It stops by itself after 100,000 iterations or $WRITER_SECONDS (180), or when
/// $WORK/stop appears; $WORK/writer-failures lists what went wrong.
private let writerScript = """
    # The writer's four rules of iteration $2, as commands doing $1 (-A or -D).
    writer_rules() {
        x=$(($2 % 250 + 1))
        echo "iptables -w $1 INPUT -s 192.0.2.$x/32 -m comment --comment w$2 -j ACCEPT"
        echo "iptables -w $1 FOREIGN -s 198.51.100.$x/32 -m comment --comment w$2 -j DROP"
        echo "ip6tables -w $1 INPUT -s 2001:db8::$x/128 -m comment --comment w$2 -j ACCEPT"
        echo "ip6tables -w $1 FOREIGN -s 2001:db8:1::$x/128 -m comment --comment w$2 -j DROP"
    }
    writer() {
        i=0; started=$(date +%s); limit=${WRITER_SECONDS:-180}
        : > "$WORK/writer-failures"
        while [ $i -lt 100000 ] && [ $(( $(date +%s) - started )) -lt $limit ] && [ ! -e "$WORK/stop" ]; do
            i=$((i + 1))
            { writer_rules -A $i; [ $i = 1 ] || writer_rules -D $((i - 1)); } | while read -r step; do
                $step 2> "$WORK/writer-error" || echo "failed: $step: $(cat "$WORK/writer-error")" >> "$WORK/writer-failures"
            done
        done
        echo $i > "$WORK/writer-iterations"
    }

    """

@Suite(.disabled(if: kernelTestsSkipped, "RIPT_SKIP_KERNEL_TESTS=1"))
struct ConcurrentWriterTests {
    @Test("""
        while another program adds and deletes rules in INPUT and a foreign chain under the xtables lock, 50 applies \
        all succeed, nothing of the other program's is lost, and ript's chains end exactly as the files say; with \
        --wait 0 an apply fails only with the lock time-out message (unshare -n)
        """)
    func anotherWriterKeepsEverything() throws {
        let applies = soakSize("RIPT_SOAK_APPLIES", default: 50)
        let work = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        try writeTwoVersions(in: work, fillers: 100)
        let result = try inFreshNetworkNamespace(tableScript + writerScript + """
            cp -r "$VERSIONS/A" "$VERSIONS/B" "$WORK/"
            for tool in iptables ip6tables; do $tool -N FOREIGN; $tool -A INPUT -j FOREIGN; done
            # The states ript alone makes, with the other program's chain in place and empty.
            $RIPT apply "$WORK/A" > /dev/null; tables A; $RIPT rules flush > /dev/null
            $RIPT apply "$WORK/B" > /dev/null; tables B

            writer & writer=$!
            failures=0
            for i in $(seq 1 \(applies)); do
                if [ $((i % 2)) = 1 ]; then to=A; else to=B; fi
                $RIPT apply "$WORK/$to" > /dev/null 2> "$WORK/error" || { echo "apply $i failed: $(cat "$WORK/error")"; failures=$((failures + 1)); }
            done
            echo "applies failed: $failures"
            # Too short a wait: either it gets the lock at once or it says why not.
            timeouts=0
            for i in $(seq 1 20); do
                if [ $((i % 2)) = 1 ]; then to=A; else to=B; fi
                status=0; $RIPT apply --wait 0 "$WORK/$to" > /dev/null 2> "$WORK/error" || status=$?
                if [ $status != 0 ]; then
                    grep -q "another program has held the xtables lock .* for over 0 s, so nothing was changed" "$WORK/error" && [ $status = 2 ] \\
                        || { echo "apply --wait 0 failed otherwise ($status): $(cat "$WORK/error")"; exit 1; }
                    timeouts=$((timeouts + 1))
                fi
            done
            $RIPT apply "$WORK/B" > /dev/null
            touch "$WORK/stop"; wait $writer
            echo "writer iterations: $(cat "$WORK/writer-iterations")"
            echo "timeouts with --wait 0: $timeouts of 20"
            echo "writer failures:"; cat "$WORK/writer-failures"
            n=$(cat "$WORK/writer-iterations")
            # The other program's last rules, each exactly once, where it put them.
            for tool in iptables ip6tables; do
                [ "$($tool -S | grep -c -- '--comment w')" = 2 ] || { echo "$tool: the writer's rules are not exactly its last two"; $tool -S | grep -- '--comment w'; exit 1; }
                $tool -S INPUT | tail -1 | grep -q -- "--comment w$n " || { echo "$tool: INPUT does not end with the writer's rule"; exit 1; }
                $tool -S FOREIGN | grep -q -- "--comment w$n " || { echo "$tool: FOREIGN lost the writer's rule"; exit 1; }
                $tool -D INPUT $($tool -S INPUT | tail -1 | sed 's/^-A INPUT //')
                $tool -F FOREIGN
            done
            # Without them, the tables are exactly ript's own B.
            [ "$(compare B A)" = "new new new new" ] || { echo "ript's chains differ from a fresh apply of B"; exit 1; }
            $RIPT rules diff --exit-code "$WORK/B"
            $RIPT clean diff --exit-code "$WORK/B"
            """, environment: ["VERSIONS=\(work.path)", "WRITER_SECONDS=\(180 + applies)"])
        #expect(result.status == 0, "\(result.standardError)\n\(result.standardOutput)")
        let output = result.standardOutput
        print("concurrent writer: " + output.split(separator: "\n").filter { $0.contains(":") && !$0.hasPrefix("writer failures") }.joined(separator: "; "))
        #expect(output.contains("applies failed: 0\n"), "\(output)")
        #expect(output.hasSuffix("writer failures:\n"), "the other program lost rules or failed: \(output)")
        let iterations = output.split(separator: "\n").first { $0.hasPrefix("writer iterations: ") }.flatMap { Int($0.split(separator: " ").last!) } ?? 0
        // The two really ran together: the writer changed the tables many times while ript applied.
        #expect(iterations >= 20, "\(output)")
    }
}
