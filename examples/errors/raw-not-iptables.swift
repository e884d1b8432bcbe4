import RiptDSL

// Raw lines run iptables directly, never a shell.
Partition("notshell") {
    Raw("""
        rm -rf /
        iptables -A INPUT -j ACCEPT; rm -rf /
        iptables -A INPUT -j LOG --log-prefix $(whoami)
        iptables -L
        iptables -t broken -A INPUT -j ACCEPT
        iptables -s 192.0.2.1 -j ACCEPT
        """)
}
