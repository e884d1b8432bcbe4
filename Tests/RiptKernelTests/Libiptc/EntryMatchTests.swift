import CIPTables
import RiptCore
@testable import RiptKernel
import Testing

/// The matches and targets of the whole firewall (out-interface, source
/// ports, ICMP, hop limit, conntrack, limit, comment, every REJECT, LOG
/// with prefix and level, MASQUERADE): their layouts, the bytes the iptables
/// 1.8.9 CLI writes, encoding and decoding, without a kernel.
@Suite struct EntryMatchTests {
    @Test("the match and target data ript writes have the layouts of the kernel headers")
    func layouts() {
        #expect(MemoryLayout<ipt_entry>.offset(of: \.ip.outiface) == 32)
        #expect(MemoryLayout<ipt_entry>.offset(of: \.ip.outiface_mask) == 64)
        #expect(MemoryLayout<ip6t_entry>.offset(of: \.ipv6.outiface) == 80)
        #expect(MemoryLayout<ip6t_entry>.offset(of: \.ipv6.outiface_mask) == 112)
        #expect(MemoryLayout<ipt_icmp>.size == 4)
        #expect(MemoryLayout<ip6t_icmp>.size == 4)
        #expect(MemoryLayout<ip6t_hl_info>.size == 2)
        #expect(MemoryLayout<xt_conntrack_mtinfo3>.size == 164)
        #expect(MemoryLayout<xt_conntrack_mtinfo3>.offset(of: \.match_flags) == 146)
        #expect(MemoryLayout<xt_conntrack_mtinfo3>.offset(of: \.state_mask) == 150)
        #expect(MemoryLayout<xt_rateinfo>.size == 40)
        #expect(IPTCTable.rateInfoUserSize == 8)
        #expect(MemoryLayout<xt_comment_info>.size == 256)
        #expect(IPTCTable.logPrefixCapacity == 29)
    }

