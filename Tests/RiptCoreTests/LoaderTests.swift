import Foundation
import RiptCore
import TestSupport
import Testing

/// Stage 1: finding and reading rule files. Each test gets a directory of
/// its own, removed when the test ends (a class, for its deinit).
@Suite final class LoaderTests {
    let root: URL

    init() throws {
        root = try temporaryDirectory()
    }

    deinit {
        try? FileManager.default.removeItem(at: root)
    }

    func write(_ relative: String, _ text: String) throws {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    func writeBytes(_ relative: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: root.appendingPathComponent(relative))
    }

    func relativePaths(_ loaded: LoadedRuleFiles) -> [String] {
        loaded.sources.map { String($0.path.dropFirst(root.path.count + 1)) }
    }

    @Test("files are found recursively in byte order of their names, whatever order they were created in")
    func stableOrder() throws {
        for name in ["b/z.swift", "a.swift", "b/a.swift", "B.swift", "a/c.swift", "10-x.swift", "2-x.swift"] {
            try write(name, "")
        }
        let loaded = try RuleFileLoader.load(path: root.path)
        #expect(relativePaths(loaded) == ["10-x.swift", "2-x.swift", "B.swift", "a/c.swift", "a.swift", "b/a.swift", "b/z.swift"])
    }

    @Test("hidden entries, Package.swift, other extensions and directories marked .ript-skip are not rule files")
    func skipped() throws {
        try write("rules.swift", "")
        try write(".hidden.swift", "")
        try write(".git/x.swift", "")
        try write("Package.swift", "")
        try write("notes.txt", "")
        try write("rules.swift.orig", "")
        try write("drafts/.ript-skip", "")
        try write("drafts/draft.swift", "")
        try write("drafts/deeper/draft.swift", "")
        #expect(relativePaths(try RuleFileLoader.load(path: root.path)) == ["rules.swift"])
        // Named itself, a skipped directory is read.
        let drafts = try RuleFileLoader.load(path: root.appendingPathComponent("drafts").path)
        #expect(drafts.sources.count == 2)
    }

    @Test("a symbolic link loop is walked once and ends")
    func symlinkLoop() throws {
        try write("a/rules.swift", "")
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("a/loop").path, withDestinationPath: "..")
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("linked.swift").path, withDestinationPath: "a/rules.swift")
        let loaded = try RuleFileLoader.load(path: root.path)
        #expect(relativePaths(loaded) == ["a/rules.swift", "linked.swift"])
    }

    @Test("a missing path is refused with the original Ript's message")
    func missing() throws {
        #expect(throws: RulePathError.self) { try RuleFileLoader.load(path: root.appendingPathComponent("nope").path) }
        do {
            _ = try RuleFileLoader.load(path: "no/such/rules")
        } catch {
            #expect(error.description == "The specified rule file or directory 'no/such/rules' does not exist")
        }
    }

    @Test("invalid UTF-8 is reported at its line and byte column")
    func invalidUTF8() throws {
        try writeBytes("bad.swift", Array("import RiptDSL\nPartition(\"x\") {\n  // caf".utf8) + [0xC3, 0x28] + Array("\n}\n".utf8))
        let loaded = try RuleFileLoader.load(path: root.path)
        #expect(loaded.sources.isEmpty)
        #expect(loaded.diagnostics.map(\.description) == ["\(root.path)/bad.swift:3:9: error: rule file is not valid UTF-8 here; save it as UTF-8 text"])
    }

    @Test("a NUL byte is reported at its position")
    func nulByte() throws {
        try writeBytes("nul.swift", Array("Partition(\"x\u{0}\") {}\n".utf8))
        let loaded = try RuleFileLoader.load(path: root.path)
        #expect(loaded.diagnostics.map(\.description) == ["\(root.path)/nul.swift:1:13: error: rule file contains a NUL byte; a rule file is Swift source text"])
    }

    @Test("a file over the size limit is refused without reading it all")
    func oversized() throws {
        try writeBytes("huge.swift", Array(repeating: UInt8(ascii: " "), count: RuleFileLoader.maximumFileSize + 1))
        let loaded = try RuleFileLoader.load(path: root.path)
        #expect(loaded.diagnostics.first?.message.hasPrefix("rule file is larger than 16 MiB") == true)
    }

    @Test("UTF-8 validation agrees with the standard library on tricky sequences",
          arguments: [
            [0xE2, 0x82, 0xAC], [0xF0, 0x9F, 0x98, 0x80], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
            [0xE2, 0x82], [0x80], [0xFF], [0xEF, 0xBB, 0xBF],
          ] as [[UInt8]])
    func utf8Validation(_ bytes: [UInt8]) throws {
        try writeBytes("t.swift", bytes)
        let loaded = try RuleFileLoader.load(path: root.path)
        let valid = String(validating: bytes, as: UTF8.self) != nil
        #expect(loaded.diagnostics.isEmpty == valid)
    }
}
