import RiptDSL

// A mapping rewrites the port too; the accept matches the private port.
Partition("dnatmap") {
    Label("public", address: "203.0.113.88")
    Label("bastion", address: "192.168.38.1")

    Rewrite("ssh and https on other ports") {
        Ports(2222 => 22, 443 => 4443, 8000...8100)
        DNAT("public" => "bastion")
    }
}
