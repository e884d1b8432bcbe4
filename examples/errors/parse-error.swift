import RiptDSL

Partition("broken") {
    Label("web", address: "192.0.2.10"
    Accept("web") { Ports(80); To("web") }
}
