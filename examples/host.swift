import RiptDSL

// The host-wide settings, in the one partition of the directory that sets
// them: DROP policies for INPUT and FORWARD in both families, stateful
// filtering before every partition's rules, and the loopback interface
// accepted both ways. Under IPv6's DROP policies ript adds the ICMPv6
// that IPv6 needs (neighbour and router discovery, packet too big).
Partition("host") {
    Policies(input: .drop, forward: .drop)
    ConnectionTracking()
    Accept("loopback") { Protocols("all"); Loopback() }
}
