import RiptDSL

// The basic DNAT: the public address's port 80 goes to the private server,
// and the filter accepts the rewritten traffic.
Partition("dnatbasic") {
    Label("public www", address: "203.0.113.95")
    Label("web-01", address: "192.168.19.2")

    Rewrite("public website") {
        Ports(80)
        DNAT("public www" => "web-01")
    }
}
