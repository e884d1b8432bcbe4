import RiptDSL

Partition("flusher") {
    Raw("""
        iptables --policy INPUT DROP
        iptables -F INPUT
        iptables --table nat --flush
        iptables -vF
        iptables --flu FORWARD
        """)
}
