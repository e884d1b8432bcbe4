import RiptCore
import RiptDSL
import Testing

/// The whole firewall's words compiled: directions and the chain layout,
/// the new matches and targets, host settings, provenance comments, and
/// each misuse an error at its place that says what to write.
@Suite struct WholeFirewallTests {
    /// Each chain's rules as `iptables -S` arguments, by chain kind letter and family.
    static func rules(_ set: ChainSet, _ kind: Character, _ family: Family = .ipv4) -> [String] {
        set.chains.filter { $0.family == family && $0.name.hasPrefix("\(set.partition)-\(kind)") }
            .flatMap(\.rules).map { $0.arguments(.short).joined(separator: " ") }
    }

    static func pointers(_ set: ChainSet, _ family: Family = .ipv4) -> [String] {
        set.pointers.filter { $0.family == family }.map { "\($0.chain) " + $0.rule.arguments(.short).joined(separator: " ") }
    }

    /// The messages of a rule text that must not compile, with their line:column.
    static func errors(_ text: String) -> [String] {
        guard case .failure(let errors) = compile([("rules.swift", text)]) else { return [] }
        return errors.diagnostics.map { "\($0.location.line):\($0.location.column): \($0.message)" }
    }

    static func partition(_ body: String) -> String {
        "Partition(\"p\") {\n Label(\"lan\", address: \"192.168.1.0/24\")\n Label(\"public\", address: \"203.0.113.10\")\n\(body)\n}"
    }

