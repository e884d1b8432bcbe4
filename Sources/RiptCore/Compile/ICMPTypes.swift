import RiptDSL

/// ICMP and ICMPv6 type names, as iptables 1.8.9 lists them
/// (`iptables -p icmp -h`, `ip6tables -p ipv6-icmp -h`), aliases included.
enum ICMPTypeNames {
    static let ipv4: [(name: String, type: ICMPType)] = [
        ("echo-reply", .init(type: 0)), ("pong", .init(type: 0)),
        ("destination-unreachable", .init(type: 3)),
        ("network-unreachable", code(3, 0)), ("host-unreachable", code(3, 1)), ("protocol-unreachable", code(3, 2)),
        ("port-unreachable", code(3, 3)), ("fragmentation-needed", code(3, 4)), ("source-route-failed", code(3, 5)),
        ("network-unknown", code(3, 6)), ("host-unknown", code(3, 7)), ("network-prohibited", code(3, 9)),
        ("host-prohibited", code(3, 10)), ("TOS-network-unreachable", code(3, 11)), ("TOS-host-unreachable", code(3, 12)),
        ("communication-prohibited", code(3, 13)), ("host-precedence-violation", code(3, 14)), ("precedence-cutoff", code(3, 15)),
        ("source-quench", .init(type: 4)),
        ("redirect", .init(type: 5)), ("network-redirect", code(5, 0)), ("host-redirect", code(5, 1)),
        ("TOS-network-redirect", code(5, 2)), ("TOS-host-redirect", code(5, 3)),
        ("echo-request", .init(type: 8)), ("ping", .init(type: 8)),
        ("router-advertisement", .init(type: 9)), ("router-solicitation", .init(type: 10)),
        ("time-exceeded", .init(type: 11)), ("ttl-exceeded", .init(type: 11)),
        ("ttl-zero-during-transit", code(11, 0)), ("ttl-zero-during-reassembly", code(11, 1)),
        ("parameter-problem", .init(type: 12)), ("ip-header-bad", code(12, 0)), ("required-option-missing", code(12, 1)),
        ("timestamp-request", .init(type: 13)), ("timestamp-reply", .init(type: 14)),
        ("address-mask-request", .init(type: 17)), ("address-mask-reply", .init(type: 18)),
    ]

    static let ipv6: [(name: String, type: ICMPType)] = [
        ("destination-unreachable", .init(type: 1)), ("no-route", code(1, 0)), ("communication-prohibited", code(1, 1)),
        ("beyond-scope", code(1, 2)), ("address-unreachable", code(1, 3)), ("port-unreachable", code(1, 4)),
        ("failed-policy", code(1, 5)), ("reject-route", code(1, 6)),
        ("packet-too-big", .init(type: 2)),
        ("time-exceeded", .init(type: 3)), ("ttl-exceeded", .init(type: 3)),
        ("ttl-zero-during-transit", code(3, 0)), ("ttl-zero-during-reassembly", code(3, 1)),
        ("parameter-problem", .init(type: 4)), ("bad-header", code(4, 0)), ("unknown-header-type", code(4, 1)), ("unknown-option", code(4, 2)),
        ("echo-request", .init(type: 128)), ("ping", .init(type: 128)), ("echo-reply", .init(type: 129)), ("pong", .init(type: 129)),
        ("mld-listener-query", .init(type: 130)), ("mld-listener-report", .init(type: 131)), ("mld-listener-done", .init(type: 132)),
        ("router-solicitation", .init(type: 133)), ("router-advertisement", .init(type: 134)),
        ("neighbour-solicitation", .init(type: 135)), ("neighbor-solicitation", .init(type: 135)),
        ("neighbour-advertisement", .init(type: 136)), ("neighbor-advertisement", .init(type: 136)),
        ("redirect", .init(type: 137)),
    ]

    static func names(_ family: Family) -> [(name: String, type: ICMPType)] { family == .ipv4 ? ipv4 : ipv6 }

    /// The word that matches a family's types: `ICMP` or `ICMPv6`.
    static func word(_ family: Family) -> String { family == .ipv4 ? "ICMP" : "ICMPv6" }

    private static func code(_ type: UInt8, _ code: UInt8) -> ICMPType { ICMPType(type: type, codes: code...code) }
}

extension PartitionCompilation {
    /// A type of `ICMP` (IPv4) or `ICMPv6` (IPv6): a name of that family,
    /// a number from 0 to 255 (254 for IPv4, whose 255 means every type) or
    /// `"type/code"`. A name of the other family
    /// only is reported with the word to use.
    mutating func icmpType(_ spec: ICMPTypeSpec, in family: Family, at location: SourceLocation) -> ICMPType? {
        let word = ICMPTypeNames.word(family)
        func number(_ value: Int, _ what: String) -> UInt8? {
            guard (0...255).contains(value) else {
                error("\(word) \(what) \(value) is outside 0–255", at: location)
                return nil
            }
            // To the IPv4 kernel, type 255 is every type (iptables' "any").
            if family == .ipv4 && what == "type" && value == 255 {
                error("ICMP type 255 means every ICMP type to iptables; to match all of ICMP write Protocols(\"icmp\") without ICMP", at: location)
                return nil
            }
            return UInt8(value)
        }
        switch spec {
        case .number(let value):
            return number(value, "type").map { ICMPType(type: $0) }
        case .name(let text):
            let parts = text.split(separator: "/", omittingEmptySubsequences: false)
            if let first = parts.first, !first.isEmpty, first.allSatisfy(\.isASCII), first.allSatisfy(\.isNumber) {
                guard parts.count <= 2, let type = Int(first).flatMap({ number($0, "type") }) else {
                    if parts.count > 2 { error("\(word) type '\(text)' has one '/' at most, like \"3/4\"", at: location) }
                    return nil
                }
                guard parts.count == 2 else { return ICMPType(type: type) }
                guard let codeValue = Int(parts[1]), parts[1].allSatisfy(\.isNumber) else {
                    error("\(word) type '\(text)' needs a code number after '/', like \"3/4\"", at: location)
                    return nil
                }
                return number(codeValue, "code").map { ICMPType(type: type, codes: $0...$0) }
            }
            if let found = ICMPTypeNames.names(family).first(where: { $0.name.lowercased() == text.lowercased() }) { return found.type }
            let other = family.other
            if ICMPTypeNames.names(other).contains(where: { $0.name.lowercased() == text.lowercased() }) {
                error("'\(text)' is an \(other == .ipv4 ? "ICMP (IPv4)" : "ICMPv6") type, not an \(word) one; match it with \(ICMPTypeNames.word(other))(\"\(text)\")",
                      at: location)
                return nil
            }
            var message = "unknown \(word) type '\(text)'; use a name \(family == .ipv4 ? "iptables -p icmp -h" : "ip6tables -p ipv6-icmp -h") lists, a number from 0 to 255 or \"type/code\""
            if let suggestion = suggestion(for: text, among: ICMPTypeNames.names(family).map(\.name)) { message += "; did you mean '\(suggestion)'?" }
            error(message, at: location)
            return nil
        }
    }
}
