import Foundation
import TestSupport
import Testing

/// A reliability test's size: the CI default, or more from the environment
/// for the soak runs of bench/soak.sh.
func soakSize(_ variable: String, default value: Int) -> Int {
    ProcessInfo.processInfo.environment[variable].flatMap(Int.init) ?? value
}

/// A router's rule directory of `fillers` partitions of 20 rules each, none
/// of which matches the test's flows, plus the partition `flow` that DNATs
/// 203.0.113.10:5000/udp to the server 198.51.100.2, and 2001:db8:ff::10
/// to 2001:db8:2::2, and so accepts them, and the partition `host` that
/// makes it a whole firewall: DROP policies, connection tracking, loopback.
/// Every address is from the documentation ranges.
func writeRouterRules(to directory: URL, fillers: Int) throws {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try hostPartition(version: 0).write(to: directory.appendingPathComponent("host.swift"), atomically: true, encoding: .utf8)
    for index in 1...fillers {
        let a = index % 250 + 1, b = index * 7 % 250 + 1
        try """
            import RiptDSL

            Partition("filler\(index)") {
                Label("peer a", address: "192.0.2.\(a)")
                Label("peer b", address: "198.51.100.\(b)")
                Label("service", address: "203.0.113.\(a)")
                Accept("service ports") {
                    Ports(1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009, \(2000 + index))
                    From("peer a", "peer b")
                    To("service")
                }
            }

            """.write(to: directory.appendingPathComponent("filler\(index).swift"), atomically: true, encoding: .utf8)
    }
    try flowPartition(version: 0).write(to: directory.appendingPathComponent("flow.swift"), atomically: true, encoding: .utf8)
}

/// The host-wide partition: INPUT and FORWARD DROP in both families
/// (version 1 also OUTPUT), connection tracking, loopback and ssh from the
/// admins; so every apply of the reliability tests sets policies and keeps
/// the host's own traffic working under them.
func hostPartition(version: Int) -> String {
    """
    import RiptDSL

    Partition("host") {
        Policies(input: .drop, forward: .drop\(version == 0 ? "" : ", output: .drop"))
        ConnectionTracking()
        Label("admins", address: "192.0.2.0/28")
        Label("admins6", address: "2001:db8:a::/64")
        Accept("loopback") { Protocols("all"); Loopback() }
        Accept("ssh from the admins") { Ports(22); From("admins", "admins6"); Direction(.input) }
    }

    """
}

/// The flows' partition; every version DNATs and accepts both streams, and
/// each accepts another TCP port, so each has chains of its own.
func flowPartition(version: Int) -> String {
    """
    import RiptDSL

    Partition("flow") {
        Label("public", address: "203.0.113.10")
        Label("server", address: "198.51.100.2")
        Label("public6", address: "2001:db8:ff::10")
        Label("server6", address: "2001:db8:2::2")
        Rewrite("the stream") { Protocols("udp"); Ports(5000); DNAT("public" => "server") }
        Rewrite("the stream over IPv6") { Protocols("udp"); Ports(5000); DNAT("public6" => "server6") }
        Accept("version \(version)") { Protocols("tcp"); Ports(\(6000 + version)); To("server", "server6") }
    }

    """
}

/// What a traffic run saw: per phase, how many datagrams were sent while it
/// lasted and how many of those never arrived.
struct TrafficReport: CustomStringConvertible {
    struct Phase { let name: String; let seconds: Double; let sent: Int; let lost: Int }
    var phases: [Phase]
    var sent: Int
    var rate: Double

    subscript(name: String) -> Phase? { phases.first { $0.name == name } }

    var description: String {
        "\(sent) datagrams at \(Int(rate))/s; " + phases.map { "\($0.name): \($0.lost) lost of \($0.sent) in \(String(format: "%.1f", $0.seconds)) s" }.joined(separator: "; ")
    }

