import RiptSupport
#if canImport(Glibc)
import Glibc
#endif

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
/// that sends `confirm` (`ConfirmMessage`). Answers `kept PID` and returns
/// true; anything else is closed and ignored.
private func answerConfirm(on listener: Int32) -> Bool {
    let client = accept(listener, nil, nil)
    guard client >= 0 else { return false }
    defer { close(client) }
    var credentials: (pid: Int32, uid: UInt32, gid: UInt32) = (0, 0, 0)
    var length = socklen_t(MemoryLayout.size(ofValue: credentials))
    guard getsockopt(client, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0, credentials.uid == geteuid() else { return false }
    guard ConfirmMessage.receive(from: client, timeout: 1) == .confirm else { return false }
    ConfirmMessage.kept(pid: getpid()).send(to: client)
    return true
}
