import RiptDSL

// The new words' arguments, written as their initializers don't take them.
Partition("evalmisuse") {
    Policies(.ipv5, input: .reject)
    Accept("direction as a string") { Direction("input") }
    Accept("unknown state") { State(.fresh) }
    Accept("limit without per") { Limit(5) }
    Reject("answer as a string", with: "tcp-reset") { Ports(113) }
    Log("log and level", log: true, level: .info) { Ports(22) }
    Group("bad direction", direction: .sideways) {}
    ConnectionTracking(true)
    Accept("loopback with an argument") { Loopback("lo") }
}
