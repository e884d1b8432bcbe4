import RiptDSL

// An IPv6-only partition: its labels are IPv6, so every rule goes to
// ip6tables, and so do its chains: it has none in iptables.
Partition("sixonly") {
    Label("web6", address: "2001:db8:10::80")
    Label("office6", address: "2001:db8:20::/48")
    Label("public6", address: "2001:db8:ff::1")
    Label("app6", address: "2001:db8:10::22")

    Accept("web from anywhere") {
        Ports(80, 443)
        To("web6")
    }
    Accept("ping from the office") {
        Protocols("ipv6-icmp")
        From("office6")
        To("web6")
    }
    Reject("no smtp from the office") {
        Ports(25)
        From("office6")
        To("web6")
    }
    Rewrite("ssh to the app server") {
        Ports(2222 => 22)
        DNAT("public6" => "app6")
    }
    Rewrite("the app server's outbound traffic") {
        SNAT("app6" => "public6")
    }
}
