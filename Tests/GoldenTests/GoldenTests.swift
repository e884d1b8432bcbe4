import Foundation
import TestSupport
import Testing

/// Every example and its exact expected output, byte for byte: examples/NAME.swift
/// beside examples/NAME.expected (generate's standard output),
/// examples/errors/NAME.swift beside NAME.expected (its diagnostics), and
/// examples/warnings/NAME.swift beside NAME.expected (standard output) and
/// NAME.warnings (standard error).
@Suite struct GoldenTests {
    static let constructs = (try? ruleFiles(in: "examples")) ?? []
    static let errors = ((try? ruleFiles(in: "examples/errors")) ?? []) + ["examples/errors/duplicate-partition", "examples/errors/host-settings-twice"]
    static let warnings = (try? ruleFiles(in: "examples/warnings")) ?? []

    @Test("each construct example generates exactly its expected commands", arguments: constructs)
    func construct(_ path: String) throws {
        let result = try ript("rules", "generate", path)
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError == "")
        try expectGolden(result.standardOutput, path.replacingOccurrences(of: ".swift", with: ".expected"))
    }

    @Test("each error example prints exactly its expected diagnostics, exits 2 and prints nothing on stdout", arguments: errors)
    func error(_ path: String) throws {
        let result = try ript("rules", "generate", path)
        #expect(result.status == 2)
        #expect(result.standardOutput == "")
        #expect(result.standardError.contains(": error: "))
        let golden = path.hasSuffix(".swift") ? path.replacingOccurrences(of: ".swift", with: ".expected") : path + ".expected"
        try expectGolden(result.standardError, golden)
    }

    @Test("each warning example generates exactly its expected commands, prints exactly its expected warnings and exits 0", arguments: warnings)
    func warning(_ path: String) throws {
        let result = try ript("rules", "generate", path)
        #expect(result.status == 0)
        #expect(result.standardError.contains(": warning: ") && !result.standardError.contains("error"))
        try expectGolden(result.standardOutput, path.replacingOccurrences(of: ".swift", with: ".expected"))
        try expectGolden(result.standardError, path.replacingOccurrences(of: ".swift", with: ".warnings"))
    }

    @Test("a label with host bits compiles exactly as its network written out, which warns of nothing")
    func hostBitsMeanTheNetwork() throws {
        let path = "examples/warnings/label-host-bits.swift"
        let text = try String(contentsOf: packageRoot.appendingPathComponent(path), encoding: .utf8)
        let networks = text
            .replacingOccurrences(of: "\"192.168.23.70/27\"", with: "\"192.168.23.64/27\"")
            .replacingOccurrences(of: "\"2001:db8:23::70/64\"", with: "\"2001:db8:23::/64\"")
        #expect(networks != text)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let written = directory.appendingPathComponent("label-host-bits.swift")
        try networks.write(to: written, atomically: true, encoding: .utf8)
        let withHostBits = try ript("rules", "generate", path), withNetworks = try ript("rules", "generate", written.path)
        #expect(withNetworks.status == 0 && withNetworks.standardError == "")
        #expect(withHostBits.standardOutput == withNetworks.standardOutput)
    }

    @Test("a warning goes to standard error in every format, with --quiet, and again when the file comes from the compile cache")
    func warningsInEveryFormat() throws {
        let path = "examples/warnings/label-host-bits.swift"
        let expected = try String(contentsOf: packageRoot.appendingPathComponent(path.replacingOccurrences(of: ".swift", with: ".warnings")), encoding: .utf8)
        for options in [[], [], ["--format", "json"], ["--format", "restore", "--family", "6"], ["--quiet"], ["--no-cache"]] {
            let result = try ript(["rules", "generate"] + options + [path])
            #expect(result.status == 0, "\(options)")
            #expect(result.standardError == expected, "\(options)")
            #expect(!result.standardOutput.contains(": warning: "), "\(options)")
        }
    }

    @Test("a To naming a Rewrite's DNAT public side generates exactly the rules without it")
    func rewriteToAddsNothing() throws {
        let path = "examples/dnat-to-public.swift"
        let text = try String(contentsOf: packageRoot.appendingPathComponent(path), encoding: .utf8)
        // Each To line emptied: every other word keeps its line and column.
        let withoutTo = text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces).hasPrefix("To(") ? "" : $0 }
            .joined(separator: "\n")
        #expect(withoutTo.count < text.count)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let written = directory.appendingPathComponent("dnat-to-public.swift")
        try withoutTo.write(to: written, atomically: true, encoding: .utf8)
        let with = try ript("rules", "generate", path), without = try ript("rules", "generate", written.path)
        #expect(with.status == 0 && without.status == 0 && without.standardError == "")
        #expect(with.standardOutput == without.standardOutput)
    }

    @Test("the examples directory generates, in every format, exactly its expected output",
          arguments: [
            ("commands", [], "commands"), ("restore", ["--family", "4"], "restore"), ("restore", ["--family", "6"], "restore6"),
            ("json", [], "json"),
          ])
    func wholeDirectory(_ format: String, _ options: [String], _ golden: String) throws {
        let result = try ript(["rules", "generate", "--format", format] + options + ["examples/"])
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError == "")
        try expectGolden(result.standardOutput, "examples/all-examples.\(golden)")
    }

    @Test("--family 4 and --family 6 each generate exactly one family's half of the commands; restore input needs one")
    func familyRestricts() throws {
        let both = try ript("rules", "generate", "examples/").standardOutput.split(separator: "\n")
        let four = try ript("rules", "generate", "--family", "4", "examples/").standardOutput.split(separator: "\n")
        let six = try ript("rules", "generate", "--family", "6", "examples/").standardOutput.split(separator: "\n")
        #expect(!four.contains { $0.hasPrefix("ip6tables ") } && four.contains { $0.hasPrefix("iptables ") })
        #expect(!six.contains { $0.hasPrefix("iptables ") } && six.contains { $0.hasPrefix("ip6tables ") })
        #expect(both.filter { $0.hasPrefix("iptables ") } == four.filter { $0.hasPrefix("iptables ") })
        #expect(both.filter { $0.hasPrefix("ip6tables ") } == six.filter { $0.hasPrefix("ip6tables ") })
        // Headers name the same partitions with the same hashes in every run.
        #expect(both.filter { $0.hasPrefix("#") } == four.filter { $0.hasPrefix("#") })
        #expect(both.filter { $0.hasPrefix("#") } == six.filter { $0.hasPrefix("#") })

        let restore = try ript("rules", "generate", "--format", "restore", "examples/")
        #expect(restore.status == 2)  // A usage error exits 2, like every error.
        #expect(restore.standardOutput == "")
        #expect(restore.standardError.contains("restore input is for one family: add --family 4 (for iptables-restore) or --family 6 (for ip6tables-restore)"))

        // Any other usage error too: 2, the message and the usage on standard error, nothing on standard output.
        let unknown = try ript("rules", "generate", "--bogus", "examples/")
        #expect(unknown.status == 2 && unknown.standardOutput.isEmpty)
        #expect(unknown.standardError.hasPrefix("Error: Unknown option '--bogus'\nUsage: ript rules generate"), "\(unknown.standardError)")
        #expect(try ript("rules", "generate", "--help").status == 0)
    }

    @Test("a missing path is an error naming it, with exit code 2")
    func missingPath() throws {
        let result = try ript("rules", "generate", "examples/non-existent-lalalalala.swift")
        #expect(result.status == 2)
        #expect(result.standardOutput == "")
        #expect(result.standardError == "ript: error: The specified rule file or directory 'examples/non-existent-lalalalala.swift' does not exist\n")
    }

    @Test("the JSON output parses and names every partition of the examples")
    func jsonParses() throws {
        let result = try ript("rules", "generate", "--format", "json", "examples/")
        let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any]
        #expect(object?["schema"] as? String == "ript.chainsets")
        #expect(object?["version"] as? Int == 2)
        let partitions = object?["partitions"] as? [[String: Any]] ?? []
        #expect(partitions.count == GoldenTests.constructs.count)
        #expect(Set(partitions.compactMap { $0["name"] as? String }).count == partitions.count)
        // Every partition has its chains in each family it has rules in
        // (raw.swift, raw lines only, in IPv4): d, s and a, or d, s, i, f
        // and o when a rule has a direction or it has a Rewrite.
        for partition in partitions {
            let chains = partition["chains"] as? [[String: Any]] ?? []
            let withRules = Set(chains.filter { !(($0["rules"] as? [Any]) ?? []).isEmpty }.compactMap { $0["family"] as? String })
            let families = withRules.isEmpty ? ["ipv4"] : ["ipv4", "ipv6"].filter(withRules.contains)
            let kinds = chains.compactMap { ($0["name"] as? String)?.split(separator: "-").last?.first }
            let perFamily = kinds.contains("a") ? "dsa" : "dsifo"
            #expect(String(kinds) == String(repeating: perFamily, count: families.count), "\(partition["name"] ?? "")")
            #expect(chains.compactMap { $0["family"] as? String } == families.flatMap { Array(repeating: $0, count: perFamily.count) }, "\(partition["name"] ?? "")")
        }
    }
}
