import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

extension Ript {
    /// `ript confirm`: keep the changes of a waiting `--confirm` command.
    struct Confirm: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Keep the changes of a 'ript apply --confirm' waiting for confirmation.",
            discussion: """
                The waiting command (apply, rules apply, clean apply or rules flush with --confirm, in another \
                shell) keeps its changes and exits 0. Exits 2 when no command is waiting, or when it stopped \
                waiting (its time ran out or it was interrupted) before the confirmation reached it: then its \
                changes are rolled back. Finds the waiting command in $RIPT_RUN_DIR (default /run/ript).
                """)

        func run() throws {
            let path = ConfirmationSlot.socketPath
            let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard descriptor >= 0 else {
                writeStandardError("ript: error: cannot make a socket: \(String(cString: strerror(errno)))\n")
                throw ExitCode.error
            }
            defer { close(descriptor) }
            let connected = withSocketAddress(path) { connect(descriptor, $0, $1) }
            guard connected == 0 else {
                let code = errno
                if connected != nil, code == EACCES || code == EPERM {
                    writeStandardError("ript: error: 'ript confirm' cannot reach \(path): \(String(cString: strerror(code))); run it with sudo\n")
                } else {
                    writeStandardError("ript: error: nothing to confirm: no 'ript apply --confirm' is waiting for confirmation (none listens on \(path))\n")
                }
                throw ExitCode.error
            }
            ConfirmMessage.confirm.send(to: descriptor)
            guard case .kept(let pid) = ConfirmMessage.receive(from: descriptor, timeout: 10) else {
                writeStandardError("""
                    ript: error: the waiting 'ript apply --confirm' stopped waiting before this confirmation reached it \
                    (its time ran out, or it was interrupted); it rolls its changes back

                    """)
                throw ExitCode.error
            }
            writeStandardError("ript: confirmed: the command waiting as pid \(pid) keeps its changes\n")
        }
    }
}
