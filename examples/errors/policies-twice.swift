import RiptDSL

// Host-wide settings set twice in one partition.
Partition("policiestwice") {
    Policies(input: .drop)
    Policies(.ipv6, forward: .drop)
    ConnectionTracking()
    ConnectionTracking()
}
