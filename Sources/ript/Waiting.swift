import RiptCore
import RiptKernel
import RiptSupport
#if canImport(Glibc)
import Glibc
#endif

/// Why a change made with `--confirm` could not wait, or `ript confirm`
/// could not reach it.
struct ConfirmationError: Error, CustomStringConvertible {
    let description: String
}

/// The one place a `--confirm` change waits, in `$RIPT_RUN_DIR` (default
/// /run/ript, a directory only its owner can write):
///
/// - `confirm.lock`: held with `flock(LOCK_EX)` by the waiting process from
///   before its change until it has confirmed or rolled back. The kernel
///   drops the lock when the process dies, however it dies, so a stale file
///   never blocks anyone.
/// - `confirm.pid`: that process's id, for messages.
/// - `confirm.sock`: where `ript confirm` reaches it, while it waits. A
///   socket rather than a signal: `ript confirm` hears back whether the
///   confirmation arrived in time, and a stale pid file can never make it
///   signal an unrelated process.
final class ConfirmationSlot {
    let directory: String
    private let lock: Int32
    private var listener: Int32 = -1
    /// Whether this process holds the lock (a refused claim cleans up nothing).
    private var claimed = false

    static var directory: String {
        if let path = getenv("RIPT_RUN_DIR"), path.pointee != 0 { return String(cString: path) }
        return "/run/ript"
    }

    static var socketPath: String { directory + "/confirm.sock" }
    private static var lockPath: String { directory + "/confirm.lock" }
    private static var pidPath: String { directory + "/confirm.pid" }

    /// The pid recorded by the waiting (or last) `--confirm` process, if any.
    static func recordedPid() -> String? {
        guard let text = (try? readSmallFile(pidPath))?.filter(\.isNumber) else { return nil }
        return text.isEmpty ? nil : text
    }

