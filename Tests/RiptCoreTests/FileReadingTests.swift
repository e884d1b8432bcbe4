import Foundation
import RiptSupport
import Testing

/// `readFile`, the one reader of rule files, the compile cache and small text files.
@Suite struct FileReadingTests {
    @Test("a file whose size fstat gives as 0 (/proc) is read to its end")
    func procFile() throws {
        let text = try readSmallFile("/proc/self/status")
        #expect(text.hasPrefix("Name:") && text.contains("\nPid:"))
    }

    @Test("a file longer than the limit is refused; one of exactly the limit is read")
    func limit() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ript-read-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(repeating: 65, count: 5000).write(to: URL(fileURLWithPath: path))
        #expect(try readFile(path, atMost: 5000).bytes.count == 5000)
        #expect(throws: FileReadError.self) { try readFile(path, atMost: 4999) }
    }

    @Test("a directory or a device is not read")
    func notRegular() {
        #expect(throws: FileReadError.self) { try readFile("/", atMost: 100) }
        #expect(throws: FileReadError.self) { try readFile("/dev/zero", atMost: 100) }
    }
}
