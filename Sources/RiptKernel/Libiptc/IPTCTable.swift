import CIPTables
import RiptCore

/// A libiptc call failed: which function, its errno, and libiptc's own words.
public struct IPTCError: Error, Sendable, Equatable, CustomStringConvertible {
    public let function: String
    public let code: Int32
    public let message: String

    public var description: String { "\(function): \(message)" }

    /// Another writer changed the table between our read and our commit.
    public var isConcurrentChange: Bool { code == EAGAIN }
}

/// A mocking hook for libiptc (as swift-system has for syscalls): called
/// with each function's name before the call; an errno makes the call fail
/// with it without reaching libiptc. Tests inject EAGAIN, ENOMEM and the like.
public struct IPTCFaults: Sendable {
    public let inject: @Sendable (_ function: String) -> Int32?

    public init(_ inject: @escaping @Sendable (_ function: String) -> Int32?) {
        self.inject = inject
    }

    public static let none = IPTCFaults { _ in nil }
}

/// One rule as the kernel holds it: the entry's bytes and its target's name
/// as libiptc resolves it (a verdict, a chain, or an extension's name).
public struct KernelEntry: Sendable, Hashable {
    public let bytes: [UInt8]
    public let targetName: String
}

/// libiptc's functions for one family: libip4tc's `iptc_*` or libip6tc's
/// `ip6tc_*`. They take the same arguments apart from the entry type, which
/// is passed here as raw bytes (`ipt_entry` or `ip6t_entry`, see `EntryLayout`).
struct LibIPTC: Sendable {
    /// `iptc` or `ip6tc`: how errors and faults name the functions.
    let prefix: String
    let initialize: @Sendable (UnsafePointer<CChar>) -> OpaquePointer?
    let free: @Sendable (OpaquePointer) -> Void
    let firstChain: @Sendable (OpaquePointer) -> UnsafePointer<CChar>?
    let nextChain: @Sendable (OpaquePointer) -> UnsafePointer<CChar>?
    let builtIn: @Sendable (UnsafePointer<CChar>, OpaquePointer) -> Int32
    let policy: @Sendable (UnsafePointer<CChar>, UnsafeMutablePointer<xt_counters>, OpaquePointer) -> UnsafePointer<CChar>?
    let setPolicy: @Sendable (UnsafePointer<CChar>, UnsafePointer<CChar>, OpaquePointer) -> Int32
    let firstRule: @Sendable (UnsafePointer<CChar>, OpaquePointer) -> UnsafeRawPointer?
    let nextRule: @Sendable (UnsafeRawPointer, OpaquePointer) -> UnsafeRawPointer?
    let target: @Sendable (UnsafeRawPointer, OpaquePointer) -> UnsafePointer<CChar>?
    let createChain: @Sendable (UnsafePointer<CChar>, OpaquePointer) -> Int32
    let deleteChain: @Sendable (UnsafePointer<CChar>, OpaquePointer) -> Int32
    let append: @Sendable (UnsafePointer<CChar>, UnsafeRawPointer, OpaquePointer) -> Int32
    let insert: @Sendable (UnsafePointer<CChar>, UnsafeRawPointer, UInt32, OpaquePointer) -> Int32
    let deleteEntry: @Sendable (UnsafePointer<CChar>, UInt32, OpaquePointer) -> Int32
    let commit: @Sendable (OpaquePointer) -> Int32
    let strerror: @Sendable (Int32) -> UnsafePointer<CChar>?

    static func of(_ family: Family) -> LibIPTC { family == .ipv4 ? ipv4 : ipv6 }

    static let ipv4 = LibIPTC(
        prefix: "iptc",
        initialize: { iptc_init($0) }, free: { iptc_free($0) },
        firstChain: { iptc_first_chain($0) }, nextChain: { iptc_next_chain($0) },
        builtIn: { iptc_builtin($0, $1) }, policy: { iptc_get_policy($0, $1, $2) },
        setPolicy: { iptc_set_policy($0, $1, nil, $2) },
        firstRule: { iptc_first_rule($0, $1).map(UnsafeRawPointer.init) },
        nextRule: { iptc_next_rule($0.assumingMemoryBound(to: ipt_entry.self), $1).map(UnsafeRawPointer.init) },
        target: { iptc_get_target($0.assumingMemoryBound(to: ipt_entry.self), $1) },
        createChain: { iptc_create_chain($0, $1) }, deleteChain: { iptc_delete_chain($0, $1) },
        append: { iptc_append_entry($0, $1.assumingMemoryBound(to: ipt_entry.self), $2) },
        insert: { iptc_insert_entry($0, $1.assumingMemoryBound(to: ipt_entry.self), $2, $3) },
        deleteEntry: { iptc_delete_num_entry($0, $1, $2) },
        commit: { iptc_commit($0) }, strerror: { iptc_strerror($0) })

