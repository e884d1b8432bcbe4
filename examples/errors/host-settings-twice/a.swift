import RiptDSL

// The first partition to set host-wide settings.
Partition("first") {
    Policies(input: .drop)
}
