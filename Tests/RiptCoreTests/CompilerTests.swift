import RiptCore
import RiptDSL
import Testing

/// Compiles rule texts given as (path, text) pairs through the whole pipeline.
func compile(_ files: [(String, String)]) -> Result<CompiledRuleset, RuleErrors> {
    let evaluated = files.map { RuleFileEvaluator.evaluate(RuleSource(path: $0.0, text: $0.1)) }
    return Compiler(protocols: ProtocolTable(parsing: "tcp 6 TCP\nudp 17 UDP\nicmp 1 ICMP\ngre 47 GRE\nipv6-icmp 58 IPv6-ICMP\n")).compile(evaluated)
}

func chainSet(_ text: String) throws -> ChainSet {
    try #require(try compile([("rules.swift", text)]).get().partitions.first)
}

@Suite struct CompilerTests {
    let web = """
        Partition("web") {
            Label("www", address: "192.0.2.10")
            Accept("web") { Ports(80); To("www") }
        }
        """

    @Test("the chain hash ignores Swift comments and layout within a line, and the file's directory")
    func hashIgnoresDocumentation() throws {
        let spaced = """
            Partition("web") {
                Label("www", address: "192.0.2.10")  // A comment.
                Accept("web") { Ports(80) ; To("www") }
            }
            """
        let a = try chainSet(web), b = try #require(try compile([("elsewhere/rules.swift", spaced)]).get().partitions.first)
        #expect(a.hash == b.hash)
        // Its three chains, in IPv4 only: its one label is IPv4.
        #expect(a.chains.map(\.name) == ["web-d\(a.hash)", "web-s\(a.hash)", "web-a\(a.hash)"])
        #expect(a.chains.map(\.family) == [.ipv4, .ipv4, .ipv4])
    }

    @Test("any change to what a partition generates changes its hash",
          arguments: [
            #"Accept("web") { Ports(81); To("www") }"#,
            #"Accept("web", log: true) { Ports(80); To("www") }"#,
            #"Drop("web") { Ports(80); To("www") }"#,
            #"Accept("web") { Protocols("udp"); Ports(80); To("www") }"#,
            #"Raw("iptables -P INPUT DROP")"#,
            // Only what goes to ip6tables changes:
            "Accept(\"web\") { Ports(80); To(\"www\") }\n Label(\"www6\", address: \"2001:db8::10\")\n Accept(\"web6\") { Ports(80); To(\"www6\") }",
          ])
    func hashFollowsContent(_ rule: String) throws {
        let changed = "Partition(\"web\") {\n Label(\"www\", address: \"192.0.2.10\")\n \(rule)\n}"
        #expect(try chainSet(web).hash != chainSet(changed).hash)
    }

    @Test("partitions come out in the order of their paths, whatever order the files were given in")
    func fileOrder() throws {
        let files = [("b.swift", "Partition(\"b\") {}"), ("a.swift", "Partition(\"a\") {}"), ("c/a.swift", "Partition(\"c\") {}")]
        let forward = try compile(files.sorted { $0.0 < $1.0 }).get()
        #expect(forward.partitions.map(\.partition) == ["a", "b", "c"])
        let rendered = RestoreRenderer.render(forward, family: .ipv4)
        #expect(RestoreRenderer.render(try compile(files.sorted { $0.0 < $1.0 }).get(), family: .ipv4) == rendered)
    }

    @Test("every error in every file is reported, not just the first")
    func collectsAll() throws {
        let result = compile([
            ("a.swift", "Partition(\"a-b\") { Accept(\"x\") { Ports(0); From(\"nobody\") } }"),
            ("b.swift", "Partition(\"b\") { Label(\"x\", address: \"300.1.1.1\") }"),
            ("c.swift", "Partition(\"c\") { Nonsense() }"),
        ])
        guard case .failure(let errors) = result else {
            Issue.record("compiled")
            return
        }
        #expect(errors.diagnostics.map(\.location.file) == ["a.swift", "a.swift", "a.swift", "b.swift", "c.swift"])
    }

