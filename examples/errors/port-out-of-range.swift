import RiptDSL

Partition("ports") {
    Label("web", address: "192.0.2.10")

    Accept("zero") { Ports(0); To("web") }
    Accept("too high") { Ports(65536); To("web") }
    Accept("negative") { Ports(-1); To("web") }
    Accept("range end too high") { Ports(60000...70000); To("web") }
}
