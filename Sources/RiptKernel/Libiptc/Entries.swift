import CIPTables
import RiptCore

// The entries libiptc takes and gives (and the kernel's own table blob
// holds): built from ript's rules, and read back into them.
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

    /// The entry for a rule, in its family's layout: the entry header, a
    /// tcp or udp match when it has a destination port, then its target.
    /// Built in one allocation: an apply builds one per rule of the rule
    /// files before taking the lock.
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
        return EntryLayout.of(rule.family).size + matchSize(for: rule) + headerSize + Int(CIPTables_xt_align(UInt32(targetDataSize)))
    }

    /// The size of the tcp or udp match a rule with a destination port has; 0 without one.
    private static func matchSize(for rule: Rule) -> Int {
        rule.ipProtocol != nil && rule.destinationPort != nil ? headerSize + Int(CIPTables_xt_align(UInt32(MemoryLayout<xt_tcp>.size))) : 0
    }

    /// Writes a rule's entry into `raw`, exactly `entryLength(for:)` bytes.
    /// In kernel form a verdict is written as the kernel holds it (an empty
    /// name and the verdict) rather than by name, for libiptc to map.
    private static func write(_ rule: Rule, into raw: UnsafeMutableRawBufferPointer, kernelForm: Bool) {
        let layout = EntryLayout.of(rule.family)
        let matchSize = matchSize(for: rule)
        let (targetName, targetRevision, _) = targetShape(rule.target, rule.family)
        let total = raw.count
        raw.initializeMemory(as: UInt8.self, repeating: 0)
        switch rule.family {
        case .ipv4: writeIPv4Header(rule, into: raw.baseAddress!.assumingMemoryBound(to: ipt_entry.self))
        case .ipv6: writeIPv6Header(rule, into: raw.baseAddress!.assumingMemoryBound(to: ip6t_entry.self))
        }
        raw.storeBytes(of: UInt16(layout.size + matchSize), toByteOffset: layout.targetOffsetAt, as: UInt16.self)
        raw.storeBytes(of: UInt16(total), toByteOffset: layout.nextOffsetAt, as: UInt16.self)

        if let ipProtocol = rule.ipProtocol, let ports = rule.destinationPort {
            let tcp = ipProtocol.number == UInt8(IPPROTO_TCP)
            writeHeader(into: raw, at: layout.size, size: matchSize, name: tcp ? "tcp" : "udp", revision: 0)
            let data = raw.baseAddress! + layout.size + headerSize
            // xt_tcp and xt_udp both start with spts[2], dpts[2] in host order.
            data.storeBytes(of: UInt16(0), toByteOffset: 0, as: UInt16.self)
            data.storeBytes(of: UInt16(0xFFFF), toByteOffset: 2, as: UInt16.self)
            data.storeBytes(of: ports.first, toByteOffset: 4, as: UInt16.self)
            data.storeBytes(of: ports.last, toByteOffset: 6, as: UInt16.self)
        }
        let targetOffset = layout.size + matchSize
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
    /// up to their NUL (the kernel writes only that much back).
    static func isSame(_ entry: UnsafeRawBufferPointer, as expected: UnsafeRawBufferPointer, layout: EntryLayout) -> Bool {
        guard entry.count == expected.count, entry.count >= layout.size,
            memcmp(entry.baseAddress!, expected.baseAddress!, layout.comefromAt) == 0
        else { return false }
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
            guard memcmp(entry.baseAddress! + offset + headerSize, expected.baseAddress! + offset + headerSize, size - headerSize) == 0 else { return false }
            offset += size
        }
        return offset == entry.count
    }

    /// A target's name, revision and data size in a family, as the
    /// iptables 1.8.9 and ip6tables 1.8.9 CLIs write them.
    static func targetShape(_ target: Target, _ family: Family) -> (String, UInt8, Int) {
        switch (target, family) {
        case (.accept, _): ("ACCEPT", 0, MemoryLayout<Int32>.size)
        case (.drop, _): ("DROP", 0, MemoryLayout<Int32>.size)
        case (.jump(let chain), _): (chain, 0, MemoryLayout<Int32>.size)
        case (.reject, .ipv4): ("REJECT", 0, MemoryLayout<ipt_reject_info>.size)
        case (.reject, .ipv6): ("REJECT", 0, MemoryLayout<ip6t_reject_info>.size)
        case (.log, _): ("LOG", 0, MemoryLayout<xt_log_info>.size)
        case (.dnat, _): ("DNAT", 2, MemoryLayout<nf_nat_range2>.size)
        case (.snat, .ipv4): ("SNAT", 0, MemoryLayout<nf_nat_ipv4_multi_range_compat>.size)
        case (.snat, .ipv6): ("SNAT", 1, MemoryLayout<nf_nat_range>.size)
        case (.masquerade, .ipv4): ("MASQUERADE", 0, MemoryLayout<nf_nat_ipv4_multi_range_compat>.size)
        case (.masquerade, .ipv6): ("MASQUERADE", 0, MemoryLayout<nf_nat_range>.size)
        }
    }

    static func writeHeader(into buffer: UnsafeMutableRawBufferPointer, at offset: Int, size: Int, name: String, revision: UInt8) {
        buffer.storeBytes(of: UInt16(size), toByteOffset: offset, as: UInt16.self)
        for (index, byte) in name.utf8.prefix(28).enumerated() { buffer[offset + 2 + index] = byte }
        buffer[offset + 31] = revision
    }

    /// Writes a target's data into zeroed memory (verdicts and jumps have
    /// none: libiptc maps their names).
    static func writeTargetData(_ target: Target, _ family: Family, into data: UnsafeMutableRawPointer) {
        switch (target, family) {
        case (.accept, _), (.drop, _), (.jump, _): break
        case (.masquerade, .ipv4):
            data.assumingMemoryBound(to: nf_nat_ipv4_multi_range_compat.self).pointee.rangesize = 1
        case (.masquerade, .ipv6): break
        case (.reject, .ipv4):
            data.assumingMemoryBound(to: ipt_reject_info.self).pointee.with = IPT_ICMP_PORT_UNREACHABLE
        case (.reject, .ipv6):
            data.assumingMemoryBound(to: ip6t_reject_info.self).pointee.with = UInt32(IP6T_ICMP6_PORT_UNREACH.rawValue)
        case (.log, _):
            data.assumingMemoryBound(to: xt_log_info.self).pointee.level = 4  // LOG_WARNING, iptables' default
        case (.dnat(let address, let port), _):
            let range = data.assumingMemoryBound(to: nf_nat_range2.self)
            range.pointee.flags = UInt32(NF_NAT_RANGE_MAP_IPS)
            store(address, into: &range.pointee.min_addr)
            store(address, into: &range.pointee.max_addr)
            if let port {
                range.pointee.flags |= UInt32(NF_NAT_RANGE_PROTO_SPECIFIED)
                range.pointee.min_proto.all = port.bigEndian
                range.pointee.max_proto.all = port.bigEndian
            }
        case (.snat(let address), .ipv4):
            guard case .v4(let value) = address else { preconditionFailure("an IPv4 SNAT to an IPv6 address") }
            let compat = data.assumingMemoryBound(to: nf_nat_ipv4_multi_range_compat.self)
            compat.pointee.rangesize = 1
            compat.pointee.range.flags = UInt32(NF_NAT_RANGE_MAP_IPS)
            compat.pointee.range.min_ip = value.bigEndian
            compat.pointee.range.max_ip = value.bigEndian
        case (.snat(let address), .ipv6):
            let range = data.assumingMemoryBound(to: nf_nat_range.self)
            range.pointee.flags = UInt32(NF_NAT_RANGE_MAP_IPS)
            store(address, into: &range.pointee.min_addr)
            store(address, into: &range.pointee.max_addr)
        }
    }

    /// An address into `nf_inet_addr`, network byte order.
    private static func store(_ address: IPAddress, into field: inout nf_inet_addr) {
        switch address {
        case .v4(let value): field.ip = value.bigEndian
        case .v6(let value): withUnsafeMutableBytes(of: &field) { IPv6Network.store(value, into: $0) }
        }
    }

    /// The address in `nf_inet_addr` for a family; nil if bytes beyond an
    /// IPv4 address are set.
    private static func address(_ field: nf_inet_addr, _ family: Family) -> IPAddress? {
        withUnsafeBytes(of: field) { bytes in
            switch family {
            case .ipv4: bytes[4...].allSatisfy { $0 == 0 } ? .v4(UInt32(bigEndian: field.ip)) : nil
            case .ipv6: .v6(IPv6Network.address(bytes: bytes))
            }
        }
    }

    // MARK: Reading entries back

    /// The rule an entry of a family holds, if it is one ript could have
    /// generated; nil for anything else (another match, an inverted test, a
    /// goto, an option ript never sets), which the differ reports as drift.
    /// `chains` are the table's chain names, to tell jumps from extensions.
    public static func rule(from kernel: KernelEntry, family: Family, chains: Set<String>, protocols: ProtocolTable) -> Rule? {
        kernel.bytes.withUnsafeBytes { rule(from: $0, family: family, targetName: kernel.targetName, chains: chains, protocols: protocols) }
    }

    /// The same, read in place from an entry's bytes.
    public static func rule(from bytes: UnsafeRawBufferPointer, family: Family, targetName: String, chains: Set<String>, protocols: ProtocolTable) -> Rule? {
        let layout = EntryLayout.of(family)
        guard bytes.count >= layout.size else { return nil }
        let targetOffset = layout.targetOffset(bytes.baseAddress!), nextOffset = layout.nextOffset(bytes.baseAddress!)
        guard layout.size <= targetOffset, targetOffset + headerSize <= nextOffset, nextOffset <= bytes.count,
            let header = family == .ipv4 ? ipv4Header(bytes) : ipv6Header(bytes)
        else { return nil }
        var rule = Rule(family, source: header.source, destination: header.destination, inInterface: header.interface, target: .accept)
        if header.proto != 0 { rule.ipProtocol = protocols.protocol(number: UInt8(header.proto)) }

        // At most one match: the tcp or udp destination ports ript writes.
        var offset = layout.size
        while offset < targetOffset {
            guard offset + headerSize <= targetOffset, rule.destinationPort == nil,
                let (name, revision, data) = extensionAt(offset, in: bytes), revision == 0,
                let ports = destinationPorts(name, data, protocolNumber: header.proto)
            else { return nil }
            rule.destinationPort = ports
            offset += Int(bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
        }
        guard offset == targetOffset, let target = target(targetName, family, bytes, at: targetOffset, chains: chains) else { return nil }
        rule.target = target
        return rule
    }

    /// What an entry header matches, when it is only what ript writes.
    private struct Header {
        var source: IPNetwork?
        var destination: IPNetwork?
        var interface: String?
        var proto: UInt16
    }

    private static func ipv4Header(_ bytes: UnsafeRawBufferPointer) -> Header? {
        let ip = bytes.loadUnaligned(as: ipt_entry.self).ip
        guard ip.invflags == 0, ip.flags == 0, ip.proto <= 255,
            withUnsafeBytes(of: ip.outiface, { $0.allSatisfy { $0 == 0 } }),
            let source = network(ip.src.s_addr, ip.smsk.s_addr), let destination = network(ip.dst.s_addr, ip.dmsk.s_addr),
            let interface = withUnsafeBytes(of: ip.iniface, { name in withUnsafeBytes(of: ip.iniface_mask) { interface(name, $0) } })
        else { return nil }
        return Header(source: .v4(source), destination: .v4(destination), interface: interface.isEmpty ? nil : interface, proto: ip.proto)
    }

    /// As ip6tables writes it: IP6T_F_PROTO with a protocol, no TOS, no flags else.
    private static func ipv6Header(_ bytes: UnsafeRawBufferPointer) -> Header? {
        let ip = bytes.loadUnaligned(as: ip6t_entry.self).ipv6
        guard ip.invflags == 0, ip.tos == 0, ip.proto <= 255, ip.flags == (ip.proto == 0 ? 0 : UInt8(IP6T_F_PROTO)),
            withUnsafeBytes(of: ip.outiface, { $0.allSatisfy { $0 == 0 } }),
            let source = network(ip.src, ip.smsk), let destination = network(ip.dst, ip.dmsk),
            let interface = withUnsafeBytes(of: ip.iniface, { name in withUnsafeBytes(of: ip.iniface_mask) { interface(name, $0) } })
        else { return nil }
        return Header(source: .v6(source), destination: .v6(destination), interface: interface.isEmpty ? nil : interface, proto: ip.proto)
    }

    /// An address and a mask, network byte order, if the mask is a prefix
    /// and the address has no bits beyond it.
    private static func network(_ address: UInt32, _ mask: UInt32) -> IPv4Network? {
        let hostMask = UInt32(bigEndian: mask), hostAddress = UInt32(bigEndian: address)
        let network = IPv4Network(address: hostAddress, prefixLength: hostMask.nonzeroBitCount)
        guard network.mask == hostMask, network.address == hostAddress else { return nil }
        return network
    }

    private static func network(_ address: in6_addr, _ mask: in6_addr) -> IPv6Network? {
        func value(_ raw: in6_addr) -> UInt128 { withUnsafeBytes(of: raw) { IPv6Network.address(bytes: $0) } }
        let hostMask = value(mask), hostAddress = value(address)
        let network = IPv6Network(address: hostAddress, prefixLength: hostMask.nonzeroBitCount)
        guard network.mask == hostMask, network.address == hostAddress else { return nil }
        return network
    }

    /// The in-interface name ("" for none), if its mask is one iptables writes.
    private static func interface(_ field: UnsafeRawBufferPointer, _ mask: UnsafeRawBufferPointer) -> String? {
        let name = Array(field.prefix { $0 != 0 })
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

    private static func target(_ targetName: String, _ family: Family, _ bytes: UnsafeRawBufferPointer, at offset: Int, chains: Set<String>) -> Target? {
        switch targetName {
        case "ACCEPT": return .accept
        case "DROP": return .drop
        case let chain where chains.contains(chain): return .jump(chain)
        default: break
        }
        guard let (name, revision, data) = extensionAt(offset, in: bytes), name.elementsEqual(targetName.utf8) else { return nil }
        switch (targetName, revision, family) {
        case ("REJECT", 0, .ipv4):
            guard data.count >= MemoryLayout<ipt_reject_info>.size else { return nil }
            return data.loadUnaligned(as: ipt_reject_info.self).with == IPT_ICMP_PORT_UNREACHABLE ? .reject(.portUnreachable) : nil
        case ("REJECT", 0, .ipv6):
            guard data.count >= MemoryLayout<ip6t_reject_info>.size else { return nil }
            return data.loadUnaligned(as: ip6t_reject_info.self).with == UInt32(IP6T_ICMP6_PORT_UNREACH.rawValue) ? .reject(.portUnreachable) : nil
        case ("LOG", 0, _):
            guard data.count >= MemoryLayout<xt_log_info>.size else { return nil }
            let info = data.loadUnaligned(as: xt_log_info.self)
            let prefixEmpty = withUnsafeBytes(of: info.prefix) { $0.allSatisfy { $0 == 0 } }
            return info.level == 4 && info.logflags == 0 && prefixEmpty ? .log(.standard) : nil
        case ("DNAT", 2, _):
            guard data.count >= MemoryLayout<nf_nat_range2>.size else { return nil }
            let range = data.loadUnaligned(as: nf_nat_range2.self)
            let ips = UInt32(NF_NAT_RANGE_MAP_IPS), ports = UInt32(NF_NAT_RANGE_PROTO_SPECIFIED)
            guard range.flags & ips != 0, range.flags & ~(ips | ports) == 0, range.base_proto.all == 0,
                let address = address(range.min_addr, family), address == self.address(range.max_addr, family)
            else { return nil }
            var port: UInt16?
            if range.flags & ports != 0 {
                guard range.min_proto.all == range.max_proto.all else { return nil }
                port = UInt16(bigEndian: range.min_proto.all)
            }
            return .dnat(address: address, port: port)
        case ("SNAT", 0, .ipv4):
            guard data.count >= MemoryLayout<nf_nat_ipv4_multi_range_compat>.size else { return nil }
            let compat = data.loadUnaligned(as: nf_nat_ipv4_multi_range_compat.self)
            let range = compat.range
            guard compat.rangesize == 1, range.flags == UInt32(NF_NAT_RANGE_MAP_IPS), range.min_ip == range.max_ip else { return nil }
            return .snat(address: .v4(UInt32(bigEndian: range.min_ip)))
        case ("SNAT", 1, .ipv6):
            guard data.count >= MemoryLayout<nf_nat_range>.size else { return nil }
            let range = data.loadUnaligned(as: nf_nat_range.self)
            guard range.flags == UInt32(NF_NAT_RANGE_MAP_IPS), range.min_proto.all == 0, range.max_proto.all == 0,
                let address = address(range.min_addr, family), address == self.address(range.max_addr, family)
            else { return nil }
            return .snat(address: address)
        default:
            return nil
        }
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
