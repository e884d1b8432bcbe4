import CIPTables
import RiptCore

/// Building libiptc entries from ript's rules, and reading them back.
///
/// The layouts are the kernel's (`ipt_entry`, `xt_entry_match`,
/// `xt_entry_target` and each extension's data, checked in CIPTables' shim and
/// by RiptKernelTests against the headers), in the revisions the iptables
/// 1.8.9 CLI writes, so `iptables-legacy-save` prints ript's rules back and
/// a save/restore round trip keeps them.
extension IPTCTable {
    static let entrySize = MemoryLayout<ipt_entry>.size
    static let headerSize = 32  // xt_entry_match and xt_entry_target headers

    /// The entry for a rule: `ipt_entry`, a tcp or udp match when it has a
    /// destination port, then its target. Built in one allocation: an apply
    /// builds one per rule of the rule files before taking the lock.
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
        if rules.contains(where: { if case .jump = $0.target { true } else { false } }) { return nil }
        let lengths = rules.map(entryLength)
        let total = lengths.reduce(0, +)
        return [UInt8](unsafeUninitializedCapacity: total) { buffer, count in
            let raw = UnsafeMutableRawBufferPointer(buffer)
            var offset = 0
            for (rule, length) in zip(rules, lengths) {
                write(rule, into: UnsafeMutableRawBufferPointer(rebasing: raw[offset..<(offset + length)]), kernelForm: true)
                offset += length
            }
            count = total
        }
    }

    static func entryLength(for rule: Rule) -> Int {
        let (_, _, targetDataSize) = targetShape(rule.target)
        return entrySize + matchSize(for: rule) + headerSize + Int(CIPTables_xt_align(UInt32(targetDataSize)))
    }

    /// The size of the tcp or udp match a rule with a destination port has; 0 without one.
    private static func matchSize(for rule: Rule) -> Int {
        rule.ipProtocol != nil && rule.destinationPort != nil ? headerSize + Int(CIPTables_xt_align(UInt32(MemoryLayout<xt_tcp>.size))) : 0
    }

    /// Writes a rule's entry into `raw`, exactly `entryLength(for:)` bytes.
    /// In kernel form a verdict is written as the kernel holds it (an empty
    /// name and the verdict) rather than by name, for libiptc to map.
    private static func write(_ rule: Rule, into raw: UnsafeMutableRawBufferPointer, kernelForm: Bool) {
        let matchSize = matchSize(for: rule)
        let (targetName, targetRevision, _) = targetShape(rule.target)
        let total = raw.count
        raw.initializeMemory(as: UInt8.self, repeating: 0)
        let entry = raw.baseAddress!.assumingMemoryBound(to: ipt_entry.self)
        if let source = rule.source {
            entry.pointee.ip.src.s_addr = source.address.bigEndian
            entry.pointee.ip.smsk.s_addr = source.mask.bigEndian
        }
        if let destination = rule.destination {
            entry.pointee.ip.dst.s_addr = destination.address.bigEndian
            entry.pointee.ip.dmsk.s_addr = destination.mask.bigEndian
        }
        if let interface = rule.inInterface {
            // As iptables does: the name keeps a trailing '+', whose mask
            // covers only the prefix; otherwise the mask covers the NUL too.
            let name = Array(interface.utf8.prefix(15))
            let masked = name.last == UInt8(ascii: "+") ? name.count - 1 : name.count + 1
            withUnsafeMutableBytes(of: &entry.pointee.ip.iniface) { field in
                for (index, byte) in name.enumerated() { field[index] = byte }
            }
            withUnsafeMutableBytes(of: &entry.pointee.ip.iniface_mask) { field in
                for index in 0..<masked { field[index] = 0xFF }
            }
        }
        entry.pointee.ip.proto = UInt16(rule.ipProtocol?.number ?? 0)
        entry.pointee.target_offset = UInt16(entrySize + matchSize)
        entry.pointee.next_offset = UInt16(total)

        if let ipProtocol = rule.ipProtocol, let ports = rule.destinationPort {
            let tcp = ipProtocol.number == UInt8(IPPROTO_TCP)
            writeHeader(into: raw, at: entrySize, size: matchSize, name: tcp ? "tcp" : "udp", revision: 0)
            let data = raw.baseAddress! + entrySize + headerSize
            // xt_tcp and xt_udp both start with spts[2], dpts[2] in host order.
            data.storeBytes(of: UInt16(0), toByteOffset: 0, as: UInt16.self)
            data.storeBytes(of: UInt16(0xFFFF), toByteOffset: 2, as: UInt16.self)
            data.storeBytes(of: ports.first, toByteOffset: 4, as: UInt16.self)
            data.storeBytes(of: ports.last, toByteOffset: 6, as: UInt16.self)
        }
        let targetOffset = entrySize + matchSize
        let targetSize = total - targetOffset
        switch rule.target {
        case .accept where kernelForm, .drop where kernelForm:
            writeHeader(into: raw, at: targetOffset, size: targetSize, name: "", revision: 0)
            let verdict: Int32 = rule.target == .accept ? -Int32(NF_ACCEPT) - 1 : -Int32(NF_DROP) - 1
            raw.storeBytes(of: verdict, toByteOffset: targetOffset + headerSize, as: Int32.self)
        default:
            writeHeader(into: raw, at: targetOffset, size: targetSize, name: targetName, revision: targetRevision)
            writeTargetData(rule.target, into: raw.baseAddress! + targetOffset + headerSize)
        }
    }

    /// Whether a kernel entry is the expected one (from `kernelEntries`):
    /// the same `ipt_entry` apart from its counters and `comefrom` (the
    /// kernel's), and the same matches and target, whose names are compared
    /// up to their NUL (the kernel writes only that much back).
    static func isSame(_ entry: UnsafeRawBufferPointer, as expected: UnsafeRawBufferPointer) -> Bool {
        let comefrom = MemoryLayout<ipt_entry>.offset(of: \ipt_entry.comefrom)!
        guard entry.count == expected.count, entry.count >= entrySize,
            memcmp(entry.baseAddress!, expected.baseAddress!, comefrom) == 0
        else { return false }
        var offset = entrySize
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
            guard memcmp(entry.baseAddress! + offset + headerSize, expected.baseAddress! + offset + headerSize, size - headerSize) == 0 else { return false }
            offset += size
        }
        return offset == entry.count
    }

    /// A target's name, revision and data size.
    static func targetShape(_ target: Target) -> (String, UInt8, Int) {
        switch target {
        case .accept: ("ACCEPT", 0, MemoryLayout<Int32>.size)
        case .drop: ("DROP", 0, MemoryLayout<Int32>.size)
        case .jump(let chain): (chain, 0, MemoryLayout<Int32>.size)
        case .reject: ("REJECT", 0, MemoryLayout<ipt_reject_info>.size)
        case .log: ("LOG", 0, MemoryLayout<xt_log_info>.size)
        case .dnat: ("DNAT", 2, MemoryLayout<nf_nat_range2>.size)
        case .snat: ("SNAT", 0, MemoryLayout<nf_nat_ipv4_multi_range_compat>.size)
        }
    }

    static func writeHeader(into buffer: UnsafeMutableRawBufferPointer, at offset: Int, size: Int, name: String, revision: UInt8) {
        buffer.storeBytes(of: UInt16(size), toByteOffset: offset, as: UInt16.self)
        for (index, byte) in name.utf8.prefix(28).enumerated() { buffer[offset + 2 + index] = byte }
        buffer[offset + 31] = revision
    }

    /// Writes a target's data into zeroed memory (verdicts and jumps have
    /// none: libiptc maps their names).
    static func writeTargetData(_ target: Target, into data: UnsafeMutableRawPointer) {
        switch target {
        case .accept, .drop, .jump: break
        case .reject:
            data.assumingMemoryBound(to: ipt_reject_info.self).pointee.with = IPT_ICMP_PORT_UNREACHABLE
        case .log:
            data.assumingMemoryBound(to: xt_log_info.self).pointee.level = 4  // LOG_WARNING, iptables' default
        case .dnat(let address, let port):
            let range = data.assumingMemoryBound(to: nf_nat_range2.self)
            range.pointee.flags = UInt32(NF_NAT_RANGE_MAP_IPS)
            range.pointee.min_addr.ip = address.bigEndian
            range.pointee.max_addr.ip = address.bigEndian
            if let port {
                range.pointee.flags |= UInt32(NF_NAT_RANGE_PROTO_SPECIFIED)
                range.pointee.min_proto.all = port.bigEndian
                range.pointee.max_proto.all = port.bigEndian
            }
        case .snat(let address):
            let compat = data.assumingMemoryBound(to: nf_nat_ipv4_multi_range_compat.self)
            compat.pointee.rangesize = 1
            compat.pointee.range.flags = UInt32(NF_NAT_RANGE_MAP_IPS)
            compat.pointee.range.min_ip = address.bigEndian
            compat.pointee.range.max_ip = address.bigEndian
        }
    }

    // MARK: Reading entries back

    /// The rule an entry holds, if it is one ript could have generated;
    /// nil for anything else (another match, an inverted test, a goto, an
    /// option ript never sets), which the differ reports as drift.
    /// `chains` are the table's chain names, to tell jumps from extensions.
    public static func rule(from kernel: KernelEntry, chains: Set<String>, protocols: ProtocolTable) -> Rule? {
        kernel.bytes.withUnsafeBytes { rule(from: $0, targetName: kernel.targetName, chains: chains, protocols: protocols) }
    }

    /// The same, read in place from an entry's bytes.
    public static func rule(from bytes: UnsafeRawBufferPointer, targetName: String, chains: Set<String>, protocols: ProtocolTable) -> Rule? {
        guard bytes.count >= entrySize else { return nil }
        let entry = bytes.loadUnaligned(as: ipt_entry.self)
        let targetOffset = Int(entry.target_offset), nextOffset = Int(entry.next_offset)
        guard entry.ip.invflags == 0, entry.ip.flags == 0, entrySize <= targetOffset, targetOffset + headerSize <= nextOffset,
            nextOffset <= bytes.count, entry.ip.proto <= 255,
            withUnsafeBytes(of: entry.ip.outiface, { $0.allSatisfy { $0 == 0 } })
        else { return nil }

        var rule = Rule(target: .accept)
        guard let source = network(entry.ip.src.s_addr, entry.ip.smsk.s_addr),
            let destination = network(entry.ip.dst.s_addr, entry.ip.dmsk.s_addr)
        else { return nil }
        rule.source = source.isAny ? nil : source
        rule.destination = destination.isAny ? nil : destination
        guard let interface = interface(entry) else { return nil }
        rule.inInterface = interface.isEmpty ? nil : interface
        if entry.ip.proto != 0 { rule.ipProtocol = protocols.protocol(number: UInt8(entry.ip.proto)) }

        // At most one match: the tcp or udp destination ports ript writes.
        var offset = entrySize
        while offset < targetOffset {
            guard offset + headerSize <= targetOffset, rule.destinationPort == nil,
                let (name, revision, data) = extensionAt(offset, in: bytes), revision == 0,
                let ports = destinationPorts(name, data, protocolNumber: entry.ip.proto)
            else { return nil }
            rule.destinationPort = ports
            offset += Int(bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
        }
        guard offset == targetOffset, let target = target(targetName, bytes, at: targetOffset, chains: chains) else { return nil }
        rule.target = target
        return rule
    }

    private static func network(_ address: UInt32, _ mask: UInt32) -> IPv4Network? {
        let hostMask = UInt32(bigEndian: mask), hostAddress = UInt32(bigEndian: address)
        let length = hostMask.nonzeroBitCount
        let network = IPv4Network(address: hostAddress, prefixLength: length)
        guard network.mask == hostMask, network.address == hostAddress else { return nil }
        return network
    }

    /// The in-interface name ("" for none), if its mask is one iptables writes.
    private static func interface(_ entry: ipt_entry) -> String? {
        let name = withUnsafeBytes(of: entry.ip.iniface) { Array($0.prefix { $0 != 0 }) }
        let mask = withUnsafeBytes(of: entry.ip.iniface_mask) { Array($0) }
        if name.isEmpty { return mask.allSatisfy { $0 == 0 } ? "" : nil }
        let masked = name.last == UInt8(ascii: "+") ? name.count - 1 : name.count + 1
        guard mask.prefix(masked).allSatisfy({ $0 == 0xFF }), mask.dropFirst(masked).allSatisfy({ $0 == 0 }) else { return nil }
        return String(decoding: name, as: UTF8.self)
    }

    private static func extensionAt(_ offset: Int, in bytes: UnsafeRawBufferPointer) -> (UnsafeRawBufferPointer, UInt8, UnsafeRawBufferPointer)? {
        let size = Int(bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
        guard size >= headerSize, offset + size <= bytes.count else { return nil }
        let field = UnsafeRawBufferPointer(rebasing: bytes[(offset + 2)..<(offset + 31)])
        let name = UnsafeRawBufferPointer(rebasing: field.prefix { $0 != 0 })
        return (name, bytes[offset + 31], UnsafeRawBufferPointer(rebasing: bytes[(offset + headerSize)..<(offset + size)]))
    }

    /// Whether an extension's name (its bytes up to the NUL) is `expected`.
    static func named(_ name: UnsafeRawBufferPointer, _ expected: StaticString) -> Bool {
        name.elementsEqual(UnsafeRawBufferPointer(start: expected.utf8Start, count: expected.utf8CodeUnitCount))
    }

    private static func destinationPorts(_ name: UnsafeRawBufferPointer, _ data: UnsafeRawBufferPointer, protocolNumber: UInt16) -> PortRange? {
        switch protocolNumber {
        case UInt16(IPPROTO_TCP) where named(name, "tcp"):
            guard data.count >= MemoryLayout<xt_tcp>.size else { return nil }
            let tcp = data.loadUnaligned(as: xt_tcp.self)
            guard tcp.spts == (0, 0xFFFF), tcp.option == 0, tcp.flg_mask == 0, tcp.flg_cmp == 0, tcp.invflags == 0 else { return nil }
            return PortRange(tcp.dpts.0, tcp.dpts.1)
        case UInt16(IPPROTO_UDP) where named(name, "udp"):
            guard data.count >= MemoryLayout<xt_udp>.size else { return nil }
            let udp = data.loadUnaligned(as: xt_udp.self)
            guard udp.spts == (0, 0xFFFF), udp.invflags == 0 else { return nil }
            return PortRange(udp.dpts.0, udp.dpts.1)
        default:
            return nil
        }
    }

    private static func target(_ targetName: String, _ bytes: UnsafeRawBufferPointer, at offset: Int, chains: Set<String>) -> Target? {
        switch targetName {
        case "ACCEPT": return .accept
        case "DROP": return .drop
        case let chain where chains.contains(chain): return .jump(chain)
        default: break
        }
        guard let (name, revision, data) = extensionAt(offset, in: bytes), name.elementsEqual(targetName.utf8) else { return nil }
        switch (targetName, revision) {
        case ("REJECT", 0):
            guard data.count >= MemoryLayout<ipt_reject_info>.size else { return nil }
            let info = data.loadUnaligned(as: ipt_reject_info.self)
            return info.with == IPT_ICMP_PORT_UNREACHABLE ? .reject : nil
        case ("LOG", 0):
            guard data.count >= MemoryLayout<xt_log_info>.size else { return nil }
            let info = data.loadUnaligned(as: xt_log_info.self)
            let prefixEmpty = withUnsafeBytes(of: info.prefix) { $0.allSatisfy { $0 == 0 } }
            return info.level == 4 && info.logflags == 0 && prefixEmpty ? .log : nil
        case ("DNAT", 2):
            guard data.count >= MemoryLayout<nf_nat_range2>.size else { return nil }
            let range = data.loadUnaligned(as: nf_nat_range2.self)
            let ips = UInt32(NF_NAT_RANGE_MAP_IPS), ports = UInt32(NF_NAT_RANGE_PROTO_SPECIFIED)
            guard range.flags & ips != 0, range.flags & ~(ips | ports) == 0,
                range.min_addr.ip == range.max_addr.ip, range.base_proto.all == 0
            else { return nil }
            var port: UInt16?
            if range.flags & ports != 0 {
                guard range.min_proto.all == range.max_proto.all else { return nil }
                port = UInt16(bigEndian: range.min_proto.all)
            }
            return .dnat(address: UInt32(bigEndian: range.min_addr.ip), port: port)
        case ("SNAT", 0):
            guard data.count >= MemoryLayout<nf_nat_ipv4_multi_range_compat>.size else { return nil }
            let compat = data.loadUnaligned(as: nf_nat_ipv4_multi_range_compat.self)
            let range = compat.range
            guard compat.rangesize == 1, range.flags == UInt32(NF_NAT_RANGE_MAP_IPS), range.min_ip == range.max_ip else { return nil }
            return .snat(address: UInt32(bigEndian: range.min_ip))
        default:
            return nil
        }
    }
}