    @Test("matches have the sizes iptables writes: tcp/udp 48, icmp 40, icmp6 40, hl 40, conntrack 200, limit 72, comment 288")
    func matchSizes() {
        let limit = RateLimit(rate: 5, per: .second, burst: 5)!
        let cases: [(EntryMatch, Int)] = [
            (.ports(tcp: true, source: PortRange(1, 1), destination: nil), 48), (.ports(tcp: false, source: nil, destination: PortRange(1, 1)), 48),
            (.icmp(ICMPType(type: 8)), 40), (.icmp6(ICMPType(type: 128)), 40), (.hopLimit(255), 40),
            (.states([.new]), 200), (.limit(limit), 72), (.comment("x"), 288),
        ]
        for (match, size) in cases { #expect(match.size == size, "\(match.name)") }
        // The shortcut that sizes an entry agrees with the matches written.
        for rule in EncodingMatrix.filter(.ipv4) + EncodingMatrix.filter(.ipv6) + EncodingMatrix.nat(.ipv4) {
            var written = 0
            IPTCTable.forEachMatch(of: rule) { written += $0.size }
            #expect(IPTCTable.matchesSize(for: rule) == written, "\(rule.arguments(.short))")
        }
        #expect(IPTCTable.entry(for: Rule(.ipv4, outInterface: "wan0", target: .masquerade)).count == 112 + 56)
        #expect(IPTCTable.entry(for: Rule(.ipv6, outInterface: "wan0", target: .masquerade)).count == 168 + 72)
        #expect(IPTCTable.entry(for: Rule(.ipv4, states: [.new], limit: limit, comment: "c", target: .drop)).count == 112 + 200 + 72 + 288 + 40)
    }

    /// The data of the match named `name` in a rule's entry.
    static func matchData(_ rule: Rule, _ name: String) -> [UInt8]? {
        let bytes = IPTCTable.entry(for: rule), layout = EntryLayout.of(rule.family)
        var offset = layout.size
        return bytes.withUnsafeBytes { raw in
            while offset < layout.targetOffset(raw.baseAddress!) {
                guard let (found, _, data) = IPTCTable.extensionAt(offset, in: raw) else { return nil }
                if found.elementsEqual(name.utf8) { return Array(data) }
                offset += IPTCTable.headerSize + data.count
            }
            return nil
        }
    }

    @Test("the data is byte for byte what iptables 1.8.9 writes (read from a namespace's blob): conntrack state bits, limit, icmp codes, hl")
    func cliBytes() throws {
        let all: ConnectionStates = [.invalid, .new, .related, .established, .untracked]
        let conntrack = try #require(Self.matchData(Rule(.ipv4, states: all, target: .accept), "conntrack"))
        #expect(conntrack.count == 168 && conntrack[146] == 0x01 && conntrack[150] == 0x0F && conntrack[151] == 0x01)
        #expect(conntrack.enumerated().allSatisfy { [146, 150, 151].contains($0.offset) || $0.element == 0 })
        #expect(EntryMatch.kernelBits([.new]) == 0x08 && EntryMatch.kernelBits([.related, .established]) == 0x06)
        let limit = try #require(Self.matchData(Rule(.ipv4, limit: RateLimit(rate: 5, per: .second, burst: 7), target: .accept), "limit"))
        #expect(limit == [0xD0, 0x07, 0, 0, 7, 0, 0, 0] + [UInt8](repeating: 0, count: 32))
        let icmp = try #require(Self.matchData(Rule(.ipv4, ipProtocol: EncodingMatrix.icmp, icmpType: ICMPType(type: 3, codes: 4...4), target: .accept), "icmp"))
        #expect(icmp == [3, 4, 4, 0, 0, 0, 0, 0])
        let any = try #require(Self.matchData(Rule(.ipv4, ipProtocol: EncodingMatrix.icmp, icmpType: ICMPType(type: 8), target: .accept), "icmp"))
        #expect(any == [8, 0, 0xFF, 0, 0, 0, 0, 0])
        let hl = try #require(Self.matchData(Rule(.ipv6, hopLimit: 255, target: .accept), "hl"))
        #expect(hl == [0, 0xFF, 0, 0, 0, 0, 0, 0])
        let comment = try #require(Self.matchData(Rule(.ipv4, comment: "x y", target: .accept), "comment"))
        #expect(comment == Array("x y".utf8) + [UInt8](repeating: 0, count: 253))
    }

    @Test("every REJECT answer has the code of ipt_reject_with and ip6t_reject_with")
    func rejectCodes() {
        let expected: [(Target, UInt32, UInt32)] = [
            (.reject(.portUnreachable), 3, 4), (.reject(.hostUnreachable), 1, 3), (.reject(.netUnreachable), 0, 0),
            (.reject(.adminProhibited), 8, 1), (.reject(.tcpReset), 7, 6),
        ]
        for (target, ipv4, ipv6) in expected {
            #expect(IPTCTable.rejectCode(target, .ipv4) == ipv4 && IPTCTable.rejectCode(target, .ipv6) == ipv6, "\(target)")
        }
    }

    @Test("every field and target of the encoding matrix reads back as the same rule", arguments: Family.allCases)
    func roundTrip(_ family: Family) {
        for rule in EncodingMatrix.filter(family) + EncodingMatrix.nat(family) {
            let entry = KernelEntry(bytes: IPTCTable.entry(for: rule), targetName: EntryLayoutTests.targetName(rule.target))
            #expect(IPTCTable.rule(from: entry, family: family, chains: [], protocols: EntryLayoutTests.protocols) == rule, "\(rule.arguments(.short))")
        }
    }

    @Test("kernel form of the matrix verifies byte for byte, whatever the kernel keeps in a limit's private fields", arguments: Family.allCases)
    func verifiesWithLimitState(_ family: Family) throws {
        let rules = EncodingMatrix.filter(family)
        let expected = try #require(IPTCTable.kernelEntries(for: rules))
        var kernel = expected
        let layout = EntryLayout.of(family)
        var offset = 0, limits = 0
        for rule in rules {
            let length = IPTCTable.entryLength(for: rule)
            var match = offset + layout.size
            while match < offset + length - 40 {
                let size = Int(kernel[match]) | Int(kernel[match + 1]) << 8
                if kernel.withUnsafeBytes({ IPTCTable.isLimitMatch($0, at: match) }) {
                    for index in (match + 32 + 8)..<(match + size) { kernel[index] = 0xA5 }  // prev, credit, cost, master
                    limits += 1
                }
                match += size
            }
            offset += length
        }
        #expect(limits >= 6)
        let chains = ExpectedChains([(table: FamilyTable(family, .filter), name: "c", rules: rules)])
        let entries = Self.split(kernel, rules)
        #expect(chains.verify("c", in: FamilyTable(family, .filter), entries: entries.map { UnsafeRawBufferPointer($0) })?.wereVerified == true)
        entries.forEach { $0.deallocate() }
        // A limit's rate is not private: another burst is another rule.
        let one = [Rule(family, limit: RateLimit(rate: 5, per: .second, burst: 5), target: .accept)]
        var other = try #require(IPTCTable.kernelEntries(for: one))
        other[layout.size + 32 + 4] = 6
        let single = ExpectedChains([(table: FamilyTable(family, .filter), name: "c", rules: one)])
        let otherEntries = Self.split(other, one)
        #expect(single.verify("c", in: FamilyTable(family, .filter), entries: otherEntries.map { UnsafeRawBufferPointer($0) }) == nil)
        otherEntries.forEach { $0.deallocate() }
    }

    /// A chain's bytes split into aligned copies of each rule's entry; the caller deallocates them.
    static func split(_ bytes: [UInt8], _ rules: [Rule]) -> [UnsafeMutableRawBufferPointer] {
        var offset = 0
        return rules.map { rule in
            let length = IPTCTable.entryLength(for: rule)
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: length, alignment: 8)
            buffer.copyBytes(from: bytes[offset..<(offset + length)])
            offset += length
            return buffer
        }
    }

