import RiptDSL

Partition("protos") {
    Label("router", address: "192.0.2.1")

    Accept("a typo") { Protocols("tpc"); To("router") }
    Accept("not a protocol") { Protocols("http"); To("router") }
    Accept("number too big") { Protocols(256); To("router") }
}
