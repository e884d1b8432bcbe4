import RiptDSL

// Reject answers with ICMP port-unreachable, so clients fail fast.
Partition("rejecter") {
    Label("mail", address: "203.0.113.25")
    Label("office", address: "192.0.2.64/26")

    Reject("no smtp from the office") {
        Ports(25, 465, 587)
        From("office")
        To("mail")
    }
}
