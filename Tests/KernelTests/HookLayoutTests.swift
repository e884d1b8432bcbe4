import Foundation
import TestSupport
import Testing

/// The hook layout: `partition-i`, `-f` and `-o` in filter, each built-in
/// jumping to its own; the old layout's `partition-a` replaced in the same
/// filter commit, and removed by flush and clean.
@Suite(.disabled(if: kernelTestsSkipped, "RIPT_SKIP_KERNEL_TESTS=1"))
struct HookLayoutTests {
    /// An earlier ript's filter table in both families: `partition-a`
    /// jumped to from INPUT, FORWARD and OUTPUT, pointing to a partition
    /// chain, beside another program's rule in INPUT.
    static let oldLayout = """
        for family in 4 6; do
            if [ $family = 4 ]; then tool=iptables; foreign=198.51.100.7/32; else tool=ip6tables; foreign=2001:db8:99::7/128; fi
            $tool-legacy-restore --noflush <<EOF
        *filter
        :partition-a - [0:0]
        :old-a123456 - [0:0]
        -A INPUT -s $foreign -j DROP
        -A INPUT -j partition-a
        -A FORWARD -j partition-a
        -A OUTPUT -j partition-a
        -A partition-a -j old-a123456
        -A old-a123456 -p tcp -m tcp --dport 22 -j ACCEPT
        COMMIT
        EOF
        done

        """

    @Test("apply over the old layout removes partition-a and its jumps and fills and jumps to partition-i, -f and -o (each jump where the old one stood), in one commit per filter table, saying so once; other programs' rules stay (unshare -n)")
    func migration() throws {
        let result = try namespaceScript(Self.oldLayout + """
            plain
            RIPT_TRACE=1 $RIPT apply "$WORK/rules" > "$WORK/applied" 2> "$WORK/trace"
            echo "=== commits"; grep -c ' ms  commit iptables filter' "$WORK/trace"; grep -c ' ms  commit ip6tables filter' "$WORK/trace"
            echo "=== notes"; grep 'ript: note:' "$WORK/trace"
            $RIPT rules diff --exit-code "$WORK/rules"
            $RIPT clean diff --exit-code "$WORK/rules"
            echo "=== ipv4"; iptables -S | grep -E 'partition-|198.51.100.7|old-a'
            echo "=== ipv6"; ip6tables -S | grep -E '^-A (INPUT|FORWARD|OUTPUT)|^-N partition-|2001:db8:99::7|old-a'
            """)
        let parts = sections(result.standardOutput)
        #expect(parts["commits"] == "1\n1\n", "\(result.standardOutput)")
        let notes = (parts["notes"] ?? "").split(separator: "\n")
        #expect(notes.count == 2 && notes.allSatisfy { $0.contains("partition-a of an earlier ript is removed") }, "\(notes)")
        let ipv4 = parts["ipv4"] ?? ""
        #expect(!ipv4.contains("partition-a") && !ipv4.contains("old-a"), "\(ipv4)")
        for line in ["-N partition-i", "-N partition-f", "-N partition-o", "-A INPUT -j partition-i", "-A FORWARD -j partition-f",
                     "-A OUTPUT -j partition-o", "-A INPUT -s 198.51.100.7/32 -j DROP"] {
            #expect(ipv4.contains(line), "\(line) missing:\n\(ipv4)")
        }
        #expect(parts["ipv6"] == """
            -N partition-f
            -N partition-i
            -N partition-o
            -A INPUT -s 2001:db8:99::7/128 -j DROP
            -A INPUT -j partition-i
            -A FORWARD -j partition-f
            -A OUTPUT -j partition-o

            """, "\(parts["ipv6"] ?? "")")
    }

    @Test("flush, and clean once the new hook chains are in, remove the old layout's partition-a and its jumps, and nothing of other programs' (unshare -n)")
    func flushAndCleanRemoveOldLayout() throws {
        let result = try namespaceScript(Self.oldLayout + """
            $RIPT rules flush > "$WORK/flushed" 2> "$WORK/flush-notes"
            echo "=== flushed"; save | grep -E 'partition-|old-a|-A' || true
            \(Self.oldLayout)
            plain
            $RIPT rules apply "$WORK/rules" > /dev/null 2>&1
            iptables -N partition-a; iptables -A OUTPUT -j partition-a
            $RIPT clean apply "$WORK/rules" > "$WORK/cleaned" 2> /dev/null
            $RIPT clean diff --exit-code "$WORK/rules"
            echo "=== cleaned"; save | grep -E 'partition-a|old-a' || true
            echo "=== commands"; grep -E 'partition-a' "$WORK/flushed" "$WORK/cleaned" | sed 's/^[^:]*://' | sort | uniq -c | sed 's/^ *//'
            """)
        let parts = sections(result.standardOutput)
        #expect(parts["flushed"] == "-A INPUT -s 198.51.100.7/32 -j DROP\n-A INPUT -s 2001:db8:99::7/128 -j DROP\n", "\(result.standardOutput)")
        #expect(parts["cleaned"] == "", "\(result.standardOutput)")
        let commands = parts["commands"] ?? ""
        #expect(commands.contains("iptables --table filter --delete-chain partition-a"), "\(commands)")
        #expect(commands.contains("ip6tables --table filter --delete INPUT --jump partition-a"), "\(commands)")
    }
}
