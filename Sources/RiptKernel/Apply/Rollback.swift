#if canImport(Glibc)
import Glibc
#endif
import RiptCore
import RiptSupport

// Lockout protection (`ript apply --confirm`): what ript owned in the kernel
// just before an apply changed it, and putting exactly that back.
//
// Everything here works on entries as bytes, never on decoded rules, so
// whatever ript's chains held comes back as it was: rules ript wrote, hand
// edits it cannot decode, jumps, all in their order. Only ript's chains
// (`Ownership`) and ript's jumps in the built-in chains are read and
// changed; other programs' chains and rules, and the policies, are left
// alone, with whatever those programs changed in the meantime.

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
    /// Every chain name in the table, ript's and others': jumps are told from extensions by them.
    private(set) var allChains: Set<String> = []
    private var index: [String: Int] = [:]

    public init(_ key: FamilyTable, chains: [(name: String, entries: [SavedEntry])], builtIns: [String: SavedBuiltIn], otherChains: [String] = []) {
        self.key = key
        self.chains = chains
        self.builtIns = builtIns
        index = Dictionary(chains.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        allChains = Set(chains.map(\.name) + builtIns.keys + otherChains)
    }

    /// Reads what ript owns in the table behind an open handle.
    init(reading handle: IPTCTable, table: Table) {
        let key = FamilyTable(handle.family, table)
        var chains: [(name: String, entries: [SavedEntry])] = []
        var builtIns: [String: SavedBuiltIn] = [:]
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
        self.init(key, chains: chains, builtIns: builtIns, otherChains: names)
    }

    public func entries(of chain: String) -> [SavedEntry]? {
        index[chain].map { chains[$0].entries }
    }
}

/// What ript owned in every table an apply was about to change, read under
/// the xtables lock through the very handles the apply then changed and
/// committed (after a retry, from the fresh read the retry made).
public struct Checkpoint: Sendable {
    public private(set) var tables: [FamilyTable: OwnedTable] = [:]
    /// The tables in the order the apply commits them; a rollback goes the other way.
    public private(set) var order: [FamilyTable] = []

    public init() {}

    public var isEmpty: Bool { order.isEmpty }

    mutating func record(_ key: FamilyTable, _ handle: IPTCTable) {
        if tables[key] == nil { order.append(key) }
        tables[key] = Trace.phase("checkpoint \(key)") { OwnedTable(reading: handle, table: key.table) }
    }

    /// Only the given tables (say, those an apply committed): a rollback
    /// reads and changes nothing else.
    public func restricted(to keys: Set<FamilyTable>) -> Checkpoint {
        var copy = self
        copy.order = order.filter(keys.contains)
        copy.tables = tables.filter { keys.contains($0.key) }
        return copy
    }
}

/// One change a rollback makes to a table, in order. Positions are 0-based
/// and valid when the operation runs.
public enum RollbackOperation: Sendable, Hashable {
    case createChain(String)
    case insert(chain: String, position: Int, entry: SavedEntry)
    case append(chain: String, entry: SavedEntry)
    case delete(chain: String, position: Int, entry: SavedEntry)
    /// Deletes every entry of a chain the rollback removes (before any such chain is deleted).
    case empty(chain: String, entries: Int)
    case deleteChain(String)
}

/// Planning a rollback: the operations that turn what ript owns in a table
/// now into what it owned at the checkpoint, touching nothing else.
public enum RollbackPlanner {
    /// In order: chains ript had are created again; ript's jumps in the
    /// built-in chains are put back where they were among the other rules
    /// (left alone when they already are the same jumps in the same order,
    /// wherever other programs' rules moved them); each of ript's chains is
    /// refilled where it differs (the common head and tail kept); chains ript
    /// did not have are emptied, then deleted.
    public static func plan(from current: OwnedTable, to saved: OwnedTable) -> [RollbackOperation] {
        var operations: [RollbackOperation] = []
        for chain in saved.chains where current.entries(of: chain.name) == nil {
            operations.append(.createChain(chain.name))
        }

        for name in saved.builtIns.keys.sorted(by: { builtInOrder($0) < builtInOrder($1) }) {
            let want = saved.builtIns[name]!.hooks
            let have = current.builtIns[name] ?? SavedBuiltIn()
            if have.hooks.map(\.entry) == want.map(\.entry) { continue }
            // Last first, so each position is still where the read found it.
            for hook in have.hooks.reversed() {
                operations.append(.delete(chain: name, position: hook.position, entry: hook.entry))
            }
            for (index, hook) in want.enumerated() {
                operations.append(.insert(chain: name, position: min(hook.foreignBefore, have.foreignRules) + index, entry: hook.entry))
            }
        }

        for chain in saved.chains {
            operations += refill(chain.name, from: current.entries(of: chain.name) ?? [], to: chain.entries)
        }

        let made = current.chains.filter { saved.entries(of: $0.name) == nil }
        for chain in made where !chain.entries.isEmpty {
            operations.append(.empty(chain: chain.name, entries: chain.entries.count))
        }
        for chain in made {
            operations.append(.deleteChain(chain.name))
        }
        return operations
    }

