import RiptDSL

// The new words, used where they can't work.
Partition("newmisuse") {
    Label("lan", address: "192.168.1.0/24")
    Label("lan6", address: "2001:db8:1::/64")
    Label("public", address: "203.0.113.10")

    Accept("icmpv6 name in ICMP") { ICMP("neighbour-solicitation") }
    Accept("unknown icmp type") { ICMP("echo-requets") }
    Accept("icmp type out of range") { ICMP(256, "3/300") }
    Accept("icmp without its family") { ICMP("echo-request"); From("lan6") }
    Accept("icmp with tcp") { Protocols("tcp"); ICMP("echo-request") }
    Reject("reset for udp", with: .tcpReset) { Protocols("udp"); Ports(53) }
    Accept("source ports for icmp") { Protocols("icmp"); SourcePorts(53) }
    Accept("too fast") { Ports(22); Limit(20000, per: .second) }
    Accept("burst too big") { Ports(22); Limit(5, per: .second, burst: 20000) }
    Accept("no rate") { Ports(22); Limit(0, per: .minute) }
    Log("prefix too long", prefix: "this prefix is far too long for the kernel") { Ports(22) }
    Log("prefix with a quote", prefix: "it's") { Ports(22) }
    Accept("empty lists") { SourcePorts(); ICMP(); ICMPv6(); State() }
    Rewrite("masquerade without an interface") { Masquerade("lan") }
    Rewrite("empty masquerade") { Masquerade(); OutInterface("wan0") }
    Accept("masquerade in a filter rule") { Masquerade("lan") }
    Rewrite("out interface with a dnat only") { Ports(80); DNAT("public" => "public"); OutInterface("wan0") }
    Rewrite("filter words in a rewrite") { SNAT("lan" => "public"); State(.new); Limit(5, per: .second); SourcePorts(53) }
    Accept("two out interfaces") { Ports(22); OutInterface("wan0"); OutInterface("wan1") }
}
