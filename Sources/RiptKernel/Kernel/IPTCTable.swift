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

/// A snapshot of one table through libiptc: read it, edit it, commit it in
/// one atomic replace. The only code in ript that calls libiptc.
///
/// Not thread-safe (libiptc keeps global state): use one at a time, from
/// one thread, while holding the xtables lock.
public final class IPTCTable {
    public let name: String
    private var handle: OpaquePointer?
    private let faults: IPTCFaults

    /// Reads the whole table from the kernel (`iptc_init`).
    public init(_ name: String, faults: IPTCFaults = .none) throws(IPTCError) {
        self.name = name
        self.faults = faults
        if let code = faults.inject("iptc_init") {
            throw IPTCTable.error("iptc_init", code)
        }
        guard let handle = iptc_init(name) else {
            throw IPTCTable.error("iptc_init", CIPTables_errno())
        }
        self.handle = handle
    }

    deinit {
        if let handle { iptc_free(handle) }
    }

    private var live: OpaquePointer {
        guard let handle else { preconditionFailure("IPTCTable '\(name)' used after commit") }
        return handle
    }

    // MARK: Reading

    /// Every chain, built-in ones first, in libiptc's order.
    public func chainNames() -> [String] {
        var names: [String] = []
        var chain = iptc_first_chain(live)
        while let current = chain {
            names.append(String(cString: current))
            chain = iptc_next_chain(live)
        }
        return names
    }

    public func isBuiltIn(_ chain: String) -> Bool {
        withChainLabel(chain) { iptc_builtin($0, live) != 0 }
    }

    /// A built-in chain's policy (`ACCEPT`, `DROP`).
    public func policy(of chain: String) -> String? {
        var counters = xt_counters()
        return withChainLabel(chain) { label in
            iptc_get_policy(label, &counters, live).map { String(cString: $0) }
        }
    }

    /// The chain's rules, in order, each given to `body` as its bytes (valid
    /// only during the call) and its target's name.
    public func forEachEntry(in chain: String, _ body: (UnsafeRawBufferPointer, String) -> Void) {
        withChainLabel(chain) { label in
            var entry = iptc_first_rule(label, live)
            while let current = entry {
                let bytes = UnsafeRawBufferPointer(start: UnsafeRawPointer(current), count: Int(current.pointee.next_offset))
                let target = iptc_get_target(current, live).map { String(cString: $0) } ?? ""
                body(bytes, target)
                entry = iptc_next_rule(current, live)
            }
        }
    }

    /// The chain's entries, in order, as bytes valid until the handle is
    /// changed or freed.
    func entries(in chain: String) -> [UnsafeRawBufferPointer] {
        withChainLabel(chain) { label in
            var entries: [UnsafeRawBufferPointer] = []
            var entry = iptc_first_rule(label, live)
            while let current = entry {
                entries.append(UnsafeRawBufferPointer(start: UnsafeRawPointer(current), count: Int(current.pointee.next_offset)))
                entry = iptc_next_rule(current, live)
            }
            return entries
        }
    }

    // MARK: Editing (takes effect at commit)

    public func createChain(_ chain: String) throws(IPTCError) {
        try call("iptc_create_chain") { withChainLabel(chain) { iptc_create_chain($0, live) } }
    }

    /// Deletes a user chain, which must be empty and unreferenced.
    public func deleteChain(_ chain: String) throws(IPTCError) {
        try call("iptc_delete_chain") { withChainLabel(chain) { iptc_delete_chain($0, live) } }
    }

    /// Appends an entry built by `IPTCTable.entry(for:)`.
    public func append(_ entry: [UInt8], to chain: String) throws(IPTCError) {
        try call("iptc_append_entry") {
            withChainLabel(chain) { label in
                entry.withUnsafeBytes { iptc_append_entry(label, $0.baseAddress!.assumingMemoryBound(to: ipt_entry.self), live) }
            }
        }
    }

    /// Inserts an entry at a 0-based position.
    public func insert(_ entry: [UInt8], into chain: String, at position: Int) throws(IPTCError) {
        try call("iptc_insert_entry") {
            withChainLabel(chain) { label in
                entry.withUnsafeBytes {
                    iptc_insert_entry(label, $0.baseAddress!.assumingMemoryBound(to: ipt_entry.self), UInt32(position), live)
                }
            }
        }
    }

    /// Deletes the entry at a 0-based position.
    public func deleteEntry(in chain: String, at position: Int) throws(IPTCError) {
        try call("iptc_delete_num_entry") { withChainLabel(chain) { iptc_delete_num_entry($0, UInt32(position), live) } }
    }

    /// Sends the whole edited table to the kernel in one atomic replace. The
    /// handle is spent afterwards, whether or not the commit succeeded.
    public func commit() throws(IPTCError) {
        defer {
            if let handle { iptc_free(handle) }
            handle = nil
        }
        try call("iptc_commit") { iptc_commit(live) }
    }

    // MARK: Plumbing

    private func call(_ function: String, _ body: () -> Int32) throws(IPTCError) {
        if let code = faults.inject(function) { throw IPTCTable.error(function, code) }
        guard body() != 0 else { throw IPTCTable.error(function, CIPTables_errno()) }
    }

    private static func error(_ function: String, _ code: Int32) -> IPTCError {
        IPTCError(function: function, code: code, message: String(cString: iptc_strerror(code)))
    }

    /// libiptc may read all 32 bytes of a chain label: pass a zero-padded buffer.
    private func withChainLabel<Result>(_ chain: String, _ body: (UnsafePointer<CChar>) -> Result) -> Result {
        var label = [CChar](repeating: 0, count: 32)
        for (index, byte) in chain.utf8.prefix(31).enumerated() { label[index] = CChar(bitPattern: byte) }
        return label.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