    /// The rule an entry's bytes decode to, with one byte changed (or none).
    static func decode(_ rule: Rule, at offset: Int? = nil, to value: UInt8 = 0, targetName: String? = nil) -> Rule? {
        var bytes = IPTCTable.entry(for: rule)
        if let offset { bytes[offset] = value }
        let entry = KernelEntry(bytes: bytes, targetName: targetName ?? EntryLayoutTests.targetName(rule.target))
        return IPTCTable.rule(from: entry, family: rule.family, chains: [], protocols: EntryLayoutTests.protocols)
    }

    @Test("a new match inverted, with another mode or flag, or another revision reads as drift")
    func foreignMatches() {
        let icmp = Rule(.ipv4, ipProtocol: EncodingMatrix.icmp, icmpType: ICMPType(type: 8), target: .accept)
        #expect(Self.decode(icmp) == icmp)
        #expect(Self.decode(icmp, at: 112 + 32 + 3, to: 1) == nil)  // ! --icmp-type
        #expect(Self.decode(icmp, at: 112 + 32 + 2, to: 9) == nil)  // codes 0 to 9
        #expect(Self.decode(icmp, at: 112 + 31, to: 1) == nil)  // another revision
        let hl = Rule(.ipv6, hopLimit: 255, target: .accept)
        #expect(Self.decode(hl) == hl)
        #expect(Self.decode(hl, at: 168 + 32, to: UInt8(IP6T_HL_LT)) == nil)  // --hl-lt
        let states = Rule(.ipv4, states: [.new], target: .accept)
        #expect(Self.decode(states) == states)
        #expect(Self.decode(states, at: 112 + 32 + 148, to: 1) == nil)  // ! --ctstate
        #expect(Self.decode(states, at: 112 + 32 + 147, to: 0x20) == nil)  // XT_CONNTRACK_STATE_ALIAS (-m state)
        #expect(Self.decode(states, at: 112 + 32 + 151, to: 0x02) == nil)  // DNAT state
        #expect(Self.decode(states, at: 112 + 32 + 150, to: 0) == nil)  // no state at all
        #expect(Self.decode(states, at: 112 + 32, to: 10) == nil)  // --ctorigsrc bits without the flag
        #expect(Self.decode(states, at: 112 + 31, to: 2) == nil)  // revision 2
        let limit = Rule(.ipv4, limit: RateLimit(rate: 5, per: .second, burst: 5), target: .accept)
        #expect(Self.decode(limit, at: 112 + 32 + 20, to: 0x77) == limit)  // the kernel's credit_cap: not the rule's
        let comment = Rule(.ipv4, comment: "x", target: .accept)
        #expect(Self.decode(comment, at: 112 + 32 + 200, to: 0x41) == nil)  // bytes after the NUL
        let udp = Rule(.ipv4, ipProtocol: .udp, sourcePort: PortRange(53, 53), target: .accept)
        #expect(Self.decode(udp) == udp)
        #expect(Self.decode(udp, at: 112 + 32 + 8, to: 1) == nil)  // ! --sport
    }

