import RiptDSL

// VRRP between two keepalived peers: a protocol without ports.
Partition("keepalived") {
    Label("vrrp multicast", address: "224.0.0.0/8")
    Label("lb-01", address: "172.16.0.216")
    Label("lb-02", address: "172.16.0.217")

    Accept("vrrp from both peers") {
        Protocols("vrrp")
        From("lb-01", "lb-02")
        To("vrrp multicast")
    }
}