    /// `sent` holds "sequence time" lines, `received` sequence numbers,
    /// `phases` "name time" lines (times in ns, CLOCK_REALTIME); a phase
    /// lasts until the next one starts.
    init(sent: String, received: String, phases: String) {
        let log = sent.split(separator: "\n").map { line -> (UInt64, Int64) in
            let fields = line.split(separator: " ")
            return (UInt64(fields[0])!, Int64(fields[1])!)
        }
        let arrived = Set(received.split(separator: "\n").map { UInt64($0)! })
        let marks = phases.split(separator: "\n").map { line -> (String, Int64) in
            let fields = line.split(separator: " ")
            return (String(fields[0]), Int64(fields[1])!)
        }
        self.sent = log.count
        let span = Double((log.last?.1 ?? 0) - (log.first?.1 ?? 0)) / 1e9
        rate = span > 0 ? Double(log.count) / span : 0
        self.phases = marks.indices.map { index in
            let (name, start) = marks[index]
            let end = index + 1 < marks.count ? marks[index + 1].1 : .max
            let during = log.filter { $0.1 >= start && $0.1 < end }
            let seconds = Double((end == .max ? (log.last?.1 ?? start) : end) - start) / 1e9
            return Phase(name: name, seconds: seconds, sent: during.count, lost: during.filter { !arrived.contains($0.0) }.count)
        }
    }
}

