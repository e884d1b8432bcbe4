import RiptDSL

// Reject with: the answer sent, spelled for each family.
Partition("rejectwith") {
    Reject("no ident", with: .tcpReset) { Ports(113) }
    Reject("closed", with: .adminProhibited, log: true) { Protocols("udp"); Ports(137...139) }
    Reject("no route", with: .netUnreachable) { Protocols("all"); Direction(.forward) }
    Reject("gone", with: .hostUnreachable) { Ports(70) }
    Reject("default answer", with: .portUnreachable) { Ports(79) }
}
