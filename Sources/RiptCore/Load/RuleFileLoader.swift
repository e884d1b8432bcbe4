#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RiptDSL
import RiptSupport

/// One rule file's text, with the path diagnostics name it by.
public struct RuleSource: Sendable {
    public let path: String
    public let text: String

    public init(path: String, text: String) {
        self.path = path
        self.text = text
    }
}

/// A rule file's identity on disk: when any of this changes, so may its contents.
public struct FileStamp: Hashable, Sendable {
    public let device: UInt64
    public let inode: UInt64
    public let size: Int64
    public let modified: Int64  // nanoseconds
    public let changed: Int64  // nanoseconds (inode change)

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        changed = Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec)
    }

    public init(device: UInt64, inode: UInt64, size: Int64, modified: Int64, changed: Int64) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modified = modified
        self.changed = changed
    }
}

/// The rule files under PATH, in a stable order, found but not yet read.
public struct FoundRuleFiles: Sendable {
    public let path: String
    public let isSingleFile: Bool
    public let files: [(path: String, stamp: FileStamp)]
    /// Directories that could not be read.
    public let diagnostics: [Diagnostic]
}

/// What the load stage found under PATH: the readable rule files, in a stable
/// order, and a diagnostic for each file that could not be read as rule text.
public struct LoadedRuleFiles: Sendable {
    public let path: String
    /// PATH named one file, not a directory: `clean` then considers only its partitions.
    public let isSingleFile: Bool
    public let sources: [RuleSource]
    public let diagnostics: [Diagnostic]
}

/// PATH itself is unusable; nothing under it was read.
public struct RulePathError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// Stage 1, load: find the rule files under PATH and read them.
///
/// PATH is a `.swift` file or a directory searched recursively for `*.swift`.
/// Entries are visited in byte order of their names, depth first, so the order
/// never depends on the file system. Hidden entries (`.name`) and `Package.swift`
/// (an editor setup for the rules directory) are skipped, and so is every
/// directory below PATH holding a file named `.ript-skip` (drafts, disabled
/// partitions, ript's own error examples). Symbolic links are followed, each
/// directory at most once, so a link loop ends.
public enum RuleFileLoader {
    /// A directory holding a file of this name is skipped, with all under it.
    public static let skipMarker = ".ript-skip"

    /// Larger files are refused: no real rule file comes near it.
    public static let maximumFileSize = 16 << 20

    /// Finds and reads every rule file under PATH.
    public static func load(path: String) throws(RulePathError) -> LoadedRuleFiles {
        let found = try find(path: path)
        var sources: [RuleSource] = []
        var diagnostics = found.diagnostics
        for file in found.files {
            switch readRuleText(file.path) {
            case .success(let text): sources.append(RuleSource(path: file.path, text: text))
            case .failure(let diagnostic): diagnostics.append(diagnostic)
            }
        }
        return LoadedRuleFiles(path: path, isSingleFile: found.isSingleFile, sources: sources, diagnostics: diagnostics)
    }

    /// Reads one rule file as rule text (UTF-8, no NUL, within the size limit).
    public static func read(_ path: String) -> Result<RuleSource, Diagnostic> {
        readRuleText(path).map { RuleSource(path: path, text: $0) }
    }

    /// Finds the rule files under PATH without reading them.
    public static func find(path: String) throws(RulePathError) -> FoundRuleFiles {
        var info = stat()
        guard !path.isEmpty, stat(path, &info) == 0 else {
            throw RulePathError(description: "The specified rule file or directory '\(printable(path))' does not exist")
        }
        var walk = Walk()
        let isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
        if isDirectory {
            let root = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
            walk.directory(root, isRoot: true)
        } else {
            walk.files.append((path, FileStamp(info)))
        }
        return FoundRuleFiles(path: path, isSingleFile: !isDirectory, files: walk.files, diagnostics: walk.diagnostics)
    }

    private struct Walk {
        var files: [(path: String, stamp: FileStamp)] = []
        var diagnostics: [Diagnostic] = []
        var visited: Set<String> = []

