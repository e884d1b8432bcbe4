import RiptDSL

// A DNAT without ports rewrites the whole address (1:1 NAT), every protocol.
// (The original Ript generated nothing here.)
Partition("onetoone") {
    Label("public", address: "203.0.113.120")
    Label("vm-17", address: "10.20.30.17")

    Rewrite("the vm's public address") {
        DNAT("public" => "vm-17")
    }
}
