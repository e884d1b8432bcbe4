import RiptDSL

// Directions that can't apply: each an error that says what to write.
Partition("dirmisuse") {
    Label("lan", address: "192.168.1.0/24")
    Label("public", address: "203.0.113.10")

    Accept("no common direction") { Ports(22); Direction(.input); Direction(.output) }
    Accept("out interface to the host") { Ports(22); OutInterface("wan0"); Direction(.input) }
    Accept("in interface from the host") { Ports(22); Interface("eth0"); Direction(.output) }
    Accept("forwarded loopback") { Protocols("all"); Loopback(); Direction(.forward) }
    Accept("loopback with labels") { Protocols("all"); Loopback(); From("lan"); Interface("eth0") }
    Accept("empty direction") { Ports(22); Direction() }
    Rewrite("directed rewrite") { SNAT("lan" => "public"); Direction(.forward) }
    Group("served here", direction: .input) {
        Rewrite("rewrite in a directed group") { SNAT("lan" => "public") }
    }
}
