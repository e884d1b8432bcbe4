import RiptCore
import Testing

/// Warnings, and errors that say what to write and don't repeat themselves.
@Suite struct DiagnosticTests {
    @Test("an address with host bits is its network, IPv4 and IPv6, and says it had them",
          arguments: [
            ("192.168.23.70/27", "192.168.23.64/27", true),
            ("192.168.23.64/27", "192.168.23.64/27", false),
            ("192.0.2.10", "192.0.2.10/32", false),
            ("2001:db8::1/64", "2001:db8::/64", true),
            ("2001:db8::/64", "2001:db8::/64", false),
          ])
    func hostBits(_ text: String, _ cidr: String, _ hostBits: Bool) throws {
        let parsed = try IPNetwork.parseClearingHostBits(text).get()
        #expect(parsed.network.cidr == cidr && parsed.hostBits == hostBits)
        // parse itself stays strict: raw lines and everything else.
        #expect((try? IPNetwork.parse(text).get()) == (hostBits ? nil : parsed.network))
    }

    @Test("a port range written as iptables writes it is one error at the range saying what to write; colons Swift parses are left alone",
          arguments: [
            ("Ports(8000:8100)", ["2:25: '8000:8100' is how iptables writes a port range; a rule file is Swift: write 8000...8100"]),
            ("Ports(80, 8000 : 8100)", ["2:29: '8000:8100' is how iptables writes a port range; a rule file is Swift: write 8000...8100"]),
            ("Ports([1: 2], true ? 1 : 2); To(", []),
          ])
    func portRangeWithColon(_ statement: String, _ expected: [String]) {
        let file = RuleFileEvaluator.evaluate(RuleSource(path: "rules.swift", text: "Partition(\"p\") {\n    Accept(\"a\") { \(statement) }\n}\n"))
        #expect(!file.diagnostics.isEmpty)
        let explained = file.diagnostics.filter { $0.message.contains("iptables") }
        #expect(explained.map { "\($0.location.line):\($0.location.column): \($0.message)" } == expected)
        if !expected.isEmpty { #expect(file.diagnostics.count == expected.count) }
    }

    @Test("a label with host bits compiles, as its network, with one warning at the label")
    func hostBitsWarn() throws {
        let ruleset = try compile([("rules.swift", """
            Partition("dev") {
                Label("jamdev", address: "192.168.23.70/27")
                Accept("dev") { From("jamdev") }
            }
            """)]).get()
        #expect(ruleset.partitions.flatMap(\.chains).flatMap(\.rules).map(\.source) == [try IPNetwork.parse("192.168.23.64/27").get()])
        #expect(ruleset.warnings.map(\.description) == [
            #"rules.swift:2:10: warning: label 'jamdev': '192.168.23.70/27' has host bits set beyond /27, so it means the network 192.168.23.64/27; write address: "192.168.23.64/27" to say so, or address: "192.168.23.70" for the host alone"#,
        ])
    }

    @Test("a warning beside an error is printed with it, and not counted as an error")
    func warningsWithErrors() throws {
        let result = compile([("rules.swift", """
            Partition("dev") {
                Label("jamdev", address: "192.168.23.70/27")
                Accept("dev") { From("jamdev"); To("nowhere") }
            }
            """)])
        guard case .failure(let errors) = result else { Issue.record("compiled"); return }
        #expect(errors.diagnostics.map(\.severity) == [.warning, .error])
        #expect(errors.errorCount == 1)
    }

    @Test("a refused label is reported once, at its definition, however often it is used")
    func refusedLabelOnce() throws {
        let result = compile([("rules.swift", """
            Partition("dev") {
                Label("web", address: "192.0.2.300")
                Label("public", address: "203.0.113.95")
                Accept("a") { To("web") }
                Accept("b") { From("web"); To("public") }
                Rewrite("c") { Ports(80); DNAT("public" => "web") }
            }
            """)])
        guard case .failure(let errors) = result else { Issue.record("compiled"); return }
        #expect(errors.diagnostics.map(\.location.line) == [2])
    }

    @Test("an address written where a label belongs gives the Label line to add and how to use it",
          arguments: [
            (#"Accept("a") { From("198.51.100.0/24") }"#,
             #"'198.51.100.0/24' (a from) is an address, and rules name addresses by label: add Label("net-198-51-100-0-24", address: "198.51.100.0/24") to partition 'dev' and write From("net-198-51-100-0-24")"#),
            (#"Accept("a") { To("192.0.2.10") }"#,
             #"'192.0.2.10' (a to) is an address, and rules name addresses by label: add Label("host-192-0-2-10", address: "192.0.2.10") to partition 'dev' and write To("host-192-0-2-10")"#),
            (#"Accept("a") { From("all", "10.0.0.0/8") }"#,
             #"'10.0.0.0/8' (a from) is an address, and rules name addresses by label: add Label("net-10-0-0-0-8", address: "10.0.0.0/8") to partition 'dev' and write From("all", "net-10-0-0-0-8")"#),
            (#"Rewrite("a") { SNAT(["all", "all"] => "198.51.100.1") }"#,
             #"'198.51.100.1' (a snat public) is an address, and rules name addresses by label: add Label("host-198-51-100-1", address: "198.51.100.1") to partition 'dev' and write SNAT(["all", "all"] => "host-198-51-100-1")"#),
            (#"Accept("a") { To("2001:db8::/64") }"#,
             #"'2001:db8::/64' (a to) is an address, and rules name addresses by label: add Label("net-2001-db8-64", address: "2001:db8::/64") to partition 'dev' and write To("net-2001-db8-64")"#),
          ])
    func addressAsLabel(_ rule: String, _ message: String) throws {
        let result = compile([("rules.swift", "Partition(\"dev\") {\n    \(rule)\n}\n")])
        guard case .failure(let errors) = result else { Issue.record("compiled"); return }
        #expect(errors.diagnostics.map(\.message) == [message])
    }

    @Test("a To in a Rewrite may name its DNAT's public labels and nothing else",
          arguments: [
            (#"To("external")"#, nil),
            (#"To("external", "external-2")"#, nil),
            (#"To("internal")"#,
             #"To("internal") contradicts DNAT(["external", "external-2"] => "internal"): a Rewrite's traffic goes to its DNAT's public side; remove the To, or write To("external", "external-2")"#),
          ] as [(String, String?)])
    func rewriteTo(_ to: String, _ message: String?) throws {
        let text = """
            Partition("nat") {
                Label("external", address: "203.0.113.95")
                Label("external-2", address: "203.0.113.96")
                Label("internal", address: "192.168.19.2")
                Rewrite("web") { Ports(80); \(to); DNAT(["external", "external-2"] => "internal") }
            }
            """
        switch compile([("rules.swift", text)]) {
        case .success(let ruleset):
            #expect(message == nil)
            let without = try compile([("rules.swift", text.replacingOccurrences(of: to + ";", with: ""))]).get()
            #expect(CommandRenderer.render(ruleset) == CommandRenderer.render(without))
        case .failure(let errors):
            #expect(errors.diagnostics.map(\.message) == [message].compactMap { $0 })
        }
    }
}
