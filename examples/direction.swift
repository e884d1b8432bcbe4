import RiptDSL

// Directions: a rule with Direction applies only in those hooks (INPUT,
// FORWARD, OUTPUT), so the partition has a chain per hook; a rule without
// one goes into all three.
Partition("direction") {
    Label("admins", address: "198.51.100.0/24")
    Label("web", address: "192.0.2.80")

    Accept("ssh to this host") { Ports(22); From("admins"); Direction(.input) }
    Accept("web, served here and proxied") { Ports(80, 443); To("web"); Direction(.input, .forward) }
    Accept("dns lookups") { Protocols("udp"); Ports(53); Direction(.output) }
    Drop("telnet, everywhere") { Ports(23) }
}
