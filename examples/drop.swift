import RiptDSL

Partition("dropper") {
    Label("www", address: "203.0.113.95")
    Label("scanner", address: "198.51.100.66")

    Drop("scanners never reach the web server") {
        Protocols("tcp", "udp")
        From("scanner")
        To("www")
    }
}
