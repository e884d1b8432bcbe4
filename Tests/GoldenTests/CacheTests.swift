import Foundation
@testable import RiptCore
import TestSupport
import Testing

/// The compile cache makes ript faster, never different.
@Suite struct CacheTests {
    func output(_ arguments: [String], cache: String) throws -> ProcessResult {
        let process = try run(URL(fileURLWithPath: "/usr/bin/env"), ["RIPT_CACHE_DIR=\(cache)", riptBinary.path] + arguments)
        return process
    }

    @Test("the cache's format version changes whenever what the examples compile to changes, so no cache hands back another version's chain sets")
    func formatVersionFollowsOutput() throws {
        // examples/all-examples.json is every example's chain sets, as the
        // cache stores them; its golden test keeps it current.
        let json = try String(contentsOf: packageRoot.appendingPathComponent("examples/all-examples.json"), encoding: .utf8)
        let digest = json.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }  // FNV-1a
        let line = "\(CompileCache.formatVersion) \(String(digest, radix: 16))\n"
        let golden = "examples/all-examples.cache-version"
        if let recorded = try? String(contentsOf: packageRoot.appendingPathComponent(golden), encoding: .utf8), recorded != line {
            #expect(recorded.split(separator: " ").first.map(String.init) != CompileCache.formatVersion,
                    "what the examples compile to changed, and CompileCache.formatVersion didn't: bump it (old caches would hand back old chain sets), then RIPT_UPDATE_GOLDEN=1 swift test")
        }
        try expectGolden(line, golden)
    }

    @Test("cold, warm and uncached runs print the same bytes, and a changed file is compiled again")
    func sameOutput() throws {
        let work = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let rules = work.appendingPathComponent("rules"), cache = work.appendingPathComponent("cache").path
        try FileManager.default.copyItem(at: packageRoot.appendingPathComponent("examples"), to: rules)
        try FileManager.default.removeItem(at: rules.appendingPathComponent("errors"))
        let arguments = ["rules", "generate", "--format", "json", rules.path]

        let uncached = try output(arguments + ["--no-cache"], cache: cache)
        #expect(!FileManager.default.fileExists(atPath: cache))
        let cold = try output(arguments, cache: cache)
        let files = try FileManager.default.contentsOfDirectory(atPath: cache)
        #expect(files.count == 1 && files[0].hasSuffix(".cache"))
        let warm = try output(arguments, cache: cache)
        #expect(uncached.status == 0 && cold.standardOutput == uncached.standardOutput && warm.standardOutput == uncached.standardOutput)

        // A change is seen; an error is reported even when everything else is cached.
        let file = rules.appendingPathComponent("accept-without-to.swift")
        let text = try String(contentsOf: file, encoding: .utf8)
        try text.replacingOccurrences(of: "Ports(873)", with: "Ports(874)").write(to: file, atomically: true, encoding: .utf8)
        let changed = try output(arguments, cache: cache)
        #expect(changed.standardOutput != warm.standardOutput)
        #expect(changed.standardOutput == (try output(arguments + ["--no-cache"], cache: cache)).standardOutput)
        // The unchanged files' entries are written back as they were read:
        // byte for byte the cache a cold run writes, and it serves a warm run.
        let cacheFile = URL(fileURLWithPath: cache + "/" + files[0])
        let rewritten = try Data(contentsOf: cacheFile)
        try FileManager.default.removeItem(atPath: cache)
        #expect(try output(arguments, cache: cache).standardOutput == changed.standardOutput)
        #expect(try Data(contentsOf: cacheFile) == rewritten)
        #expect(try output(arguments, cache: cache).standardOutput == changed.standardOutput)
        try text.replacingOccurrences(of: "Ports(873)", with: "Ports(0)").write(to: file, atomically: true, encoding: .utf8)
        let broken = try output(arguments, cache: cache)
        #expect(broken.status == 2 && broken.standardError.contains("port 0 is outside 1–65535"))

        // A duplicate partition name is caught across cached files too.
        try FileManager.default.copyItem(at: rules.appendingPathComponent("dnat.swift"), to: rules.appendingPathComponent("zz-copy.swift"))
        try text.write(to: file, atomically: true, encoding: .utf8)
        let duplicate = try output(arguments, cache: cache)
        #expect(duplicate.status == 2 && duplicate.standardError.contains("partition name 'dnatbasic' is already defined"))
    }

    @Test("a corrupt cache (cut short, or one byte changed), or a cache directory others could write, is ignored")
    func untrustedCache() throws {
        let work = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let cache = work.appendingPathComponent("cache").path
        let arguments = ["rules", "generate", "examples/"]
        let reference = try output(arguments + ["--no-cache"], cache: cache).standardOutput
        _ = try output(arguments, cache: cache)
        let file = cache + "/" + (try FileManager.default.contentsOfDirectory(atPath: cache))[0]
        let written = try Data(contentsOf: URL(fileURLWithPath: file))
        var truncated = written
        truncated.removeLast(7)
        try truncated.write(to: URL(fileURLWithPath: file))
        #expect(try output(arguments, cache: cache).standardOutput == reference)

        // One byte changed, which the format alone can't notice: a port.
        _ = try output(arguments, cache: cache)
        var changed = try Data(contentsOf: URL(fileURLWithPath: file))
        let port = Data([0x69, 0x03])  // 873 (accept-without-to.swift), little-endian
        let at = try #require(changed.range(of: port)).lowerBound
        changed[at] = 0x6A  // 874
        try changed.write(to: URL(fileURLWithPath: file))
        #expect(try output(arguments, cache: cache).standardOutput == reference)

        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: cache)
        try Data("RIPTCACHE\n garbage".utf8).write(to: URL(fileURLWithPath: file))
        #expect(try output(arguments, cache: cache).standardOutput == reference)
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == Data("RIPTCACHE\n garbage".utf8), "wrote into an unsafe directory")
    }
}
