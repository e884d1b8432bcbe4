#if canImport(Glibc)
import Glibc
#endif

/// Phase timings on standard error when RIPT_TRACE=1, for finding where a
/// slow run spends its time (`RIPT_TRACE=1 ript rules apply …`). Off, it
/// costs one load of a flag.
package enum Trace {
    package static let isOn: Bool = {
        guard let value = getenv("RIPT_TRACE") else { return false }
        return String(cString: value) == "1"
    }()

    /// Runs `work` and, when tracing, prints how long it took.
    @inline(__always)
    package static func phase<Value, Failure: Error>(_ name: @autoclosure () -> String, _ work: () throws(Failure) -> Value) throws(Failure) -> Value {
        guard isOn else { return try work() }
        let start = now()
        defer {
            let tenths = Int(((now() - start) * 1e4).rounded())
            let figure = "\(tenths / 10).\(tenths % 10)"
            write(String(repeating: " ", count: max(0, 8 - figure.count)) + figure + " ms  " + name())
        }
        return try work()
    }

    /// Prints a line when tracing.
    package static func note(_ line: @autoclosure () -> String) {
        if isOn { write(line()) }
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    private static func write(_ line: String) {
        let text = Array("ript trace: \(line)\n".utf8)
        _ = text.withUnsafeBytes { Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
