import RiptDSL

// A port mapping only means something in a Rewrite.
Partition("mapping") {
    Label("web", address: "192.0.2.10")

    Accept("mapped") { Ports(2222 => 22); To("web") }
    Drop("mapped too") { Ports(80, 8080 => 80); To("web") }
}
