import Foundation
import RiptCore
import RiptDSL
import TestSupport
import Testing

/// One source of truth for the DSL's meaning: each example the loader accepts
/// is compiled by swiftc against RiptDSL and run, and the `Partition` values
/// it builds must equal the loader's, source locations included.
///
/// The harness compiles every such example into one program. Each file's text
/// goes in verbatim (its `import` lines blanked, so lines keep their numbers)
/// inside a result builder that collects its top-level `Partition`s, under
/// `#sourceLocation(file:line:)` so `#filePath`/`#line`/`#column` report the
/// example's own path and positions.
@Suite(.serialized) struct CrosscheckTests {
    static let files: [String] = {
        let top = (try? ruleFiles(in: "examples")) ?? []
        let errors = (try? ruleFiles(in: "examples/errors")) ?? []
        let duplicate = (try? ruleFiles(in: "examples/errors/duplicate-partition")) ?? []
        let hostTwice = (try? ruleFiles(in: "examples/errors/host-settings-twice")) ?? []
        return top + errors + duplicate + hostTwice
    }()

    /// The loader's evaluation of an example, read as the CLI reads it.
    static func loaderModel(_ path: String) throws -> EvaluatedRuleFile {
        let text = try String(contentsOf: packageRoot.appendingPathComponent(path), encoding: .utf8)
        return RuleFileEvaluator.evaluate(RuleSource(path: path, text: text))
    }

    @Test("every example the loader evaluates builds identical Partition values when compiled by swiftc")
    func loaderMatchesSwiftc() throws {
        let accepted = try Self.files.filter { try Self.loaderModel($0).diagnostics.isEmpty }
        // The construct examples and the compiler-stage error examples all evaluate.
        #expect(accepted.count >= 40, "only \(accepted.count) examples evaluated")

        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try compileRiptDSL(into: directory)

        var program = """
            import Foundation
            import RiptDSL

            @resultBuilder enum RuleFile {
                static func buildExpression(_ partition: Partition) -> [Partition] { [partition] }
                static func buildBlock(_ parts: [Partition]...) -> [Partition] { parts.flatMap { $0 } }
            }
            func evaluate(@RuleFile _ file: () -> [Partition]) -> [Partition] { file() }

            var model: [String: [Partition]] = [:]

            """
        for path in accepted {
            let text = try String(contentsOf: packageRoot.appendingPathComponent(path), encoding: .utf8)
            let body = text.split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces).hasPrefix("import ") ? "" : String($0) }
                .joined(separator: "\n")
            program += "model[\"\(path)\"] = evaluate {\n#sourceLocation(file: \"\(path)\", line: 1)\n\(body)\n#sourceLocation()\n}\n"
        }
        program += """
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            FileHandle.standardOutput.write(try! encoder.encode(model))

            """
        let source = directory.appendingPathComponent("main.swift")
        try program.write(to: source, atomically: true, encoding: .utf8)
        let binary = directory.appendingPathComponent("dump")
        let compile = try runTool("swiftc", [
            "-swift-version", "6", "-I", directory.path, "-L", directory.path, "-lRiptDSL",
            "-Xlinker", "-rpath", "-Xlinker", directory.path, source.path, "-o", binary.path,
        ])
        try #require(compile.status == 0, "swiftc rejected the examples:\n\(compile.standardError)")

        let dump = try run(binary, [])
        try #require(dump.status == 0, "\(dump.standardError)")
        let compiled = try JSONDecoder().decode([String: [Partition]].self, from: Data(dump.standardOutput.utf8))
        #expect(Set(compiled.keys) == Set(accepted))

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        for path in accepted {
            let loaded = try Self.loaderModel(path).partitions
            let fromSwiftc = compiled[path] ?? []
            let loaderJSON = String(decoding: try encoder.encode(loaded), as: UTF8.self)
            let swiftcJSON = String(decoding: try encoder.encode(fromSwiftc), as: UTF8.self)
            #expect(loaded == fromSwiftc, "\(path): the loader and swiftc disagree\nloader: \(loaderJSON)\nswiftc: \(swiftcJSON)")
        }
    }

    /// Where the loader refuses a file because it isn't Swift the DSL allows,
    /// swiftc refuses it too, so an editor shows the same problem.
    @Test("examples the loader rejects as broken Swift or unknown words fail to type-check with swiftc",
          arguments: ["parse-error", "unknown-word", "unsupported-control-flow"])
    func swiftcAgreesOnRejections(_ name: String) throws {
        let path = "examples/errors/\(name).swift"
        #expect(try !Self.loaderModel(path).diagnostics.isEmpty)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try compileRiptDSL(into: directory)
        let check = try runTool("swiftc", ["-typecheck", "-swift-version", "6", "-I", directory.path, path])
        #expect(check.status != 0, "swiftc accepted \(path)")
    }

    /// Builds RiptDSL from its sources as a shared library with its module, as
    /// a rule author's editor or build would see it.
    func compileRiptDSL(into directory: URL) throws {
        let sources = try FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent("Sources/RiptDSL").path)
            .filter { $0.hasSuffix(".swift") }.sorted()
            .map { "Sources/RiptDSL/\($0)" }
        let result = try runTool("swiftc", [
            "-swift-version", "6", "-parse-as-library", "-emit-library", "-emit-module",
            "-module-name", "RiptDSL", "-package-name", "ript",
            "-emit-module-path", directory.appendingPathComponent("RiptDSL.swiftmodule").path,
            "-o", directory.appendingPathComponent("libRiptDSL.so").path,
        ] + sources)
        try #require(result.status == 0, "RiptDSL did not compile:\n\(result.standardError)")
    }
}