    @Test("without a Direction the partition keeps one 'a' chain, pointed to from all three hook chains; each rule carries its provenance comment")
    func undirectedLayout() throws {
        let set = try chainSet(Self.partition(#"Accept("ssh") { Ports(22) }"#))
        #expect(set.chains.map(\.name) == ["p-d", "p-s", "p-a", "p-d", "p-s", "p-a"].map { $0 + set.hash })
        #expect(Self.rules(set, "a") == [#"-p tcp -m tcp --dport 22 -m comment --comment "p rules.swift:4 ssh" -j ACCEPT"#])
        #expect(Self.pointers(set) == ["partition-i", "partition-f", "partition-o"].map { "\($0) -j p-a\(set.hash)" })
    }

    @Test("a Direction gives the partition i, f and o chains: directed rules go to their hooks' chains, undirected ones to all three")
    func directedLayout() throws {
        let set = try chainSet(Self.partition("""
            Accept("ssh") { Ports(22); Direction(.input) }
            Drop("telnet") { Ports(23) }
            Accept("web") { Ports(80); Direction(.input, .forward); Direction(.forward, .output) }
            """))
        #expect(set.chains.filter { $0.family == .ipv4 }.map(\.name) == ["d", "s", "i", "f", "o"].map { "p-\($0)\(set.hash)" })
        #expect(Self.rules(set, "i").map { $0.contains("--dport 22") || $0.contains("--dport 23") } == [true, true])
        #expect(Self.rules(set, "f").count == 2 && Self.rules(set, "f")[1].contains("--dport 80"))
        #expect(Self.rules(set, "o").count == 1 && Self.rules(set, "o")[0].contains("--dport 23"))
        #expect(Self.pointers(set) == ["partition-i -j p-i\(set.hash)", "partition-f -j p-f\(set.hash)", "partition-o -j p-o\(set.hash)"])
    }

    @Test("a Group's direction applies to every rule in it, nested groups included, at the group's location")
    func directedGroup() throws {
        let set = try chainSet(Self.partition(#"Group("in", direction: .output) { Group { Accept("smtp") { Ports(25) } } }"#))
        #expect(Self.rules(set, "o").count == 1 && Self.rules(set, "i").isEmpty && Self.rules(set, "f").isEmpty)
        let errors = Self.errors(Self.partition(#"Group("in", direction: .output) { Accept("x") { Ports(25); Direction(.input) } }"#))
        #expect(errors.count == 1 && errors[0].hasPrefix("4:6: Direction(.output) and Direction(.input) have no direction in common"), "\(errors)")
    }

    @Test("a Rewrite's accepts go to FORWARD only; Interface narrows its DNATs and OutInterface its SNATs, accepts included")
    func rewriteAcceptsForwardOnly() throws {
        let set = try chainSet(Self.partition("""
            Rewrite("in") { Ports(80); DNAT("public" => "public"); Interface("wan0") }
            Rewrite("out") { SNAT("lan" => "public"); OutInterface("wan0") }
            """))
        #expect(Self.rules(set, "i").isEmpty && Self.rules(set, "o").isEmpty)
        #expect(Self.rules(set, "f").map { $0.components(separatedBy: " -m comment")[0] } == [
            "-d 203.0.113.10/32 -i wan0 -p tcp -m tcp --dport 80", "-s 192.168.1.0/24 -o wan0",
        ])
        #expect(Self.rules(set, "d")[0].hasPrefix("-d 203.0.113.10/32 -i wan0 -p tcp"))
        #expect(Self.rules(set, "s")[0].hasPrefix("-s 192.168.1.0/24 -o wan0"))
        #expect(Self.pointers(set).filter { $0.hasPrefix("partition-f") }.count == 2)
        #expect(!Self.pointers(set).contains { $0.hasPrefix("partition-i") || $0.hasPrefix("partition-o") })
    }

    @Test("Masquerade: MASQUERADE out of its OutInterface and the forward accept, per family of its labels")
    func masquerade() throws {
        let set = try chainSet(Self.partition(#"Rewrite("net") { Masquerade("lan", "all"); OutInterface("ppp+") }"#))
        #expect(Self.rules(set, "s").map { $0.components(separatedBy: " -m comment")[0] } == ["-s 192.168.1.0/24 -o ppp+", "-o ppp+"])
        #expect(Self.rules(set, "s", .ipv6).count == 1 && Self.rules(set, "s", .ipv6)[0].hasSuffix("-j MASQUERADE"))
        #expect(Self.errors(Self.partition(#"Rewrite("net") { Masquerade("lan") }"#)).first?.contains("Masquerade needs OutInterface") == true)
    }

    @Test("Loopback: -i lo and -o lo undirected, one of them with a Direction; never forward, labels or interfaces")
    func loopback() throws {
        let set = try chainSet(Self.partition(#"Accept("lo") { Protocols("all"); Loopback() }"#))
        #expect(Self.rules(set, "a").map { $0.components(separatedBy: " -m comment")[0] } == ["-i lo", "-o lo"])
        let directed = try chainSet(Self.partition(#"Accept("lo") { Protocols("all"); Loopback(); Direction(.output) }"#))
        #expect(Self.rules(directed, "o").count == 1 && Self.rules(directed, "i").isEmpty)
        #expect(Self.errors(Self.partition(#"Accept("lo") { Loopback(); Direction(.forward) }"#)).first?.contains("never uses loopback") == true)
        #expect(Self.errors(Self.partition(#"Accept("lo") { Loopback(); From("lan") }"#)).first?.contains("can't go with From") == true)
    }

    @Test("OutInterface can't go with .input, Interface can't go with .output; both are fine without a Direction")
    func interfacesAndDirections() throws {
        #expect(Self.errors(Self.partition(#"Accept("x") { OutInterface("wan0"); Direction(.input) }"#)).first?.contains("OutInterface can't match traffic to the host") == true)
        #expect(Self.errors(Self.partition(#"Accept("x") { Interface("eth0"); Direction(.output) }"#)).first?.contains("Interface can't match traffic from the host") == true)
        #expect(throws: Never.self) { try chainSet(Self.partition(#"Accept("x") { Interface("eth0"); OutInterface("wan0") }"#)) }
    }

    @Test("a Rewrite takes no Direction, written in it or from a directed Group (then at the group)")
    func rewriteDirections() throws {
        #expect(Self.errors(Self.partition(#"Rewrite("x") { SNAT("lan" => "public"); Direction(.forward) }"#)) == [
            "4:50: rewritten traffic is forwarded traffic; a Rewrite takes no Direction: remove it (a Rewrite's accepts go to FORWARD)",
        ])
        let group = Self.errors(Self.partition(#"Group("g", direction: .forward) { Rewrite("x") { SNAT("lan" => "public") } }"#))
        #expect(group.count == 1 && group[0].hasPrefix("4:6: Rewrite(\"x\") can't be in a Group with direction"), "\(group)")
    }

    @Test("SourcePorts expand over source × destination ports and need tcp or udp; ICMP types go into their family's rules")
    func sourcePortsAndICMP() throws {
        let set = try chainSet(Self.partition(#"Accept("x") { SourcePorts(53, 1024...2048); Ports(80, 443) }"#))
        #expect(Self.rules(set, "a").count == 4)
        #expect(Self.rules(set, "a")[1].hasPrefix("-p tcp -m tcp --sport 53 --dport 443"))
        let icmp = try chainSet(Self.partition(#"Accept("x") { ICMP("echo-request", "3/4"); ICMPv6("neighbour-solicitation") }"#))
        #expect(Self.rules(icmp, "a").map { $0.components(separatedBy: " -m comment")[0] } == ["-p icmp -m icmp --icmp-type 8", "-p icmp -m icmp --icmp-type 3/4"])
        #expect(Self.rules(icmp, "a", .ipv6).map { $0.components(separatedBy: " -m comment")[0] } == ["-p ipv6-icmp -m icmp6 --icmpv6-type 135"])
        #expect(Self.errors(Self.partition(#"Accept("x") { Protocols("icmp"); SourcePorts(53) }"#)).first?.contains("remove SourcePorts") == true)
        #expect(Self.errors(Self.partition(#"Accept("x") { ICMP("neighbour-solicitation") }"#)).first?.contains("match it with ICMPv6") == true)
        #expect(Self.errors(Self.partition(#"Accept("x") { ICMP(8); From("lan6") }; Label("lan6", address: "2001:db8::/64")"#)).first?.contains("use ICMPv6") == true)
        // IPv4's type 255 is every type to the kernel; IPv6 has no such type.
        #expect(Self.errors(Self.partition(#"Accept("x") { ICMP(255) }"#)).first?.contains("means every ICMP type") == true)
        #expect(Self.errors(Self.partition(#"Accept("x") { ICMP("255/0") }"#)).first?.contains("means every ICMP type") == true)
        #expect(Self.errors(Self.partition(#"Accept("x") { ICMPv6(255) }"#)).isEmpty)
    }

    @Test("State, Limit, Reject with: and Log prefix:/level: become their matches and targets; out of range, errors")
    func matchesAndTargets() throws {
        let set = try chainSet(Self.partition("""
            Accept("a") { Ports(22); State(.new); Limit(60, per: .minute, burst: 10) }
            Reject("b", with: .tcpReset) { Ports(113) }
            Log("c", prefix: "fw: ", level: .info) { Protocols("all") }
            """))
        let rules = Self.rules(set, "a").map { $0.replacingOccurrences(of: #" -m comment --comment "p rules.swift:\d+ \w""#, with: "", options: .regularExpression) }
        #expect(rules == [
            "-p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -m limit --limit 1/sec --limit-burst 10 -j ACCEPT",
            "-p tcp -m tcp --dport 113 -j REJECT --reject-with tcp-reset",
            #"-m comment --comment "p rules.swift:6 c" -j LOG --log-prefix "fw: " --log-level 6"#,
        ])
        for (body, message) in [
            (#"Reject("x", with: .tcpReset) { Protocols("udp") }"#, "protocols must be tcp alone"),
            (#"Accept("x") { Limit(10001, per: .second) }"#, "faster than iptables can count"),
            (#"Accept("x") { Limit(5, per: .second, burst: 0) }"#, "the burst is 1 to 10000"),
            (#"Log("x", prefix: "123456789012345678901234567890") { Ports(1) }"#, "is 30 bytes"),
            (#"Log("x", prefix: "a\\b") { Ports(1) }"#, "printable ASCII without quotes"),
            (#"Accept("x") { State() }"#, "State needs at least one state"),
        ] {
            #expect(Self.errors(Self.partition(body)).first?.contains(message) == true, "\(body)")
        }
    }

    @Test("host settings compile to policies, conntrack rules and, under IPv6 DROP, the ICMPv6 IPv6 needs")
    func hostRules() throws {
        let set = try chainSet("""
            Partition("host") {
                Policies(.ipv4, input: .drop)
                Policies(.ipv6, input: .drop, forward: .drop)
                ConnectionTracking()
            }
            """)
        let host = try #require(set.host)
        #expect(host.policies[.ipv4] == [.input: .drop, .forward: .accept, .output: .accept])
        #expect(host.policies[.ipv6] == [.input: .drop, .forward: .drop, .output: .accept])
        let rules = host.rules.map { "\($0.family.rawValue) \($0.chain) " + $0.rule.arguments(.short).filter { !$0.contains("host:") }.joined(separator: " ") }
        #expect(rules.prefix(2) == [
            "ipv4 partition-i -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment -j ACCEPT",
            "ipv4 partition-i -m conntrack --ctstate INVALID -m comment --comment -j DROP",
        ])
        #expect(rules.count == 12 + 5 + 1)
        #expect(rules[12] == "ipv6 partition-i -p ipv6-icmp -m icmp6 --icmpv6-type 133 -m hl --hl-eq 255 -m comment --comment -j ACCEPT")
        #expect(rules.last == "ipv6 partition-f -p ipv6-icmp -m icmp6 --icmpv6-type 2 -m comment --comment -j ACCEPT")
        #expect(host.location.line == 2)
    }

    @Test("policies for a family twice, and ConnectionTracking twice, are errors naming the first")
    func hostSettingsTwice() throws {
        let errors = Self.errors(#"Partition("host") { Policies(input: .drop); Policies(.ipv6, output: .drop); ConnectionTracking(); ConnectionTracking() }"#)
        #expect(errors.count == 2)
        #expect(errors[0].hasPrefix("1:53: the IPv6 policies are set twice"))
        #expect(errors[1].hasPrefix("1:117: ConnectionTracking is given twice"))
    }

    @Test("only one partition of a directory may set host-wide settings: an error at the second naming the first")
    func hostSettingsInOnePartition() throws {
        let result = compile([("a.swift", #"Partition("a") { Policies(input: .drop) }"#), ("b.swift", #"Partition("b") { ConnectionTracking() }"#)])
        guard case .failure(let errors) = result else {
            Issue.record("compiled")
            return
        }
        #expect(errors.diagnostics.map(\.description) == [
            "b.swift:1:36: error: host-wide settings are set in partition 'a' (a.swift:1:26); only one partition of a rule directory may set them\na.swift:1:26: note: partition 'a' sets them here",
        ])
    }

    @Test("the hash covers the provenance comment: the description, the line and the file's base name change it, the directory doesn't")
    func hashCoversComments() throws {
        let base = #"Partition("web") { Accept("web") { Ports(80) } }"#
        let hash = try chainSet(base).hash
        #expect(try chainSet(#"Partition("web") { Accept("site") { Ports(80) } }"#).hash != hash)
        #expect(try chainSet("\n" + base).hash != hash)
        let moved = try #require(try compile([("elsewhere/rules.swift", base)]).get().partitions.first)
        #expect(moved.hash == hash)
        let renamed = try #require(try compile([("other.swift", base)]).get().partitions.first)
        #expect(renamed.hash != hash)
    }

    @Test("a description's unprintable bytes and quotes become '_', and the comment is cut to 255 bytes")
    func commentSanitised() throws {
        let set = try chainSet("Partition(\"p\") { Accept(\"é \\\"q\\\" \(String(repeating: "x", count: 300))\") { Ports(80) } }")
        let comment = try #require(set.chains.flatMap(\.rules).first?.comment)
        #expect(comment.hasPrefix("p rules.swift:1 __ _q_ xxx"))
        #expect(comment.utf8.count == 255)
    }

    @Test("the rule limit counts source ports, ICMP types, loopback and the chains of a directed partition")
    func expansionLimit() throws {
        let ports = (1...400).map(String.init).joined(separator: ", ")
        let errors = Self.errors(Self.partition(#"Accept("x") { SourcePorts(\#(ports)); Ports(\#(ports)); Direction(.input, .output) }"#))
        #expect(errors.first?.contains("expands to more than 100000 iptables rules") == true, "\(errors)")
    }
}
