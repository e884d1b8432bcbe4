import Foundation
import Testing

/// Every example and its exact expected output, byte for byte: examples/NAME.swift
/// beside examples/NAME.expected (generate's standard output), and
/// examples/errors/NAME.swift beside NAME.expected (its diagnostics).
@Suite struct GoldenTests {
    static let constructs = (try? ruleFiles(in: "examples")) ?? []
    static let errors = ((try? ruleFiles(in: "examples/errors")) ?? []) + ["examples/errors/duplicate-partition"]

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

    @Test("the examples directory generates, in every format, exactly its expected output",
          arguments: ["commands", "restore", "json"])
    func wholeDirectory(_ format: String) throws {
        let result = try ript("rules", "generate", "--format", format, "examples/")
        #expect(result.status == 0, "\(result.standardError)")
        #expect(result.standardError == "")
        try expectGolden(result.standardOutput, "examples/all-examples.\(format)")
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
        #expect(object?["version"] as? Int == 1)
        let partitions = object?["partitions"] as? [[String: Any]] ?? []
        #expect(partitions.count == GoldenTests.constructs.count)
        #expect(Set(partitions.compactMap { $0["name"] as? String }).count == partitions.count)
    }
}
