import RiptCore

// What ript owns in a table, read for a checkpoint (`ript apply --confirm`)
// and again when rolling back to it.
//
// Everything here keeps entries as bytes, never as decoded rules, so
// whatever ript's chains held comes back as it was: rules ript wrote, hand
// edits it cannot decode, jumps, all in their order. Only ript's chains
// (`Ownership`, the policy marker among them), ript's jumps in the built-in
// chains and, in filter, the policies of INPUT, FORWARD and OUTPUT are
// read; other programs' chains and rules are not.

/// One entry of a chain in the form libiptc takes it back: the kernel's
/// bytes with the counters and `comefrom` zeroed, the names of matches and
/// target zero-padded after their NUL, and a standard target spelled by name
/// (`ACCEPT`, `DROP`, `QUEUE`, `RETURN`, or the chain it jumps to) with its
/// verdict zeroed, since libiptc maps those names and an offset means
/// nothing in another copy of the table. Two entries are the same rule
/// exactly when their saved forms are equal; for a rule ript writes, the
/// saved form is the entry `IPTCTable.entry(for:)` builds.
public struct SavedEntry: Sendable, Hashable {
    public let bytes: [UInt8]

    init(kernel bytes: UnsafeRawBufferPointer, targetName: String, layout: EntryLayout) {
        var saved = Array(bytes)
        saved.withUnsafeMutableBytes { entry in
            let size = entry.count
            guard size >= layout.size else { return }
            for index in layout.comefromAt..<layout.size { entry[index] = 0 }  // comefrom, counters
            let targetOffset = layout.targetOffset(entry.baseAddress!)
            var offset = layout.size
            while offset + IPTCTable.headerSize <= size {
                let extensionSize = Int(entry.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
                guard extensionSize >= IPTCTable.headerSize, offset + extensionSize <= size else { return }
                // The kernel writes a name back only up to its NUL.
                if let end = (offset + 2..<offset + 31).first(where: { entry[$0] == 0 }) {
                    for index in end..<(offset + 31) { entry[index] = 0 }
                }
                if offset == targetOffset, entry[offset + 2] == 0, extensionSize >= IPTCTable.headerSize + 4 {
                    // A standard target: a verdict, a jump (or goto), or a
                    // fall-through (no name). The name says it all.
                    for (index, byte) in targetName.utf8.prefix(28).enumerated() { entry[offset + 2 + index] = byte }
                    entry.storeBytes(of: Int32(0), toByteOffset: offset + IPTCTable.headerSize, as: Int32.self)
                }
                offset += extensionSize
            }
        }
        self.bytes = saved
    }

    public init(bytes: [UInt8]) { self.bytes = bytes }
}

/// A jump of ript's (to one of its own chains) in a built-in chain, and where it stood.
public struct SavedHook: Sendable, Hashable {
    public let entry: SavedEntry
    /// Its 0-based position in the chain.
    public let position: Int
    /// How many rules of other programs stood before it in the chain.
    public let foreignBefore: Int
}

/// A built-in chain as far as ript is concerned: its jumps into ript's
/// chains, and how many other rules it holds.
public struct SavedBuiltIn: Sendable, Equatable {
    public var hooks: [SavedHook] = []
    public var foreignRules = 0
}

/// What ript owns in one table of one family.
public struct OwnedTable: Sendable {
    public let key: FamilyTable
    /// ript's chains (its hook chains and partition chains) in libiptc's
    /// order, each with its entries in order.
    public private(set) var chains: [(name: String, entries: [SavedEntry])] = []
    /// Every built-in chain, by name.
    public private(set) var builtIns: [String: SavedBuiltIn] = [:]
    /// In filter, the policies of INPUT, FORWARD and OUTPUT (`ACCEPT`,
    /// `DROP`), by chain; ript's to put back when the policy marker existed
    /// at the checkpoint or exists now.
    public private(set) var policies: [String: String] = [:]
    /// Every chain name in the table, ript's and others': jumps are told from extensions by them.
    private(set) var allChains: Set<String> = []
    private var index: [String: Int] = [:]

    public init(
        _ key: FamilyTable, chains: [(name: String, entries: [SavedEntry])], builtIns: [String: SavedBuiltIn], policies: [String: String] = [:],
        otherChains: [String] = []
    ) {
        self.key = key
        self.chains = chains
        self.builtIns = builtIns
        self.policies = policies
        index = Dictionary(chains.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        allChains = Set(chains.map(\.name) + builtIns.keys + otherChains)
    }

    /// Reads what ript owns in the table behind an open handle.
    init(reading handle: IPTCTable, table: Table) {
        let key = FamilyTable(handle.family, table)
        var chains: [(name: String, entries: [SavedEntry])] = []
        var builtIns: [String: SavedBuiltIn] = [:]
        var policies: [String: String] = [:]
        if table == .filter {
            for hook in Hook.allCases { policies[hook.rawValue] = handle.policy(of: hook.rawValue) }
        }
        let names = handle.chainNames()
        for name in names {
            if handle.isBuiltIn(name) {
                var chain = SavedBuiltIn()
                var position = 0
                handle.forEachEntry(in: name) { bytes, target in
                    if Ownership.owns(target, in: table) {
                        chain.hooks.append(SavedHook(
                            entry: SavedEntry(kernel: bytes, targetName: target, layout: handle.layout),
                            position: position, foreignBefore: chain.foreignRules))
                    } else {
                        chain.foreignRules += 1
                    }
                    position += 1
                }
                builtIns[name] = chain
            } else if Ownership.owns(name, in: table) {
                var entries: [SavedEntry] = []
                handle.forEachEntry(in: name) { bytes, target in
                    entries.append(SavedEntry(kernel: bytes, targetName: target, layout: handle.layout))
                }
                chains.append((name, entries))
            }
        }
        self.init(key, chains: chains, builtIns: builtIns, policies: policies, otherChains: names)
    }

    public func entries(of chain: String) -> [SavedEntry]? {
        index[chain].map { chains[$0].entries }
    }

    /// Whether ript owned the policies here: its marker chain exists.
    public var ownsPolicies: Bool { index[Bootstrap.policyMarker] != nil }
}
