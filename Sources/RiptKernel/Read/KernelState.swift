import RiptCore
import RiptSupport

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

    /// Decodes an entry in place; only what ript can't decode is copied, to report it.
    init(decoding bytes: UnsafeRawBufferPointer, family: Family, targetName: String, chains: Set<String>, protocols: ProtocolTable) {
        let rule = IPTCTable.rule(from: bytes, family: family, targetName: targetName, chains: chains, protocols: protocols)
        self.init(rule: rule, entry: rule == nil ? KernelEntry(bytes: Array(bytes), targetName: targetName) : nil)
    }
}

/// A chain's rules as read from the kernel: decoded one by one, or, when a
/// reader found the chain's entries byte for byte those ript writes for its
/// compiled chain of the same name (see `ExpectedChains`), those rules
/// without decoding anything. The common case for ript's own chains; any
/// difference at all (a hand edit, counters aside) sends the chain through
/// the decoder.
public struct KernelRules: RandomAccessCollection, Sendable {
    private enum Storage: Sendable {
        case decoded([KernelRule])
        case compiled([Rule])
    }
    private let storage: Storage

    public init(_ rules: [KernelRule]) { storage = .decoded(rules) }

    /// Rules whose entries were checked to be exactly these rules' entries.
    init(verified rules: [Rule]) { storage = .compiled(rules) }

    /// Whether a reader verified these byte for byte instead of decoding them.
    public var wereVerified: Bool {
        if case .compiled = storage { true } else { false }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int {
        switch storage {
        case .decoded(let rules): rules.count
        case .compiled(let rules): rules.count
        }
    }

    public subscript(position: Int) -> KernelRule {
        switch storage {
        case .decoded(let rules): rules[position]
        case .compiled(let rules): KernelRule(rule: rules[position], entry: nil)
        }
    }

    /// Whether these are exactly `rules`, in order; without comparing rule
    /// by rule when they were verified against the same compiled chain.
    public func areExactly(_ rules: [Rule]) -> Bool {
        switch storage {
        case .compiled(let verified): return verified == rules  // the same array: compared by identity first
        case .decoded(let decoded):
            guard decoded.count == rules.count else { return false }
            // By index: rules are large values, and zipping copies each one.
            for index in decoded.indices where decoded[index].rule != rules[index] { return false }
            return true
        }
    }

    /// Whether these are exactly the rules `rules` gives, in order, without
    /// gathering them into an array first.
    func areExactly(count: Int, _ rules: (_ each: (Rule) -> Bool) -> Bool) -> Bool {
        guard count == endIndex else { return false }
        var index = 0
        let same = rules { rule in
            guard index < endIndex else { return false }  // more than `count` after all
            defer { index += 1 }
            switch storage {
            case .compiled(let verified): return verified[index] == rule
            case .decoded(let decoded): return decoded[index].rule == rule
            }
        }
        return same && index == endIndex
    }
}

extension KernelRules: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: KernelRule...) { self.init(elements) }
}

/// A chain as read from the kernel.
public struct KernelChain: Sendable {
    public let name: String
    public let isBuiltIn: Bool
    public let policy: String?
    public let rules: KernelRules

    public init(name: String, isBuiltIn: Bool, policy: String?, rules: KernelRules) {
        self.name = name
        self.isBuiltIn = isBuiltIn
        self.policy = policy
        self.rules = rules
    }
}

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

/// Stage 4, read: one table of one family as the kernel holds it, every
/// rule decoded (or verified to be what ript wrote).
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
