import Foundation
import Testing

/// Compares text with a golden file; with RIPT_UPDATE_GOLDEN=1 rewrites the file instead.
public func expectGolden(_ actual: String, _ goldenPath: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let url = packageRoot.appendingPathComponent(goldenPath)
    if ProcessInfo.processInfo.environment["RIPT_UPDATE_GOLDEN"] == "1" {
        try actual.write(to: url, atomically: true, encoding: .utf8)
        return
    }
    guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
        Issue.record("missing golden file \(goldenPath); run RIPT_UPDATE_GOLDEN=1 swift test and review it", sourceLocation: sourceLocation)
        return
    }
    #expect(actual == expected, "output differs from \(goldenPath)", sourceLocation: sourceLocation)
}

/// Rule files directly in a directory (not recursive), sorted, as paths from the package root.
public func ruleFiles(in directory: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: packageRoot.appendingPathComponent(directory).path)
        .filter { $0.hasSuffix(".swift") }
        .sorted()
        .map { "\(directory)/\($0)" }
}
