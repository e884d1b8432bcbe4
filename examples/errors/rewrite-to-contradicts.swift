import RiptDSL

// A To in a Rewrite may name the DNAT's public labels, and nothing else.
Partition("rewriteto") {
    Label("external", address: "203.0.113.95")
    Label("other", address: "203.0.113.96")
    Label("internal", address: "192.168.19.2")
    Label("office", address: "192.168.20.0/24")

    Rewrite("the private side") { Ports(80); To("internal"); DNAT("external" => "internal") }
    Rewrite("a public side and another") { Ports(81); To("external", "other"); DNAT("external" => "internal") }
    Rewrite("to in an snat") { To("external"); SNAT("office" => "external") }
}