    @Test("a label may be used above the line that defines it")
    func labelsAreScopedToThePartition() throws {
        let set = try chainSet("""
            Partition("p") {
                Accept("early") { To("later") }
                Label("later", address: "192.0.2.1")
            }
            """)
        #expect(set.pointers.map(\.rule.destination?.cidr) == Array(repeating: "192.0.2.1/32", count: 3))
    }

    @Test("identical rules and pointers are emitted once, the first kept")
    func deduplicates() throws {
        let set = try chainSet("""
            Partition("p") {
                Label("a", address: "192.0.2.1")
                Accept("one") { Ports(80); To("a") }
                Accept("same again") { Ports(80); To("a") }
            }
            """)
        // The comment names each rule's line: the second differs from the first only there.
        #expect(Set(set.chains[2].rules.map(\.uncommented)).count == 1)
        #expect(set.pointers.count == 3)  // One from each of partition-i, -f and -o.
    }

    @Test("a partition name of 20 characters gives chain names of 28, the most libiptc keeps")
    func longestName() throws {
        let set = try chainSet("Partition(\"abcdefghijklmnopqrst\") {}")
        #expect(set.chains.map(\.name.count) == [28, 28, 28])
    }
}

/// Dual stack: which family each rule goes to.
@Suite struct FamilyTests {
    /// The partition's rules in a family, as `iptables -S` arguments.
    static func rules(_ set: ChainSet, _ family: Family) -> [String] {
        set.chains.filter { $0.family == family }.flatMap(\.rules).map { $0.uncommented.arguments(.short).joined(separator: " ") }
    }

    static func pointers(_ set: ChainSet, _ family: Family) -> [String] {
        // One hook chain's: the others hold the same pointers, to the same chain or their own.
        set.pointers.filter { $0.family == family && $0.chain != Bootstrap.forwardChain && $0.chain != Bootstrap.outputChain }
            .map { "\($0.chain) " + $0.rule.arguments(.short).joined(separator: " ") }
    }

