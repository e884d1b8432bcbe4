import RiptDSL

// Interface on a Rewrite narrows its DNATs (and their accepts) to traffic
// arriving there; OutInterface its SNATs (and theirs) to traffic leaving there.
Partition("rwif") {
    Label("public", address: "203.0.113.10")
    Label("web", address: "192.168.1.80")
    Label("lan", address: "192.168.1.0/24")

    Rewrite("web from outside") { Ports(80); DNAT("public" => "web"); Interface("wan0") }
    Rewrite("lan out") { SNAT("lan" => "public"); OutInterface("wan0") }
}
