import RiptCore

/// Rules covering every field and target ript writes, in both families:
/// what the unit tests round-trip and the namespace worker commits and
/// compares with iptables-legacy-save (KernelTests' EncodingTests).
enum EncodingMatrix {
    static let icmp = IPProtocol(number: 1, name: "icmp")
    static let icmp6 = IPProtocol(number: 58, name: "ipv6-icmp")

    /// A 255-byte comment, the longest ript writes, with characters iptables-save quotes.
    static let longComment = "web rules.swift:12 " + String(repeating: "a-b c.", count: 40).prefix(236)

    /// Filter rules: every match alone and together, every REJECT and LOG form.
    static func filter(_ family: Family) -> [Rule] {
        let ipv4 = family == .ipv4
        let (host, network) = ipv4 ? (EntryLayoutTests.host, EntryLayoutTests.network) : (EntryLayoutTests.host6, EntryLayoutTests.network6)
        let icmpProtocol = ipv4 ? icmp : icmp6
        let ping = ICMPType(type: ipv4 ? 8 : 128), portUnreachable = ICMPType(type: ipv4 ? 3 : 1, codes: ipv4 ? 3...3 : 4...4)
        var rules = [
            Rule(family, target: .accept),
            Rule(family, source: network, destination: host, inInterface: "eth0", outInterface: "wan0", ipProtocol: .tcp,
                 sourcePort: PortRange(1024, 65535), destinationPort: PortRange(443, 443), comment: "web rules.swift:3 https", target: .accept),
            Rule(family, inInterface: "vlan+", outInterface: "ppp+", ipProtocol: .udp, sourcePort: PortRange(53, 53), target: .accept),
            Rule(family, ipProtocol: .udp, sourcePort: PortRange(67, 67), destinationPort: PortRange(68, 68), target: .drop),
            Rule(family, ipProtocol: icmpProtocol, icmpType: ping, target: .accept),
            Rule(family, ipProtocol: icmpProtocol, icmpType: portUnreachable, limit: RateLimit(rate: 5, per: .second, burst: 5), target: .accept),
            Rule(family, states: [.related, .established], comment: "host: connection tracking (rules.swift:4)", target: .accept),
            Rule(family, states: [.invalid], target: .drop),
            Rule(family, states: [.invalid, .new, .related, .established, .untracked], target: .log(LogOptions(prefix: "fw: ", level: 6))),
            Rule(family, states: [.new, .untracked], limit: RateLimit(rate: 1, per: .minute, burst: 10), target: .log(.standard)),
            Rule(family, limit: RateLimit(rate: 3, per: .hour, burst: 5), target: .log(LogOptions(prefix: "drop", level: 4))),
            Rule(family, limit: RateLimit(rate: 2, per: .day, burst: 1), target: .log(LogOptions(prefix: "", level: 0))),
            Rule(family, limit: RateLimit(rate: 60, per: .minute, burst: 10_000), target: .log(LogOptions(prefix: "fw: rate (60/min)!", level: 7))),
            Rule(family, limit: RateLimit(rate: 7, per: .minute, burst: 5), target: .drop),
            Rule(family, source: host, target: .reject(.portUnreachable)),
            Rule(family, target: .reject(.hostUnreachable)),
            Rule(family, target: .reject(.netUnreachable)),
            Rule(family, target: .reject(.adminProhibited)),
            Rule(family, ipProtocol: .tcp, destinationPort: PortRange(113, 113), target: .reject(.tcpReset)),
            Rule(family, comment: longComment, target: .drop),
            Rule(family, source: network, destination: host, inInterface: "eth0", outInterface: "wan0", ipProtocol: .tcp,
                 sourcePort: PortRange(1024, 65535), destinationPort: PortRange(8000, 8900), states: [.new],
                 limit: RateLimit(rate: 100, per: .second, burst: 200), comment: "web rules.swift:9 everything", target: .reject(.tcpReset)),
        ]
        if !ipv4 {
            rules += [
                Rule(family, ipProtocol: icmpProtocol, icmpType: ICMPType(type: 135), hopLimit: 255,
                     comment: "host: IPv6 neighbour discovery (rules.swift:2)", target: .accept),
                Rule(family, ipProtocol: icmpProtocol, icmpType: ICMPType(type: 2), target: .accept),
                Rule(family, hopLimit: 1, states: [.new], target: .drop),
            ]
        }
        return rules
    }

    /// Nat rules: MASQUERADE beside the SNAT and DNAT ript already wrote.
    static func nat(_ family: Family) -> [Rule] {
        let ipv4 = family == .ipv4
        let (host, network) = ipv4 ? (EntryLayoutTests.host, EntryLayoutTests.network) : (EntryLayoutTests.host6, EntryLayoutTests.network6)
        let address: IPAddress = ipv4 ? .v4(0xCB00_710A) : EntryLayoutTests.address6
        return [
            Rule(family, source: network, outInterface: "wan0", comment: "lan rules.swift:7 out", target: .masquerade),
            Rule(family, outInterface: "ppp+", target: .masquerade),
            Rule(family, source: network, outInterface: "wan0", target: .snat(address: address)),
            Rule(family, destination: host, inInterface: "wan0", ipProtocol: .tcp, destinationPort: PortRange(2222, 2222),
                 comment: "ssh rules.swift:8 in", target: .dnat(address: address, port: 22)),
        ]
    }
}
