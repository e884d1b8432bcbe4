#if canImport(Glibc)
import Glibc
#endif

/// Why a file could not be read.
package enum FileReadError: Error, Sendable, CustomStringConvertible {
    /// It could not be opened (missing, or not permitted): errno.
    case cannotOpen(errno: Int32)
    /// It was opened, but could not be read: errno.
    case cannotRead(errno: Int32)
    /// A FIFO, a device or a directory: only regular files are read.
    case notRegularFile
    /// Longer than the reader's limit.
    case tooLarge
    /// Not UTF-8 text, or it holds a NUL byte.
    case notText

    package var description: String {
        switch self {
        case .cannotOpen(let code): "cannot open the file: \(String(cString: strerror(code)))"
        case .cannotRead(let code): "cannot read the file: \(String(cString: strerror(code)))"
        case .notRegularFile: "not a regular file"
        case .tooLarge: "the file is too large"
        case .notText: "not UTF-8 text"
        }
    }
}

/// The bytes of a regular file, read to its end, and its status (fstat);
/// throws when it is anything else or longer than `limit` bytes. Opened
/// non-blocking, so a FIFO (or a terminal) found where a file was can't
/// stall the reader. Rule files, the compile cache and small text files
/// (`readSmallFile`) are all read here.
package func readFile(_ path: String, atMost limit: Int) throws(FileReadError) -> (bytes: [UInt8], status: stat) {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    guard descriptor >= 0 else { throw .cannotOpen(errno: errno) }
    defer { close(descriptor) }
    var status = stat()
    guard fstat(descriptor, &status) == 0 else { throw .cannotRead(errno: errno) }
    guard status.st_mode & S_IFMT == S_IFREG else { throw .notRegularFile }
    guard status.st_size <= limit else { throw .tooLarge }
    // Sized as fstat says, a byte over so the end is seen without growing;
    // read to the end all the same (files under /proc and /sys say 0 or 4096).
    var bytes = [UInt8](repeating: 0, count: max(Int(status.st_size), 0) + 1)
    var count = 0
    while true {
        if count == bytes.count {
            guard count <= limit else { throw .tooLarge }
            bytes += repeatElement(0, count: min(max(count, 4096), limit + 1 - count))
        }
        let received = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + count, $0.count - count) }
        if received < 0 {
            if errno == EINTR { continue }
            throw .cannotRead(errno: errno)
        }
        if received == 0 { break }
        count += received
    }
    bytes.removeSubrange(count...)
    return (bytes, status)
}

/// A small text file, whole: /etc/protocols, the kernel's settings under
/// /proc and /sys, a pid file. UTF-8 without NUL bytes, at most 16 MiB (as
/// a rule file), or it throws.
package func readSmallFile(_ path: String) throws(FileReadError) -> String {
    let bytes = try readFile(path, atMost: 16 << 20).bytes
    guard !bytes.contains(0), let text = String(validating: bytes, as: UTF8.self) else { throw .notText }
    return text
}
