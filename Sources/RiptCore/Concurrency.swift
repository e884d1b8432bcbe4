import Dispatch

extension Array where Element: Sendable {
    /// `map` over every core: the transform runs on the elements in parallel
    /// chunks; results come back in the original order.
    func concurrentMap<Result: Sendable>(_ transform: @Sendable (Element) -> Result) -> [Result] {
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

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The number of online processors.
let processorCount = Swift.max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
