# shellcheck shell=sh
# Three network namespaces joined by veth pairs, for tests that send
# traffic through a router running ript (the zero-downtime test). Sourced
# by a script running as root on the host, which names the namespaces $C,
# $R and $S and deletes them when it ends (`ip netns del`); $WORK is its
# scratch directory.

# Makes the namespaces: client 192.0.2.2 — 192.0.2.1 router 198.51.100.1 —
# 198.51.100.2 server, and 2001:db8:1::2 — 2001:db8:1::1 router
# 2001:db8:2::1 — 2001:db8:2::2. Neighbours are permanent and addresses
# skip duplicate detection, so no neighbour resolution can drop a datagram.
topology() {
    for n in "$C" "$R" "$S"; do ip netns add "$n"; ip -n "$n" link set lo up; done
    ip link add c0 netns "$C" type veth peer name r0 netns "$R"
    ip link add s0 netns "$S" type veth peer name r1 netns "$R"
    ip -n "$C" addr add 192.0.2.2/24 dev c0
    ip -n "$R" addr add 192.0.2.1/24 dev r0
    ip -n "$R" addr add 198.51.100.1/24 dev r1
    ip -n "$S" addr add 198.51.100.2/24 dev s0
    ip -n "$C" addr add 2001:db8:1::2/64 dev c0 nodad
    ip -n "$R" addr add 2001:db8:1::1/64 dev r0 nodad
    ip -n "$R" addr add 2001:db8:2::1/64 dev r1 nodad
    ip -n "$S" addr add 2001:db8:2::2/64 dev s0 nodad
    ip -n "$C" link set c0 up
    ip -n "$R" link set r0 up
    ip -n "$R" link set r1 up
    ip -n "$S" link set s0 up
    ip -n "$C" route add default via 192.0.2.1
    ip -n "$S" route add default via 198.51.100.1
    ip -n "$C" -6 route add default via 2001:db8:1::1
    ip -n "$S" -6 route add default via 2001:db8:2::1
    # Written to /proc/sys (of the router's namespace) rather than with sysctl, which a fresh machine may lack.
    ip netns exec "$R" sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward; echo 1 > /proc/sys/net/ipv6/conf/all/forwarding'
    ip -n "$C" neigh replace 192.0.2.1 lladdr "$(mac "$R" r0)" dev c0 nud permanent
    ip -n "$R" neigh replace 192.0.2.2 lladdr "$(mac "$C" c0)" dev r0 nud permanent
    ip -n "$R" neigh replace 198.51.100.2 lladdr "$(mac "$S" s0)" dev r1 nud permanent
    ip -n "$S" neigh replace 198.51.100.1 lladdr "$(mac "$R" r1)" dev s0 nud permanent
    ip -n "$C" neigh replace 2001:db8:1::1 lladdr "$(mac "$R" r0)" dev c0 nud permanent
    ip -n "$R" neigh replace 2001:db8:1::2 lladdr "$(mac "$C" c0)" dev r0 nud permanent
    ip -n "$R" neigh replace 2001:db8:2::2 lladdr "$(mac "$S" s0)" dev r1 nud permanent
    ip -n "$S" neigh replace 2001:db8:2::1 lladdr "$(mac "$R" r1)" dev s0 nud permanent
}
# `mac NAMESPACE LINK`: the link's hardware address.
mac() { ip netns exec "$1" cat "/sys/class/net/$2/address"; }
# Runs a command in the router's namespace.
router() { ip netns exec "$R" "$@"; }
# `mark PHASE`: the traffic report's phase PHASE starts now ($WORK/phases).
mark() { echo "$1 $(date +%s%N)" >> "$WORK/phases"; }
