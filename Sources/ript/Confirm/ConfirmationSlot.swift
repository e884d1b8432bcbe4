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
/// - `confirm.sock`: where `ript confirm` reaches it, while it waits
///   (`ConfirmMessage`). A socket rather than a signal: `ript confirm` hears back whether the
///   confirmation arrived in time, and a stale pid file can never make it
///   signal an unrelated process.
final class ConfirmationSlot {
    let directory: String
    private let lock: Int32
    private var listener: Int32 = -1
    /// Whether this process holds the lock (a refused claim cleans up nothing).
    private var claimed = false

    static var directory: String {
        environmentValue("RIPT_RUN_DIR") ?? "/run/ript"
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
