import CIPTables
import RiptCore

// The entries libiptc takes and gives (and the kernel's own table blob
// holds): built from ript's rules here, their matches in Matches.swift,
// their targets in Targets.swift, and read back into rules in
// EntryDecoding.swift.
//
// The layouts are the kernel's (`ipt_entry`, `xt_entry_match`,
// `xt_entry_target` and each extension's data, checked in CIPTables' shim and
// by RiptKernelTests against the headers), in the revisions the iptables
// 1.8.9 CLI writes, so `iptables-legacy-save` prints ript's rules back and
// a save/restore round trip keeps them.

/// Where a family's entry header (`ipt_entry`, `ip6t_entry`) keeps the
/// fields every reader needs; matches and the target follow it, laid out
/// the same in both families.
struct EntryLayout: Sendable {
    let size: Int
    let targetOffsetAt: Int
    let nextOffsetAt: Int
    let comefromAt: Int

    static let ipv4 = EntryLayout(
        size: MemoryLayout<ipt_entry>.size, targetOffsetAt: MemoryLayout<ipt_entry>.offset(of: \.target_offset)!,
        nextOffsetAt: MemoryLayout<ipt_entry>.offset(of: \.next_offset)!, comefromAt: MemoryLayout<ipt_entry>.offset(of: \.comefrom)!)
    static let ipv6 = EntryLayout(
        size: MemoryLayout<ip6t_entry>.size, targetOffsetAt: MemoryLayout<ip6t_entry>.offset(of: \.target_offset)!,
        nextOffsetAt: MemoryLayout<ip6t_entry>.offset(of: \.next_offset)!, comefromAt: MemoryLayout<ip6t_entry>.offset(of: \.comefrom)!)

    static func of(_ family: Family) -> EntryLayout { family == .ipv4 ? ipv4 : ipv6 }

    func nextOffset(_ entry: UnsafeRawPointer) -> Int { Int(entry.loadUnaligned(fromByteOffset: nextOffsetAt, as: UInt16.self)) }
    func targetOffset(_ entry: UnsafeRawPointer) -> Int { Int(entry.loadUnaligned(fromByteOffset: targetOffsetAt, as: UInt16.self)) }
}

extension IPTCTable {
    static let headerSize = 32  // xt_entry_match and xt_entry_target headers

    /// The entry for a rule, in its family's layout: the entry header, the
    /// matches in the order `Rule.arguments(.short)` prints them, then its
    /// target. Built in one allocation: an apply builds one per rule of the
    /// rule files before taking the lock.
    public static func entry(for rule: Rule) -> [UInt8] {
        let total = entryLength(for: rule)
        return [UInt8](unsafeUninitializedCapacity: total) { buffer, count in
            write(rule, into: UnsafeMutableRawBufferPointer(buffer), kernelForm: false)
            count = total
        }
    }

    /// A chain's rules as the kernel gives them back (ACCEPT and DROP as
    /// standard verdicts, as libiptc commits them), one entry after the
    /// other; nil if a rule jumps, since jumps come back as offsets.
    public static func kernelEntries(for rules: [Rule]) -> [UInt8]? {
        // By index: rules are large values, and copying each one (as
        // iterating them would) was most of the encoding's time.
        var total = 0
        for index in rules.indices {
            if case .jump = rules[index].target { return nil }
            total += entryLength(for: rules[index])
        }
        return [UInt8](unsafeUninitializedCapacity: total) { buffer, count in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            var offset = 0
            for index in rules.indices {
                let length = entryLength(for: rules[index])
                write(rules[index], into: UnsafeMutableRawBufferPointer(rebasing: raw[offset..<(offset + length)]), kernelForm: true)
                offset += length
            }
            count = total
        }
    }

    static func entryLength(for rule: Rule) -> Int {
        let (_, _, targetDataSize) = targetShape(rule.target, rule.family)
        return EntryLayout.of(rule.family).size + matchesSize(for: rule) + headerSize + aligned(targetDataSize)
    }

    /// A match's or target's data size rounded up as the kernel lays them out (`XT_ALIGN`).
    static func aligned(_ size: Int) -> Int { Int(CIPTables_xt_align(UInt32(size))) }

