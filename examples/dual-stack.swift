import RiptDSL

// A dual-stack host: labels of both families side by side. A rule goes to
// iptables for its IPv4 labels and to ip6tables for its IPv6 ones; with no
// labels at all ('all'), it goes to both.
Partition("dualstack") {
    Label("www", address: "192.0.2.80")
    Label("www6", address: "2001:db8::80")
    Label("admins", address: "198.51.100.0/24")
    Label("admins6", address: "2001:db8:a::/64")

    Accept("ssh from anywhere, in both families") {
        Ports(22)
    }
    Accept("the website, over IPv4 and IPv6") {
        Ports(80, 443)
        To("www", "www6")
    }
    Accept("ping, each family's own ICMP") {
        Protocols("icmp", "ipv6-icmp")
    }
    Accept("ping the website, in each family with its own ICMP") {
        Protocols("icmp", "ipv6-icmp")
        To("www", "www6")
    }
    Drop("no admin tools from outside the admin networks") {
        Ports(8080)
        From("admins", "admins6")
        To("www", "www6")
    }
}
