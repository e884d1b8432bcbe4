import RiptCore
import RiptDSL
import Testing

/// Compiles rule texts given as (path, text) pairs through the whole pipeline.
func compile(_ files: [(String, String)]) -> Result<CompiledRuleset, RuleErrors> {
    let evaluated = files.map { RuleFileEvaluator.evaluate(RuleSource(path: $0.0, text: $0.1)) }
    return Compiler(protocols: ProtocolTable(parsing: "tcp 6 TCP\nudp 17 UDP\nicmp 1 ICMP\ngre 47 GRE\n")).compile(evaluated)
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

    @Test("the chain hash ignores descriptions, comments, layout and the file's path")
    func hashIgnoresDocumentation() throws {
        let renamed = """
            // A comment.
            Partition("web") { Label("www", address: "192.0.2.10"); Accept("the website") { Ports(80); To("www") } }
            """
        let a = try chainSet(web), b = try #require(try compile([("elsewhere/other.swift", renamed)]).get().partitions.first)
        #expect(a.hash == b.hash)
        #expect(a.chains.map(\.name) == ["web-d\(a.hash)", "web-s\(a.hash)", "web-a\(a.hash)"])
    }

    @Test("any change to what a partition generates changes its hash",
          arguments: [
            #"Accept("web") { Ports(81); To("www") }"#,
            #"Accept("web", log: true) { Ports(80); To("www") }"#,
            #"Drop("web") { Ports(80); To("www") }"#,
            #"Accept("web") { Protocols("udp"); Ports(80); To("www") }"#,
            #"Raw("iptables -P INPUT DROP")"#,
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
        let rendered = RestoreRenderer.render(forward)
        #expect(RestoreRenderer.render(try compile(files.sorted { $0.0 < $1.0 }).get()) == rendered)
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
        #expect(set.pointers.map(\.rule.destination?.cidr) == ["192.0.2.1/32"])
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
        #expect(set.chains[2].rules.count == 1)
        #expect(set.pointers.count == 1)
    }

    @Test("a partition name of 20 characters gives chain names of 28, the most libiptc keeps")
    func longestName() throws {
        let set = try chainSet("Partition(\"abcdefghijklmnopqrst\") {}")
        #expect(set.chains.map(\.name.count) == [28, 28, 28])
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
