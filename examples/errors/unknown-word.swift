import RiptDSL

Partition("words") {
    Label("web", address: "192.0.2.10")

    Accept("a typo") { Port(80); To("web") }
    accept("ript's lowercase") { To("web") }
    Allow("no such word") { To("web") }
    Ports(22)
    Accept("a partition word in a rule") { Label("x", address: "192.0.2.1") }
}
