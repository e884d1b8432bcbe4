import Foundation
import RiptCore
@testable import RiptKernel
import RiptSupport
import Testing

/// The kernel half of KernelTests' `EncodingTests`, which runs this test
/// binary again inside a network namespace it made (`unshare -n`) with
/// RIPT_ENCODING_WORKER naming a file for the results and
/// RIPT_ENCODING_OUTER_NAMESPACE the network namespace the outer test runs
/// in. Skipped otherwise, and refuses to touch the kernel from that
/// namespace (or when it can't tell).
///
/// For each family and table it (a) commits the `EncodingMatrix` rules
/// with ript's encoding into chain `ript` through libiptc (the commit is
/// the kernel accepting them), (b) loads the same rules as
/// `Rule.arguments(.short)` text with iptables-legacy-restore into chain
/// `cli`, then reads both chains back through libiptc and the blob reader
/// and expects the same rules, and expects the CLI's entries to verify
/// byte for byte against ript's encoding. It writes sections for the
/// outer test: `=== expected FAMILY TABLE` (arguments(.short)), `=== saved
/// FAMILY TABLE` (iptables-legacy-save's lines for chain `ript`).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["RIPT_ENCODING_WORKER"] != nil, "run by KernelTests' EncodingTests in a namespace"))
struct NamespaceEncodingWorker {
    /// Whether this process's network namespace is not the outer test's
    /// (RIPT_ENCODING_OUTER_NAMESPACE, as `/proc/self/ns/net` reads there).
    static func inOwnNetworkNamespace() -> Bool {
        guard let own = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/net"),
            let outer = ProcessInfo.processInfo.environment["RIPT_ENCODING_OUTER_NAMESPACE"], outer.hasPrefix("net:[")
        else { return false }
        return own != outer
    }

    /// Runs a program of the namespace with `input`, and returns what it
    /// printed; fails on a non-zero exit. (RiptSupport's runner: Foundation's
    /// `Process.waitUntilExit` never returned here, inside a test.)
    static func run(_ arguments: [String], input: String = "") throws -> String {
        let result = runProgram(arguments, input: input)
        try #require(result.status == 0, "\(arguments.joined(separator: " ")): \(result.output)")
        return result.output
    }

    @Test("ript's encoding of every field and target commits, saves as arguments(.short), and the CLI's entries read back as the same rules")
    func encodeInNamespace() throws {
        let output = try #require(ProcessInfo.processInfo.environment["RIPT_ENCODING_WORKER"])
        try #require(Self.inOwnNetworkNamespace(), "refusing to write tables in the machine's own network namespace")
        let protocols = ProtocolTable.system()
        var report = ""
        for family in Family.allCases {
            let command = family == .ipv4 ? "iptables" : "ip6tables"
            for (table, rules) in [(Table.filter, EncodingMatrix.filter(family)), (.nat, EncodingMatrix.nat(family))] {
                let key = FamilyTable(family, table)
                // (a) and (c): ript's entries, committed through libiptc.
                let handle = try IPTCTable(family, table.rawValue)
                try handle.createChain("ript")
                for rule in rules { try handle.append(IPTCTable.entry(for: rule), to: "ript") }
                try handle.commit()
                let lines = rules.map { $0.arguments(.short).joined(separator: " ") }
                report += "=== expected \(family) \(table.rawValue)\n" + lines.map { "-A ript \($0)\n" }.joined()
                let saved = try Self.run(["/usr/sbin/\(command)-legacy-save", "-t", table.rawValue])
                report += "=== saved \(family) \(table.rawValue)\n" + saved.split(separator: "\n").filter { $0.hasPrefix("-A ript ") }.map { "\($0)\n" }.joined()

                // (b): the CLI's entries for the same text.
                let restore = "*\(table.rawValue)\n:cli - [0:0]\n" + lines.map { "-A cli \($0)\n" }.joined() + "COMMIT\n"
                _ = try Self.run(["/usr/sbin/\(command)-legacy-restore", "--noflush"], input: restore)
                let byLibiptc = KernelTable(reading: try IPTCTable(family, table.rawValue), table: table, protocols: protocols)
                let byBlob = try TableBlobReader().read(key, protocols: protocols)
                for (reader, read) in [("libiptc", byLibiptc), ("blob", byBlob)] {
                    for chain in ["ript", "cli"] {
                        let decoded = try #require(read.chain(chain)).rules.map(\.rule)
                        #expect(decoded.count == rules.count, "\(reader) \(key) \(chain)")
                        for (index, rule) in rules.enumerated() where index < decoded.count {
                            #expect(decoded[index] == rule, "\(reader) read \(key) \(chain) rule \(index + 1) as \(decoded[index].map { $0.arguments(.short) } ?? ["not ript's"])")
                        }
                    }
                }
                // The CLI's bytes are ript's bytes (a limit's kernel-private fields aside).
                let expected = ExpectedChains([(table: key, name: "cli", rules: rules)])
                let verified = try TableBlobReader().read(key, protocols: protocols, expected: expected).chain("cli")?.rules
                #expect(verified?.wereVerified == true, "the CLI's entries in \(key) are not byte for byte ript's")
                let viaLibiptc = KernelTable(reading: try IPTCTable(family, table.rawValue), table: table, protocols: protocols, expected: expected)
                #expect(viaLibiptc.chain("cli")?.rules.wereVerified == true, "libiptc's read of the CLI's entries in \(key) is not byte for byte ript's")
            }
        }
        try report.write(toFile: output, atomically: true, encoding: .utf8)
    }
}