        mutating func directory(_ path: String, isRoot: Bool = false) {
            guard let real = realPath(path) else {
                diagnostics.append(Diagnostic("cannot read directory: \(errorText())", at: .start(of: path)))
                return
            }
            guard visited.insert(real).inserted else { return }
            guard let entries = listDirectory(path) else {
                diagnostics.append(Diagnostic("cannot read directory: \(errorText()); check its permissions", at: .start(of: path)))
                return
            }
            if !isRoot, entries.contains(RuleFileLoader.skipMarker) { return }
            for name in entries.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                guard !name.hasPrefix("."), name != "Package.swift" else { continue }
                let child = path == "/" ? "/" + name : path + "/" + name
                var info = stat()
                guard stat(child, &info) == 0 else {
                    // A link to nothing (or a loop of links) named like a rule
                    // file is an error: skipping it would drop its partition.
                    if name.hasSuffix(".swift") {
                        diagnostics.append(Diagnostic("cannot read rule file: \(errorText())", at: .start(of: child)))
                    }
                    continue
                }
                switch info.st_mode & S_IFMT {
                case S_IFDIR: directory(child)
                // Not only regular files: reading refuses a FIFO or a device with a diagnostic.
                case _ where name.hasSuffix(".swift"): files.append((child, FileStamp(info)))
                default: continue
                }
            }
        }
    }
}

/// Reads a file as rule text: a regular file of UTF-8, no NUL bytes, at most
/// `maximumFileSize`.
func readRuleText(_ path: String) -> Result<String, Diagnostic> {
    let bytes: [UInt8]
    do throws(FileReadError) {
        bytes = try readFile(path, atMost: RuleFileLoader.maximumFileSize).bytes
    } catch {
        let message = switch error {
        case .cannotOpen(let code): "cannot read rule file: \(errorText(code)); check its permissions"
        case .cannotRead(let code): "cannot read rule file: \(errorText(code))"
        case .notRegularFile: "rule file isn't a regular file (a FIFO or a device); a rule file is Swift source text"
        case .tooLarge: "rule file is larger than \(RuleFileLoader.maximumFileSize >> 20) MiB; split it into several partitions"
        case .notText: "rule file is not UTF-8 text; save it as UTF-8 text"
        }
        return .failure(Diagnostic(message, at: .start(of: path)))
    }
    if let offset = firstInvalidUTF8(bytes) {
        return .failure(Diagnostic("rule file is not valid UTF-8 here; save it as UTF-8 text", at: position(of: offset, in: bytes, file: path)))
    }
    if let offset = bytes.firstIndex(of: 0) {
        return .failure(Diagnostic("rule file contains a NUL byte; a rule file is Swift source text", at: position(of: offset, in: bytes, file: path)))
    }
    return .success(String(decoding: bytes, as: UTF8.self))
}

/// The byte offset of the first malformed UTF-8 sequence, if any.
func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
    var i = 0
    while i < bytes.count {
        let lead = bytes[i]
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF
        switch lead {
        case 0x00...0x7F: i += 1; continue
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return i
        }
        guard i + length <= bytes.count else { return i }
        for k in 1..<length {
            let byte = bytes[i + k]
            let (lo, hi) = k == 1 ? (low, high) : (UInt8(0x80), UInt8(0xBF))
            guard byte >= lo, byte <= hi else { return i }
        }
        i += length
    }
    return nil
}

/// Line and (byte) column of an offset, both from 1, as Swift counts them:
/// a line ends at `\n`, `\r` or `\r\n`.
func position<Bytes: RandomAccessCollection<UInt8>>(of offset: Int, in bytes: Bytes, file: String) -> SourceLocation
where Bytes.Index == Int {
    var line = 1, lineStart = 0
    for index in 0..<offset {
        let byte = bytes[index]
        guard byte == UInt8(ascii: "\n") || (byte == UInt8(ascii: "\r") && (index + 1 == bytes.count || bytes[index + 1] != UInt8(ascii: "\n"))) else {
            continue
        }
        line += 1
        lineStart = index + 1
    }
    return SourceLocation(file: file, line: line, column: offset - lineStart + 1)
}

private func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
}

private func listDirectory(_ path: String) -> [String]? {
    guard let dir = opendir(path) else { return nil }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}

/// The system's reason for an error (errno), as a diagnostic says it.
func errorText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code)).lowercased()
}
