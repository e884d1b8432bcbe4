import RiptDSL

// Limit: -m limit, a rate per unit and a burst (iptables' default 5 is
// left out, as iptables-save leaves it out).
Partition("limit") {
    Accept("ping, limited") { ICMP("echo-request"); ICMPv6("echo-request"); Limit(5, per: .second, burst: 10) }
    Accept("ssh, limited") { Ports(22); Limit(60, per: .minute) }
    Log("rare", level: .notice) { Protocols("all"); Limit(1, per: .hour); Direction(.input) }
    Accept("daily") { Ports(873); Limit(2, per: .day, burst: 1) }
}
