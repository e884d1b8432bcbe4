import RiptDSL

// Only tcp and udp have ports.
Partition("noports") {
    Label("router", address: "192.0.2.1")

    Accept("icmp has no ports") { Protocols("icmp"); Ports(8); To("router") }
    Accept("all has no ports") { Protocols("all"); Ports(22); To("router") }
    Rewrite("nor has gre") { Protocols("gre"); Ports(1723); DNAT("router" => "router") }
}