@Suite(.disabled(if: kernelTestsSkipped, "RIPT_SKIP_KERNEL_TESTS=1"))
struct ZeroDowntimeTests {
    @Test("""
        IPv4 and IPv6 streams of 1,500 datagrams/s each through a router of 10,000+ rules lose nothing while ript \
        applies 20 changes to other partitions and 5 to the streams' own; flushing and reloading the same rules loses datagrams \
        (namespaces client, router, server, made and deleted by the test)
        """)
    func noDatagramLostWhileApplying() throws {
        try #require(geteuid() == 0, "kernel tests need root to make network namespaces (CI runs as root); set RIPT_SKIP_KERNEL_TESTS=1 to skip them")
        try #require(FileManager.default.isExecutableFile(atPath: trafficBinary.path), "ript-traffic was not built beside ript")
        let work = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let fillers = soakSize("RIPT_SOAK_FILLERS", default: 500)
        let changes = soakSize("RIPT_SOAK_CHANGES", default: 20)
        // How long the streams may run at most: generous for an apply of this
        // many rules in a debug build on a busy machine (4 s for 50,000 rules).
        let streamSeconds = 120 + changes * max(5, fillers / 100)
        try writeRouterRules(to: work.appendingPathComponent("rules"), fillers: fillers)
        for version in 1...5 {
            try flowPartition(version: version).write(to: work.appendingPathComponent("flow\(version).swift"), atomically: true, encoding: .utf8)
        }
        // The IPv6 stream's sequence numbers start here, apart from the IPv4 stream's.
        let firstIPv6 = 1 << 40
        let prefix = "riptzd\(getpid())"
        let names = ["\(prefix)c", "\(prefix)r", "\(prefix)s"]
        // Deleted here too, should the script be killed before its own trap runs.
        defer { for name in names { _ = try? runTool("ip", ["netns", "del", name]) } }

        let result = try run(URL(fileURLWithPath: "/bin/sh"), ["-ec", """
            export C=\(names[0]) R=\(names[1]) S=\(names[2]) WORK='\(work.path)'
            export RIPT='\(riptBinary.path)' TRAFFIC='\(trafficBinary.path)'
            export XTABLES_LOCKFILE="$WORK/xtables.lock" RIPT_CACHE_DIR="$WORK/cache"
            trap 'for n in "$C" "$R" "$S"; do ip netns del "$n" 2>/dev/null || true; done' EXIT
            \(topologyLibrary)
            topology
            # The rules' host partition sets FORWARD (and INPUT) DROP.
            router "$RIPT" apply "$WORK/rules" > /dev/null
            [ "$(router iptables-legacy -S FORWARD | head -1)" = "-P FORWARD DROP" ]
            [ "$(router ip6tables-legacy -S FORWARD | head -1)" = "-P FORWARD DROP" ]
            router iptables-legacy-save | grep -c '^-A' > "$WORK/rule-count"
            # Every datagram is a new flow for conntrack (the client uses a new
            # source port each time and the router forgets them in 2 s), so each
            # one is DNATed and accepted by the rules as they are when it passes.
            router sh -c 'echo 2 > /proc/sys/net/netfilter/nf_conntrack_udp_timeout'

            ip netns exec "$S" "$TRAFFIC" receive 5000 "$WORK/stop-receiver" \(streamSeconds + 60) "$WORK/received" > /dev/null &
            receiver=$!
            sleep 0.3
            ip netns exec "$C" "$TRAFFIC" send 203.0.113.10 5000 1500 0 "$WORK/stop-sender" \(streamSeconds) "$WORK/sent4" > /dev/null &
            sender4=$!
            ip netns exec "$C" "$TRAFFIC" send 2001:db8:ff::10 5000 1500 \(firstIPv6) "$WORK/stop-sender" \(streamSeconds) "$WORK/sent6" > /dev/null &
            sender6=$!
            mark start; sleep 1

            mark unrelated
            for i in $(seq 1 \(changes)); do
                file="$WORK/rules/filler$(( (i - 1) % \(fillers) + 1 )).swift"
                if grep -q '1009,' "$file"; then sed -i 's/1009,/1019,/' "$file"; else sed -i 's/1019,/1009,/' "$file"; fi
                router "$RIPT" apply "$WORK/rules" > /dev/null
            done
            mark idle; sleep 1

            mark own
            for v in 1 2 3 4 5; do
                cp "$WORK/flow$v.swift" "$WORK/rules/flow.swift"
                router "$RIPT" apply "$WORK/rules" > /dev/null
            done
            mark idle; sleep 1
            router "$RIPT" rules diff --exit-code "$WORK/rules"
            router iptables-legacy-save > "$WORK/saved4"
            router ip6tables-legacy-save > "$WORK/saved6"

            # The restore tools without --noflush: one atomic replace per table.
            mark restore
            for i in 1 2 3 4 5; do
                router iptables-legacy-restore < "$WORK/saved4"
                router ip6tables-legacy-restore < "$WORK/saved6"
                sleep 0.2
            done
            mark idle; sleep 1

            # Flush, then reload: how a firewall service restarts.
            mark flush-and-reload
            for i in 1 2 3 4 5; do
                router sh -c 'for t in filter nat; do for f in iptables ip6tables; do $f-legacy -t $t -F; $f-legacy -t $t -X; done; done'
                router iptables-legacy-restore --noflush < "$WORK/saved4"
                router ip6tables-legacy-restore --noflush < "$WORK/saved6"
                sleep 0.2
            done
            mark end; sleep 1

            touch "$WORK/stop-sender"; wait $sender4; wait $sender6
            sleep 0.3; touch "$WORK/stop-receiver"; wait $receiver
            """])
        #expect(result.status == 0, "script failed (\(result.status)):\n\(result.standardError)\n\(result.standardOutput)")
        try #require(result.status == 0)
        let left = try runTool("ip", ["netns", "list"]).standardOutput
        for name in names {
            #expect(!left.contains(name), "namespace \(name) was left behind")
        }

        let rules = Int(try String(contentsOf: work.appendingPathComponent("rule-count"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        #expect(rules >= 10_000, "the router held \(rules) rules")
        let received = try String(contentsOf: work.appendingPathComponent("received"), encoding: .utf8)
        let phases = try String(contentsOf: work.appendingPathComponent("phases"), encoding: .utf8)
        for family in ["IPv4", "IPv6"] {
            let report = TrafficReport(
                sent: try String(contentsOf: work.appendingPathComponent(family == "IPv4" ? "sent4" : "sent6"), encoding: .utf8),
                received: received, phases: phases)
            print("zero downtime, \(family) stream (\(rules) rules on the router): \(report)")
            #expect(report.rate >= 1000, "the \(family) stream was too slow to see a gap: \(report)")
            let unrelated = try #require(report["unrelated"])
            #expect(unrelated.sent >= changes * 50 && unrelated.lost == 0, "\(family): \(report)")
            let own = try #require(report["own"])
            #expect(own.sent >= 100, "\(family): \(report)")
            for phase in report.phases where ["start", "idle", "end"].contains(phase.name) {
                #expect(phase.lost == 0, "\(family) datagrams lost while nothing changed: \(report)")
            }
            // The test can see a gap: flushing first drops the stream.
            let flush = try #require(report["flush-and-reload"])
            #expect(flush.lost > 0, "flush-and-reload lost no \(family) datagram, so this test could not see a gap: \(report)")
        }
    }
}
