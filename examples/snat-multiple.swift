import RiptDSL

Partition("snatmany") {
    Label("lan a", address: "10.33.0.0/24")
    Label("lan b", address: "10.44.0.0/24")
    Label("lan c", address: "10.55.0.0/24")
    Label("public", address: "203.0.113.95")
    Label("mail relay", address: "10.55.0.45")
    Label("mail public", address: "203.0.113.99")

    Rewrite("the lans share one address") {
        SNAT(["lan a", "lan b", "lan c"] => "public")
    }
    Rewrite("the relay leaves as the mail address") {
        SNAT("mail relay" => "mail public")
    }
}
