import RiptDSL

// A label refused at its definition is reported there, once: its uses don't
// add an error saying it isn't defined.
Partition("refused") {
    Label("web", address: "192.0.2.300")
    Label("public", address: "203.0.113.95")
    Label("", address: "192.0.2.11")

    Accept("web") { Ports(80); To("web") }
    Accept("from web") { From("web"); To("public") }
    Rewrite("web dnat") { Ports(80); DNAT("public" => "web") }
    Accept("the empty name") { To("") }
}
