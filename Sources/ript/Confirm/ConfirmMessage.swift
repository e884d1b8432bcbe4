import RiptSupport
#if canImport(Glibc)
import Glibc
#endif

/// What `ript confirm` and a waiting `--confirm` command say to each other
/// over `confirm.sock` (see `ConfirmationSlot`): one line each way, then the
/// connection closes.
///
///     ript confirm     ->  waiting command:  confirm
///     waiting command  ->  ript confirm:     kept PID
///
/// The waiting command answers only a process of its own user
/// (`SO_PEERCRED`) that sent `confirm`, and only while it still waits: no
/// answer means it stopped waiting, and it rolls its changes back.
enum ConfirmMessage: Equatable {
    /// `ript confirm` asks the waiting command to keep its changes.
    case confirm
    /// The waiting command, process `pid`, keeps them.
    case kept(pid: Int32)

    /// The message as sent, without its newline.
    var line: String {
        switch self {
        case .confirm: "confirm"
        case .kept(let pid): "kept \(pid)"
        }
    }

    /// The message a line (without its newline) holds; nil for anything else.
    init?(line: String) {
        if line == "confirm" {
            self = .confirm
        } else if line.hasPrefix("kept "), let pid = Int32(line.dropFirst(5)) {
            self = .kept(pid: pid)
        } else {
            return nil
        }
    }

    /// Sends the message; a peer that has gone is no error (and no SIGPIPE).
    func send(to descriptor: Int32) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// The next message from `descriptor`, waiting at most `timeout`
    /// seconds; nil on timeout, end of file, error or a line that is no message.
    static func receive(from descriptor: Int32, timeout: Double) -> ConfirmMessage? {
        receiveLine(from: descriptor, timeout: timeout).flatMap(ConfirmMessage.init(line:))
    }
}

/// One line from a socket (without its newline), waiting at most `timeout`
/// seconds; nil on timeout, end of file or error.
private func receiveLine(from descriptor: Int32, timeout: Double) -> String? {
    let deadline = monotonicSeconds() + timeout
    var bytes: [UInt8] = []
    while bytes.count < 256 {
        let remaining = deadline - monotonicSeconds()
        guard remaining > 0 else { return nil }
        var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let polled = poll(&ready, 1, Int32((remaining * 1000).rounded(.up)))
        if polled < 0 && errno == EINTR { continue }
        guard polled > 0 else { return nil }
        var byte: UInt8 = 0
        let count = recv(descriptor, &byte, 1, 0)
        if count < 0 && errno == EINTR { continue }
        guard count == 1 else { return nil }
        if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
        bytes.append(byte)
    }
    return nil
}

/// Calls `body` with a `sockaddr_un` for `path`; nil when the path does not fit.
func withSocketAddress<Result>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result? {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    let capacity = MemoryLayout.size(ofValue: address.sun_path)
    guard bytes.count < capacity else { return nil }
    withUnsafeMutableBytes(of: &address.sun_path) { field in
        for (index, byte) in bytes.enumerated() { field[index] = byte }
    }
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
}
