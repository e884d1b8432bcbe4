import RiptDSL

// One Rewrite may hold DNAT and SNAT; Ports, Protocols and From apply to DNAT.
Partition("mailserver") {
    Label("mail public", address: "203.0.113.25")
    Label("mail-01", address: "10.0.5.25")

    Rewrite("mail in and out") {
        Ports(25, 587)
        DNAT("mail public" => "mail-01")
        SNAT("mail-01" => "mail public")
    }
}