    /// Writes a rule's entry into `raw`, exactly `entryLength(for:)` bytes.
    /// In kernel form a verdict is written as the kernel holds it (an empty
    /// name and the verdict) rather than by name, for libiptc to map.
    private static func write(_ rule: Rule, into raw: UnsafeMutableRawBufferPointer, kernelForm: Bool) {
        let layout = EntryLayout.of(rule.family)
        let (targetName, targetRevision, _) = targetShape(rule.target, rule.family)
        let total = raw.count
        raw.initializeMemory(as: UInt8.self, repeating: 0)
        switch rule.family {
        case .ipv4: writeIPv4Header(rule, into: raw.baseAddress!.assumingMemoryBound(to: ipt_entry.self))
        case .ipv6: writeIPv6Header(rule, into: raw.baseAddress!.assumingMemoryBound(to: ip6t_entry.self))
        }
        let targetOffset = writeMatches(of: rule, into: raw, at: layout.size)
        raw.storeBytes(of: UInt16(targetOffset), toByteOffset: layout.targetOffsetAt, as: UInt16.self)
        raw.storeBytes(of: UInt16(total), toByteOffset: layout.nextOffsetAt, as: UInt16.self)

        let targetSize = total - targetOffset
        switch rule.target {
        case .accept where kernelForm, .drop where kernelForm:
            writeHeader(into: raw, at: targetOffset, size: targetSize, name: "", revision: 0)
            let verdict: Int32 = rule.target == .accept ? -Int32(NF_ACCEPT) - 1 : -Int32(NF_DROP) - 1
            raw.storeBytes(of: verdict, toByteOffset: targetOffset + headerSize, as: Int32.self)
        default:
            writeHeader(into: raw, at: targetOffset, size: targetSize, name: targetName, revision: targetRevision)
            writeTargetData(rule.target, rule.family, into: raw.baseAddress! + targetOffset + headerSize)
        }
    }

    private static func writeIPv4Header(_ rule: Rule, into entry: UnsafeMutablePointer<ipt_entry>) {
        if case .v4(let source)? = rule.source {
            entry.pointee.ip.src.s_addr = source.address.bigEndian
            entry.pointee.ip.smsk.s_addr = source.mask.bigEndian
        }
        if case .v4(let destination)? = rule.destination {
            entry.pointee.ip.dst.s_addr = destination.address.bigEndian
            entry.pointee.ip.dmsk.s_addr = destination.mask.bigEndian
        }
        if let interface = rule.inInterface {
            withUnsafeMutableBytes(of: &entry.pointee.ip.iniface) { name in
                withUnsafeMutableBytes(of: &entry.pointee.ip.iniface_mask) { mask in writeInterface(interface, name: name, mask: mask) }
            }
        }
        if let interface = rule.outInterface {
            withUnsafeMutableBytes(of: &entry.pointee.ip.outiface) { name in
                withUnsafeMutableBytes(of: &entry.pointee.ip.outiface_mask) { mask in writeInterface(interface, name: name, mask: mask) }
            }
        }
        entry.pointee.ip.proto = UInt16(rule.ipProtocol?.number ?? 0)
    }

    /// As ip6tables writes it: a protocol match also sets IP6T_F_PROTO.
    private static func writeIPv6Header(_ rule: Rule, into entry: UnsafeMutablePointer<ip6t_entry>) {
        if case .v6(let source)? = rule.source {
            withUnsafeMutableBytes(of: &entry.pointee.ipv6.src) { IPv6Network.store(source.address, into: $0) }
            withUnsafeMutableBytes(of: &entry.pointee.ipv6.smsk) { IPv6Network.store(source.mask, into: $0) }
        }
        if case .v6(let destination)? = rule.destination {
            withUnsafeMutableBytes(of: &entry.pointee.ipv6.dst) { IPv6Network.store(destination.address, into: $0) }
            withUnsafeMutableBytes(of: &entry.pointee.ipv6.dmsk) { IPv6Network.store(destination.mask, into: $0) }
        }
        if let interface = rule.inInterface {
            withUnsafeMutableBytes(of: &entry.pointee.ipv6.iniface) { name in
                withUnsafeMutableBytes(of: &entry.pointee.ipv6.iniface_mask) { mask in writeInterface(interface, name: name, mask: mask) }
            }
        }
        if let interface = rule.outInterface {
            withUnsafeMutableBytes(of: &entry.pointee.ipv6.outiface) { name in
                withUnsafeMutableBytes(of: &entry.pointee.ipv6.outiface_mask) { mask in writeInterface(interface, name: name, mask: mask) }
            }
        }
        if let ipProtocol = rule.ipProtocol {
            entry.pointee.ipv6.proto = UInt16(ipProtocol.number)
            entry.pointee.ipv6.flags = UInt8(IP6T_F_PROTO)
        }
    }

