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
    /// destination port, then its target.
    public static func entry(for rule: Rule) -> [UInt8] {
        var match: [UInt8] = []
        if let ipProtocol = rule.ipProtocol, let ports = rule.destinationPort {
            if ipProtocol.number == UInt8(IPPROTO_TCP) {
                var data = xt_tcp()
                data.spts = (0, 0xFFFF)
                data.dpts = (ports.first, ports.last)
                match = extensionBlock(name: "tcp", revision: 0, data: bytes(of: data))
            } else {
                var data = xt_udp()
                data.spts = (0, 0xFFFF)
                data.dpts = (ports.first, ports.last)
                match = extensionBlock(name: "udp", revision: 0, data: bytes(of: data))
            }
        }
        let target = targetBlock(rule.target)

        var entry = ipt_entry()
        if let source = rule.source {
            entry.ip.src.s_addr = source.address.bigEndian
            entry.ip.smsk.s_addr = source.mask.bigEndian
        }
        if let destination = rule.destination {
            entry.ip.dst.s_addr = destination.address.bigEndian
            entry.ip.dmsk.s_addr = destination.mask.bigEndian
        }
        if let interface = rule.inInterface {
            // As iptables does: the name keeps a trailing '+', whose mask
            // covers only the prefix; otherwise the mask covers the NUL too.
            let name = Array(interface.utf8.prefix(15))
            let masked = name.last == UInt8(ascii: "+") ? name.count - 1 : name.count + 1
            withUnsafeMutableBytes(of: &entry.ip.iniface) { buffer in
                for (index, byte) in name.enumerated() { buffer[index] = byte }
            }
            withUnsafeMutableBytes(of: &entry.ip.iniface_mask) { buffer in
                for index in 0..<masked { buffer[index] = 0xFF }
            }
        }
        entry.ip.proto = UInt16(rule.ipProtocol?.number ?? 0)
        entry.target_offset = UInt16(entrySize + match.count)
        entry.next_offset = UInt16(entrySize + match.count + target.count)
        return bytes(of: entry) + match + target
    }

    static func targetBlock(_ target: Target) -> [UInt8] {
        // Verdicts and jumps are standard targets named by their verdict or
        // chain; libiptc maps the name to the verdict or the jump.
        let standardData = [UInt8](repeating: 0, count: MemoryLayout<Int32>.size)
        switch target {
        case .accept: return extensionBlock(name: "ACCEPT", revision: 0, data: standardData)
        case .drop: return extensionBlock(name: "DROP", revision: 0, data: standardData)
        case .jump(let chain): return extensionBlock(name: chain, revision: 0, data: standardData)
        case .reject:
            var data = ipt_reject_info()
            data.with = IPT_ICMP_PORT_UNREACHABLE
            return extensionBlock(name: "REJECT", revision: 0, data: bytes(of: data))
        case .log:
            var data = xt_log_info()
            data.level = 4  // LOG_WARNING, iptables' default
            return extensionBlock(name: "LOG", revision: 0, data: bytes(of: data))
        case .dnat(let address, let port):
            var data = nf_nat_range2()
            data.flags = UInt32(NF_NAT_RANGE_MAP_IPS)
            data.min_addr.ip = address.bigEndian
            data.max_addr.ip = address.bigEndian
            if let port {
                data.flags |= UInt32(NF_NAT_RANGE_PROTO_SPECIFIED)
                data.min_proto.all = port.bigEndian
                data.max_proto.all = port.bigEndian
            }
            return extensionBlock(name: "DNAT", revision: 2, data: bytes(of: data))
        case .snat(let address):
            var data = nf_nat_ipv4_multi_range_compat()
            data.rangesize = 1
            data.range.flags = UInt32(NF_NAT_RANGE_MAP_IPS)
            data.range.min_ip = address.bigEndian
            data.range.max_ip = address.bigEndian
            return extensionBlock(name: "SNAT", revision: 0, data: bytes(of: data))
        }
    }

    /// A match or target: a 32-byte header (size, name, revision) and its
    /// data, padded to XT_ALIGN.
    static func extensionBlock(name: String, revision: UInt8, data: [UInt8]) -> [UInt8] {
        let size = headerSize + Int(CIPTables_xt_align(UInt32(data.count)))
        var block = [UInt8](repeating: 0, count: size)
        block.withUnsafeMutableBytes { $0.storeBytes(of: UInt16(size), toByteOffset: 0, as: UInt16.self) }
        for (index, byte) in name.utf8.prefix(28).enumerated() { block[2 + index] = byte }
        block[31] = revision
        block.replaceSubrange(headerSize..<headerSize + data.count, with: data)
        return block
    }

    static func bytes<Value>(of value: Value) -> [UInt8] {
        withUnsafeBytes(of: value) { Array($0) }
    }

    // MARK: Reading entries back

    /// The rule an entry holds, if it is one ript could have generated;
    /// nil for anything else (another match, an inverted test, a goto, an
    /// option ript never sets), which the differ reports as drift.
    /// `chains` are the table's chain names, to tell jumps from extensions.
    public static func rule(from kernel: KernelEntry, chains: Set<String>, protocols: ProtocolTable) -> Rule? {
        let bytes = kernel.bytes
        guard bytes.count >= entrySize else { return nil }
        let entry = bytes.withUnsafeBytes { $0.loadUnaligned(as: ipt_entry.self) }
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
            offset += Int(bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt16.self) })
        }
        guard offset == targetOffset, let target = target(kernel, at: targetOffset, chains: chains) else { return nil }
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

    private static func extensionAt(_ offset: Int, in bytes: [UInt8]) -> (String, UInt8, ArraySlice<UInt8>)? {
        let size = Int(bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt16.self) })
        guard size >= headerSize, offset + size <= bytes.count else { return nil }
        let name = String(decoding: bytes[(offset + 2)..<(offset + 31)].prefix { $0 != 0 }, as: UTF8.self)
        return (name, bytes[offset + 31], bytes[(offset + headerSize)..<(offset + size)])
    }

    private static func destinationPorts(_ name: String, _ data: ArraySlice<UInt8>, protocolNumber: UInt16) -> PortRange? {
        switch (name, protocolNumber) {
        case ("tcp", UInt16(IPPROTO_TCP)):
            guard data.count >= MemoryLayout<xt_tcp>.size else { return nil }
            let tcp = data.withUnsafeBytes { $0.loadUnaligned(as: xt_tcp.self) }
            guard tcp.spts == (0, 0xFFFF), tcp.option == 0, tcp.flg_mask == 0, tcp.flg_cmp == 0, tcp.invflags == 0 else { return nil }
            return PortRange(tcp.dpts.0, tcp.dpts.1)
        case ("udp", UInt16(IPPROTO_UDP)):
            guard data.count >= MemoryLayout<xt_udp>.size else { return nil }
            let udp = data.withUnsafeBytes { $0.loadUnaligned(as: xt_udp.self) }
            guard udp.spts == (0, 0xFFFF), udp.invflags == 0 else { return nil }
            return PortRange(udp.dpts.0, udp.dpts.1)
        default:
            return nil
        }
    }

    private static func target(_ kernel: KernelEntry, at offset: Int, chains: Set<String>) -> Target? {
        switch kernel.targetName {
        case "ACCEPT": return .accept
        case "DROP": return .drop
        case let chain where chains.contains(chain): return .jump(chain)
        default: break
        }
        guard let (name, revision, data) = extensionAt(offset, in: kernel.bytes), name == kernel.targetName else { return nil }
        switch (name, revision) {
        case ("REJECT", 0):
            guard data.count >= MemoryLayout<ipt_reject_info>.size else { return nil }
            let info = data.withUnsafeBytes { $0.loadUnaligned(as: ipt_reject_info.self) }
            return info.with == IPT_ICMP_PORT_UNREACHABLE ? .reject : nil
        case ("LOG", 0):
            guard data.count >= MemoryLayout<xt_log_info>.size else { return nil }
            let info = data.withUnsafeBytes { $0.loadUnaligned(as: xt_log_info.self) }
            let prefixEmpty = withUnsafeBytes(of: info.prefix) { $0.allSatisfy { $0 == 0 } }
            return info.level == 4 && info.logflags == 0 && prefixEmpty ? .log : nil
        case ("DNAT", 2):
            guard data.count >= MemoryLayout<nf_nat_range2>.size else { return nil }
            let range = data.withUnsafeBytes { $0.loadUnaligned(as: nf_nat_range2.self) }
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
            let compat = data.withUnsafeBytes { $0.loadUnaligned(as: nf_nat_ipv4_multi_range_compat.self) }
            let range = compat.range
            guard compat.rangesize == 1, range.flags == UInt32(NF_NAT_RANGE_MAP_IPS), range.min_ip == range.max_ip else { return nil }
            return .snat(address: UInt32(bigEndian: range.min_ip))
        default:
            return nil
        }
    }
}
