import RiptDSL

Partition("reversed") {
    Label("web", address: "192.0.2.10")

    Accept("backwards") { Ports(8900...8600); To("web") }
}
