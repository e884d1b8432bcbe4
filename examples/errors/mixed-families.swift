import RiptDSL

Partition("mixed") {
    Label("v4 public", address: "203.0.113.10")
    Label("v4 host", address: "192.0.2.10")
    Label("v6 host", address: "2001:db8::10")
    Label("v6 public", address: "2001:db8:ff::1")
    Label("v6 office", address: "2001:db8:20::/48")

    Rewrite("ssh") {
        Ports(22)
        DNAT("v4 public" => "v6 host")
    }
    Rewrite("outbound") {
        SNAT("v4 host" => "v6 public")
    }
    Rewrite("office to the v4 host") {
        From("v6 office")
        DNAT("v4 public" => "v4 host")
    }
    Accept("office to the v4 host") {
        From("v6 office")
        To("v4 host")
    }
    Accept("ping over IPv6") {
        Protocols("icmp")
        To("v6 host")
    }
    Accept("ping over IPv4") {
        Protocols("ipv6-icmp")
        From("v4 public")
    }
    Rewrite("web from the v4 host only") {
        Ports(80)
        From("v4 host")
        DNAT("v4 public" => "v4 host")
        DNAT("v6 public" => "v6 host")
    }
}
