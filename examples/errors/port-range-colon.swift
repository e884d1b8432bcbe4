import RiptDSL

// iptables writes a port range 8000:8100; Swift, and so a rule file, 8000...8100.
Partition("colon") {
    Label("web", address: "192.0.2.10")

    Accept("a range") { Ports(8000:8100); To("web") }
}