    static let ipv6 = LibIPTC(
        prefix: "ip6tc",
        initialize: { ip6tc_init($0) }, free: { ip6tc_free($0) },
        firstChain: { ip6tc_first_chain($0) }, nextChain: { ip6tc_next_chain($0) },
        builtIn: { ip6tc_builtin($0, $1) }, policy: { ip6tc_get_policy($0, $1, $2) },
        setPolicy: { ip6tc_set_policy($0, $1, nil, $2) },
        firstRule: { ip6tc_first_rule($0, $1).map(UnsafeRawPointer.init) },
        nextRule: { ip6tc_next_rule($0.assumingMemoryBound(to: ip6t_entry.self), $1).map(UnsafeRawPointer.init) },
        target: { ip6tc_get_target($0.assumingMemoryBound(to: ip6t_entry.self), $1) },
        createChain: { ip6tc_create_chain($0, $1) }, deleteChain: { ip6tc_delete_chain($0, $1) },
        append: { ip6tc_append_entry($0, $1.assumingMemoryBound(to: ip6t_entry.self), $2) },
        insert: { ip6tc_insert_entry($0, $1.assumingMemoryBound(to: ip6t_entry.self), $2, $3) },
        deleteEntry: { ip6tc_delete_num_entry($0, $1, $2) },
        commit: { ip6tc_commit($0) }, strerror: { ip6tc_strerror($0) })
}

/// A snapshot of one table of one family through libiptc (libip4tc or
/// libip6tc): read it, edit it, commit it in one atomic replace. The one
/// type through which ript calls libiptc's functions (the rest of this
/// folder builds and decodes the entries it takes and gives); reading
/// without libiptc is `TableBlobReader`'s.
///
/// Not thread-safe (libiptc keeps global state): use one at a time, from
/// one thread, while holding the xtables lock.
public final class IPTCTable {
    /// The built-in chains in the kernel's hook order, as libiptc lists them.
    static let hookNames = ["PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING"]

    public let family: Family
    public let name: String
    private var handle: OpaquePointer?
    private let faults: IPTCFaults
    private let library: LibIPTC
    let layout: EntryLayout

    /// Reads the whole table from the kernel (`iptc_init`, `ip6tc_init`).
    public init(_ family: Family, _ name: String, faults: IPTCFaults = .none) throws(IPTCError) {
        self.family = family
        self.name = name
        self.faults = faults
        library = .of(family)
        layout = .of(family)
        let function = library.prefix + "_init"
        if let code = faults.inject(function) {
            throw IPTCTable.error(function, code, library)
        }
        guard let handle = library.initialize(name) else {
            throw IPTCTable.error(function, CIPTables_errno(), library)
        }
        self.handle = handle
    }

    deinit {
        if let handle { library.free(handle) }
    }

    private var live: OpaquePointer {
        guard let handle else { preconditionFailure("IPTCTable '\(name)' used after commit") }
        return handle
    }

    // MARK: Reading

    /// Every chain, built-in ones first, in libiptc's order.
    public func chainNames() -> [String] {
        var names: [String] = []
        var chain = library.firstChain(live)
        while let current = chain {
            names.append(String(cString: current))
            chain = library.nextChain(live)
        }
        return names
    }

    public func isBuiltIn(_ chain: String) -> Bool {
        withChainLabel(chain) { library.builtIn($0, live) != 0 }
    }

    /// A built-in chain's policy (`ACCEPT`, `DROP`).
    public func policy(of chain: String) -> String? {
        var counters = xt_counters()
        return withChainLabel(chain) { label in
            library.policy(label, &counters, live).map { String(cString: $0) }
        }
    }

