#if canImport(Glibc)
import Glibc
#endif

/// Phase timings on standard error when RIPT_TRACE=1, for finding where a
/// slow run spends its time (`RIPT_TRACE=1 ript rules apply …`): how long
/// each phase took, and when it ended since the process started (phases on
/// other threads overlap). Off, it costs one load of a flag.
package enum Trace {
    package static let isOn: Bool = {
        guard let value = getenv("RIPT_TRACE") else { return false }
        return String(cString: value) == "1"
    }()

    /// Runs `work` and, when tracing, prints how long it took.
    @inline(__always)
    package static func phase<Value, Failure: Error>(_ name: @autoclosure () -> String, _ work: () throws(Failure) -> Value) throws(Failure) -> Value {
        guard isOn else { return try work() }
        let start = monotonicSeconds()
        defer {
            let end = monotonicSeconds()
            let figure = milliseconds(end - start)
            write(String(repeating: " ", count: max(0, 8 - figure.count)) + figure + " ms  " + name() + "  (ended at \(milliseconds(end - processStart)) ms)")
        }
        return try work()
    }

    /// Milliseconds since the process started, to a tenth.
    package static func sinceStart() -> String { milliseconds(monotonicSeconds() - processStart) }

    /// "12.6": seconds in milliseconds, to a tenth.
    private static func milliseconds(_ seconds: Double) -> String {
        let tenths = Int((seconds * 1e4).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    /// Prints a line when tracing.
    package static func note(_ line: @autoclosure () -> String) {
        if isOn { write(line()) }
    }

    private static func write(_ line: String) {
        let text = Array("ript trace: \(line)\n".utf8)
        _ = text.withUnsafeBytes { Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
