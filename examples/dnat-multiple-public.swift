import RiptDSL

// Several public addresses to one private server.
Partition("dnatmany") {
    Label("www.example.com", address: "203.0.113.95")
    Label("shop.example.com", address: "203.0.113.96")
    Label("blog.example.com", address: "203.0.113.97")
    Label("proxy", address: "192.168.27.88")

    Rewrite("every site through the proxy") {
        Ports(80)
        DNAT(["www.example.com", "shop.example.com", "blog.example.com"] => "proxy")
    }
}
