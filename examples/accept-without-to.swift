import RiptDSL

// No To means to anywhere: the pointer sends all traffic into the partition's
// chain. (The original Ript generated nothing for a rule without a destination.)
Partition("noto") {
    Label("backup server", address: "198.51.100.7")

    Accept("backups may reach every host") {
        Ports(873)
        From("backup server")
    }
}
