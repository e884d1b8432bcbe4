#if canImport(Glibc)
import Glibc
#endif
import CIPTables
import RiptCore
import RiptSupport

/// Reads a table without libiptc, for commands that only read (diff, and
/// apply's verification): the kernel's own blob (`IPT_SO_GET_INFO`, then
/// `IPT_SO_GET_ENTRIES`; `IP6T_SO_…` on an IPv6 socket), walked in place. It
/// skips libiptc's parse into chain lists, about a third of reading a
/// 50,000-rule table, and gives the same `KernelTable` libiptc would (an
/// `Applier` with `checkReaders` set checks that). Changes still go through
/// libiptc handles (`IPTCTable`).
///
/// CIPTables is imported for the kernel's structures and socket options
/// only; no libiptc function is called here.
struct TableBlobReader: Sendable {
    /// Faults of its own (RIPT_FAULTS=IPT_SO_GET_ENTRIES=…), apart from
    /// libiptc's `iptc_init`: apply reads both ways, on different threads.
    var faults: IPTCFaults = .none

    /// Reads a table as the kernel holds it now.
    func read(_ key: FamilyTable, protocols: ProtocolTable, expected: ExpectedChains = .none) throws(IPTCError) -> KernelTable {
        try fetch(key).chains(protocols: protocols, expected: expected)
    }

    /// A table's blob as the kernel holds it now, not yet walked: a reader
    /// can fetch while the chains it expects are still being worked out.
    /// The two families' requests and replies have the same layout
    /// (checked in the shim); only the socket, its level and the entries differ.
    func fetch(_ key: FamilyTable) throws(IPTCError) -> TableBlob {
        let table = key.table
        let ipv4 = key.family == .ipv4
        if let code = faults.inject(ipv4 ? "IPT_SO_GET_ENTRIES" : "IP6T_SO_GET_ENTRIES") { throw Self.error("getsockopt", code) }
        let level = ipv4 ? Int32(IPPROTO_IP) : Int32(IPPROTO_IPV6)
        let (getInfo, getEntries) = ipv4 ? (IPT_SO_GET_INFO, IPT_SO_GET_ENTRIES) : (IP6T_SO_GET_INFO, IP6T_SO_GET_ENTRIES)
        let socket = Glibc.socket(ipv4 ? AF_INET : AF_INET6, Int32(SOCK_RAW.rawValue), Int32(IPPROTO_RAW))
        guard socket >= 0 else { throw Self.error("socket", errno) }
        defer { close(socket) }
        for _ in 0..<10 {
            var info = ipt_getinfo()
            withUnsafeMutableBytes(of: &info.name) { name in
                for (index, byte) in table.rawValue.utf8.prefix(31).enumerated() { name[index] = byte }
            }
            var length = socklen_t(MemoryLayout<ipt_getinfo>.size)
            guard getsockopt(socket, level, getInfo, &info, &length) == 0 else { throw Self.error("getsockopt", errno) }

            let headerSize = MemoryLayout<ipt_get_entries>.size
            // The call's errno, taken before the trace can write and change it.
            var failure: Int32 = 0
            // Not zeroed first: the kernel writes every byte after the
            // header (megabytes, for a big table), and a failed read is thrown away.
            let bytes = [UInt8](unsafeUninitializedCapacity: headerSize + Int(info.size)) { buffer, count in
                let raw = UnsafeMutableRawBufferPointer(buffer)
                raw[..<headerSize].initializeMemory(as: UInt8.self, repeating: 0)
                let request = raw.baseAddress!.assumingMemoryBound(to: ipt_get_entries.self)
                request.pointee.name = info.name
                request.pointee.size = info.size
                var entriesLength = socklen_t(raw.count)
                failure = Trace.phase("read \(key): GET_ENTRIES") { getsockopt(socket, level, getEntries, raw.baseAddress, &entriesLength) == 0 ? 0 : errno }
                count = failure == 0 ? raw.count : 0
            }
            if failure != 0 {
                if failure == EAGAIN { continue }  // the table changed size between the two calls
                throw Self.error("getsockopt", failure)
            }
            return TableBlob(key: key, info: info, bytes: bytes, start: headerSize)
        }
        throw Self.error("getsockopt", EAGAIN)
    }

    /// A table's entries as `IPT_SO_GET_ENTRIES` gave them, with the
    /// `IPT_SO_GET_INFO` reply that says where its built-in chains are.
    struct TableBlob: Sendable {
        let key: FamilyTable
        let info: ipt_getinfo
        let bytes: [UInt8]
        let start: Int  // the entries follow the request's header

        /// The table's chains, each verified against `expected` or decoded.
        func chains(protocols: ProtocolTable, expected: ExpectedChains) -> KernelTable {
            bytes.withUnsafeBytes { buffer in
                Trace.phase("read \(key): walk") {
                    TableBlobReader.walk(UnsafeRawBufferPointer(rebasing: buffer[start...]), info: info, key: key, protocols: protocols, expected: expected)
                }
            }
        }
    }

