import CIPTables
import RiptCore

// The targets ript writes, in the revisions and layouts the iptables 1.8.9
// and ip6tables 1.8.9 CLIs write, and reading them back.

extension IPTCTable {
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

    /// The `with` of a REJECT in a family: `ipt_reject_with` or
    /// `ip6t_reject_with` (0 for any other target).
    static func rejectCode(_ target: Target, _ family: Family) -> UInt32 {
        guard case .reject(let reply) = target else { return 0 }
        return switch (reply, family) {
        case (.portUnreachable, .ipv4): IPT_ICMP_PORT_UNREACHABLE.rawValue
        case (.hostUnreachable, .ipv4): IPT_ICMP_HOST_UNREACHABLE.rawValue
        case (.netUnreachable, .ipv4): IPT_ICMP_NET_UNREACHABLE.rawValue
        case (.adminProhibited, .ipv4): IPT_ICMP_ADMIN_PROHIBITED.rawValue
        case (.tcpReset, .ipv4): IPT_TCP_RESET.rawValue
        case (.portUnreachable, .ipv6): IP6T_ICMP6_PORT_UNREACH.rawValue
        case (.hostUnreachable, .ipv6): IP6T_ICMP6_ADDR_UNREACH.rawValue
        case (.netUnreachable, .ipv6): IP6T_ICMP6_NO_ROUTE.rawValue
        case (.adminProhibited, .ipv6): IP6T_ICMP6_ADM_PROHIBITED.rawValue
        case (.tcpReset, .ipv6): IP6T_TCP_RESET.rawValue
        }
    }

    /// The REJECTs ript writes, to find one by its code.
    private static let rejects: [Target] = [
        .reject(.portUnreachable), .reject(.hostUnreachable), .reject(.netUnreachable), .reject(.adminProhibited), .reject(.tcpReset),
    ]

    /// The room for a LOG prefix: `xt_log_info.prefix` less its NUL.
    static let logPrefixCapacity = MemoryLayout<xt_log_info>.size - MemoryLayout<xt_log_info>.offset(of: \.prefix)! - 1

    /// Writes a target's data into zeroed memory (verdicts and jumps have
    /// none: libiptc maps their names).
    static func writeTargetData(_ target: Target, _ family: Family, into data: UnsafeMutableRawPointer) {
        switch (target, family) {
        case (.accept, _), (.drop, _), (.jump, _): break
        case (.masquerade, .ipv4):
            data.assumingMemoryBound(to: nf_nat_ipv4_multi_range_compat.self).pointee.rangesize = 1
        case (.masquerade, .ipv6): break
        case (.reject, .ipv4):
            data.assumingMemoryBound(to: ipt_reject_info.self).pointee.with = ipt_reject_with(rejectCode(target, family))
        case (.reject, .ipv6):
            data.assumingMemoryBound(to: ip6t_reject_info.self).pointee.with = rejectCode(target, family)
        case (.log(let options), _):
            let prefixAt = MemoryLayout<xt_log_info>.offset(of: \.prefix)!
            data.assumingMemoryBound(to: xt_log_info.self).pointee.level = options.level
            for (index, byte) in options.prefix.utf8.prefix(logPrefixCapacity).enumerated() {
                data.storeBytes(of: byte, toByteOffset: prefixAt + index, as: UInt8.self)
            }
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

    /// The target at `offset` of an entry, libiptc's `targetName` for it
    /// given: a verdict, a jump to one of `chains`, or an extension ript
    /// writes holding exactly what ript would write for it; nil otherwise.
    static func target(_ targetName: String, _ family: Family, _ bytes: UnsafeRawBufferPointer, at offset: Int, chains: Set<String>) -> Target? {
        switch targetName {
        case "ACCEPT": return .accept
        case "DROP": return .drop
        case let chain where chains.contains(chain): return .jump(chain)
        default: break
        }
        guard let (name, revision, data) = extensionAt(offset, in: bytes), name.elementsEqual(targetName.utf8),
            let target = extensionTarget(targetName, revision, family, data)
        else { return nil }
        let (_, expectedRevision, dataSize) = targetShape(target, family)
        guard revision == expectedRevision, data.count == aligned(dataSize), holds(data, { writeTargetData(target, family, into: $0) }) else { return nil }
        return target
    }

    /// What an extension target's fields say, before its data is checked whole.
    private static func extensionTarget(_ targetName: String, _ revision: UInt8, _ family: Family, _ data: UnsafeRawBufferPointer) -> Target? {
        switch (targetName, revision, family) {
        case ("REJECT", 0, _):
            guard data.count >= MemoryLayout<UInt32>.size else { return nil }
            let code = data.loadUnaligned(as: UInt32.self)
            return rejects.first { rejectCode($0, family) == code }
        case ("LOG", 0, _):
            guard data.count >= MemoryLayout<xt_log_info>.size else { return nil }
            let info = data.loadUnaligned(as: xt_log_info.self)
            let prefix = withUnsafeBytes(of: info.prefix) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            return info.level <= 7 ? .log(LogOptions(prefix: prefix, level: info.level)) : nil
        case ("MASQUERADE", 0, _):
            return .masquerade
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
