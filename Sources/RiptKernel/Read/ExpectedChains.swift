import RiptCore
import RiptSupport

/// The entries ript's chains hold when nobody has touched them: every
/// compiled partition chain's rules encoded as the kernel gives them back.
/// Readers compare a chain's entries with these before decoding it: a
/// 50,000-rule table is compared in a few milliseconds, where decoding it
/// takes tens.
public struct ExpectedChains: Sendable {
    struct Chain: Sendable {
        let rules: [Rule]
        let entries: [UInt8]
    }
    /// Encoded in the background, or by the thread that compiles (diff):
    /// a reader waits for it only when it first meets a chain (a first
    /// load's empty kernel has none until its verification), so the
    /// encoding overlaps the lock and the first read.
    private let chains: Later<[FamilyTable: [String: Chain]]>

    public static let none = ExpectedChains(chains: Later(value: [:]))

    private init(chains: Later<[FamilyTable: [String: Chain]]>) { self.chains = chains }

    /// Encodes every chain of `ruleset` that has no jumps (jumps come back
    /// as offsets, so those chains are always decoded).
    public init(_ ruleset: CompiledRuleset) {
        self.init(Self.chains(of: ruleset))
    }

    /// Chains to be handed over by `fulfil(encoding:)`: for a reader that
    /// starts while the rule files still compile.
    static func pending() -> ExpectedChains { ExpectedChains(chains: Later()) }

    /// Encodes the compiled chains on this thread (on every core), for a
    /// pending reader; nil (the rule files failed) expects nothing.
    func fulfil(encoding ruleset: CompiledRuleset?) {
        chains.fulfil(ruleset.map { Self.encode(Self.chains(of: $0)) } ?? [:])
    }

    /// Encodes the given chains, by table and name, on every core, starting now.
    init(_ chains: [(table: FamilyTable, name: String, rules: [Rule])]) {
        self.init(chains: Later(inBackground: { Self.encode(chains) }))
    }

    private static func chains(of ruleset: CompiledRuleset) -> [(table: FamilyTable, name: String, rules: [Rule])] {
        ruleset.partitions.flatMap { $0.chains.map { (table: FamilyTable($0.family, $0.table), name: $0.name, rules: $0.rules) } }
    }

    private static func encode(_ chains: [(table: FamilyTable, name: String, rules: [Rule])]) -> [FamilyTable: [String: Chain]] {
        Trace.phase("expected chains") {
            let encoded = chains.concurrentMap { chain in IPTCTable.kernelEntries(for: chain.rules) }
            var byTable: [FamilyTable: [String: Chain]] = [:]
            for (chain, entries) in zip(chains, encoded) {
                guard let entries else { continue }
                byTable[chain.table, default: [:]][chain.name] = Chain(rules: chain.rules, entries: entries)
            }
            return byTable
        }
    }

    /// The encoded chains, waited for: for readers that look up many
    /// chains from many threads without taking the lock each time.
    var resolved: Resolved { Resolved(chains: chains.value) }

    /// The chain's rules if `entries` (each entry's bytes) are exactly the
    /// expected ones, else nil.
    func verify<Entries: Sequence<UnsafeRawBufferPointer>>(_ name: String, in table: FamilyTable, entries: Entries) -> KernelRules? {
        resolved.verify(name, in: table, entries: entries)
    }

    struct Resolved: Sendable {
        let chains: [FamilyTable: [String: Chain]]

        static let none = Resolved(chains: [:])

        /// The chain's rules if `entries` (each entry's bytes) are exactly the
        /// expected ones, else nil.
        func verify<Entries: Sequence<UnsafeRawBufferPointer>>(_ name: String, in table: FamilyTable, entries: Entries) -> KernelRules? {
            guard let chain = chains[table]?[name] else { return nil }
            let layout = EntryLayout.of(table.family)
            var offset = 0
            let same = chain.entries.withUnsafeBytes { expected -> Bool in
                for entry in entries {
                    guard offset + entry.count <= expected.count,
                        IPTCTable.isSame(entry, as: UnsafeRawBufferPointer(rebasing: expected[offset..<(offset + entry.count)]), layout: layout)
                    else { return false }
                    offset += entry.count
                }
                return offset == expected.count
            }
            return same ? KernelRules(verified: chain.rules) : nil
        }
    }
}
