import RiptDSL

Partition("badsix") {
    Label("prefix too long", address: "2001:db8::/129")
    Label("host bits", address: "2001:db8::1/64")
    Label("zone", address: "fe80::1%eth0")
    Label("not hex", address: "2001:db8::g")
    Label("two gaps", address: "2001::db8::1")
    Label("nine groups", address: "1:2:3:4:5:6:7:8:9")
}
