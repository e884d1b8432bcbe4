import RiptDSL

Partition("deleter") {
    Raw("""
        iptables -X partition-a
        iptables --table nat --delete-chain
        iptables --delete-c foo
        """)
}