    @Test("matches out of ript's order, twice, or of the other family read as drift")
    func foreignOrder() {
        let states = Rule(.ipv4, states: [.new], target: .accept), comment = Rule(.ipv4, comment: "x", target: .accept)
        func joined(_ first: Rule, _ second: Rule) -> KernelEntry {
            let a = IPTCTable.entry(for: first), b = IPTCTable.entry(for: second)
            var bytes = Array(a[..<112]) + a[112..<(a.count - 40)] + b[112..<(b.count - 40)] + a[(a.count - 40)...]
            let targetOffset = UInt16(bytes.count - 40), next = UInt16(bytes.count)
            bytes[88] = UInt8(targetOffset & 0xFF); bytes[89] = UInt8(targetOffset >> 8)
            bytes[90] = UInt8(next & 0xFF); bytes[91] = UInt8(next >> 8)
            return KernelEntry(bytes: bytes, targetName: "ACCEPT")
        }
        func decode(_ entry: KernelEntry) -> Rule? { IPTCTable.rule(from: entry, family: .ipv4, chains: [], protocols: EntryLayoutTests.protocols) }
        var both = states
        both.comment = "x"
        #expect(decode(joined(states, comment)) == both)
        #expect(decode(joined(comment, states)) == nil)
        #expect(decode(joined(states, states)) == nil)
        // An IPv4 entry with a hl match, an IPv6 one with icmp.
        let hl = IPTCTable.entry(for: Rule(.ipv6, hopLimit: 1, target: .accept))
        var hl4 = IPTCTable.entry(for: Rule(.ipv4, comment: "x", target: .accept))
        hl4.replaceSubrange(112..<(112 + 40), with: hl[168..<(168 + 40)])
        #expect(decode(KernelEntry(bytes: Array(hl4[..<(112 + 40)]) + hl4[(112 + 288)...], targetName: "ACCEPT")) == nil)
    }

    @Test("a REJECT, LOG or MASQUERADE ript would not write reads as drift")
    func foreignTargets() {
        let log = Rule(.ipv4, target: .log(LogOptions(prefix: "fw: ", level: 6)))
        #expect(Self.decode(log) == log)
        #expect(Self.decode(log, at: 112 + 32, to: 8) == nil)  // no such level
        #expect(Self.decode(log, at: 112 + 32 + 31, to: 0x41) == nil)  // a prefix without its NUL
        let masquerade = Rule(.ipv4, outInterface: "wan0", target: .masquerade)
        #expect(Self.decode(masquerade) == masquerade)
        #expect(Self.decode(masquerade, at: 112 + 32 + 4, to: 0x04) == nil)  // --random
        let masquerade6 = Rule(.ipv6, outInterface: "wan0", target: .masquerade)
        #expect(Self.decode(masquerade6) == masquerade6)
        #expect(Self.decode(masquerade6, at: 168 + 32 + 36, to: 0x01) == nil)  // --to-ports
        let reject6 = Rule(.ipv6, target: .reject(.adminProhibited))
        #expect(Self.decode(reject6) == reject6)
        #expect(Self.decode(reject6, at: 168 + 32, to: 7) == nil)  // icmp6-policy-fail
    }
}
