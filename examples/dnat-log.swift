import RiptDSL

// log: true on a Rewrite logs before the DNAT and before its accept.
Partition("dnatlog") {
    Label("public", address: "203.0.113.95")
    Label("web", address: "192.168.19.2")

    Rewrite("logged website", log: true) {
        Ports(80, 22)
        DNAT("public" => "web")
    }
}
