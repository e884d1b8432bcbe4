import CIPTables
import RiptCore

// Reading entries back into ript's rules: only what ript writes, field by
// field and byte by byte; anything else is not ript's rule.

extension IPTCTable {
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
        var rule = Rule(family, source: header.source, destination: header.destination, inInterface: header.inInterface,
                        outInterface: header.outInterface, target: .accept)
        if header.proto != 0 { rule.ipProtocol = protocols.protocol(number: UInt8(header.proto)) }

        // The matches ript writes, each at most once, in ript's order.
        var offset = layout.size, order = 0
        while offset < targetOffset {
            guard offset + headerSize <= targetOffset, let (name, revision, data) = extensionAt(offset, in: bytes),
                let match = EntryMatch(name: name, revision: revision, data: data, family: family, proto: header.proto), match.order > order
            else { return nil }
            match.apply(to: &rule)
            order = match.order
            offset += headerSize + data.count
        }
        guard offset == targetOffset, let target = target(targetName, family, bytes, at: targetOffset, chains: chains) else { return nil }
        rule.target = target
        return rule
    }

    /// What an entry header matches, when it is only what ript writes.
    private struct Header {
        var source: IPNetwork?
        var destination: IPNetwork?
        var inInterface: String?
        var outInterface: String?
        var proto: UInt16
    }

    private static func ipv4Header(_ bytes: UnsafeRawBufferPointer) -> Header? {
        let ip = bytes.loadUnaligned(as: ipt_entry.self).ip
        guard ip.invflags == 0, ip.flags == 0, ip.proto <= 255,
            let source = network(ip.src.s_addr, ip.smsk.s_addr), let destination = network(ip.dst.s_addr, ip.dmsk.s_addr),
            let inInterface = withUnsafeBytes(of: ip.iniface, { name in withUnsafeBytes(of: ip.iniface_mask) { interface(name, $0) } }),
            let outInterface = withUnsafeBytes(of: ip.outiface, { name in withUnsafeBytes(of: ip.outiface_mask) { interface(name, $0) } })
        else { return nil }
        return Header(source: .v4(source), destination: .v4(destination), inInterface: inInterface.isEmpty ? nil : inInterface,
                      outInterface: outInterface.isEmpty ? nil : outInterface, proto: ip.proto)
    }

    /// As ip6tables writes it: IP6T_F_PROTO with a protocol, no TOS, no flags else.
    private static func ipv6Header(_ bytes: UnsafeRawBufferPointer) -> Header? {
        let ip = bytes.loadUnaligned(as: ip6t_entry.self).ipv6
        guard ip.invflags == 0, ip.tos == 0, ip.proto <= 255, ip.flags == (ip.proto == 0 ? 0 : UInt8(IP6T_F_PROTO)),
            let source = network(ip.src, ip.smsk), let destination = network(ip.dst, ip.dmsk),
            let inInterface = withUnsafeBytes(of: ip.iniface, { name in withUnsafeBytes(of: ip.iniface_mask) { interface(name, $0) } }),
            let outInterface = withUnsafeBytes(of: ip.outiface, { name in withUnsafeBytes(of: ip.outiface_mask) { interface(name, $0) } })
        else { return nil }
        return Header(source: .v6(source), destination: .v6(destination), inInterface: inInterface.isEmpty ? nil : inInterface,
                      outInterface: outInterface.isEmpty ? nil : outInterface, proto: ip.proto)
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

    /// An interface name ("" for none), if its mask is one iptables writes.
    private static func interface(_ field: UnsafeRawBufferPointer, _ mask: UnsafeRawBufferPointer) -> String? {
        let name = Array(field.prefix { $0 != 0 })
        if name.isEmpty { return mask.allSatisfy { $0 == 0 } ? "" : nil }
        let masked = name.last == UInt8(ascii: "+") ? name.count - 1 : name.count + 1
        guard mask.prefix(masked).allSatisfy({ $0 == 0xFF }), mask.dropFirst(masked).allSatisfy({ $0 == 0 }) else { return nil }
        return String(decoding: name, as: UTF8.self)
    }

    /// The match or target at `offset`: its name (up to the NUL), revision and data.
    static func extensionAt(_ offset: Int, in bytes: UnsafeRawBufferPointer) -> (UnsafeRawBufferPointer, UInt8, UnsafeRawBufferPointer)? {
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
