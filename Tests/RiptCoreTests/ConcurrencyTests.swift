import Dispatch
import RiptCore
import RiptSupport
import Testing

/// `Later`, the hand-over the applier's threads wait on: the reading
/// threads wait for the rule files a bounded time, and the first value
/// handed over (the compiled rule files, or giving up) is the one every
/// thread sees.
@Suite struct ConcurrencyTests {
    @Test("value(within:) is nil when nothing is handed over in time, and the value when it is handed over before or during the wait")
    func valueWithin() {
        let pending = Later<Int>()
        let start = monotonicSeconds()
        #expect(pending.value(within: 0.05) == nil)
        #expect(monotonicSeconds() - start >= 0.05)
        #expect(pending.value(within: 0) == nil)

        pending.fulfil(1)
        #expect(pending.value(within: 0) == 1)
        #expect(pending.value == 1)

        let during = Later<Int>()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.02) { during.fulfil(3) }
        #expect(during.value(within: 10) == 3)
        // Every waiter gets it, however it waits.
        #expect(during.value(within: 0) == 3)
        #expect(during.value == 3)
    }

    @Test("the first value handed over wins, nil (giving up) included, and every waiter sees the same one")
    func firstValueWins() {
        let rules = Later<Int?>()
        rules.fulfil(nil)
        rules.fulfil(7)
        #expect(rules.value(within: 0) == .some(nil))
        #expect(rules.value == nil)

        let raced = Later<Int?>()
        let seen = (0..<8).map { index in
            Later(inBackground: { () -> Int? in
                if let value = raced.value(within: index.isMultiple(of: 2) ? 0 : 0.01) { return value }
                raced.fulfil(nil)
                return raced.value
            })
        }
        raced.fulfil(5)
        let values = seen.map(\.value)
        #expect(Set(values.map { $0 ?? -1 }).count == 1, "\(values)")
    }
}
