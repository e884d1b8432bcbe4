import RiptDSL

Partition("expressions") {
    Label("web", address: "192.0.2.\(10)")
    Accept("half-open range") { Ports(8000..<8100); To("web") }
    Accept("arithmetic") { Ports(8000 + 80); To("web") }
    Accept("a function call") { Ports(Int("80")!); To("web") }
    Accept("mixed operators") { Ports(8000...8100 => 80); To("web") }
    Accept("a flag from elsewhere", log: Bool.random()) { To("web") }
    Accept("an extra argument", file: "elsewhere.swift") { To("web") }
}
