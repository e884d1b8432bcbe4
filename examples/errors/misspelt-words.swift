import RiptDSL

// Misspelt words, each with the closest real word suggested.
Partition("misspelt") {
    Label("web", address: "192.0.2.10")

    Accept("singular protocols") { Protocol("udp"); To("web") }
    Accept("singular ports") { Port(80); To("web") }
    Accept("a word cut short") { Proto("udp"); To("web") }
    Acept("a letter missing") { To("web") }
    Lable("a letter swapped", address: "192.0.2.11")
    Accept("plural interface") { Interfaces("eth0"); To("web") }
    Accept("a letter missing from the new word") { OutInterfce("wan0"); To("web") }
    Accept("direction cut short") { Direct(.input) }
    Accept("source port") { SourcePort(53) }
    Accept("loopback spelt apart") { LoopBack() }
    Polices(input: .drop)
    ConnectionTraking()
}