    /// Claims the slot for this process, before it changes anything; throws
    /// when another `--confirm` change holds it.
    init() throws(ConfirmationError) {
        directory = Self.directory
        guard withSocketAddress(Self.socketPath, { _, _ in () }) != nil else {
            throw ConfirmationError(description: "\(Self.socketPath) is too long for a socket; set RIPT_RUN_DIR to a shorter directory")
        }
        try Self.prepareDirectory(directory)
        lock = open(Self.lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard lock >= 0 else {
            throw ConfirmationError(description: "cannot open \(Self.lockPath): \(String(cString: strerror(errno)))")
        }
        // Other commands only test the lock for an instant: try for a moment.
        let deadline = monotonicSeconds() + 0.5
        while flock(lock, LOCK_EX | LOCK_NB) != 0 {
            guard (errno == EWOULDBLOCK || errno == EINTR), monotonicSeconds() < deadline else {
                throw ConfirmationError(description: """
                    another 'ript … --confirm'\(Self.recordedPid().map { " (pid \($0))" } ?? "") is waiting for \
                    confirmation, and only one may wait at a time; nothing was changed. Run 'ript confirm' or let \
                    it roll back, then run this again
                    """)
            }
            usleep(10_000)
        }
        claimed = true
        // Left by a process that died without cleaning up: ours now.
        unlink(Self.socketPath)
        let pid = "\(getpid())\n"
        let descriptor = open(Self.pidPath, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o600)
        if descriptor >= 0 {
            _ = pid.utf8CString.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count - 1) }
            close(descriptor)
        }
    }

    deinit {
        if claimed {
            stopListening()
            unlink(Self.pidPath)
        }
        if lock >= 0 { close(lock) }
    }

    /// Fails when a `--confirm` change is waiting: a command that changes
    /// ript's chains now would be undone by its rollback.
    static func checkNoneWaiting(_ command: String) throws(ConfirmationError) {
        let descriptor = open(lockPath, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_SH | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return
        }
        guard errno == EWOULDBLOCK else { return }
        throw ConfirmationError(description: """
            a 'ript … --confirm'\(recordedPid().map { " (pid \($0))" } ?? "") is waiting for confirmation, and its \
            rollback would undo what '\(command)' changes; nothing was changed. Run 'ript confirm' or let it roll \
            back, then run this again
            """)
    }

    /// Opens `confirm.sock` for `ript confirm`; returns the listening socket.
    func listen() throws(ConfirmationError) -> Int32 {
        // (The path was checked to fit when the slot was claimed.)
        let path = Self.socketPath
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else {
            throw ConfirmationError(description: "cannot make a socket for 'ript confirm': \(String(cString: strerror(errno)))")
        }
        // Bound and listening under another name first, then renamed: a
        // `ript confirm` that finds confirm.sock always finds it listening.
        // (The name is shorter than confirm.sock, so it fits too.)
        let listening = Self.directory + "/c.new"
        unlink(listening)
        let bound = withSocketAddress(listening) { bind(descriptor, $0, $1) }
        guard bound == 0, Glibc.listen(descriptor, 8) == 0, rename(listening, path) == 0 else {
            let reason = bound == nil ? "the path is too long" : String(cString: strerror(errno))
            close(descriptor)
            throw ConfirmationError(description: "cannot listen on \(path) for 'ript confirm': \(reason)")
        }
        listener = descriptor
        return descriptor
    }

    /// Closes and removes `confirm.sock`: from now on `ript confirm` finds nothing waiting.
    func stopListening() {
        guard listener >= 0 else { return }
        close(listener)
        listener = -1
        unlink(Self.socketPath)
    }

    /// Makes the directory (only its last component) if needed; it must be
    /// this user's and writable by no one else.
    private static func prepareDirectory(_ directory: String) throws(ConfirmationError) {
        do throws(PrivateDirectoryError) {
            try PrivateDirectory.prepare(directory)
        } catch {
            switch error {
            case .unavailable(let code):
                throw ConfirmationError(description: "cannot make the directory \(directory) (RIPT_RUN_DIR): \(String(cString: strerror(code)))")
            case .notPrivate:
                throw ConfirmationError(description: """
                    \(directory) (RIPT_RUN_DIR) must be a directory owned by this user that no one else can write; \
                    nothing was changed
                    """)
            }
        }
    }
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

/// SIGHUP, SIGINT and SIGTERM, held back from the moment a `--confirm`
/// command starts, so that none of them can end the process between its
/// change and its rollback: each is a request to roll back, read with
/// `pending()`. SIGHUP stays ignored when the process was started ignoring
/// it (`nohup`: to reconnect and `ript confirm` after a dropped session);
/// SIGINT and SIGTERM are watched even then (a shell starts its background
/// jobs ignoring SIGINT, by accident here). SIGPIPE is ignored (a closed
/// output must not kill the process before it rolls back), and so are
/// SIGTSTP, SIGTTIN and SIGTTOU (a stopped process never rolls back).
struct InterruptWatch {
    private var mask = sigset_t()

    init() {
        sigemptyset(&mask)
        var hangup = sigaction()
        sigaction(SIGHUP, nil, &hangup)
        if unsafeBitCast(hangup.__sigaction_handler.sa_handler, to: Int.self) != 1 {  // SIG_IGN
            sigaddset(&mask, SIGHUP)
        }
        for signal in [SIGINT, SIGTERM] {
            sigaddset(&mask, signal)
            Glibc.signal(signal, SIG_DFL)  // blocked, so never acted on: only read
        }
        // Dispatch's threads and ript's own (detachThread) block every
        // signal: only this thread can take them.
        pthread_sigmask(SIG_BLOCK, &mask, nil)
        for signal in [SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU] {
            Glibc.signal(signal, SIG_IGN)
        }
    }

    /// A watched signal that arrived, if any (taken off the pending set).
    func pending() -> Int32? {
        var mask = self.mask
        var info = siginfo_t()
        var now = timespec(tv_sec: 0, tv_nsec: 0)
        let signal = sigtimedwait(&mask, &info, &now)
        return signal > 0 ? signal : nil
    }

