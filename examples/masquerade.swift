import RiptDSL

// Masquerade: source NAT to the outgoing interface's address, for its
// private labels leaving on the Rewrite's OutInterface; its accepts go to
// FORWARD only.
Partition("masq") {
    Label("lan", address: "192.168.1.0/24")
    Label("lan6", address: "2001:db8:1::/64")

    Rewrite("internet access") { Masquerade("lan", "lan6"); OutInterface("wan0") }
}
