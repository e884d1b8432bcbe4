import RiptDSL

// DNS on both transports: one DNAT and one accept per port × protocol.
Partition("dnatdns") {
    Label("public dns", address: "203.0.113.53")
    Label("resolver", address: "192.168.0.133")
    Label("customers", address: "198.51.100.0/24")

    Rewrite("dns for customers") {
        Protocols("udp", "tcp")
        Ports(53)
        From("customers")
        DNAT("public dns" => "resolver")
    }
}
