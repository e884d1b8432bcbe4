import RiptDSL

// No From means from anywhere (the label `all`), which matches no source.
Partition("nofrom") {
    Label("www", address: "203.0.113.99")

    Accept("public website") {
        Ports(80, 443)
        To("www")
    }
}
