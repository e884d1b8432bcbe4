import RiptDSL

// ICMP and ICMPv6 types by name, number and "type/code": each word goes
// into its family's rules, and Protocols may be left out.
Partition("icmp") {
    Label("monitor", address: "192.0.2.7")

    Accept("ping both families") { ICMP("echo-request"); ICMPv6("echo-request") }
    Accept("errors") { ICMP("destination-unreachable", 11, "3/4"); ICMPv6("packet-too-big", 1, "time-exceeded") }
    Accept("monitoring pings") { ICMP(8); From("monitor"); Direction(.input) }
    Accept("neighbours") { ICMPv6("neighbour-solicitation", "neighbour-advertisement"); Direction(.input) }
}
