#if canImport(Glibc)
import Glibc
#endif

/// A directory only this user can change: owned by it, and writable by no
/// one else, so no other user can plant or replace a file in it. ript keeps
/// its compile cache in one, and a `--confirm` change waits in one.
package enum PrivateDirectory {
    /// Checks that PATH is such a directory.
    package static func check(_ path: String) throws(PrivateDirectoryError) {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .unavailable(errno: errno) }
        try check(info)
    }

    /// Makes PATH (only its last component: the parent must exist) when it
    /// does not exist, then checks that it is such a directory.
    package static func prepare(_ path: String) throws(PrivateDirectoryError) {
        var info = stat()
        if stat(path, &info) != 0 {
            guard errno == ENOENT, mkdir(path, 0o700) == 0 || errno == EEXIST, stat(path, &info) == 0 else {
                throw .unavailable(errno: errno)
            }
        }
        try check(info)
    }

    private static func check(_ info: stat) throws(PrivateDirectoryError) {
        guard (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == geteuid(), (info.st_mode & 0o022) == 0 else {
            throw .notPrivate
        }
    }
}

/// Why a directory can't be used as a `PrivateDirectory`.
package enum PrivateDirectoryError: Error, Sendable, CustomStringConvertible {
    /// It does not exist, or could not be made or looked at: errno.
    case unavailable(errno: Int32)
    /// It is not a directory owned by this user that no one else can write.
    case notPrivate

    package var description: String {
        switch self {
        case .unavailable(let code): String(cString: strerror(code))
        case .notPrivate: "not a directory owned by this user that no one else can write"
        }
    }
}
