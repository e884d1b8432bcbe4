import Foundation
import TestSupport
import Testing

/// Two versions of a 5,000-rule router directory that differ in every
/// second (IPv4) filler partition, in the dual-stack flow partition and in
/// the host's policies (B also drops OUTPUT), so in every table of both
/// families: `work`/A and `work`/B. Scripts get `work` as $VERSIONS.
func writeTwoVersions(in work: URL, fillers: Int = 250) throws {
    let a = work.appendingPathComponent("A"), b = work.appendingPathComponent("B")
    try writeRouterRules(to: a, fillers: fillers)
    try writeRouterRules(to: b, fillers: fillers)
    try flowPartition(version: 1).write(to: b.appendingPathComponent("flow.swift"), atomically: true, encoding: .utf8)
    try hostPartition(version: 1).write(to: b.appendingPathComponent("host.swift"), atomically: true, encoding: .utf8)
    for index in stride(from: 2, through: fillers, by: 2) {
        let file = b.appendingPathComponent("filler\(index).swift")
        try String(contentsOf: file, encoding: .utf8).replacingOccurrences(of: "1009,", with: "1019,")
            .write(to: file, atomically: true, encoding: .utf8)
    }
}

@Suite(.disabled(if: kernelTestsSkipped, "RIPT_SKIP_KERNEL_TESTS=1"))
struct CrashSafetyTests {
    @Test("""
        ript apply killed with SIGKILL at 50 random moments leaves every table entirely old or entirely new; rules diff \
        then describes exactly what is left (its plan run through the restore tools, or the next apply, converges to the files) (unshare -n)
        """)
    func killedAtRandomMoments() throws {
        let trials = soakSize("RIPT_SOAK_TRIALS", default: 50)
        let work = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        try writeTwoVersions(in: work)
        // Where in the apply each kill lands, as a fraction of its duration (up to 1.2).
        let fractions = (0..<trials).map { _ in Int.random(in: 0...1200) }
        let result = try inFreshNetworkNamespace(namespaceLibrary + """
            cp -r "$VERSIONS/A" "$VERSIONS/B" "$WORK/"
            $RIPT apply "$WORK/A" > /dev/null; tables A; $RIPT rules flush > /dev/null
            $RIPT apply "$WORK/B" > /dev/null; tables B; $RIPT rules flush > /dev/null
            $RIPT apply "$WORK/A" > /dev/null
            # How long an apply from one version to the other takes here.
            start=$(date +%s%N); $RIPT apply "$WORK/B" > /dev/null; end=$(date +%s%N)
            $RIPT apply "$WORK/A" > /dev/null
            duration=$(( (end - start) / 1000000 ))
            echo "apply takes $duration ms"
            from=A; to=B; i=0
            for fraction in \(fractions.map(String.init).joined(separator: " ")); do
                i=$((i + 1))
                delay=$(( duration * fraction / 1000 ))
                $RIPT apply "$WORK/$to" > /dev/null 2>&1 & pid=$!
                sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
                kill -9 $pid 2>/dev/null || true
                wait $pid || true
                verdict=$(compare $to $from) || { echo "trial $i, killed after $delay ms: $verdict"; exit 1; }
                echo "trial $i: killed after $delay ms: $verdict"
                status=0; $RIPT rules diff --exit-code "$WORK/$to" > "$WORK/rules-diff" || status=$?
                case "$verdict" in
                    "new new new new") [ $status = 0 ] || { echo "trial $i: diff exit $status, expected 0"; exit 1; } ;;
                    *) [ $status = 1 ] || { echo "trial $i: diff exit $status, expected 1"; exit 1; } ;;
                esac
                if [ $((i % 2)) = 0 ]; then
                    # What diff says is left, done by the restore tools (the
                    # same plan as the commands, in one transaction per table
                    # rather than thousands of iptables calls), is exactly what was left.
                    for step in "rules 4 iptables" "rules 6 ip6tables" "clean 4 iptables" "clean 6 ip6tables"; do
                        set -- $step
                        $RIPT $1 diff --format restore --family $2 "$WORK/$to" > "$WORK/left"
                        $3-legacy-restore --noflush < "$WORK/left"
                    done
                else
                    $RIPT apply "$WORK/$to" > /dev/null
                fi
                [ "$(compare $to $from)" = "new new new new" ] || { echo "trial $i did not converge"; exit 1; }
                $RIPT rules diff --exit-code "$WORK/$to"
                $RIPT clean diff --exit-code "$WORK/$to"
                tmp=$from; from=$to; to=$tmp
            done
            """, environment: ["VERSIONS=\(work.path)"])
        #expect(result.status == 0, "\(result.standardError)\n\(result.standardOutput)")
        let verdicts = result.standardOutput.split(separator: "\n").compactMap { line in
            line.hasPrefix("trial ") ? line.split(separator: ": ").last.map(String.init) : nil
        }
        #expect(verdicts.count == trials, "\(result.standardOutput)")
        let counts = Dictionary(verdicts.map { ($0, 1) }, uniquingKeysWith: +)
        print("SIGKILL trials (\(result.standardOutput.split(separator: "\n").first ?? "")): \(counts.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))")
        // The moments spread over the whole apply: some kills came before any commit, some after the last.
        #expect(counts["old old old old", default: 0] > 0 && counts["new new new new", default: 0] > 0, "\(counts)")
    }

