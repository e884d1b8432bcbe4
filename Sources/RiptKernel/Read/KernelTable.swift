import RiptCore
import RiptSupport

/// Stage 4, read: one table of one family as the kernel holds it, every
/// rule decoded (or verified to be what ript wrote).
///
/// This folder reads the kernel: `TableBlobReader` reads a table without
/// libiptc, `init(reading:table:protocols:expected:)` through a libiptc
/// handle; `ExpectedChains` lets both skip decoding ript's untouched
/// chains; `Ownership` says which chains are ript's, and `OwnedTable` is
/// what ript owns in a table, kept as bytes for a checkpoint.
public struct KernelTable: Sendable {
    public let key: FamilyTable
    public let chains: [KernelChain]
    private let index: [String: Int]

    public var family: Family { key.family }
    public var table: Table { key.table }

    public init(_ key: FamilyTable, chains: [KernelChain]) {
        self.key = key
        self.chains = chains
        self.index = Dictionary(chains.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Reads a table through an open handle; chains found to be as
    /// `expected` are not decoded.
    public init(reading handle: IPTCTable, table: Table, protocols: ProtocolTable, expected: ExpectedChains = .none) {
        let key = FamilyTable(handle.family, table)
        let names = handle.chainNames()
        let known = Set(names)
        let chains = names.map { name in
            let builtIn = handle.isBuiltIn(name)
            // Built-in chains are never ript's: no need to wait for the expected entries.
            if !builtIn, let verified = expected.verify(name, in: key, entries: handle.entries(in: name)) {
                return KernelChain(name: name, isBuiltIn: builtIn, policy: nil, rules: verified)
            }
            var rules: [KernelRule] = []
            handle.forEachEntry(in: name) { bytes, target in
                rules.append(KernelRule(decoding: bytes, family: handle.family, targetName: target, chains: known, protocols: protocols))
            }
            return KernelChain(name: name, isBuiltIn: builtIn, policy: builtIn ? handle.policy(of: name) : nil, rules: KernelRules(rules))
        }
        self.init(key, chains: chains)
    }

    /// For RIPT_TRACE: how many of ript's partition chains were verified
    /// byte for byte, and how many had to be decoded.
    func traceVerification() {
        Trace.note({
            let owned = chains.filter { Ownership.partitionChain($0.name, in: table) != nil }
            let verified = owned.count { $0.rules.wereVerified }
            return "read \(key): \(verified) partition chains verified byte for byte, \(owned.count - verified) decoded"
        }())
    }

    public func chain(_ name: String) -> KernelChain? {
        index[name].map { chains[$0] }
    }

    /// The first way two reads of a table differ, or nil: chain names and
    /// order, built-in flags, policies, and each rule (for rules ript can't
    /// decode, their target's name; their bytes hold counters and offsets).
    public func difference(from other: KernelTable) -> String? {
        guard chains.map(\.name) == other.chains.map(\.name) else {
            return "chains \(chains.map(\.name)) against \(other.chains.map(\.name))"
        }
        for (mine, theirs) in zip(chains, other.chains) {
            guard mine.isBuiltIn == theirs.isBuiltIn, mine.policy == theirs.policy, mine.rules.count == theirs.rules.count else {
                return "chain \(mine.name): built-in \(mine.isBuiltIn)/\(theirs.isBuiltIn), policy \(mine.policy ?? "-")/\(theirs.policy ?? "-"), \(mine.rules.count)/\(theirs.rules.count) rules"
            }
            for (index, (a, b)) in zip(mine.rules, theirs.rules).enumerated()
            where a.rule != b.rule || (a.rule == nil && a.entry?.targetName != b.entry?.targetName) {
                return "chain \(mine.name) rule \(index + 1): \(String(describing: a.rule)) against \(String(describing: b.rule))"
            }
        }
        return nil
    }
}
