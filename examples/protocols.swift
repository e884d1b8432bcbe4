import RiptDSL

// Protocols by name from /etc/protocols (any case), by number, or "all".
Partition("protocols") {
    Label("router", address: "192.0.2.1")
    Label("peer", address: "192.0.2.2")

    Accept("tunnels from the peer") {
        Protocols("gre", 50, "AH")
        From("peer")
        To("router")
    }
    Accept("dns over both transports") {
        Protocols("udp", "tcp")
        Ports(53)
        To("router")
    }
    Drop("anything else from the peer") {
        Protocols("all")
        From("peer")
    }
}
