import RiptDSL

Partition("loops") {
    Label("web", address: "192.0.2.10")
    for port in [80, 443] {
        Accept("web") { Ports(port); To("web") }
    }
    if true {
        Accept("always") { To("web") }
    }
}
