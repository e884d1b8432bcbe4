import RiptDSL

// From the original Ript's tests: a To in a Rewrite naming the DNAT's public
// side. It adds nothing (traffic to the public label is what a DNAT rewrites),
// so the rules are exactly those without it, as in the original Ript.
Partition("dnattopublic") {
    Label("external", address: "203.0.113.140")
    Label("external-2", address: "203.0.113.141")
    Label("internal", address: "192.168.40.2")

    Rewrite("public website") {
        Ports(80)
        To("external")
        DNAT("external" => "internal")
    }

    Rewrite("both public addresses, named in full") {
        Ports(443)
        To("external", "external-2")
        DNAT(["external", "external-2"] => "internal")
    }
}
