import RiptDSL

// A list of ports and a closed range; no Protocols means tcp.
Partition("portlist") {
    Label("web-01", address: "198.51.100.20")
    Label("monitoring", address: "192.0.2.0/28")

    Accept("web and the app server range") {
        Ports(80, 443, 8600...8900)
        From("monitoring")
        To("web-01")
    }
}
