#if canImport(Glibc)
import Glibc
#endif

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
