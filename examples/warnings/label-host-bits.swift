import RiptDSL

// From the original Ript's tests: an address with host bits set beyond its
// prefix. Ript and iptables take it as its network, and so does ript, with a
// warning at the label that names the network and what to write instead.
Partition("hostbits") {
    Label("jamdev", address: "192.168.23.70/27")
    Label("jamdev6", address: "2001:db8:23::70/64")
    Label("web", address: "192.168.19.2")
    Label("web6", address: "2001:db8:19::2")

    Accept("the dev network reaches the web server") {
        Ports(80, 443)
        From("jamdev", "jamdev6")
        To("web", "web6")
    }
}
