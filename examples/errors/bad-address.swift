import RiptDSL

Partition("addresses") {
    Label("octet too big", address: "192.0.2.256")
    Label("prefix too long", address: "192.0.2.0/33")
    Label("host bits", address: "192.0.2.10/24")
    Label("hostname", address: "www.example.com")
    Label("leading zero", address: "192.0.2.010")
    Label("three octets", address: "192.0.2")
    Label("empty", address: "")
}
