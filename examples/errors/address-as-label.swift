import RiptDSL

// Addresses written where a label belongs: each error gives the line to add.
Partition("addresses") {
    Label("web", address: "192.0.2.10")

    Accept("a network") { From("198.51.100.0/24"); To("web") }
    Accept("a host") { To("192.0.2.11") }
    Accept("an IPv6 network") { From("2001:db8:5::/48") }
    Rewrite("a public address") { Ports(80); DNAT("203.0.113.95" => "web") }
}
