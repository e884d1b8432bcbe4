import RiptDSL

// log: true puts a LOG rule with the same matches before each rule.
Partition("logging") {
    Label("vip", address: "203.0.113.10")
    Label("abuser", address: "198.51.100.200")

    Drop("log and drop the abuser", log: true) {
        From("abuser")
        To("vip")
    }
    Accept("log and accept https", log: true) {
        Ports(443)
        To("vip")
    }
}
