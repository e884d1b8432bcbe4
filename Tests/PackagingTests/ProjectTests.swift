import Foundation
import TestSupport
import Testing

/// What a new user meets first: the README's two commands, which must work on
/// a fresh Debian machine exactly as written, and the shell scripts the
/// project ships.
@Suite struct ProjectTests {
    private func text(_ path: String) throws -> String {
        try String(contentsOf: packageRoot.appendingPathComponent(path), encoding: .utf8)
    }

    /// The packages of the first `apt-get install` in TEXT (continuation
    /// lines joined), without its options.
    private func aptPackages(_ text: String) throws -> Set<String> {
        let joined = text.replacingOccurrences(of: "\\\n", with: " ")
        let line = try #require(joined.split(separator: "\n").first { $0.contains("apt-get install") })
        let words = line[line.range(of: "apt-get install")!.upperBound...]
            .prefix { $0 != "&" && $0 != ";" }
            .split(separator: " ").map(String.init)
        return Set(words.filter { !$0.hasPrefix("-") && !$0.hasPrefix("$") })
    }

    @Test("README.md is a user's document: at most 15,000 bytes")
    func readmeSize() throws {
        let size = try #require(FileManager.default.attributesOfItem(atPath: packageRoot.appendingPathComponent("README.md").path)[.size] as? Int)
        #expect(size <= 15_000, "README.md is \(size) bytes; move depth to docs/")
    }

    @Test("the README's setup command installs exactly the packages .ci/run installs, so `swift test` needs nothing installed by hand")
    func setupInstallsWhatTheTestsNeed() throws {
        let readme = try aptPackages(text("README.md")), ci = try aptPackages(text(".ci/run"))
        #expect(readme.count > 5, "no apt-get install line found in README.md")
        #expect(readme == ci, "only in README.md: \(readme.subtracting(ci).sorted()); only in .ci/run: \(ci.subtracting(readme).sorted())")
    }

    @Test("the README's test command is `swift test`, and .ci/run runs exactly that")
    func oneTestCommand() throws {
        let readme = try text("README.md").split(separator: "\n")
        let tests = try #require(readme.firstIndex { $0.hasPrefix("Run the tests") }, "README.md has no \"Run the tests\" paragraph")
        let command = try #require(readme[tests...].first { $0.hasPrefix("    ") })
        #expect(command.trimmingCharacters(in: .whitespaces) == "swift test")
        let ci = try text(".ci/run").split(separator: "\n").filter { $0.hasPrefix("swift test") }
        #expect(ci.count == 1, "\(ci)")
    }

    @Test("every shell script of the project passes shellcheck (apt: shellcheck)")
    func shellScriptsPassShellcheck() throws {
        var scripts = [".ci/run"]
        let enumerator = try #require(FileManager.default.enumerator(at: packageRoot, includingPropertiesForKeys: nil, options: [.skipsHiddenFiles]))
        for case let url as URL in enumerator where url.pathExtension == "sh" {
            scripts.append(String(url.path.dropFirst(packageRoot.path.count + 1)))
        }
        #expect(scripts.count > 10, "\(scripts)")
        let result = try run(URL(fileURLWithPath: "/usr/bin/shellcheck"), scripts.sorted())
        #expect(result.status == 0, "\(result.standardOutput)\(result.standardError)")
    }
}
