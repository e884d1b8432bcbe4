import RiptDSL

// Every From × To pair gets its rules; each To gets one pointer.
Partition("tootyfruity") {
    Label("apple", address: "192.0.2.1")
    Label("banana", address: "192.0.2.2")
    Label("cherry", address: "192.0.2.3")
    Label("date", address: "192.0.2.4")

    Accept("ssh between the fruit") {
        Ports(22)
        From("apple", "banana")
        To("cherry", "date")
    }
}