    @Test("ript apply killed right after each table's commit leaves that table and the ones before it in its family new, the other family in its own order; running the commands diff prints, then the next apply, finishes the rest (unshare -n)")
    func killedBetweenCommits() throws {
        let work = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        try writeTwoVersions(in: work, fillers: 20)
        let result = try inFreshNetworkNamespace(namespaceLibrary + """
            cp -r "$VERSIONS/A" "$VERSIONS/B" "$WORK/"
            $RIPT apply "$WORK/A" > /dev/null; tables A; $RIPT rules flush > /dev/null
            $RIPT apply "$WORK/B" > /dev/null; tables B; $RIPT rules flush > /dev/null
            $RIPT apply "$WORK/A" > /dev/null
            from=A; to=B
            for table in "iptables filter" "iptables nat" "ip6tables filter" "ip6tables nat"; do
                status=0; RIPT_KILL_AFTER_COMMIT="$table" $RIPT apply "$WORK/$to" > /dev/null 2>&1 || status=$?
                echo "$table: exit $status, $(compare $to $from)"
                $RIPT rules diff "$WORK/$to" > "$WORK/rules-diff"
                cut -d' ' -f1-3 "$WORK/rules-diff" | sort | uniq -c | sed 's/^ */  /'
                # What diff says is left, run as iptables commands, then the next apply.
                sh -e "$WORK/rules-diff"
                $RIPT apply "$WORK/$to" > /dev/null
                [ "$(compare $to $from)" = "new new new new" ]
                $RIPT rules diff --exit-code "$WORK/$to"
                tmp=$from; from=$to; to=$tmp
            done
            """, environment: ["VERSIONS=\(work.path)"])
        #expect(result.status == 0, "\(result.standardError)\n\(result.standardOutput)")
        // The families commit at once, each on its own thread, so a kill
        // after one family's commit finds the other anywhere in its own
        // order: neither, its filter table, or both. Within the killed
        // family, filter is committed before nat.
        let tables = ["iptables filter", "iptables nat", "ip6tables filter", "ip6tables nat"]
        let lines = result.standardOutput.split(separator: "\n").filter { !$0.hasPrefix("  ") }.map(String.init)
        #expect(lines.count == 4, "\(result.standardOutput)")
        for (index, line) in lines.enumerated() {
            let killed = tables[index]
            #expect(line.hasPrefix("\(killed): exit 137, "), "\(line)")
            let verdicts = line.split(separator: ", ").last.map { $0.split(separator: " ").map(String.init) } ?? []
            guard verdicts.count == 4 else { continue }
            let family = index / 2, other = 1 - family
            let expected = index % 2 == 0 ? ["new", "old"] : ["new", "new"]
            #expect(Array(verdicts[(family * 2)..<(family * 2 + 2)]) == expected, "killed after \(killed): \(line)")
            #expect([["old", "old"], ["new", "old"], ["new", "new"]].contains(Array(verdicts[(other * 2)..<(other * 2 + 2)])),
                    "the other family committed nat before filter: \(line)")
        }
        // What diff said was left after the first kill: never the committed
        // iptables filter table's commands, always iptables nat's, and an
        // ip6tables table's exactly when it was still old.
        let afterFirst = result.standardOutput.components(separatedBy: "iptables nat: exit")[0]
        #expect(!afterFirst.contains(" iptables --table filter"), "\(afterFirst)")
        #expect(afterFirst.contains(" iptables --table nat"), "\(afterFirst)")
        if let first = lines.first?.split(separator: ", ").last?.split(separator: " "), first.count == 4 {
            #expect(afterFirst.contains(" ip6tables --table filter") == (first[2] == "old"), "\(afterFirst)")
            #expect(afterFirst.contains(" ip6tables --table nat") == (first[3] == "old"), "\(afterFirst)")
        }
    }
}
