import RiptDSL

// Interface matches the incoming interface; a trailing + matches a prefix.
Partition("vlans") {
    Label("gateway", address: "192.168.0.76")
    Label("admins", address: "192.168.0.0/24")

    Accept("ssh from the admin vlans only") {
        Ports(22)
        From("admins")
        To("gateway")
        Interface("vlan+")
    }
}
