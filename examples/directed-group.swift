import RiptDSL

// A Group with a direction gives every rule in it that Direction, at the
// group's location; a Direction inside narrows it further.
Partition("dirgroup") {
    Label("admins", address: "198.51.100.0/24")

    Group("served by this host", direction: .input) {
        Accept("ssh") { Ports(22); From("admins") }
        Group("nested") {
            Accept("imap") { Ports(143, 993) }
        }
    }
    Group("sent by this host", direction: .output) {
        Accept("smtp out") { Ports(25) }
    }
}