    /// The built-in chains in the kernel's hook order, as libiptc lists them.
    private static func builtInOrder(_ name: String) -> Int {
        IPTCTable.hookNames.firstIndex(of: name) ?? IPTCTable.hookNames.count
    }

    /// Replaces what differs between the common head and tail of a chain's entries.
    static func refill(_ chain: String, from existing: [SavedEntry], to target: [SavedEntry]) -> [RollbackOperation] {
        if existing == target { return [] }
        var prefix = 0
        while prefix < existing.count, prefix < target.count, existing[prefix] == target[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < existing.count - prefix, suffix < target.count - prefix,
            existing[existing.count - 1 - suffix] == target[target.count - 1 - suffix]
        {
            suffix += 1
        }
        var operations: [RollbackOperation] = []
        for index in prefix..<(existing.count - suffix) {
            operations.append(.delete(chain: chain, position: prefix, entry: existing[index]))
        }
        for (offset, entry) in target[prefix..<(target.count - suffix)].enumerated() {
            operations.append(suffix == 0 ? .append(chain: chain, entry: entry) : .insert(chain: chain, position: prefix + offset, entry: entry))
        }
        return operations
    }
}

/// What a rollback did, table by table, and what it could not do.
public struct Rollback: Sendable {
    /// A table the rollback committed, with its operations as commands.
    public struct Done: Sendable {
        public let key: FamilyTable
        public let operations: [RollbackOperation]
        public let commands: String
    }

    /// A table left as the apply made it, and why.
    public struct Failure: Sendable, CustomStringConvertible {
        public let key: FamilyTable
        public let reason: String
        /// The commands that would have rolled it back, when they were planned.
        public var left: String = ""

        public var description: String { "the \(key) table could not be rolled back (\(reason))" }
    }

    public internal(set) var done: [Done] = []
    public internal(set) var failures: [Failure] = []
    /// After the commits, what still differs from the checkpoint (another
    /// program changed ript's chains meanwhile), as sentences; empty when the
    /// rollback is exact.
    public internal(set) var left: [String] = []

    public var succeeded: Bool { failures.isEmpty && left.isEmpty }

    /// Every operation as an iptables or ip6tables command, in commit order.
    public var commands: String { done.map(\.commands).joined() }
}

extension Applier {
    /// Puts ript's chains and its jumps in the built-in chains back exactly
    /// as `checkpoint` holds them, under the xtables lock (waiting at least
    /// 30 s for it: giving up here could leave someone locked out), one
    /// atomic commit per table that differs, in the reverse of the apply's
    /// order, so the states it passes through are the ones the apply passed
    /// through. A commit refused with EAGAIN is retried from a fresh read. A
    /// table that cannot be rolled back does not stop the others. Then every
    /// table is read again and compared with the checkpoint.
    ///
    /// libiptc faults are looked up as `rollback:FUNCTION` (RIPT_FAULTS), so
    /// tests can fail the rollback and not the apply before it.
    public func rollback(to checkpoint: Checkpoint) -> Rollback {
        var result = Rollback()
        let faults = IPTCFaults { [faults] function in faults.inject("rollback:" + function) }
        let tables = Array(checkpoint.order.reversed())
        let lock: XtablesLock
        do {
            lock = try Trace.phase("rollback: lock") { () throws(LockError) in try XtablesLock(path: lockPath, wait: max(wait, 30)) }
        } catch {
            result.failures = tables.map { Rollback.Failure(key: $0, reason: error.description) }
            return result
        }
        defer { withExtendedLifetime(lock) {} }

        for key in tables {
            guard let saved = checkpoint.tables[key] else { continue }
            var delay = 0.01
            for attempt in 1...attempts {
                var planned = ""
                do {
                    let handle = try Trace.phase("rollback: init \(key)") { () throws(IPTCError) in try IPTCTable(key.family, key.table.rawValue, faults: faults) }
                    let current = Trace.phase("rollback: read \(key)") { OwnedTable(reading: handle, table: key.table) }
                    let operations = Trace.phase("rollback: plan \(key)") { RollbackPlanner.plan(from: current, to: saved) }
                    if operations.isEmpty { break }
                    planned = Trace.phase("rollback: render \(key)") { Self.commands(operations, in: current, saved: saved, protocols: protocols) }
                    try Trace.phase("rollback: \(operations.count) operations on \(key)") { () throws(IPTCError) in
                        for operation in operations { try perform(operation, on: handle) }
                    }
                    try Trace.phase("rollback: commit \(key)") { () throws(IPTCError) in try handle.commit() }
                    result.done.append(Rollback.Done(key: key, operations: operations, commands: planned))
                    break
                } catch where error.isConcurrentChange && attempt < attempts {
                    usleep(UInt32(delay * 1_000_000))
                    delay *= 2
                } catch {
                    result.failures.append(Rollback.Failure(key: key, reason: "\(error.function): \(error.message)", left: planned))
                    break
                }
            }
        }

        for key in tables where !result.failures.contains(where: { $0.key == key }) {
            guard let saved = checkpoint.tables[key] else { continue }
            do {
                let (current, left) = try Trace.phase("rollback: verify \(key)") { () throws(IPTCError) in
                    let current = OwnedTable(reading: try IPTCTable(key.family, key.table.rawValue, faults: faults), table: key.table)
                    return (current, RollbackPlanner.plan(from: current, to: saved))
                }
                if !left.isEmpty {
                    result.left.append("after its rollback, the \(key) table still differs from before the change (did another program change it?); to finish:\n" + Self.commands(left, in: current, saved: saved, protocols: protocols))
                }
            } catch {
                result.left.append("the \(key) table could not be read again to check it (\(error.function): \(error.message))")
            }
        }
        return result
    }

