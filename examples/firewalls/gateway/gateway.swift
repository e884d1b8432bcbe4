import RiptDSL

// A small-office gateway, translated from original.v4.rules and
// original.v6.rules beside this file. wan0 is the internet, lan0 the
// office, guest0 the guests. IPv4 leaves masqueraded as the public address
// and comes in through port forwards to the lan server; IPv6 is routed
// without NAT, with the same rights.
Partition("gateway") {
    Label("public", address: "203.0.113.2")
    Label("lan", address: "192.0.2.0/25")
    Label("lan6", address: "2001:db8:1::/64")
    Label("lan server", address: "192.0.2.20")
    Label("lan server6", address: "2001:db8:1::20")
    Label("guests", address: "192.0.2.128/25")
    Label("guests6", address: "2001:db8:2::/64")
    // Every address of one family: DHCP asks from 0.0.0.0, DHCPv6 from a link-local address.
    Label("any IPv4", address: "0.0.0.0/0")
    Label("any IPv6", address: "::/0")

    Policies(input: .drop, forward: .drop)
    ConnectionTracking()

    Group("to the gateway itself", direction: .input) {
        Accept("loopback") { Protocols("all"); Loopback() }
        Accept("ssh from the lan") { Ports(22); From("lan", "lan6"); Interface("lan0") }
        Accept("dns for the lan") { Protocols("udp", "tcp"); Ports(53); From("lan", "lan6"); Interface("lan0") }
        Accept("the lan may ping the gateway") { ICMP("echo-request"); ICMPv6("echo-request"); From("lan", "lan6"); Interface("lan0") }
        Accept("dhcp for the lan") { Protocols("udp"); Ports(67); From("any IPv4"); Interface("lan0") }
        Accept("dhcpv6 for the lan") { Protocols("udp"); Ports(547); From("any IPv6"); Interface("lan0") }
        Accept("dns for the guests") { Protocols("udp", "tcp"); Ports(53); From("guests", "guests6"); Interface("guest0") }
        Accept("dhcp for the guests") { Protocols("udp"); Ports(67); From("any IPv4"); Interface("guest0") }
        Accept("dhcpv6 for the guests") { Protocols("udp"); Ports(547); From("any IPv6"); Interface("guest0") }
        Accept("the internet may ping, limited") {
            ICMP("echo-request"); ICMPv6("echo-request"); Interface("wan0"); Limit(5, per: .second, burst: 10)
        }
        Accept("icmp errors") {
            ICMP("destination-unreachable", "time-exceeded"); ICMPv6("destination-unreachable", "time-exceeded")
        }
        Log("what the input policy drops", prefix: "gw-in-drop: ") { Protocols("all"); Limit(5, per: .minute) }
    }

    // A Rewrite is forwarded traffic by nature, so this group gives no
    // direction and each filter rule says its own.
    Group("through the gateway") {
        Reject("guests never reach the lan", with: .adminProhibited) {
            Protocols("all"); Interface("guest0"); OutInterface("lan0"); Direction(.forward)
        }
        Reject("no smtp to the internet: mail goes through the provider's relay", with: .tcpReset) {
            Protocols("tcp"); Ports(25); OutInterface("wan0"); Direction(.forward)
        }
        Rewrite("the lan server's ssh and web, from the internet") {
            Ports(2222 => 22, 80, 443)
            Interface("wan0")
            DNAT("public" => "lan server")
        }
        Accept("the lan server's ssh and web, from the internet over IPv6") {
            Ports(22, 80, 443); To("lan server6"); Interface("wan0"); Direction(.forward)
        }
        Rewrite("the lan and the guests share the public address") {
            Masquerade("lan", "guests")
            OutInterface("wan0")
        }
        Accept("the lan and the guests reach the internet over IPv6") {
            Protocols("all"); From("lan6", "guests6"); OutInterface("wan0"); Direction(.forward)
        }
        Log("what the forward policy drops", prefix: "gw-fwd-drop: ") {
            Protocols("all"); Limit(5, per: .minute); Direction(.forward)
        }
    }
}
