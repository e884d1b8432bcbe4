import RiptDSL

// State: -m conntrack --ctstate, several states and words adding up.
Partition("state") {
    Label("admins", address: "198.51.100.0/24")

    Accept("new ssh") { Ports(22); From("admins"); State(.new) }
    Drop("invalid") { Protocols("all"); State(.invalid) }
    Accept("replies") { Protocols("all"); State(.established, .related); State(.untracked) }
}
