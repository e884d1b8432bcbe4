import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Array where Element: Sendable {
    /// `map` over every core: the transform runs on the elements in parallel
    /// chunks; results come back in the original order. Inlinable, so each
    /// caller's element and result types are specialised, not copied
    /// through generic value witnesses.
    @inlinable
    package func concurrentMap<Result: Sendable>(_ transform: @Sendable (Element) -> Result) -> [Result] {
        guard count > 1 else { return map(transform) }
        let buffer = UnsafeMutableBufferPointer<Result?>.allocate(capacity: count)
        buffer.initialize(repeating: nil)
        defer {
            buffer.deinitialize()
            buffer.deallocate()
        }
        // Each chunk writes only its own slots, so the writes never overlap.
        nonisolated(unsafe) let slots = buffer
        let chunkCount = Swift.min(count, processorCount * 4)
        let chunkSize = (count + chunkCount - 1) / chunkCount
        self.withUnsafeBufferPointer { elements in
            nonisolated(unsafe) let input = elements
            DispatchQueue.concurrentPerform(iterations: chunkCount) { chunk in
                let start = chunk * chunkSize
                let end = Swift.min(start + chunkSize, input.count)
                guard start < end else { return }
                for index in start..<end { slots[index] = transform(input[index]) }
            }
        }
        return buffer.map { $0! }
    }
}

/// The number of online processors.
@usableFromInline
package let processorCount = Swift.max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

/// Runs `body` on a thread of its own. Not on one of Dispatch's workers:
/// those are few (one per core), work queued for them waits while they are
/// taken, and ript's background jobs wait for each other (a reader waits for
/// the compiled chains, the compile for a checksum). With two workers
/// blocked, a diff once waited a whole second for a thread. `concurrentMap`
/// still uses Dispatch: its calling thread always takes part.
package func detachThread(_ body: @escaping @Sendable () -> Void) {
    final class Job: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let job = Unmanaged.passRetained(Job(body)).toOpaque()
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    // Signals are the main thread's to take (ript --confirm waits for them
    // there): the thread starts with every signal blocked, as Dispatch's
    // threads run, apart from those a fault raises on the faulting thread
    // (blocked, they would kill the process without the runtime's report).
    var blocked = sigset_t(), previous = sigset_t()
    sigfillset(&blocked)
    for fault in [SIGILL, SIGTRAP, SIGFPE, SIGBUS, SIGSEGV, SIGSYS] { sigdelset(&blocked, fault) }
    pthread_sigmask(SIG_BLOCK, &blocked, &previous)
    var thread = pthread_t()
    let started = pthread_create(&thread, &attributes, { raw in
        Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue().body()
        return nil
    }, job)
    pthread_sigmask(SIG_SETMASK, &previous, nil)
    if started != 0 {
        // No thread to be had (a process limit): Dispatch's, however long that takes.
        // Never on this thread: the job may wait for what this thread does next.
        let job = Unmanaged<Job>.fromOpaque(job).takeRetainedValue()
        DispatchQueue.global().async { job.body() }
    }
}

/// Runs `other` on another thread while `work` runs on this one; both results.
package func withConcurrently<Value, Other: Sendable>(
    _ other: @escaping @Sendable () -> Other, _ work: () throws -> Value
) rethrows -> (Value, Other) {
    let result = Later(inBackground: other)
    let value: Value
    do {
        value = try work()
    } catch {
        _ = result.value
        throw error
    }
    return (value, result.value)
}