    @Test("'all' is both 0.0.0.0/0 and ::/0: a rule without labels goes to iptables and ip6tables")
    func allIsBothFamilies() throws {
        let set = try chainSet(#"Partition("ssh") { Accept("ssh") { Ports(22) } }"#)
        #expect(Self.rules(set, .ipv4) == ["-p tcp -m tcp --dport 22 -j ACCEPT"])
        #expect(Self.rules(set, .ipv6) == ["-p tcp -m tcp --dport 22 -j ACCEPT"])
        #expect(Self.pointers(set, .ipv4) == ["partition-i -j ssh-a\(set.hash)"])
        #expect(Self.pointers(set, .ipv6) == ["partition-i -j ssh-a\(set.hash)"])
    }

    @Test("a rule goes to the family of its labels only, and so do its partition's chains: none in a family without rules")
    func labelsChooseTheFamily() throws {
        let set = try chainSet(#"""
            Partition("web") {
                Label("www6", address: "2001:db8::80")
                Reject("web") { Ports(80); To("www6") }
            }
            """#)
        #expect(Self.rules(set, .ipv4).isEmpty)
        #expect(set.chains.map(\.family) == [.ipv6, .ipv6, .ipv6])
        #expect(set.chains.map(\.name) == ["web-d\(set.hash)", "web-s\(set.hash)", "web-a\(set.hash)"])
        #expect(Self.rules(set, .ipv6) == ["-d 2001:db8::80/128 -p tcp -m tcp --dport 80 -j REJECT --reject-with icmp6-port-unreachable"])
        #expect(Self.pointers(set, .ipv4).isEmpty)
    }

    @Test("a partition's chains are in each family it has rules in; with raw lines or no rules at all, in IPv4",
          arguments: [
            (#"Label("a", address: "192.0.2.1"); Accept("a") { To("a") }"#, [Family.ipv4]),
            (#"Label("a", address: "2001:db8::1"); Accept("a") { To("a") }"#, [.ipv6]),
            (#"Accept("ssh") { Ports(22) }"#, [.ipv4, .ipv6]),
            (#"Label("a", address: "192.0.2.1"); Label("b", address: "2001:db8::1"); Drop("a") { From("a") }; Drop("b") { From("b") }"#, [.ipv4, .ipv6]),
            (#"Label("p", address: "2001:db8::1"); Label("q", address: "2001:db8::2"); Rewrite("nat") { Ports(80); DNAT("p" => "q") }"#, [.ipv6]),
            (#"Label("a", address: "2001:db8::1"); Accept("a") { To("a") }; Raw("iptables -A INPUT -i lo -j ACCEPT")"#, [.ipv4, .ipv6]),
            (#"Raw("iptables -A INPUT -i lo -j ACCEPT")"#, [.ipv4]),
            ("", [.ipv4]),
          ])
    func chainsFollowTheRules(body: String, families: [Family]) throws {
        let set = try chainSet("Partition(\"p\") { \(body) }")
        // A Rewrite makes the partition directed: d, s, i, f and o.
        let kinds = body.contains("Rewrite") ? ["d", "s", "i", "f", "o"] : ["d", "s", "a"]
        #expect(set.chains.map(\.family) == families.flatMap { Array(repeating: $0, count: kinds.count) })
        #expect(set.chains.map(\.name) == families.flatMap { _ in kinds.map { "p-\($0)\(set.hash)" } })
    }


    @Test("a Rewrite's DNATs follow the family of their From labels; one with no From of its family is an error, not pointers to chains that aren't made")
    func dnatFamiliesFollowFroms() throws {
        let labels = #"""
            Label("office4", address: "198.51.100.0/24"); Label("pub", address: "203.0.113.1"); Label("app", address: "192.0.2.1")
            Label("pub6", address: "2001:db8::1"); Label("app6", address: "2001:db8:1::1")
            """#
        let mixed = compile([("rules.swift", "Partition(\"web\") { \(labels); Rewrite(\"w\") { Ports(80); From(\"office4\"); DNAT(\"pub\" => \"app\"); DNAT(\"pub6\" => \"app6\") } }")])
        guard case .failure(let errors) = mixed else { Issue.record("a DNAT with no From of its family compiled"); return }
        #expect(errors.diagnostics.map(\.message) == [
            "DNAT(\"pub6\" => \"app6\") is IPv6 and every From of this Rewrite is IPv4; a rule matches one address family, so give it an IPv6 From label (or 'all'), or put it in a Rewrite of its own",
        ])
        // icmp is IPv4's: the IPv6 DNAT translates nothing, so it has no
        // pointers, and the partition no IPv6 chains to point to.
        let icmp = try chainSet("Partition(\"web\") { \(labels); Rewrite(\"w\") { Protocols(\"icmp\"); DNAT(\"pub\" => \"app\"); DNAT(\"pub6\" => \"app6\") } }")
        #expect(Self.pointers(icmp, .ipv6).isEmpty)
        #expect(Set(icmp.chains.map(\.family)) == [.ipv4])
        #expect(Self.rules(icmp, .ipv4).count == 2)
    }

    @Test("pairs that mix families are left out when every label has a partner of its own family")
    func mixedPairsLeftOut() throws {
        let set = try chainSet(#"""
            Partition("web") {
                Label("www", address: "192.0.2.80")
                Label("www6", address: "2001:db8::80")
                Label("lan", address: "198.51.100.0/24")
                Label("lan6", address: "2001:db8:1::/64")
                Accept("web") { Ports(80); From("lan", "lan6"); To("www", "www6") }
            }
            """#)
        #expect(Self.rules(set, .ipv4) == ["-s 198.51.100.0/24 -d 192.0.2.80/32 -p tcp -m tcp --dport 80 -j ACCEPT"])
        #expect(Self.rules(set, .ipv6) == ["-s 2001:db8:1::/64 -d 2001:db8::80/128 -p tcp -m tcp --dport 80 -j ACCEPT"])
    }

    @Test("icmp goes to IPv4 alone and ipv6-icmp to IPv6 alone; either is an error in a rule whose labels are all of the other family")
    func icmpPerFamily() throws {
        let set = try chainSet(#"Partition("ping") { Accept("ping") { Protocols("icmp", "ipv6-icmp") } }"#)
        #expect(Self.rules(set, .ipv4) == ["-p icmp -j ACCEPT"])
        #expect(Self.rules(set, .ipv6) == ["-p ipv6-icmp -j ACCEPT"])
        let both = try chainSet(#"""
            Partition("ping") {
                Label("h", address: "192.0.2.1")
                Label("h6", address: "2001:db8::1")
                Accept("ping") { Protocols("icmp", "ipv6-icmp"); To("h", "h6") }
            }
            """#)
        #expect(Self.rules(both, .ipv4) == ["-d 192.0.2.1/32 -p icmp -j ACCEPT"])
        #expect(Self.rules(both, .ipv6) == ["-d 2001:db8::1/128 -p ipv6-icmp -j ACCEPT"])
        let result = compile([("rules.swift", #"""
            Partition("ping") {
                Label("h6", address: "2001:db8::1")
                Accept("ping") { Protocols(1); To("h6") }
            }
            """#)])
        guard case .failure(let errors) = result else { Issue.record("compiled"); return }
        #expect(errors.description == "rules.swift:3:31: error: protocol 'icmp' is IPv4 only and this rule's addresses are IPv6; use 'ipv6-icmp' for ICMPv6")
    }

    @Test("a DNAT between families is an error at its line and column; one to IPv6 translates to [address]:port")
    func natFamilies() throws {
        let result = compile([("rules.swift", #"""
            Partition("nat") {
                Label("pub", address: "203.0.113.1")
                Label("app6", address: "2001:db8::22")
                Rewrite("ssh") { DNAT("pub" => "app6") }
            }
            """#)])
        guard case .failure(let errors) = result else { Issue.record("compiled"); return }
        #expect(errors.description.hasPrefix("rules.swift:4:26: error: DNAT(\"pub\" => \"app6\") mixes address families"))

        let set = try chainSet(#"""
            Partition("nat") {
                Label("pub6", address: "2001:db8:ff::1")
                Label("app6", address: "2001:db8::22")
                Rewrite("ssh") { Ports(2222 => 22); DNAT("pub6" => "app6") }
                Rewrite("out") { SNAT("app6" => "pub6") }
            }
            """#)
        #expect(Self.rules(set, .ipv6).contains("-d 2001:db8:ff::1/128 -p tcp -m tcp --dport 2222 -j DNAT --to-destination [2001:db8::22]:22"))
        #expect(Self.rules(set, .ipv6).contains("-s 2001:db8::22/128 -j SNAT --to-source 2001:db8:ff::1"))
        #expect(Self.rules(set, .ipv4).isEmpty)
    }

    @Test("restricting a ruleset to one family keeps names and hashes and drops the other family's chains and pointers")
    func restricted() throws {
        let ruleset = try compile([("rules.swift", #"Partition("ssh") { Accept("ssh") { Ports(22) } }"#)]).get()
        let four = ruleset.restricted(to: [.ipv4]), six = ruleset.restricted(to: [.ipv6])
        #expect(four.families == [.ipv4] && six.families == [.ipv6])
        #expect(four.partitions[0].hash == ruleset.partitions[0].hash)
        #expect(four.partitions[0].chains.allSatisfy { $0.family == .ipv4 } && four.partitions[0].chains.count == 3)
        #expect(six.partitions[0].pointers.allSatisfy { $0.family == .ipv6 } && six.partitions[0].pointers.count == 3)
    }
}

@Suite struct AddressTests {
    @Test("valid addresses and networks parse to their canonical form",
          arguments: [("192.0.2.1", "192.0.2.1/32"), ("10.0.0.0/8", "10.0.0.0/8"), ("0.0.0.0/0", "0.0.0.0/0"),
                      ("255.255.255.255", "255.255.255.255/32"), ("198.51.100.0/24", "198.51.100.0/24")])
    func valid(_ text: String, _ cidr: String) throws {
        #expect(try IPv4Network.parse(text).get().cidr == cidr)
    }

    @Test("malformed addresses are refused",
          arguments: ["", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1.2.3.4/", "1.2.3.4/33", "1.2.3.4/-1",
                      "1.2.3.4/08", " 1.2.3.4", "1.2.3.4 ", "a.b.c.d", "1..3.4", "+1.2.3.4", "1.2.3.4/24", "::1"])
    func invalid(_ text: String) {
        #expect(throws: AddressError.self) { try IPv4Network.parse(text).get() }
    }
}

@Suite struct RawCommandTests {
    @Test("rule-changing commands parse, with the table taken out",
          arguments: [
            ("iptables --policy INPUT DROP", Table.filter, ["--policy", "INPUT", "DROP"]),
            ("iptables -t nat -A PREROUTING -j ACCEPT", .nat, ["-A", "PREROUTING", "-j", "ACCEPT"]),
            ("iptables --table=mangle -I PREROUTING 1 -j ACCEPT", .mangle, ["-I", "PREROUTING", "1", "-j", "ACCEPT"]),
            ("iptables -traw -N trace", .raw, ["-N", "trace"]),
            ("iptables -A INPUT -j LOG --log-prefix 'a b; c'", .filter, ["-A", "INPUT", "-j", "LOG", "--log-prefix", "a b; c"]),
            ("iptables -A INPUT -m comment --comment \"say \\\"hi\\\"\" -j ACCEPT", .filter,
             ["-A", "INPUT", "-m", "comment", "--comment", "say \"hi\"", "-j", "ACCEPT"]),
            ("iptables -D INPUT -s 192.0.2.1 -j DROP", .filter, ["-D", "INPUT", "-s", "192.0.2.1", "-j", "DROP"]),
            ("iptables ! -s 192.0.2.1 -A INPUT -j DROP", .filter, ["!", "-s", "192.0.2.1", "-A", "INPUT", "-j", "DROP"]),
            ("iptables -A INPUT -p tcp -m multiport --dports 80,443 -j ACCEPT", .filter,
             ["-A", "INPUT", "-p", "tcp", "-m", "multiport", "--dports", "80,443", "-j", "ACCEPT"]),
            ("iptables -AFORWARD -j ACCEPT", .filter, ["-AFORWARD", "-j", "ACCEPT"]),
          ])
    func accepted(_ line: String, _ table: Table, _ arguments: [String]) throws {
        let command = try RawCommand.parse(line).get()
        #expect(command.table == table)
        #expect(command.arguments == arguments)
    }

    @Test("flushes, chain deletions, shell syntax and non-commands are refused",
          arguments: [
            "iptables -F", "iptables --flush INPUT", "iptables -t nat -F", "iptables -nvF", "iptables --fl",
            "iptables -X", "iptables --delete-chain x", "iptables --delete-ch x", "iptables -vX",
            "iptables -A INPUT -j ACCEPT; iptables -F", "iptables -A INPUT -j ACCEPT && reboot", "iptables $(x)",
            "iptables -A INPUT `x`", "iptables -A INPUT > /etc/passwd", "sh -c 'iptables -F'", "ip6tables -A INPUT -j ACCEPT",
            "iptables -L", "iptables -S", "iptables -Z", "iptables -E a b", "iptables -s 1.2.3.4", "iptables",
            "iptables -A INPUT -I INPUT", "iptables -t nope -A INPUT", "iptables -A INPUT 'unclosed",
            "iptables -A INPUT -j LOG --log-prefix \"a\u{1}b\"", "iptables -A INPUT # a comment",
          ])
    func refused(_ line: String) {
        #expect(throws: RawLineError.self) { try RawCommand.parse(line).get() }
    }

    /// ript can't know every match and target extension's options, so a word
    /// that reads as -F is refused even where iptables would take it as an
    /// option's argument; written --comment=-F it is one word and passes.
    @Test("a separate -F word is refused even as an argument, and --option=-F passes")
    func flagAsArgument() throws {
        #expect(throws: RawLineError.self) { try RawCommand.parse("iptables -A INPUT -m comment --comment -F -j ACCEPT").get() }
        let command = try RawCommand.parse("iptables -A INPUT -m comment --comment=-F -j ACCEPT").get()
        #expect(command.arguments.contains("--comment=-F"))
    }
}
