import Dispatch
import Synchronization

/// A value handed over once, perhaps by another thread; `value` waits for
/// it. Made pending (`fulfil` it later), already known, or worked out in
/// the background from the moment it is made, for work whose result is
/// needed only later (or not at all) so this thread can go on meanwhile.
package final class Later<Value: Sendable>: Sendable {
    private let result = Mutex<Value?>(nil)
    private let done = DispatchSemaphore(value: 0)

    /// Pending until `fulfil`.
    package init() {}

    /// Already known.
    package init(value: Value) {
        fulfil(value)
    }

    /// Worked out on a thread of its own, starting now.
    package init(inBackground work: @escaping @Sendable () -> Value) {
        detachThread { self.fulfil(work()) }
    }

    /// Hands the value over; only the first call counts.
    package func fulfil(_ value: Value) {
        let first = result.withLock { stored in
            guard stored == nil else { return false }
            stored = value
            return true
        }
        if first { done.signal() }
    }

    /// The value if it is handed over within `seconds`, else nil.
    package func value(within seconds: Double) -> Value? {
        value(before: .now() + seconds)
    }

    /// Waits for the value (once; later calls return at once).
    package var value: Value {
        value(before: .distantFuture)!
    }

    private func value(before deadline: DispatchTime) -> Value? {
        if let value = result.withLock({ $0 }) { return value }
        guard done.wait(timeout: deadline) == .success else { return nil }
        done.signal()  // for any other waiter
        return result.withLock { $0! }
    }
}
