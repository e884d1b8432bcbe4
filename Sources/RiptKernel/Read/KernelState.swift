import RiptCore

/// A rule as read from the kernel: the rule ript understands it to be, or
/// nil when it is nothing ript could have generated; then its entry is kept
/// too, to tell it apart and report it.
public struct KernelRule: Sendable, Hashable {
    public let rule: Rule?
    public let entry: KernelEntry?

    public init(rule: Rule?, entry: KernelEntry?) {
        self.rule = rule
        self.entry = rule == nil ? entry : nil
    }
}

/// A chain as read from the kernel.
public struct KernelChain: Sendable {
    public let name: String
    public let isBuiltIn: Bool
    public let policy: String?
    public let rules: [KernelRule]
}

/// Stage 4, read: one table as the kernel holds it, every rule decoded.
public struct KernelTable: Sendable {
    public let table: Table
    public let chains: [KernelChain]
    private let index: [String: Int]

    public init(table: Table, chains: [KernelChain]) {
        self.table = table
        self.chains = chains
        self.index = Dictionary(chains.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Reads a table through an open handle.
    public init(reading handle: IPTCTable, table: Table, protocols: ProtocolTable) {
        let names = handle.chainNames()
        let known = Set(names)
        let chains = names.map { name in
            let builtIn = handle.isBuiltIn(name)
            var rules: [KernelRule] = []
            // Decoded in place; only what ript can't decode is copied, to report it.
            handle.forEachEntry(in: name) { bytes, target in
                let rule = IPTCTable.rule(from: bytes, targetName: target, chains: known, protocols: protocols)
                rules.append(KernelRule(rule: rule, entry: rule == nil ? KernelEntry(bytes: Array(bytes), targetName: target) : nil))
            }
            return KernelChain(name: name, isBuiltIn: builtIn, policy: builtIn ? handle.policy(of: name) : nil, rules: rules)
        }
        self.init(table: table, chains: chains)
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

/// Which chains are ript's: the three hook chains, and `NAME-[ads]HASH`
/// chains in the table of their kind. Everything else belongs to someone else.
public enum Ownership {
    /// A partition chain's parts, if the name is one.
    public struct PartitionChain: Hashable, Sendable {
        public let partition: String
        public let kind: Character
        public let hash: String
    }

    public static func hookChains(in table: Table) -> [String] {
        Bootstrap.chains.filter { $0.table == table }.map(\.name)
    }

    /// `NAME-aHASH` in filter, `NAME-dHASH` and `NAME-sHASH` in nat.
    public static func partitionChain(_ name: String, in table: Table) -> PartitionChain? {
        // On bytes: this runs for every chain and every jump on every read.
        func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> PartitionChain? {
            let count = bytes.count
            guard count >= 9, count <= maximumPartitionNameLength + 8, bytes[count - 8] == UInt8(ascii: "-") else { return nil }
            let kind = bytes[count - 7]
            switch (kind, table) {
            case (UInt8(ascii: "a"), .filter), (UInt8(ascii: "d"), .nat), (UInt8(ascii: "s"), .nat): break
            default: return nil
            }
            for byte in bytes[(count - 6)...] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte) else { return nil }
            }
            for byte in bytes[..<(count - 8)] {
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                    UInt8(ascii: "_"), UInt8(ascii: "."):
                    continue
                default:
                    return nil
                }
            }
            return PartitionChain(
                partition: String(decoding: bytes[..<(count - 8)], as: UTF8.self), kind: Character(UnicodeScalar(kind)),
                hash: String(decoding: bytes[(count - 6)...], as: UTF8.self))
        }
        return name.utf8.withContiguousStorageIfAvailable(parse) ?? Array(name.utf8).withUnsafeBufferPointer(parse)
    }

    /// Whether ript owns this chain.
    public static func owns(_ chain: String, in table: Table) -> Bool {
        hookChains(in: table).contains(chain) || partitionChain(chain, in: table) != nil
    }
}
