import RiptDSL

// The tour: every kind of statement in one partition.
Partition("joeblogsco") {
    Label("www.joeblogsco.com", address: "172.19.56.216")
    Label("app-01", address: "192.168.5.230")
    Label("office", address: "172.20.4.124")
    Label("bad guys", address: "10.0.0.0/8")

    Rewrite("public website + ssh access", log: true) {
        Ports(80, 22, 8000...8900, 2222 => 22)
        From("office")
        DNAT("www.joeblogsco.com" => "app-01")
    }
    Rewrite("private to public") {
        SNAT(["app-01", "office"] => "www.joeblogsco.com")
    }
    Accept("web") { Ports(80, 443); To("www.joeblogsco.com") }
    Drop("bad guys") { Protocols("udp"); From("bad guys"); To("www.joeblogsco.com") }
    Reject("no smtp") { Ports(25); From("bad guys", "office"); To("app-01"); Interface("vlan+") }
    Log("watch") { From("office"); To("app-01") }
    Raw("""
        iptables --policy INPUT DROP
        """)
}
