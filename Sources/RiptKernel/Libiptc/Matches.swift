import CIPTables
import RiptCore

/// One match ript writes into an entry, with what it matches. An entry
/// holds them in the order of `order` (the order `Rule.arguments(.short)`
/// prints them, so `iptables-legacy-save` prints a rule as ript renders it),
/// each at most once, in the revision and layout the iptables 1.8.9 CLI
/// writes.
enum EntryMatch {
    /// `-m tcp` or `-m udp` (revision 0, `xt_tcp`/`xt_udp`, ports in host
    /// order; a missing side matches 0:65535).
    case ports(tcp: Bool, source: PortRange?, destination: PortRange?)
    /// `-m icmp --icmp-type` (revision 0, `ipt_icmp`): IPv4.
    case icmp(ICMPType)
    /// `-m icmp6 --icmpv6-type` (revision 0, `ip6t_icmp`): IPv6.
    case icmp6(ICMPType)
    /// `-m hl --hl-eq` (revision 0, `ip6t_hl_info`): IPv6.
    case hopLimit(UInt8)
    /// `-m conntrack --ctstate` (revision 3, `xt_conntrack_mtinfo3`).
    case states(ConnectionStates)
    /// `-m limit` (revision 0, `xt_rateinfo`: `avg` and `burst`; the rest is the kernel's).
    case limit(RateLimit)
    /// `-m comment` (revision 0, `xt_comment_info`: up to 255 bytes and a NUL).
    case comment(String)

    /// Where the match stands among the others in an entry.
    var order: Int {
        switch self {
        case .ports, .icmp, .icmp6: 1
        case .hopLimit: 2
        case .states: 3
        case .limit: 4
        case .comment: 5
        }
    }

    /// Its name, as the 1.8.9 CLI writes it.
    var name: String {
        switch self {
        case .ports(let tcp, _, _): tcp ? "tcp" : "udp"
        case .icmp: "icmp"
        case .icmp6: "icmp6"
        case .hopLimit: "hl"
        case .states: "conntrack"
        case .limit: "limit"
        case .comment: "comment"
        }
    }

    /// Its revision, as the 1.8.9 CLI writes it (the highest the kernel
    /// knows: 3 for conntrack).
    var revision: UInt8 {
        if case .states = self { 3 } else { 0 }
    }

    /// Its data's size before alignment.
    var dataSize: Int {
        switch self {
        case .ports(let tcp, _, _): tcp ? MemoryLayout<xt_tcp>.size : MemoryLayout<xt_udp>.size
        case .icmp: MemoryLayout<ipt_icmp>.size
        case .icmp6: MemoryLayout<ip6t_icmp>.size
        case .hopLimit: MemoryLayout<ip6t_hl_info>.size
        case .states: MemoryLayout<xt_conntrack_mtinfo3>.size
        case .limit: MemoryLayout<xt_rateinfo>.size
        case .comment: MemoryLayout<xt_comment_info>.size
        }
    }

    /// The whole match's size: header and aligned data.
    var size: Int { IPTCTable.headerSize + IPTCTable.aligned(dataSize) }

    /// Writes its data into zeroed memory.
    func write(into data: UnsafeMutableRawPointer) {
        switch self {
        case .ports(_, let source, let destination):
            // xt_tcp and xt_udp both start with spts[2], dpts[2] in host order.
            data.storeBytes(of: source?.first ?? 0, toByteOffset: 0, as: UInt16.self)
            data.storeBytes(of: source?.last ?? 0xFFFF, toByteOffset: 2, as: UInt16.self)
            data.storeBytes(of: destination?.first ?? 0, toByteOffset: 4, as: UInt16.self)
            data.storeBytes(of: destination?.last ?? 0xFFFF, toByteOffset: 6, as: UInt16.self)
        case .icmp(let type), .icmp6(let type):
            // ipt_icmp and ip6t_icmp: type, code[2], invflags.
            data.storeBytes(of: type.type, toByteOffset: 0, as: UInt8.self)
            data.storeBytes(of: type.codes.lowerBound, toByteOffset: 1, as: UInt8.self)
            data.storeBytes(of: type.codes.upperBound, toByteOffset: 2, as: UInt8.self)
        case .hopLimit(let limit):
            let info = data.assumingMemoryBound(to: ip6t_hl_info.self)
            info.pointee.mode = UInt8(IP6T_HL_EQ)
            info.pointee.hop_limit = limit
        case .states(let states):
            let info = data.assumingMemoryBound(to: xt_conntrack_mtinfo3.self)
            info.pointee.match_flags = UInt16(XT_CONNTRACK_STATE)
            info.pointee.state_mask = Self.kernelBits(states)
        case .limit(let limit):
            let info = data.assumingMemoryBound(to: xt_rateinfo.self)
            info.pointee.avg = limit.average
            info.pointee.burst = limit.burst
        case .comment(let comment):
            for (index, byte) in comment.utf8.prefix(MemoryLayout<xt_comment_info>.size - 1).enumerated() {
                data.storeBytes(of: byte, toByteOffset: index, as: UInt8.self)
            }
        }
    }

