import RiptDSL

// OutInterface: the interface forwarded traffic leaves on (-o).
Partition("outif") {
    Label("lan", address: "192.168.1.0/24")

    Accept("the lan may browse") { Ports(80, 443); From("lan"); OutInterface("wan0"); Direction(.forward) }
    Accept("lan to vpn") { Protocols("all"); From("lan"); Interface("lan0"); OutInterface("tun+"); Direction(.forward) }
}
