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
        let ported = Rule(ipProtocol: .tcp, destinationPort: PortRange(80, 80), target: .accept)
        #expect(IPTCTable.entry(for: ported).count == 112 + 48 + 40)
        #expect(IPTCTable.entry(for: Rule(target: .reject)).count == 112 + 40)
        #expect(IPTCTable.entry(for: Rule(target: .log)).count == 112 + 64)
        #expect(IPTCTable.entry(for: Rule(target: .dnat(address: 1, port: 22))).count == 112 + 80)
        #expect(IPTCTable.entry(for: Rule(target: .snat(address: 1))).count == 112 + 56)
    }

    static let protocols = ProtocolTable(parsing: "tcp 6 TCP\nudp 17 UDP\nicmp 1 ICMP\n")
    static let network = try! IPv4Network.parse("198.51.100.0/24").get()
    static let host = try! IPv4Network.parse("192.0.2.10").get()

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
        }
    }

    @Test("every rule kind ript generates reads back as the same rule",
          arguments: [
            Rule(target: .accept),
            Rule(source: network, destination: host, inInterface: "vlan+", ipProtocol: .tcp, destinationPort: PortRange(8000, 8900), target: .reject),
            Rule(destination: host, inInterface: "eth0", ipProtocol: .udp, destinationPort: PortRange(53, 53), target: .drop),
            Rule(source: host, ipProtocol: IPProtocol(number: 1, name: "icmp"), target: .log),
            Rule(destination: host, target: .jump("web-a1b2c3")),
            Rule(source: network, destination: host, ipProtocol: .tcp, destinationPort: PortRange(2222, 2222), target: .dnat(address: 0xC0A8_0501, port: 22)),
            Rule(destination: host, target: .dnat(address: 0xC0A8_0501, port: nil)),
            Rule(source: network, target: .snat(address: 0xCB00_710A)),
          ])
    func roundTrip(_ rule: Rule) {
        let entry = KernelEntry(bytes: IPTCTable.entry(for: rule), targetName: Self.targetName(rule.target))
        #expect(IPTCTable.rule(from: entry, chains: ["web-a1b2c3"], protocols: Self.protocols) == rule)
    }

    /// Mutates an entry's bytes at an offset.
    static func changed(_ rule: Rule, at offset: Int, to value: UInt8) -> KernelEntry {
        var bytes = IPTCTable.entry(for: rule)
        bytes[offset] = value
        return KernelEntry(bytes: bytes, targetName: targetName(rule.target))
    }

    @Test("anything ript does not write reads as nothing ript understands (drift)")
    func foreignEntries() {
        let accept = Rule(destination: Self.host, target: .accept)
        let chains: Set<String> = []
        func decode(_ entry: KernelEntry) -> Rule? { IPTCTable.rule(from: entry, chains: chains, protocols: Self.protocols) }
        // Inverted match (! -d), a goto, an out-interface.
        #expect(decode(Self.changed(accept, at: 83, to: 0x02)) == nil)
        #expect(decode(Self.changed(accept, at: 82, to: 0x02)) == nil)
        #expect(decode(Self.changed(accept, at: 32, to: UInt8(ascii: "e"))) == nil)
        // A LOG with a prefix; REJECT with tcp-reset; an unknown target; RETURN.
        let log = Rule(target: .log)
        #expect(decode(Self.changed(log, at: 112 + 32 + 2, to: UInt8(ascii: "x"))) == nil)
        let reject = Rule(target: .reject)
        #expect(decode(Self.changed(reject, at: 112 + 32, to: 7)) == nil)
        #expect(decode(KernelEntry(bytes: IPTCTable.entry(for: accept), targetName: "RETURN")) == nil)
        #expect(decode(KernelEntry(bytes: IPTCTable.entry(for: accept), targetName: "no-such-chain")) == nil)
        // A tcp match with a source port.
        let ported = Rule(ipProtocol: .tcp, destinationPort: PortRange(80, 80), target: .accept)
        #expect(decode(Self.changed(ported, at: 112 + 32, to: 1)) == nil)
        // Truncated.
        #expect(decode(KernelEntry(bytes: Array(IPTCTable.entry(for: accept).prefix(100)), targetName: "ACCEPT")) == nil)
    }

    @Test("an injected libiptc failure is a typed error naming the function and libiptc's words; libiptc is never called")
    func injectedFault() {
        let faults = IPTCFaults { $0 == "iptc_init" ? ENOMEM : nil }
        #expect {
            _ = try IPTCTable("filter", faults: faults)
        } throws: { error in
            guard let error = error as? IPTCError else { return false }
            return error.function == "iptc_init" && error.code == ENOMEM && error.message == "Memory allocation problem"
                && error.description == "iptc_init: Memory allocation problem"
        }
        #expect(IPTCError(function: "iptc_commit", code: EAGAIN, message: "").isConcurrentChange)
    }
}
