#if canImport(Glibc)
import Glibc
#endif

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