    /// The chains of a table blob: built-in chains from their hook entry to
    /// their underflow (the policy), user chains from their ERROR head to the
    /// RETURN before the next head; the blob ends with an ERROR entry.
    fileprivate static func walk(_ blob: UnsafeRawBufferPointer, info: ipt_getinfo, key: FamilyTable, protocols: ProtocolTable, expected: ExpectedChains) -> KernelTable {
        let layout = EntryLayout.of(key.family)
        struct Raw {
            var name: String
            var builtIn: Bool
            var policy: String?
            var entries: [(offset: Int, size: Int)]
        }
        let hookEntries = withUnsafeBytes(of: info.hook_entry) { Array($0.bindMemory(to: UInt32.self)) }
        let underflows = withUnsafeBytes(of: info.underflow) { Array($0.bindMemory(to: UInt32.self)) }
        // At most five of each: a scan beats hashing every entry's offset.
        var hookAt: [(offset: Int, hook: Int)] = [], underflowAt: [(offset: Int, hook: Int)] = []
        for hook in 0..<IPTCTable.hookNames.count where info.valid_hooks & (1 << hook) != 0 {
            hookAt.append((Int(hookEntries[hook]), hook))
            underflowAt.append((Int(underflows[hook]), hook))
        }
        func hook(at offset: Int, in offsets: [(offset: Int, hook: Int)]) -> Int? {
            for entry in offsets where entry.offset == offset { return entry.hook }
            return nil
        }

        var chains: [Raw] = []
        var firstRuleOffset: [Int: String] = [:]  // where jumps into a user chain land
        var offset = 0
        var inUserChain = false
        while offset + layout.size <= blob.count {
            let size = layout.nextOffset(blob.baseAddress! + offset), targetOffset = layout.targetOffset(blob.baseAddress! + offset)
            guard size >= layout.size, offset + size <= blob.count, targetOffset + IPTCTable.headerSize <= size else { break }
            // Compared as bytes: this runs for every entry of the table.
            let isErrorTarget = memcmp(blob.baseAddress! + offset + targetOffset + 2, "ERROR", 6) == 0  // with its NUL
            if let hook = hook(at: offset, in: hookAt) {
                if inUserChain, !chains.isEmpty { chains[chains.count - 1].entries.removeLast() }
                inUserChain = false
                chains.append(Raw(name: IPTCTable.hookNames[hook], builtIn: true, policy: nil, entries: []))
            }
            if let hook = hook(at: offset, in: underflowAt) {
                let verdict = blob.loadUnaligned(fromByteOffset: offset + targetOffset + IPTCTable.headerSize, as: Int32.self)
                if let index = chains.lastIndex(where: { $0.name == IPTCTable.hookNames[hook] }) { chains[index].policy = verdictName(verdict) }
            } else if isErrorTarget {
                // A user chain's head, or the end of the table.
                if inUserChain, !chains.isEmpty { chains[chains.count - 1].entries.removeLast() }  // its RETURN tail
                let name = String(decoding: UnsafeRawBufferPointer(rebasing: blob[(offset + targetOffset + IPTCTable.headerSize)..<(offset + targetOffset + IPTCTable.headerSize + 30)]).prefix { $0 != 0 }, as: UTF8.self)
                guard offset + size < blob.count else { break }
                chains.append(Raw(name: name, builtIn: false, policy: nil, entries: []))
                firstRuleOffset[offset + size] = name
                inUserChain = true
            } else if !chains.isEmpty {
                chains[chains.count - 1].entries.append((offset, size))
            }
            offset += size
        }

        // libiptc's order: built-in chains by hook, then user chains by name.
        let builtIns = chains.filter(\.builtIn)
        let users = chains.filter { !$0.builtIn }.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        let known = Set(chains.map(\.name))
        // Chains are verified or decoded on every core (decoding is most of
        // a read when a table has chains ript didn't write, as for diff,
        // which reads before the rule files are compiled). The expected
        // entries are waited for here, not in the workers.
        let expected = users.isEmpty ? ExpectedChains.Resolved.none : expected.resolved
        nonisolated(unsafe) let blob = blob
        let chainAt = firstRuleOffset
        let result = (builtIns + users).concurrentMap { chain in
            let entries = chain.entries.lazy.map { UnsafeRawBufferPointer(rebasing: blob[$0.offset..<($0.offset + $0.size)]) }
            if !chain.builtIn, let verified = expected.verify(chain.name, in: key, entries: entries) {
                return KernelChain(name: chain.name, isBuiltIn: false, policy: nil, rules: verified)
            }
            return KernelChain(name: chain.name, isBuiltIn: chain.builtIn, policy: chain.policy, rules: KernelRules(chain.entries.map { offset, size in
                let bytes = UnsafeRawBufferPointer(rebasing: blob[offset..<(offset + size)])
                let targetOffset = layout.targetOffset(bytes.baseAddress!)
                let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(targetOffset + 2)..<(targetOffset + 31)]).prefix { $0 != 0 }, as: UTF8.self)
                var targetName = name
                if name.isEmpty {
                    // A standard target: a verdict, or a jump by offset into a user chain.
                    let verdict = bytes.loadUnaligned(fromByteOffset: targetOffset + IPTCTable.headerSize, as: Int32.self)
                    if verdict < 0 {
                        targetName = verdictName(verdict) ?? ""
                    } else if Int(verdict) == offset + size {
                        targetName = ""  // falls through
                    } else {
                        targetName = chainAt[Int(verdict)] ?? ""
                    }
                }
                return KernelRule(decoding: bytes, family: key.family, targetName: targetName, chains: known, protocols: protocols)
            }))
        }
        return KernelTable(key, chains: result)
    }

    private static func verdictName(_ verdict: Int32) -> String? {
        switch verdict {
        case -2: "ACCEPT"  // -NF_ACCEPT - 1
        case -1: "DROP"  // -NF_DROP - 1
        case -4: "QUEUE"  // -NF_QUEUE - 1
        case -5: "RETURN"  // XT_RETURN
        default: nil
        }
    }

    private static func error(_ function: String, _ code: Int32) -> IPTCError {
        IPTCError(function: function, code: code, message: String(cString: strerror(code)))
    }
}
