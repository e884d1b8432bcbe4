import CIPTables
import RiptCore
@testable import RiptKernel
import Testing

/// Entry layouts and encoding, without a kernel: nothing here calls libiptc
/// except through an injected fault, which stops the call before it is made.
@Suite struct EntryLayoutTests {
    @Test("ipt_entry and the extension data ript writes have the layouts of the kernel headers")
    func layouts() {
        #expect(MemoryLayout<ipt_entry>.size == 112)
        #expect(MemoryLayout<ipt_entry>.offset(of: \.ip.proto) == 80)
        #expect(MemoryLayout<ipt_entry>.offset(of: \.ip.iniface) == 16)
        #expect(MemoryLayout<ipt_entry>.offset(of: \.ip.iniface_mask) == 48)
        #expect(MemoryLayout<ipt_entry>.offset(of: \.target_offset) == 88)
        #expect(MemoryLayout<ipt_entry>.offset(of: \.next_offset) == 90)
        #expect(MemoryLayout<ipt_entry>.offset(of: \.counters) == 96)
        #expect(MemoryLayout<xt_tcp>.size == 12)
        #expect(MemoryLayout<xt_udp>.size == 10)
        #expect(MemoryLayout<nf_nat_range2>.size == 44)
        #expect(MemoryLayout<nf_nat_ipv4_multi_range_compat>.size == 20)
        #expect(MemoryLayout<xt_log_info>.size == 32)
        #expect(MemoryLayout<ipt_reject_info>.size == 4)
        #expect(CIPTables_xt_align(12) == 16)
    }

    @Test("ip6t_entry and the IPv6 extension data have the layouts of the kernel headers")
    func layouts6() {
        #expect(MemoryLayout<ip6t_entry>.size == 168)
        #expect(MemoryLayout<ip6t_entry>.offset(of: \.ipv6.src) == 0)
        #expect(MemoryLayout<ip6t_entry>.offset(of: \.ipv6.dst) == 16)
        #expect(MemoryLayout<ip6t_entry>.offset(of: \.ipv6.smsk) == 32)
        #expect(MemoryLayout<ip6t_entry>.offset(of: \.ipv6.dmsk) == 48)
        #expect(MemoryLayout<ip6t_entry>.offset(of: \.ipv6.iniface) == 64)
        #expect(MemoryLayout<ip6t_entry>.offset(of: \.ipv6.iniface_mask) == 96)
        #expect(MemoryLayout<ip6t_entry>.offset(of: \.ipv6.proto) == 128)
        #expect(MemoryLayout<ip6t_entry>.offset(of: \.ipv6.flags) == 131)
        #expect(MemoryLayout<ip6t_entry>.offset(of: \.ipv6.invflags) == 132)
        #expect(MemoryLayout<ip6t_entry>.offset(of: \.target_offset) == 140)
        #expect(MemoryLayout<ip6t_entry>.offset(of: \.next_offset) == 142)
        #expect(MemoryLayout<ip6t_entry>.offset(of: \.comefrom) == 144)
        #expect(MemoryLayout<ip6t_entry>.offset(of: \.counters) == 152)
        #expect(MemoryLayout<nf_nat_range>.size == 40)
        #expect(MemoryLayout<ip6t_reject_info>.size == 4)
        #expect(IP6T_ICMP6_PORT_UNREACH.rawValue == 4)
        #expect(IP6T_F_PROTO == 1)
    }

    @Test("entries have the sizes iptables writes: tcp match 48, standard 40, REJECT 40, LOG 64, DNAT 80, SNAT 56")
    func sizes() {
        let ported = Rule(.ipv4, ipProtocol: .tcp, destinationPort: PortRange(80, 80), target: .accept)
        #expect(IPTCTable.entry(for: ported).count == 112 + 48 + 40)
        #expect(IPTCTable.entry(for: Rule(.ipv4, target: .reject(.portUnreachable))).count == 112 + 40)
        #expect(IPTCTable.entry(for: Rule(.ipv4, target: .log(.standard))).count == 112 + 64)
        #expect(IPTCTable.entry(for: Rule(.ipv4, target: .dnat(address: .v4(1), port: 22))).count == 112 + 80)
        #expect(IPTCTable.entry(for: Rule(.ipv4, target: .snat(address: .v4(1)))).count == 112 + 56)
    }

