import RiptDSL

// A Log rule logs and lets later rules decide.
Partition("watcher") {
    Label("db", address: "198.51.100.30")
    Label("app servers", address: "198.51.100.16/28")

    Log("who talks to the database") {
        Ports(5432)
        From("app servers")
        To("db")
    }
}
