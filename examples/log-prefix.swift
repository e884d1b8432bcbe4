import RiptDSL

// Log with a prefix and a level, or a level alone.
Partition("logprefix") {
    Log("what the policy drops", prefix: "fw-in-drop: ") { Protocols("all"); Limit(5, per: .minute); Direction(.input) }
    Log("new ssh", prefix: "ssh ", level: .info) { Ports(22); State(.new) }
    Log("debugging", level: .debug) { Ports(8080) }
}