    /// ript's connection states and the kernel's `--ctstate` bits, pair by pair.
    static let stateBits: [(ConnectionStates, UInt16)] = [
        (.invalid, CIPTables_ct_state_invalid), (.new, CIPTables_ct_state_new), (.related, CIPTables_ct_state_related),
        (.established, CIPTables_ct_state_established), (.untracked, CIPTables_ct_state_untracked),
    ]

    static func kernelBits(_ states: ConnectionStates) -> UInt16 {
        stateBits.reduce(0) { bits, pair in states.contains(pair.0) ? bits | pair.1 : bits }
    }

    /// The states a kernel mask holds; nil if it has bits ript never sets
    /// (SNAT, DNAT) or none.
    static func states(kernelBits bits: UInt16) -> ConnectionStates? {
        var states: ConnectionStates = [], seen: UInt16 = 0
        for (state, bit) in stateBits where bits & bit != 0 {
            states.insert(state)
            seen |= bit
        }
        return bits != 0 && seen == bits ? states : nil
    }

    /// The match an extension holds, if it is one ript writes, in a rule of
    /// `family` whose header matches protocol `proto`: the fields ript reads,
    /// then the whole data compared with what ript would write for them.
    init?(name: UnsafeRawBufferPointer, revision: UInt8, data: UnsafeRawBufferPointer, family: Family, proto: UInt16) {
        guard revision == 0 || IPTCTable.named(name, "conntrack") else { return nil }
        if IPTCTable.named(name, "tcp") || IPTCTable.named(name, "udp") {
            let tcp = IPTCTable.named(name, "tcp")
            guard proto == UInt16(tcp ? IPPROTO_TCP : IPPROTO_UDP), data.count >= 8 else { return nil }
            func range(_ at: Int) -> PortRange? {
                let first = data.loadUnaligned(fromByteOffset: at, as: UInt16.self), last = data.loadUnaligned(fromByteOffset: at + 2, as: UInt16.self)
                return first == 0 && last == 0xFFFF ? nil : PortRange(first, last)
            }
            let source = range(0), destination = range(4)
            // Neither side set: the rule's destination ports are all of them.
            self = .ports(tcp: tcp, source: source, destination: source == nil && destination == nil ? PortRange(0, 0xFFFF) : destination)
        } else if IPTCTable.named(name, "icmp") || IPTCTable.named(name, "icmp6") {
            let ipv4 = IPTCTable.named(name, "icmp")
            guard family == (ipv4 ? .ipv4 : .ipv6), proto == UInt16(ipv4 ? IPPROTO_ICMP : IPPROTO_ICMPV6), data.count >= 3 else { return nil }
            let low = data[1], high = data[2]
            // ript matches a type's every code, or one.
            guard (low == 0 && high == 0xFF) || low == high else { return nil }
            let type = ICMPType(type: data[0], codes: low...high)
            self = ipv4 ? .icmp(type) : .icmp6(type)
        } else if IPTCTable.named(name, "hl") {
            guard family == .ipv6, data.count >= MemoryLayout<ip6t_hl_info>.size else { return nil }
            self = .hopLimit(data[1])
        } else if IPTCTable.named(name, "conntrack") {
            guard revision == 3, data.count >= MemoryLayout<xt_conntrack_mtinfo3>.size,
                let states = Self.states(kernelBits: data.loadUnaligned(fromByteOffset: MemoryLayout<xt_conntrack_mtinfo3>.offset(of: \.state_mask)!, as: UInt16.self))
            else { return nil }
            self = .states(states)
        } else if IPTCTable.named(name, "limit") {
            guard data.count >= IPTCTable.rateInfoUserSize else { return nil }
            self = .limit(RateLimit(average: data.loadUnaligned(as: UInt32.self), burst: data.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
        } else if IPTCTable.named(name, "comment") {
            self = .comment(String(decoding: data.prefix { $0 != 0 }, as: UTF8.self))
        } else {
            return nil
        }
        // Exactly the size ript writes, and nothing ript would not write (a
        // limit's kernel-private fields aside).
        let limit = if case .limit = self { true } else { false }
        guard data.count == IPTCTable.aligned(dataSize),
            IPTCTable.holds(data, comparing: limit ? IPTCTable.rateInfoUserSize : nil, write)
        else { return nil }
    }

    /// Puts what it matches into a rule.
    func apply(to rule: inout Rule) {
        switch self {
        case .ports(_, let source, let destination):
            rule.sourcePort = source
            rule.destinationPort = destination
        case .icmp(let type), .icmp6(let type): rule.icmpType = type
        case .hopLimit(let limit): rule.hopLimit = limit
        case .states(let states): rule.states = states
        case .limit(let limit): rule.limit = limit
        case .comment(let comment): rule.comment = comment
        }
    }
}

extension IPTCTable {
    /// The part of `xt_rateinfo` a limit match's user writes and gets back
    /// (`avg`, `burst`); from `prev` on the kernel keeps its own state.
    static let rateInfoUserSize = MemoryLayout<xt_rateinfo>.offset(of: \.prev)!

    /// Calls `body` with each match a rule's entry holds, in order: its
    /// protocol's (ports, or an ICMP type when it has a protocol), `hl`,
    /// `conntrack`, `limit`, `comment`. The same matches
    /// `Rule.arguments(.short)` prints, in the same order.
    static func forEachMatch(of rule: Rule, _ body: (EntryMatch) -> Void) {
        if let ipProtocol = rule.ipProtocol {
            if rule.sourcePort != nil || rule.destinationPort != nil {
                body(.ports(tcp: ipProtocol.number == UInt8(IPPROTO_TCP), source: rule.sourcePort, destination: rule.destinationPort))
            }
            if let type = rule.icmpType { body(rule.family == .ipv4 ? .icmp(type) : .icmp6(type)) }
        }
        if let limit = rule.hopLimit { body(.hopLimit(limit)) }
        if let states = rule.states { body(.states(states)) }
        if let limit = rule.limit { body(.limit(limit)) }
        if let comment = rule.comment { body(.comment(comment)) }
    }

    /// The size of all the matches a rule's entry holds: `forEachMatch`'s
    /// sizes, added up without making the matches (this runs twice for
    /// every rule of an apply).
    static func matchesSize(for rule: Rule) -> Int {
        var size = 0
        if rule.ipProtocol != nil {
            if rule.sourcePort != nil || rule.destinationPort != nil { size += MatchSize.ports }
            if rule.icmpType != nil { size += MatchSize.icmp }
        }
        if rule.hopLimit != nil { size += MatchSize.hopLimit }
        if rule.states != nil { size += MatchSize.states }
        if rule.limit != nil { size += MatchSize.limit }
        if rule.comment != nil { size += MatchSize.comment }
        return size
    }

    /// Each match's whole size (`EntryMatch.size`), worked out once.
    private enum MatchSize {
        static let ports = EntryMatch.ports(tcp: true, source: nil, destination: nil).size
        static let icmp = EntryMatch.icmp(ICMPType(type: 0)).size
        static let hopLimit = EntryMatch.hopLimit(0).size
        static let states = EntryMatch.states([]).size
        static let limit = EntryMatch.limit(RateLimit(average: 1, burst: 1)).size
        static let comment = EntryMatch.comment("").size
    }

    /// Writes a rule's matches into zeroed memory from `offset`; returns
    /// where they end (the target's offset).
    static func writeMatches(of rule: Rule, into raw: UnsafeMutableRawBufferPointer, at offset: Int) -> Int {
        var offset = offset
        forEachMatch(of: rule) { match in
            writeHeader(into: raw, at: offset, size: match.size, name: match.name, revision: match.revision)
            match.write(into: raw.baseAddress! + offset + headerSize)
            offset += match.size
        }
        return offset
    }

    /// Whether the extension at `offset` is a limit match (revision 0).
    static func isLimitMatch(_ entry: UnsafeRawBufferPointer, at offset: Int) -> Bool {
        entry[offset + 31] == 0 && memcmp(entry.baseAddress! + offset + 2, "limit", 6) == 0  // with its NUL
    }
}
