import RiptDSL

// From limits who is rewritten; the automatic accept carries the same source,
// so it is never wider than the rewrite.
Partition("dnatfrom") {
    Label("public", address: "203.0.113.99")
    Label("app", address: "192.168.27.66")
    Label("partner", address: "198.51.100.0/27")
    Label("auditor", address: "192.0.2.77")

    Rewrite("partner api") {
        Ports(82)
        From("partner", "auditor")
        DNAT("public" => "app")
    }
}