    private func perform(_ operation: RollbackOperation, on handle: IPTCTable) throws(IPTCError) {
        switch operation {
        case .createChain(let chain): try handle.createChain(chain)
        case .insert(let chain, let position, let entry): try handle.insert(entry.bytes, into: chain, at: position)
        case .append(let chain, let entry): try handle.append(entry.bytes, to: chain)
        case .delete(let chain, let position, _): try handle.deleteEntry(in: chain, at: position)
        case .empty(let chain, let entries): for _ in 0..<entries { try handle.deleteEntry(in: chain, at: 0) }
        case .deleteChain(let chain): try handle.deleteChain(chain)
        }
    }

    /// The operations as iptables or ip6tables commands; entries ript cannot
    /// spell are named by their target and restored from their saved bytes.
    static func commands(_ operations: [RollbackOperation], in current: OwnedTable, saved: OwnedTable, protocols: ProtocolTable) -> String {
        let key = current.key
        let chains = current.allChains.union(saved.allChains)
        func command(_ words: [String], _ entry: SavedEntry? = nil) -> String {
            let line = CommandRenderer.command(key.family, key.table, words)
            guard let entry else { return line }
            let target = entry.bytes.withUnsafeBytes { IPTCTable.targetName(of: $0, family: key.family) }
            return line.dropLast() + "  # a rule ript cannot spell (target \(target.isEmpty ? "none" : target)), restored from its saved bytes\n"
        }
        func spelled(_ entry: SavedEntry) -> [String]? {
            entry.bytes.withUnsafeBytes { bytes in
                IPTCTable.rule(from: bytes, family: key.family, targetName: IPTCTable.targetName(of: bytes, family: key.family), chains: chains, protocols: protocols)
            }?.arguments(.long)
        }
        return operations.map { operation in
            switch operation {
            case .createChain(let chain):
                command(["--new-chain", chain])
            case .insert(let chain, let position, let entry):
                spelled(entry).map { command(["--insert", chain, String(position + 1)] + $0) }
                    ?? command(["--insert", chain, String(position + 1)], entry)
            case .append(let chain, let entry):
                spelled(entry).map { command(["--append", chain] + $0) } ?? command(["--append", chain], entry)
            case .delete(let chain, let position, let entry):
                command(["--delete", chain] + (spelled(entry) ?? [String(position + 1)]))
            case .empty(let chain, _):
                command(["--flush", chain])
            case .deleteChain(let chain):
                command(["--delete-chain", chain])
            }
        }.joined()
    }
}

extension IPTCTable {
    /// The name in an entry's target header: an extension's, or for a
    /// standard target in saved form the verdict or chain (empty for a
    /// fall-through).
    static func targetName(of entry: UnsafeRawBufferPointer, family: Family) -> String {
        let layout = EntryLayout.of(family)
        guard entry.count >= layout.size else { return "" }
        let offset = layout.targetOffset(entry.baseAddress!)
        guard offset + headerSize <= entry.count else { return "" }
        return String(decoding: UnsafeRawBufferPointer(rebasing: entry[(offset + 2)..<(offset + 31)]).prefix { $0 != 0 }, as: UTF8.self)
    }
}