    /// The chain's rules, in order, each given to `body` as its bytes (valid
    /// only during the call) and its target's name.
    public func forEachEntry(in chain: String, _ body: (UnsafeRawBufferPointer, String) -> Void) {
        withChainLabel(chain) { label in
            var entry = library.firstRule(label, live)
            while let current = entry {
                let bytes = UnsafeRawBufferPointer(start: current, count: layout.nextOffset(current))
                let target = library.target(current, live).map { String(cString: $0) } ?? ""
                body(bytes, target)
                entry = library.nextRule(current, live)
            }
        }
    }

    /// The chain's entries, in order, as bytes valid until the handle is
    /// changed or freed.
    func entries(in chain: String) -> [UnsafeRawBufferPointer] {
        withChainLabel(chain) { label in
            var entries: [UnsafeRawBufferPointer] = []
            var entry = library.firstRule(label, live)
            while let current = entry {
                entries.append(UnsafeRawBufferPointer(start: current, count: layout.nextOffset(current)))
                entry = library.nextRule(current, live)
            }
            return entries
        }
    }

    // MARK: Editing (takes effect at commit)

    public func createChain(_ chain: String) throws(IPTCError) {
        try call("create_chain") { withChainLabel(chain) { library.createChain($0, live) } }
    }

    /// Deletes a user chain, which must be empty and unreferenced.
    public func deleteChain(_ chain: String) throws(IPTCError) {
        try call("delete_chain") { withChainLabel(chain) { library.deleteChain($0, live) } }
    }

    /// Appends an entry built by `IPTCTable.entry(for:)` for this table's family.
    public func append(_ entry: [UInt8], to chain: String) throws(IPTCError) {
        try call("append_entry") {
            withChainLabel(chain) { label in entry.withUnsafeBytes { library.append(label, $0.baseAddress!, live) } }
        }
    }

    /// Inserts an entry at a 0-based position.
    public func insert(_ entry: [UInt8], into chain: String, at position: Int) throws(IPTCError) {
        try call("insert_entry") {
            withChainLabel(chain) { label in entry.withUnsafeBytes { library.insert(label, $0.baseAddress!, UInt32(position), live) } }
        }
    }

    /// Deletes the entry at a 0-based position.
    public func deleteEntry(in chain: String, at position: Int) throws(IPTCError) {
        try call("delete_num_entry") { withChainLabel(chain) { library.deleteEntry($0, UInt32(position), live) } }
    }

    /// Sets a built-in chain's policy (`ACCEPT`, `DROP`), keeping its counters.
    public func setPolicy(_ policy: String, of chain: String) throws(IPTCError) {
        try call("set_policy") {
            withChainLabel(chain) { label in withChainLabel(policy) { library.setPolicy(label, $0, live) } }
        }
    }

    /// Sends the whole edited table to the kernel in one atomic replace. The
    /// handle is spent afterwards, whether or not the commit succeeded.
    public func commit() throws(IPTCError) {
        defer {
            if let handle { library.free(handle) }
            handle = nil
        }
        try call("commit") { library.commit(live) }
    }

    // MARK: Plumbing

    /// Calls a libiptc function, named without its prefix (`commit` is
    /// `iptc_commit` or `ip6tc_commit`).
    private func call(_ name: String, _ body: () -> Int32) throws(IPTCError) {
        let function = library.prefix + "_" + name
        if let code = faults.inject(function) { throw IPTCTable.error(function, code, library) }
        guard body() != 0 else { throw IPTCTable.error(function, CIPTables_errno(), library) }
    }

    private static func error(_ function: String, _ code: Int32, _ library: LibIPTC) -> IPTCError {
        IPTCError(function: function, code: code, message: library.strerror(code).map { String(cString: $0) } ?? "error \(code)")
    }

    /// libiptc may read all 32 bytes of a chain label: pass a zero-padded buffer.
    private func withChainLabel<Result>(_ chain: String, _ body: (UnsafePointer<CChar>) -> Result) -> Result {
        var label = [CChar](repeating: 0, count: 32)
        for (index, byte) in chain.utf8.prefix(31).enumerated() { label[index] = CChar(bitPattern: byte) }
        return label.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