    @Test("IPv6 entries have the sizes ip6tables writes: tcp match 48, standard 40, REJECT 40, LOG 64, DNAT 80, SNAT 72")
    func sizes6() {
        let ported = Rule(.ipv6, ipProtocol: .tcp, destinationPort: PortRange(80, 80), target: .accept)
        #expect(IPTCTable.entry(for: ported).count == 168 + 48 + 40)
        #expect(IPTCTable.entry(for: Rule(.ipv6, target: .reject(.portUnreachable))).count == 168 + 40)
        #expect(IPTCTable.entry(for: Rule(.ipv6, target: .log(.standard))).count == 168 + 64)
        #expect(IPTCTable.entry(for: Rule(.ipv6, target: .dnat(address: .v6(1), port: 22))).count == 168 + 80)
        #expect(IPTCTable.entry(for: Rule(.ipv6, target: .snat(address: .v6(1)))).count == 168 + 72)
    }

    static let protocols = ProtocolTable(parsing: "tcp 6 TCP\nudp 17 UDP\nicmp 1 ICMP\nipv6-icmp 58 IPv6-ICMP\n")
    static let network = try! IPNetwork.parse("198.51.100.0/24").get()
    static let host = try! IPNetwork.parse("192.0.2.10").get()
    static let network6 = try! IPNetwork.parse("2001:db8:1::/48").get()
    static let host6 = try! IPNetwork.parse("2001:db8::10").get()
    static let address6 = IPAddress.v6(0x2001_0db8_0000_0000_0000_0000_0000_0020)

    /// The target name libiptc reports for an entry ript built.
    static func targetName(_ target: Target) -> String {
        switch target {
        case .accept: "ACCEPT"
        case .drop: "DROP"
        case .reject: "REJECT"
        case .log: "LOG"
        case .jump(let chain): chain
        case .dnat: "DNAT"
        case .snat: "SNAT"
        case .masquerade: "MASQUERADE"
        }
    }

    @Test("every rule kind ript generates reads back as the same rule",
          arguments: [
            Rule(.ipv4, target: .accept),
            Rule(.ipv4, source: network, destination: host, inInterface: "vlan+", ipProtocol: .tcp, destinationPort: PortRange(8000, 8900), target: .reject(.portUnreachable)),
            Rule(.ipv4, destination: host, inInterface: "eth0", ipProtocol: .udp, destinationPort: PortRange(53, 53), target: .drop),
            Rule(.ipv4, source: host, ipProtocol: IPProtocol(number: 1, name: "icmp"), target: .log(.standard)),
            Rule(.ipv4, destination: host, target: .jump("web-a1b2c3")),
            Rule(.ipv4, source: network, destination: host, ipProtocol: .tcp, destinationPort: PortRange(2222, 2222), target: .dnat(address: .v4(0xC0A8_0501), port: 22)),
            Rule(.ipv4, destination: host, target: .dnat(address: .v4(0xC0A8_0501), port: nil)),
            Rule(.ipv4, source: network, target: .snat(address: .v4(0xCB00_710A))),
            Rule(.ipv6, target: .accept),
            Rule(.ipv6, source: network6, destination: host6, inInterface: "vlan+", ipProtocol: .tcp, destinationPort: PortRange(8000, 8900), target: .reject(.portUnreachable)),
            Rule(.ipv6, destination: host6, inInterface: "eth0", ipProtocol: .udp, destinationPort: PortRange(53, 53), target: .drop),
            Rule(.ipv6, source: host6, ipProtocol: IPProtocol(number: 58, name: "ipv6-icmp"), target: .log(.standard)),
            Rule(.ipv6, destination: host6, target: .jump("web-a1b2c3")),
            Rule(.ipv6, source: network6, destination: host6, ipProtocol: .tcp, destinationPort: PortRange(2222, 2222), target: .dnat(address: address6, port: 22)),
            Rule(.ipv6, destination: host6, target: .dnat(address: address6, port: nil)),
            Rule(.ipv6, source: network6, target: .snat(address: address6)),
          ])
    func roundTrip(_ rule: Rule) {
        let entry = KernelEntry(bytes: IPTCTable.entry(for: rule), targetName: Self.targetName(rule.target))
        #expect(IPTCTable.rule(from: entry, family: rule.family, chains: ["web-a1b2c3"], protocols: Self.protocols) == rule)
    }

    @Test("an entry is read in its own family's layout only")
    func familiesDoNotMix() {
        let rule = Rule(.ipv4, destination: Self.host, ipProtocol: .tcp, destinationPort: PortRange(22, 22), target: .accept)
        let entry = KernelEntry(bytes: IPTCTable.entry(for: rule), targetName: "ACCEPT")
        #expect(IPTCTable.rule(from: entry, family: .ipv6, chains: [], protocols: Self.protocols) == nil)
    }

