import RiptDSL

// Logging SNAT emits plain LOG rules (the original Ript emitted
// '-j LOG --to-source …', which iptables rejects).
Partition("snatlog") {
    Label("lan", address: "10.33.0.0/24")
    Label("public", address: "203.0.113.95")

    Rewrite("logged outbound", log: true) {
        SNAT("lan" => "public")
    }
}