    /// As iptables does: the name keeps a trailing '+', whose mask covers
    /// only the prefix; otherwise the mask covers the NUL too.
    private static func writeInterface(_ interface: String, name: UnsafeMutableRawBufferPointer, mask: UnsafeMutableRawBufferPointer) {
        var count = 0, last: UInt8 = 0
        for byte in interface.utf8.prefix(15) {
            name[count] = byte
            last = byte
            count += 1
        }
        let masked = last == UInt8(ascii: "+") ? count - 1 : count + 1
        for index in 0..<masked { mask[index] = 0xFF }
    }

    /// Whether a kernel entry is the expected one (from `kernelEntries`):
    /// the same `ipt_entry` apart from its counters and `comefrom` (the
    /// kernel's), and the same matches and target, whose names are compared
    /// up to their NUL (the kernel writes only that much back). A limit
    /// match's data is compared only up to what the kernel keeps to itself
    /// (`xt_rateinfo` from `prev` on: its credit, its cost, its pointer).
    static func isSame(_ entry: UnsafeRawBufferPointer, as expected: UnsafeRawBufferPointer, layout: EntryLayout) -> Bool {
        guard entry.count == expected.count, entry.count >= layout.size,
            memcmp(entry.baseAddress!, expected.baseAddress!, layout.comefromAt) == 0
        else { return false }
        let targetOffset = layout.targetOffset(expected.baseAddress!)
        var offset = layout.size
        while offset < entry.count {
            guard offset + headerSize <= entry.count else { return false }
            let size = Int(expected.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
            guard size >= headerSize, offset + size <= entry.count,
                entry.loadUnaligned(fromByteOffset: offset, as: UInt16.self) == UInt16(size),
                entry[offset + 31] == expected[offset + 31]
            else { return false }
            for index in (offset + 2)..<(offset + 31) {
                guard entry[index] == expected[index] else { return false }
                if entry[index] == 0 { break }
            }
            var compared = size - headerSize
            if offset < targetOffset, isLimitMatch(expected, at: offset) { compared = min(compared, rateInfoUserSize) }
            guard memcmp(entry.baseAddress! + offset + headerSize, expected.baseAddress! + offset + headerSize, compared) == 0 else { return false }
            offset += size
        }
        return offset == entry.count
    }

    static func writeHeader(into buffer: UnsafeMutableRawBufferPointer, at offset: Int, size: Int, name: String, revision: UInt8) {
        buffer.storeBytes(of: UInt16(size), toByteOffset: offset, as: UInt16.self)
        for (index, byte) in name.utf8.prefix(28).enumerated() { buffer[offset + 2 + index] = byte }
        buffer[offset + 31] = revision
    }

    /// Whether `data` holds exactly what `write` writes into zeroed memory
    /// of its size (only its first `count` bytes compared, when given): how
    /// the decoder makes sure a match or target holds nothing ript would not
    /// write, whatever its fields.
    static func holds(_ data: UnsafeRawBufferPointer, comparing count: Int? = nil, _ write: (UnsafeMutableRawPointer) -> Void) -> Bool {
        guard data.count > 0 else { return false }
        return withUnsafeTemporaryAllocation(byteCount: data.count, alignment: 8) { buffer in
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
            write(buffer.baseAddress!)
            return memcmp(buffer.baseAddress!, data.baseAddress!, min(count ?? data.count, data.count)) == 0
        }
    }
}