    static func name(_ signal: Int32) -> String {
        switch signal {
        case SIGHUP: "SIGHUP"
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        default: "signal \(signal)"
        }
    }
}

/// Standard input as a terminal taking single keys: not canonical, no echo
/// (signal keys such as Ctrl-C still send their signals), and anything typed
/// before it was set up discarded. Restored when released. Nil when
/// standard input is not a terminal, or this process is not in its
/// foreground (changing a terminal from the background would stop it).
final class KeyTerminal {
    private var saved = termios()

    init?() {
        guard isatty(STDIN_FILENO) == 1, tcgetpgrp(STDIN_FILENO) == getpgrp(), tcgetattr(STDIN_FILENO, &saved) == 0 else { return nil }
        var keys = saved
        keys.c_lflag &= ~tcflag_t(ICANON | ECHO)
        withUnsafeMutableBytes(of: &keys.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(STDIN_FILENO, TCSANOW, &keys) == 0 else { return nil }
        tcflush(STDIN_FILENO, TCIFLUSH)
    }

    deinit { restore() }

    func restore() {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved)
    }
}

/// How a wait for confirmation ended.
enum WaitOutcome: Equatable {
    case confirmedByCommand
    case confirmedByKey
    case timedOut
    case interrupted(signal: Int32)
    /// Standard input, a terminal, hung up.
    case terminalLost
}

/// Waits until `ript confirm` answers on `listener`, a key is pressed on
/// `terminal`, a watched signal arrives, or `seconds` pass, whichever is
/// first. Checks for signals at least every 50 ms.
func waitForConfirmation(seconds: Double, listener: Int32, terminal: KeyTerminal?, signals: InterruptWatch) -> WaitOutcome {
    let deadline = monotonicSeconds() + seconds
    while true {
        if let signal = signals.pending() { return .interrupted(signal: signal) }
        let remaining = deadline - monotonicSeconds()
        if remaining <= 0 { return .timedOut }
        var descriptors = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
        if terminal != nil { descriptors.append(pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)) }
        let ready = poll(&descriptors, nfds_t(descriptors.count), Int32(min(50, max(1, (remaining * 1000).rounded(.up)))))
        guard ready > 0 else { continue }
        // A signal that came with the input (Ctrl-C, then the terminal's end) wins.
        if let signal = signals.pending() { return .interrupted(signal: signal) }
        if descriptors[0].revents & Int16(POLLIN) != 0, answerConfirm(on: listener) {
            return .confirmedByCommand
        }
        if descriptors.count > 1, descriptors[1].revents != 0 {
            var key: UInt8 = 0
            let count = read(STDIN_FILENO, &key, 1)
            if count == 1 { return .confirmedByKey }
            if count == 0 || (errno != EINTR && errno != EAGAIN) { return .terminalLost }
        }
    }
}

/// Takes one connection from `ript confirm`: a process of this same user
/// that sends `confirm`. Answers `kept PID` and returns true; anything else
/// is closed and ignored.
private func answerConfirm(on listener: Int32) -> Bool {
    let client = accept(listener, nil, nil)
    guard client >= 0 else { return false }
    defer { close(client) }
    var credentials: (pid: Int32, uid: UInt32, gid: UInt32) = (0, 0, 0)
    var length = socklen_t(MemoryLayout.size(ofValue: credentials))
    guard getsockopt(client, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0, credentials.uid == geteuid() else { return false }
    guard let request = receiveLine(from: client, timeout: 1), request == "confirm" else { return false }
    let answer = Array("kept \(getpid())\n".utf8)
    _ = answer.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    return true
}

/// One line from a socket (without its newline), waiting at most `timeout`
/// seconds; nil on timeout, end of file or error.
func receiveLine(from descriptor: Int32, timeout: Double) -> String? {
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
