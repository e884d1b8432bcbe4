import RiptDSL

// SNAT: the private network leaves as the public address, and is accepted.
Partition("snatbasic") {
    Label("office lan", address: "10.30.0.0/24")
    Label("public", address: "203.0.113.95")

    Rewrite("office internet access") {
        SNAT("office lan" => "public")
    }
}
