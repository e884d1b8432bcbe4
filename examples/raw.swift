import RiptDSL

// Raw is the escape hatch: iptables commands, one per line, applied as
// written. Comment lines and blank lines are ignored.
Partition("boilerplate") {
    Raw("""
        # Default deny for traffic no partition accepts.
        iptables --policy INPUT DROP
        iptables --policy FORWARD DROP

        iptables --table filter --append INPUT --in-interface lo --jump ACCEPT
        iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
        iptables -t mangle -A PREROUTING -p tcp --dport 22 -j TOS --set-tos Minimize-Delay
        iptables -A INPUT -p tcp --dport 22 -j LOG --log-prefix "ssh attempt: "
        """)
}
