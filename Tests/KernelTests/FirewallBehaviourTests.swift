import Foundation
import TestSupport
import Testing

/// Whole firewalls proven by packets: each network of firewall.sh is built
/// once per ruleset, in namespaces of its own, the ruleset is loaded into
/// its host, and the same probes (TCP connects, UDP datagrams, pings) run
/// against every copy at once. Two rulesets behave alike when every probe
/// gets the same outcome: open (and who answered, seeing which source
/// address), refused, an ICMP error, or nothing.
@Suite(.serialized, .disabled(if: kernelTestsSkipped, "RIPT_SKIP_KERNEL_TESTS=1"))
struct FirewallBehaviourTests {
    @Test("the original, loaded into two copies of the network, answers every probe alike and as expected: the harness is deterministic (namespaces made and deleted by the test)",
          arguments: FirewallNetwork.all)
    func originalAgreesWithItself(network: FirewallNetwork) throws {
        let original = try network.original()
        let probed = try network.probe(["original", "original again"], [original, original])
        guard case .probed(let outcomes) = probed else { return }
        network.expectAsAFaithfulFirewall(outcomes[0], "the original")
        network.expectAlike(outcomes, ["original", "original again"])
    }

    @Test("a deliberately different iptables ruleset answers differently, on exactly the probes its changes touch: the harness sees a difference (namespaces made and deleted by the test)",
          arguments: FirewallNetwork.all)
    func negativeControlDiffers(network: FirewallNetwork) throws {
        let original = try network.original()
        let control = try network.negativeControl(of: original)
        let probed = try network.probe(["original", "negative control"], [original, control])
        guard case .probed(let outcomes) = probed else { return }
        network.expectAsAFaithfulFirewall(outcomes[0], "the original")
        let differing = Set(network.probes.map(\.line).filter { outcomes[0][$0] != outcomes[1][$0] })
        let expected = Set(network.controlDifferences.map(\.line))
        #expect(differing == expected, """
            \(network.name): the negative control differs on \(differing.count) probes, expected \(expected.count); \
            unexpected: \(differing.subtracting(expected).sorted()); missing: \(expected.subtracting(differing).sorted())
            \(network.table(outcomes, ["original", "negative control"]))
            """)
    }

    @Test("ript's translation (examples/firewalls/NAME, loaded with `ript apply`) answers every probe as the iptables original does (namespaces made and deleted by the test)",
          arguments: FirewallNetwork.all)
    func translationBehavesLikeOriginal(network: FirewallNetwork) throws {
        let probed = try network.probe(["original", "ript"], [try network.original(), .ript(network.directory)])
        guard case .probed(let outcomes) = probed else {
            if case .riptFailed(let status, let said) = probed {
                Issue.record("""
                    `ript apply \(network.directory)` failed (exit \(status)) in the \(network.name)'s host namespace, \
                    so its behaviour could not be compared with the original's. ript said:
                    \(said)
                    """)
            }
            return
        }
        network.expectAsAFaithfulFirewall(outcomes[0], "the original")
        network.expectAsAFaithfulFirewall(outcomes[1], "ript's translation")
        network.expectAlike(outcomes, ["original", "ript"])
    }
}

/// A whole firewall as loaded into a host: iptables-restore input for each
/// family, or a ript rule directory.
enum Ruleset {
    /// `iptables-legacy-restore` and `ip6tables-legacy-restore` input.
    case restore(v4: String, v6: String)
    /// A rule directory (from the package root) for `ript apply`.
    case ript(String)
}

/// What probing the copies of a network found.
enum Probed {
    /// Each ruleset's outcomes, in the order given: probe line → outcome.
    case probed([[String: String]])
    /// `ript apply` failed with this status and output; nothing was probed.
    case riptFailed(Int, String)
}

/// One exchange of packets: from an address of a namespace of the network
/// to an address, and (once probed) what came back.
struct Probe: Hashable, Sendable {
    /// The namespace it starts in, by its role in firewall.sh (`admin` for `${P}admin`).
    let from: String
    /// `tcp` (a connect), `udp` (a datagram, answered), `ping`, or `pings` (a volley, for rate limits).
    let kind: String
    /// The source address, or `-` for the one the namespace chooses.
    let source: String
    /// Where it goes.
    let destination: String
    /// The port; 0 for a ping.
    let port: Int

    /// A probe from `source` in namespace `from` to `destination`, at `port` (or, for `pings`, that many pings).
    init(_ from: String, _ kind: String, _ source: String, _ destination: String, _ port: Int = 0) {
        (self.from, self.kind, self.source, self.destination, self.port) = (from, kind, source, destination, port)
    }

    /// The line firewall.sh's `fw_probe` reads, and prints back before the outcome.
    var line: String { "\(from) \(kind) \(source) \(destination) \(port)" }

    /// TCP connects to each of `tcp`, a datagram to each of `udp`, and a
    /// ping (unless `ping` is false), from `source` in `from` to `destination`.
    static func services(_ from: String, _ source: String, _ destination: String, tcp: [Int], udp: [Int] = [], ping: Bool = true) -> [Probe] {
        tcp.map { Probe(from, "tcp", source, destination, $0) } + udp.map { Probe(from, "udp", source, destination, $0) }
            + (ping ? [Probe(from, "ping", source, destination)] : [])
    }
}

/// A network of firewall.sh around a host that runs a whole firewall, the
/// firewall's original and translation in examples/firewalls/, and what to
/// probe.
struct FirewallNetwork: Sendable, CustomTestStringConvertible {
    /// What the network is, for messages: "web server".
    let name: String
    /// The firewall.sh function that builds it: `webserver_topology`.
    let topology: String
    /// The role of the namespace the firewall is loaded into.
    let host: String
    /// The examples directory with original.v4.rules, original.v6.rules and the translation.
    let directory: String
    /// Every probe, in the order of the tables printed on a mismatch.
    let probes: [Probe]
    /// Outcomes any faithful firewall gives, so two equally broken ones can't pass.
    let expected: [(Probe, String)]
    /// The negative control's changes to the original: each exact line of
    /// `original.vN.rules` (N in the key) replaced, or removed when nil.
    let controlEdits: [(family: String, line: String, replacement: String?)]
    /// The probes the negative control's changes touch, and no others.
    let controlDifferences: [Probe]

    /// The network's name, naming each test case.
    var testDescription: String { name }

    /// Every network, each test's arguments.
    static let all = [webServer, gateway]

    /// The original, as restore input.
    func original() throws -> Ruleset {
        let read = { (family: String) in
            try String(contentsOf: packageRoot.appendingPathComponent("\(directory)/original.\(family).rules"), encoding: .utf8)
        }
        return .restore(v4: try read("v4"), v6: try read("v6"))
    }

    /// The original with `controlEdits` made, each line found exactly once.
    func negativeControl(of original: Ruleset) throws -> Ruleset {
        guard case .restore(var v4, var v6) = original else { throw ControlError(description: "the original is not restore input") }
        for edit in controlEdits {
            var lines = (edit.family == "v4" ? v4 : v6).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let index = try #require(lines.firstIndex(of: edit.line), "\(directory)/original.\(edit.family).rules has no line '\(edit.line)'")
            if let replacement = edit.replacement { lines[index] = replacement } else { lines.remove(at: index) }
            if edit.family == "v4" { v4 = lines.joined(separator: "\n") } else { v6 = lines.joined(separator: "\n") }
        }
        return .restore(v4: v4, v6: v6)
    }

    /// Builds one copy of the network per ruleset (namespaces named with a
    /// prefix of this run's own, deleted by the script's trap and again
    /// here), loads each ruleset into its copy's host, then runs every probe
    /// against all copies at once.
    func probe(_ names: [String], _ rulesets: [Ruleset]) throws -> Probed {
        try #require(geteuid() == 0, "kernel tests need root to make network namespaces (CI runs as root); set RIPT_SKIP_KERNEL_TESTS=1 to skip them")
        let work = try temporaryDirectory()
        defer {
            cleanUp(work)
            try? FileManager.default.removeItem(at: work)
        }
        let prefix = "rfw" + UUID().uuidString.prefix(6).lowercased()
        // Volleys of pings test rate limits, which every other ping to the host draws on: they go after a pause.
        for (file, phase) in [("probes", probes.filter { $0.kind != "pings" }), ("volleys", probes.filter { $0.kind == "pings" })] {
            try phase.map { $0.line + "\n" }.joined().write(to: work.appendingPathComponent(file), atomically: true, encoding: .utf8)
        }
        var script = """
            export WORK='\(work.path)' PY=/usr/bin/python3 RIPT='\(riptBinary.path)'
            export XTABLES_LOCKFILE="$WORK/xtables.lock" RIPT_CACHE_DIR="$WORK/cache" RIPT_RUN_DIR="$WORK/run"
            . '\(packageRoot.appendingPathComponent("Tests/TestSupport/firewall.sh").path)'
            trap fw_cleanup EXIT
            trap 'exit 1' INT TERM HUP
            fw_programs

            """
        for (index, ruleset) in rulesets.enumerated() {
            let copy = "\(prefix)\(index)"
            script += "\(topology) \(copy)\n"
            switch ruleset {
            case .restore(let v4, let v6):
                try v4.write(to: work.appendingPathComponent("ruleset\(index).v4"), atomically: true, encoding: .utf8)
                try v6.write(to: work.appendingPathComponent("ruleset\(index).v6"), atomically: true, encoding: .utf8)
                script += """
                    ip netns exec \(copy)\(host) iptables-legacy-restore < "$WORK/ruleset\(index).v4"
                    ip netns exec \(copy)\(host) ip6tables-legacy-restore < "$WORK/ruleset\(index).v6"

                    """
            case .ript(let directory):
                script += """
                    status=0
                    ip netns exec \(copy)\(host) "$RIPT" apply '\(packageRoot.appendingPathComponent(directory).path)' > "$WORK/ript-said" 2>&1 || status=$?
                    if [ $status != 0 ]; then echo "=== ript failed $status"; cat "$WORK/ript-said"; exit 0; fi

                    """
            }
        }
        for file in ["probes", "volleys"] {
            script += "probers=\"\"\n"
            for index in rulesets.indices {
                script += "fw_probe \(prefix)\(index) \"$WORK/\(file)\" >> \"$WORK/outcomes\(index)\" & probers=\"$probers $!\"\n"
            }
            script += "for pid in $probers; do wait \"$pid\"; done\n"
            // Long enough for a limit of 5/s to earn back a burst of 10.
            if file == "probes" { script += "sleep 2.5\n" }
        }
        for index in rulesets.indices { script += "echo '=== outcomes \(index)'; cat \"$WORK/outcomes\(index)\"\n" }

        let result = try run(URL(fileURLWithPath: "/bin/sh"), ["-ec", script])
        try #require(result.status == 0, "\(name): the probing script failed (\(result.status)):\n\(result.standardError)\n\(result.standardOutput)")
        let parts = sections(result.standardOutput)
        if let failure = parts.keys.first(where: { $0.hasPrefix("ript failed ") }) {
            return .riptFailed(Int(failure.dropFirst("ript failed ".count)) ?? -1, parts[failure] ?? "")
        }
        let outcomes = try rulesets.indices.map { index in
            let lines = try #require(parts["outcomes \(index)"], "\(name): no outcomes for \(names[index])")
            var outcome: [String: String] = [:]
            for line in lines.split(separator: "\n") {
                let fields = line.split(separator: "\t", maxSplits: 1).map(String.init)
                if fields.count == 2 { outcome[fields[0]] = fields[1] }
            }
            #expect(outcome.count == probes.count, "\(name): \(names[index]) answered \(outcome.count) of \(probes.count) probes")
            return outcome
        }
        return .probed(outcomes)
    }

    /// Ends the servers and deletes the namespaces a killed script left
    /// (its `fw_cleanup` removes the lists once it has done so itself).
    private func cleanUp(_ work: URL) {
        let listed = { (file: String) in
            ((try? String(contentsOf: work.appendingPathComponent(file), encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
        for pid in listed("servers") { if let pid = Int32(pid) { kill(pid, SIGTERM) } }
        for namespace in listed("namespaces") { _ = try? runTool("ip", ["netns", "del", namespace]) }
    }

    /// Expects `expected`'s outcomes of one ruleset's probing.
    func expectAsAFaithfulFirewall(_ outcomes: [String: String], _ ruleset: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for (probe, outcome) in expected {
            #expect(outcomes[probe.line] == outcome,
                    "\(name), \(ruleset): \(probe.line) got \(outcomes[probe.line] ?? "nothing"), expected \(outcome)",
                    sourceLocation: sourceLocation)
        }
    }

    /// Expects every probe to have the same outcome under each ruleset;
    /// otherwise shows the table of them all.
    func expectAlike(_ outcomes: [[String: String]], _ names: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        let differing = probes.filter { probe in outcomes.contains { $0[probe.line] != outcomes[0][probe.line] } }
        #expect(differing.isEmpty, """
            \(name): \(differing.count) of \(probes.count) probes differ between \(names.joined(separator: " and ")) (marked *):
            \(table(outcomes, names))
            """, sourceLocation: sourceLocation)
    }

    /// Every probe and its outcome under each ruleset, differing ones marked `*`.
    func table(_ outcomes: [[String: String]], _ names: [String]) -> String {
        let width = probes.map(\.line.count).max() ?? 0
        let columns = names.indices.map { index in max(names[index].count, probes.map { (outcomes[index][$0.line] ?? "-").count }.max() ?? 0) }
        let pad = { (text: String, width: Int) in text + String(repeating: " ", count: max(0, width - text.count)) }
        var lines = ["  " + pad("probe", width) + zip(names, columns).map { " | " + pad($0, $1) }.joined()]
        for probe in probes {
            let cells = outcomes.map { $0[probe.line] ?? "-" }
            let mark = Set(cells).count > 1 ? "* " : "  "
            lines.append(mark + pad(probe.line, width) + zip(cells, columns).map { " | " + pad($0, $1) }.joined())
        }
        return lines.joined(separator: "\n")
    }
}

/// The negative control could not be made.
struct ControlError: Error, CustomStringConvertible {
    /// What went wrong.
    let description: String
}

extension FirewallNetwork {
    /// The web server (webserver_topology): clients from the admin network,
    /// from elsewhere (one the monitoring host) and from the far side, each
    /// trying the host's services in both families, and through it; the
    /// host reaching out.
    static let webServer: FirewallNetwork = {
        let services = [22, 80, 443, 8080, 9100]
        let clients = [
            ("admin", "198.51.100.10", "198.51.100.1"), ("admin", "2001:db8:a::10", "2001:db8:a::1"),
            ("others", "203.0.113.50", "203.0.113.1"), ("others", "2001:db8:b::50", "2001:db8:b::1"),
            ("others", "203.0.113.7", "203.0.113.1"), ("others", "2001:db8:b::7", "2001:db8:b::1"),
            ("far", "192.0.2.20", "192.0.2.1"), ("far", "2001:db8:f::20", "2001:db8:f::1"),
        ]
        var probes = clients.flatMap { Probe.services($0.0, $0.1, $0.2, tcp: services, udp: [443]) }
        // Through the host, which forwards nothing.
        probes += Probe.services("admin", "198.51.100.10", "192.0.2.20", tcp: [22, 80])
        probes += Probe.services("admin", "2001:db8:a::10", "2001:db8:f::20", tcp: [22, 80])
        probes += Probe.services("far", "192.0.2.20", "203.0.113.50", tcp: [22, 80], ping: false)
        probes += Probe.services("far", "2001:db8:f::20", "2001:db8:b::50", tcp: [22, 80], ping: false)
        // The host reaching out: the answers come back as established traffic.
        for destination in ["198.51.100.10", "2001:db8:a::10", "192.0.2.20", "2001:db8:f::20"] {
            probes += Probe.services("host", "-", destination, tcp: [22, 80])
        }
        probes += [Probe("host", "tcp", "-", "127.0.0.1", 8080), Probe("host", "tcp", "-", "::1", 9100)]
        // The rate limits: 5/s after a burst of 10 in IPv4, of 5 (iptables' default) in IPv6.
        let volleys = [Probe("others", "pings", "203.0.113.50", "203.0.113.1", 20), Probe("others", "pings", "2001:db8:b::50", "2001:db8:b::1", 20)]
        probes += volleys

        let expected = [
            (Probe("admin", "tcp", "198.51.100.10", "198.51.100.1", 22), "open host 198.51.100.10"),
            (Probe("admin", "tcp", "2001:db8:a::10", "2001:db8:a::1", 22), "open host 2001:db8:a::10"),
            (Probe("others", "tcp", "203.0.113.50", "203.0.113.1", 22), "timeout"),
            (Probe("others", "tcp", "2001:db8:b::50", "2001:db8:b::1", 22), "timeout"),
            (Probe("others", "tcp", "203.0.113.50", "203.0.113.1", 80), "open host 203.0.113.50"),
            (Probe("others", "tcp", "2001:db8:b::50", "2001:db8:b::1", 443), "open host 2001:db8:b::50"),
            (Probe("others", "udp", "203.0.113.50", "203.0.113.1", 443), "open host 203.0.113.50"),
            (Probe("others", "tcp", "203.0.113.50", "203.0.113.1", 8080), "timeout"),
            (Probe("others", "tcp", "203.0.113.7", "203.0.113.1", 9100), "open host 203.0.113.7"),
            (Probe("others", "tcp", "203.0.113.50", "203.0.113.1", 9100), "timeout"),
            (Probe("others", "tcp", "2001:db8:b::7", "2001:db8:b::1", 9100), "timeout"),
            (Probe("others", "ping", "203.0.113.50", "203.0.113.1"), "reply"),
            (Probe("others", "ping", "2001:db8:b::50", "2001:db8:b::1"), "reply"),
            (Probe("admin", "tcp", "198.51.100.10", "192.0.2.20", 80), "timeout"),
            (Probe("admin", "tcp", "2001:db8:a::10", "2001:db8:f::20", 80), "timeout"),
            (Probe("host", "tcp", "-", "198.51.100.10", 22), "open admin 198.51.100.1"),
            (Probe("host", "tcp", "-", "2001:db8:f::20", 80), "open far 2001:db8:f::1"),
            (Probe("host", "tcp", "-", "127.0.0.1", 8080), "open host 127.0.0.1"),
            (volleys[0], "replies 10/20"), (volleys[1], "replies 5/20"),
        ]
        return FirewallNetwork(
            name: "web server", topology: "webserver_topology", host: "host", directory: "examples/firewalls/web-server",
            probes: probes, expected: expected,
            // ssh from anywhere in IPv4, no monitoring, no IPv6 ping.
            controlEdits: [
                ("v4", "-A INPUT -s 198.51.100.0/24 -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -m comment --comment \"ssh from admin net\" -j ACCEPT",
                 "-A INPUT -p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT"),
                ("v4", "-A INPUT -s 203.0.113.7/32 -p tcp -m tcp --dport 9100 -j ACCEPT", nil),
                ("v6", "-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 128 -m limit --limit 5/sec -j ACCEPT", nil),
            ],
            controlDifferences: [
                Probe("others", "tcp", "203.0.113.50", "203.0.113.1", 22), Probe("others", "tcp", "203.0.113.7", "203.0.113.1", 22),
                Probe("far", "tcp", "192.0.2.20", "192.0.2.1", 22), Probe("others", "tcp", "203.0.113.7", "203.0.113.1", 9100),
            ] + clients.filter { $0.1.contains(":") }.map { Probe($0.0, "ping", $0.1, $0.2) } + [volleys[1]])
    }()

    /// The office gateway (gateway_topology): the LAN, the guests and the
    /// internet trying the gateway's services, each other, port forwards
    /// and the internet, in both families; the gateway reaching out.
    static let gateway: FirewallNetwork = {
        let services = [22, 53, 80, 443, 8080, 9100]
        var probes = Probe.services("lan", "192.0.2.10", "192.0.2.1", tcp: services, udp: [53, 67])
        probes += Probe.services("lan", "2001:db8:1::10", "2001:db8:1::1", tcp: services, udp: [53, 547])
        probes += Probe.services("guests", "192.0.2.130", "192.0.2.129", tcp: services, udp: [53, 67])
        probes += Probe.services("guests", "2001:db8:2::130", "2001:db8:2::1", tcp: services, udp: [53, 547])
        probes += Probe.services("internet", "203.0.113.100", "203.0.113.2", tcp: services + [2222], udp: [53])
        probes += Probe.services("internet", "2001:db8:ffff::100", "2001:db8:ffff::2", tcp: services + [2222], udp: [53])
        // Out to the internet, and between the inside networks.
        for (from, source, internet) in [
            ("lan", "192.0.2.10", "203.0.113.100"), ("lan", "2001:db8:1::10", "2001:db8:ffff::100"),
            ("guests", "192.0.2.130", "203.0.113.100"), ("guests", "2001:db8:2::130", "2001:db8:ffff::100"),
        ] {
            probes += Probe.services(from, source, internet, tcp: [22, 25, 80, 443], udp: [53])
        }
        probes += Probe.services("lan", "192.0.2.10", "192.0.2.130", tcp: [22])
        probes += Probe.services("lan", "2001:db8:1::10", "2001:db8:2::130", tcp: [22])
        probes += Probe.services("guests", "192.0.2.130", "192.0.2.20", tcp: [22, 80])
        probes += Probe.services("guests", "2001:db8:2::130", "2001:db8:1::20", tcp: [22, 80])
        probes += Probe.services("guests", "192.0.2.130", "192.0.2.1", tcp: [22, 53], ping: false)
        probes += Probe.services("guests", "2001:db8:2::130", "2001:db8:1::1", tcp: [22, 53], ping: false)
        // In from the internet: IPv6 straight to the inside, IPv4 routed there untranslated.
        probes += Probe.services("internet", "2001:db8:ffff::100", "2001:db8:1::20", tcp: [22, 80, 443, 8080])
        probes += Probe.services("internet", "2001:db8:ffff::100", "2001:db8:1::10", tcp: [22], ping: false)
        probes += Probe.services("internet", "2001:db8:ffff::100", "2001:db8:2::130", tcp: [22], ping: false)
        probes += Probe.services("internet", "203.0.113.100", "192.0.2.20", tcp: [22, 8080], ping: false)
        probes += Probe.services("internet", "203.0.113.100", "192.0.2.130", tcp: [22], ping: false)
        // The gateway reaching out.
        for destination in ["203.0.113.100", "2001:db8:ffff::100", "192.0.2.20", "2001:db8:1::20", "192.0.2.130", "2001:db8:2::130"] {
            probes += Probe.services("gateway", "-", destination, tcp: [22])
        }
        probes += [Probe("gateway", "tcp", "-", "127.0.0.1", 22), Probe("gateway", "tcp", "-", "::1", 8080)]
        // The internet's pings are limited (5/s after a burst of 10), the LAN's aren't.
        let volleys = [
            Probe("internet", "pings", "203.0.113.100", "203.0.113.2", 20), Probe("internet", "pings", "2001:db8:ffff::100", "2001:db8:ffff::2", 20),
            Probe("lan", "pings", "192.0.2.10", "192.0.2.1", 20),
        ]
        probes += volleys

        let expected = [
            (Probe("lan", "tcp", "192.0.2.10", "192.0.2.1", 22), "open gateway 192.0.2.10"),
            (Probe("lan", "udp", "2001:db8:1::10", "2001:db8:1::1", 53), "open gateway 2001:db8:1::10"),
            (Probe("lan", "tcp", "192.0.2.10", "203.0.113.100", 80), "open internet 203.0.113.2"),
            (Probe("lan", "tcp", "2001:db8:1::10", "2001:db8:ffff::100", 80), "open internet 2001:db8:1::10"),
            (Probe("lan", "tcp", "192.0.2.10", "203.0.113.100", 25), "refused"),
            (Probe("lan", "tcp", "2001:db8:1::10", "2001:db8:ffff::100", 25), "refused"),
            (Probe("guests", "tcp", "192.0.2.130", "203.0.113.100", 443), "open internet 203.0.113.2"),
            (Probe("guests", "udp", "192.0.2.130", "192.0.2.129", 53), "open gateway 192.0.2.130"),
            (Probe("guests", "udp", "192.0.2.130", "192.0.2.129", 67), "open gateway 192.0.2.130"),
            (Probe("guests", "tcp", "192.0.2.130", "192.0.2.129", 22), "timeout"),
            (Probe("guests", "tcp", "2001:db8:2::130", "2001:db8:1::1", 22), "timeout"),
            (Probe("guests", "tcp", "192.0.2.130", "192.0.2.20", 22), "EHOSTUNREACH"),
            (Probe("guests", "ping", "2001:db8:2::130", "2001:db8:2::1"), "timeout"),
            (Probe("internet", "tcp", "203.0.113.100", "203.0.113.2", 2222), "open lan 203.0.113.100"),
            (Probe("internet", "tcp", "203.0.113.100", "203.0.113.2", 443), "open lan 203.0.113.100"),
            (Probe("internet", "tcp", "203.0.113.100", "203.0.113.2", 22), "timeout"),
            (Probe("internet", "tcp", "2001:db8:ffff::100", "2001:db8:1::20", 22), "open lan 2001:db8:ffff::100"),
            (Probe("internet", "tcp", "2001:db8:ffff::100", "2001:db8:1::20", 8080), "timeout"),
            (Probe("gateway", "tcp", "-", "203.0.113.100", 22), "open internet 203.0.113.2"),
            (volleys[0], "replies 10/20"), (volleys[1], "replies 10/20"), (volleys[2], "replies 20/20"),
        ]
        return FirewallNetwork(
            name: "gateway", topology: "gateway_topology", host: "gateway", directory: "examples/firewalls/gateway",
            probes: probes, expected: expected,
            // Guests leave untranslated, no ssh port forward, smtp refused by ICMP in IPv4, guests reach the IPv6 LAN's edge.
            controlEdits: [
                ("v4", "-A POSTROUTING -s 192.0.2.128/25 -o wan0 -j MASQUERADE", nil),
                ("v4", "-A PREROUTING -d 203.0.113.2/32 -i wan0 -p tcp -m tcp --dport 2222 -j DNAT --to-destination 192.0.2.20:22", nil),
                ("v4", "-A FORWARD -o wan0 -p tcp -m tcp --dport 25 -j REJECT --reject-with tcp-reset",
                 "-A FORWARD -o wan0 -p tcp -m tcp --dport 25 -j REJECT --reject-with icmp-admin-prohibited"),
                ("v6", "-A FORWARD -i guest0 -o lan0 -j REJECT --reject-with icmp6-adm-prohibited", nil),
            ],
            controlDifferences: [22, 25, 80, 443].map { Probe("guests", "tcp", "192.0.2.130", "203.0.113.100", $0) } + [
                Probe("guests", "udp", "192.0.2.130", "203.0.113.100", 53),
                Probe("lan", "tcp", "192.0.2.10", "203.0.113.100", 25),
                Probe("internet", "tcp", "203.0.113.100", "203.0.113.2", 2222),
            ] + Probe.services("guests", "2001:db8:2::130", "2001:db8:1::20", tcp: [22, 80]))
    }()
}
