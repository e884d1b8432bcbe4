#if canImport(Glibc)
import Glibc
#endif
import RiptSupport

/// The lock every iptables binary takes before changing a table:
/// `flock(LOCK_EX)` on /run/xtables.lock, or `$XTABLES_LOCKFILE`. libiptc does
/// not take it; ript holds it from its first read to its last commit.
public final class XtablesLock {
    public static var defaultPath: String {
        environmentValue("XTABLES_LOCKFILE") ?? "/run/xtables.lock"
    }

    private var descriptor: Int32

    /// Waits at most `wait` seconds for the lock.
    public init(path: String = XtablesLock.defaultPath, wait: Double) throws(LockError) {
        descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw LockError(description: "cannot open the xtables lock \(path): \(String(cString: strerror(errno)))")
        }
        let deadline = monotonicSeconds() + max(0, wait)
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                throw LockError(description: "cannot take the xtables lock \(path): \(reason)")
            }
            guard monotonicSeconds() < deadline else {
                close(descriptor)
                throw LockError(description: """
                    another program has held the xtables lock (\(path)) for over \(formatSeconds(wait)) s, \
                    so nothing was changed; run again when it is done, or wait longer with --wait SECONDS
                    """)
            }
            usleep(10_000)
        }
    }

    deinit { close(descriptor) }
}

public struct LockError: Error, Sendable, CustomStringConvertible {
    public let description: String
}
