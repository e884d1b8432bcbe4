#if canImport(Glibc)
import Glibc
#endif

/// Seconds on the monotonic clock, for deadlines (the lock's wait,
/// --confirm's) and timings.
public func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// When the process started: a lazy global, which `main` touches first
/// thing. The summary line's time, and the trace's.
public let processStart = monotonicSeconds()

/// Seconds as a user wrote them: "5", "0.5".
public func formatSeconds(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
}
