import RiptDSL

// Large partitions split their body into groups: Swift type-checks each
// body separately, so many small groups stay fast where one long body
// would not. A group has no meaning of its own.
Partition("hosting") {
    Label("lb", address: "198.51.100.10")
    Label("web-01", address: "10.1.0.11")
    Label("web-02", address: "10.1.0.12")
    Label("db-01", address: "10.1.1.21")

    Group("web tier") {
        Accept("http to the web servers") { Ports(80, 443); From("lb"); To("web-01", "web-02") }
        Drop("nothing else reaches them from outside") { From("all"); To("web-01", "web-02") }
    }
    Group("data tier") {
        Accept("postgres from the web servers") { Ports(5432); From("web-01", "web-02"); To("db-01") }
        Group {
            Log("anything else to the database") { To("db-01") }
        }
    }
}