    /// Mutates an entry's bytes at an offset.
    static func changed(_ rule: Rule, at offset: Int, to value: UInt8) -> KernelEntry {
        var bytes = IPTCTable.entry(for: rule)
        bytes[offset] = value
        return KernelEntry(bytes: bytes, targetName: targetName(rule.target))
    }

    @Test("anything ript does not write reads as nothing ript understands (drift)")
    func foreignEntries() {
        let accept = Rule(.ipv4, destination: Self.host, target: .accept)
        let chains: Set<String> = []
        func decode(_ entry: KernelEntry) -> Rule? { IPTCTable.rule(from: entry, family: .ipv4, chains: chains, protocols: Self.protocols) }
        // Inverted match (! -d), a goto, an out-interface without its mask.
        #expect(decode(Self.changed(accept, at: 83, to: 0x02)) == nil)
        #expect(decode(Self.changed(accept, at: 82, to: 0x02)) == nil)
        #expect(decode(Self.changed(accept, at: 32, to: UInt8(ascii: "e"))) == nil)
        // A LOG with flags (--log-tcp-sequence); REJECT with
        // icmp-proto-unreachable; an unknown target; RETURN.
        let log = Rule(.ipv4, target: .log(.standard))
        #expect(decode(Self.changed(log, at: 112 + 32 + 1, to: 0x01)) == nil)
        let reject = Rule(.ipv4, target: .reject(.portUnreachable))
        #expect(decode(Self.changed(reject, at: 112 + 32, to: 2)) == nil)
        #expect(decode(KernelEntry(bytes: IPTCTable.entry(for: accept), targetName: "RETURN")) == nil)
        #expect(decode(KernelEntry(bytes: IPTCTable.entry(for: accept), targetName: "no-such-chain")) == nil)
        // A tcp match with inverted ports, or with TCP flags.
        let ported = Rule(.ipv4, ipProtocol: .tcp, destinationPort: PortRange(80, 80), target: .accept)
        #expect(decode(Self.changed(ported, at: 112 + 32 + 11, to: 1)) == nil)
        #expect(decode(Self.changed(ported, at: 112 + 32 + 9, to: 0x02)) == nil)
        // Truncated.
        #expect(decode(KernelEntry(bytes: Array(IPTCTable.entry(for: accept).prefix(100)), targetName: "ACCEPT")) == nil)
    }

    @Test("anything ip6tables rules hold that ript does not write reads as drift")
    func foreignEntries6() {
        let accept = Rule(.ipv6, destination: Self.host6, ipProtocol: .tcp, target: .accept)
        func decode(_ entry: KernelEntry) -> Rule? { IPTCTable.rule(from: entry, family: .ipv6, chains: [], protocols: Self.protocols) }
        #expect(decode(KernelEntry(bytes: IPTCTable.entry(for: accept), targetName: "ACCEPT")) == accept)
        // An inverted match, a TOS match, IP6T_F_PROTO cleared, an out-interface without its mask, a host bit beyond the mask.
        #expect(decode(Self.changed(accept, at: 132, to: 0x02)) == nil)
        #expect(decode(Self.changed(accept, at: 130, to: 0x10)) == nil)
        #expect(decode(Self.changed(accept, at: 131, to: 0)) == nil)
        #expect(decode(Self.changed(accept, at: 80, to: UInt8(ascii: "e"))) == nil)
        #expect(decode(Self.changed(accept, at: 63, to: 0)) == nil)
        // REJECT with icmp6-not-neighbour, which ript never writes.
        let reject = Rule(.ipv6, target: .reject(.portUnreachable))
        #expect(decode(Self.changed(reject, at: 168 + 32, to: 2)) == nil)
        // An SNAT with a port range.
        let snat = Rule(.ipv6, target: .snat(address: Self.address6))
        #expect(decode(Self.changed(snat, at: 168 + 32, to: 0x03)) == nil)
    }

    @Test("an injected libiptc failure is a typed error naming the function and libiptc's words; libiptc is never called")
    func injectedFault() {
        let faults = IPTCFaults { $0 == "iptc_init" ? ENOMEM : nil }
        #expect {
            _ = try IPTCTable(.ipv4, "filter", faults: faults)
        } throws: { error in
            guard let error = error as? IPTCError else { return false }
            return error.function == "iptc_init" && error.code == ENOMEM && error.message == "Memory allocation problem"
                && error.description == "iptc_init: Memory allocation problem"
        }
        #expect(IPTCError(function: "iptc_commit", code: EAGAIN, message: "").isConcurrentChange)
    }
}
