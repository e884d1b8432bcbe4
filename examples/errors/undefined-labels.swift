import RiptDSL

// Every role a label plays, each naming a label nobody defined.
Partition("undefined") {
    Label("web", address: "192.0.2.10")
    Label("public", address: "203.0.113.10")
    Label("bad guys", address: "198.51.100.0/24")

    Accept("a from") { From("bad guy"); To("web") }
    Accept("a to") { To("webb") }
    Rewrite("a dnat public") { Ports(80); DNAT("pubic" => "web") }
    Rewrite("a dnat private") { Ports(80); DNAT("public" => "app") }
    Rewrite("a snat private") { SNAT("office" => "public") }
    Rewrite("a snat public") { SNAT("web" => "elsewhere") }
}
