import RiptDSL

// SourcePorts: a rule expands over every source port × destination port.
Partition("sports") {
    Label("resolver", address: "192.0.2.53")

    Accept("dns answers") { Protocols("udp"); SourcePorts(53); From("resolver") }
    Accept("high to high") { SourcePorts(1024...65535); Ports(8080, 8443); Direction(.input) }
}
