import RiptDSL

// A dual-stack web server, translated from original.v4.rules and
// original.v6.rules beside this file (README.md says where the two differ).
// Everything here is traffic to the host: nothing is forwarded, and what
// the host sends goes out under OUTPUT's ACCEPT policy.
Partition("webserver") {
    Label("admins", address: "198.51.100.0/24")
    Label("admins6", address: "2001:db8:a::/64")
    Label("monitoring", address: "203.0.113.7")
    // Every address of one family: for the rules the original has in one family only.
    Label("any IPv4", address: "0.0.0.0/0")
    Label("any IPv6", address: "::/0")

    Policies(input: .drop, forward: .drop, output: .accept)
    ConnectionTracking()

    Group("served by this host", direction: .input) {
        Accept("loopback") { Protocols("all"); Loopback() }
        Accept("ssh from admin net") { Ports(22); From("admins", "admins6"); State(.new) }
        Accept("the website") { Ports(80, 443); State(.new) }
        Accept("http/3") { Protocols("udp"); Ports(443) }
        Accept("ping, IPv4") { ICMP("echo-request"); Limit(5, per: .second, burst: 10) }
        Accept("ping, IPv6") { ICMPv6("echo-request"); Limit(5, per: .second) }
        Accept("ICMP errors") { ICMP("destination-unreachable", "time-exceeded") }
        Accept("node exporter for monitoring") { Ports(9100); From("monitoring") }
        Log("what the policy drops, IPv4", prefix: "fw-in-drop: ") {
            Protocols("all"); From("any IPv4"); Limit(5, per: .minute)
        }
        Log("what the policy drops, IPv6", prefix: "fw6-in-drop: ") {
            Protocols("all"); From("any IPv6"); Limit(5, per: .minute)
        }
    }
}
