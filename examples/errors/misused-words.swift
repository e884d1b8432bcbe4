import RiptDSL

// Words that exist, used where they mean nothing.
Partition("misused") {
    Label("web", address: "192.0.2.10")
    Label("net", address: "10.0.0.0/8")
    Label("web", address: "192.0.2.11")
    Label("all", address: "192.0.2.12")

    Accept("dnat in a filter rule") { DNAT("web" => "web") }
    Drop("snat in a filter rule") { SNAT("web" => "web") }
    Rewrite("no translation") { Ports(80) }
    Rewrite("to in a rewrite") { To("web"); DNAT("web" => "web") }
    Rewrite("interface in a rewrite") { Interface("eth0"); DNAT("web" => "web") }
    Rewrite("ports with snat only") { Ports(80); SNAT("net" => "web") }
    Rewrite("dnat to a network") { DNAT("web" => "net") }
    Rewrite("snat to a network") { SNAT("web" => "net") }
    Accept("two interfaces") { Interface("eth0"); Interface("eth1"); To("web") }
    Accept("bad interface") { Interface("-j ACCEPT"); To("web") }
    Accept("shell in an interface") { Interface("eth$(reboot)"); To("web") }
    Accept("a lone plus") { Interface("+"); To("web") }
    Accept("empty lists") { From(); To(); Ports(); Protocols() }
}
