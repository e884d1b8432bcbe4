# shellcheck shell=sh
# The shell library of FirewallBehaviourTests: small networks of namespaces
# around a host running a whole firewall, servers on them, and probes that
# say what got through. Sourced by a script running as root on the machine,
# which has set $WORK (its scratch directory) and $PY (python3). Every
# namespace it makes is named with the prefix given, recorded in
# $WORK/namespaces, and deleted by `fw_cleanup` (the script's EXIT trap),
# which first ends the servers it started (their ids in $WORK/servers).
# Neighbours are resolved as usual (no permanent entries, no nodad), so IPv6
# neighbour discovery has to get through each firewall too.

# `fw_namespace NAME`: a new namespace with its loopback up, recorded for cleanup.
fw_namespace() {
    ip netns add "$1"
    echo "$1" >> "$WORK/namespaces"
    ip -n "$1" link set lo up
    # The legacy tables exist once read; the restore tools and ript then find them.
    for tool in iptables-legacy ip6tables-legacy; do
        ip netns exec "$1" "$tool" -t filter -S > /dev/null
        ip netns exec "$1" "$tool" -t nat -S > /dev/null
    done
}

# `fw_link NS1 IF1 NS2 IF2`: a veth pair from NS1's IF1 to NS2's IF2, both up.
fw_link() {
    ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
    ip -n "$1" link set "$2" up
    ip -n "$3" link set "$4" up
}

# `fw_address NS IF ADDRESS/PREFIX…`: addresses of an interface.
fw_address() {
    ns=$1 link=$2; shift 2
    for address in "$@"; do ip -n "$ns" addr add "$address" dev "$link"; done
}

# `fw_forwarding NS`: NS routes both families.
fw_forwarding() {
    ip netns exec "$1" sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward; echo 1 > /proc/sys/net/ipv6/conf/all/forwarding'
}

# `fw_wait_addresses NS…`: returns once no IPv6 address of these namespaces is tentative (duplicate detection done).
fw_wait_addresses() {
    for ns in "$@"; do
        tries=0
        while ip -n "$ns" -6 addr show tentative | grep -q inet6; do
            tries=$((tries + 1)); [ $tries -lt 300 ] || { echo "$ns: IPv6 addresses stayed tentative" >&2; return 1; }
            sleep 0.02
        done
    done
}

# --- The two networks

# `webserver_topology P`: the web server ${P}host, its clients and a far side.
#   ${P}admin  198.51.100.10, 2001:db8:a::10   — host's ha 198.51.100.1, 2001:db8:a::1
#   ${P}others 203.0.113.50 and .7 (monitoring), 2001:db8:b::50 and ::7
#                                              — host's ho 203.0.113.1, 2001:db8:b::1
#   ${P}far    192.0.2.20, 2001:db8:f::20      — host's hf 192.0.2.1, 2001:db8:f::1
webserver_topology() {
    for n in host admin others far; do fw_namespace "$1$n"; done
    fw_link "$1host" ha "$1admin" eth0
    fw_link "$1host" ho "$1others" eth0
    fw_link "$1host" hf "$1far" eth0
    fw_address "$1host" ha 198.51.100.1/24 2001:db8:a::1/64
    fw_address "$1host" ho 203.0.113.1/24 2001:db8:b::1/64
    fw_address "$1host" hf 192.0.2.1/24 2001:db8:f::1/64
    fw_address "$1admin" eth0 198.51.100.10/24 2001:db8:a::10/64
    fw_address "$1others" eth0 203.0.113.50/24 203.0.113.7/24 2001:db8:b::50/64 2001:db8:b::7/64
    fw_address "$1far" eth0 192.0.2.20/24 2001:db8:f::20/64
    ip -n "$1admin" route add default via 198.51.100.1
    ip -n "$1admin" -6 route add default via 2001:db8:a::1
    ip -n "$1others" route add default via 203.0.113.1
    ip -n "$1others" -6 route add default via 2001:db8:b::1
    ip -n "$1far" route add default via 192.0.2.1
    ip -n "$1far" -6 route add default via 2001:db8:f::1
    fw_forwarding "$1host"
    fw_wait_addresses "$1host" "$1admin" "$1others" "$1far"
    fw_serve "$1host" host "22 80 443 8080 9100" "443"
    fw_serve "$1admin" admin "22 80" ""
    fw_serve "$1others" others "22 80" ""
    fw_serve "$1far" far "22 80 443 8080" ""
}

# `gateway_topology P`: the office gateway ${P}gateway between the LAN, the guests and the internet.
#   ${P}lan      192.0.2.10 (client) and .20 (server), 2001:db8:1::10 and ::20
#                                                  — lan0 192.0.2.1/25, 2001:db8:1::1
#   ${P}guests   192.0.2.130, 2001:db8:2::130     — guest0 192.0.2.129/25, 2001:db8:2::1
#   ${P}internet 203.0.113.100, 2001:db8:ffff::100 — wan0 203.0.113.2, 2001:db8:ffff::2
# The internet routes the gateway's IPv6 networks to it, and (as no real
# internet would) its private IPv4 network too, so probes can see that
# only translated traffic gets in.
gateway_topology() {
    for n in gateway lan guests internet; do fw_namespace "$1$n"; done
    fw_link "$1gateway" lan0 "$1lan" eth0
    fw_link "$1gateway" guest0 "$1guests" eth0
    fw_link "$1gateway" wan0 "$1internet" eth0
    fw_address "$1gateway" lan0 192.0.2.1/25 2001:db8:1::1/64
    fw_address "$1gateway" guest0 192.0.2.129/25 2001:db8:2::1/64
    fw_address "$1gateway" wan0 203.0.113.2/24 2001:db8:ffff::2/64
    fw_address "$1lan" eth0 192.0.2.10/25 192.0.2.20/25 2001:db8:1::10/64 2001:db8:1::20/64
    fw_address "$1guests" eth0 192.0.2.130/25 2001:db8:2::130/64
    fw_address "$1internet" eth0 203.0.113.100/24 2001:db8:ffff::100/64
    ip -n "$1gateway" route add default via 203.0.113.100
    ip -n "$1gateway" -6 route add default via 2001:db8:ffff::100
    ip -n "$1lan" route add default via 192.0.2.1
    ip -n "$1lan" -6 route add default via 2001:db8:1::1
    ip -n "$1guests" route add default via 192.0.2.129
    ip -n "$1guests" -6 route add default via 2001:db8:2::1
    ip -n "$1internet" route add 192.0.2.0/24 via 203.0.113.2
    ip -n "$1internet" -6 route add 2001:db8:1::/64 via 2001:db8:ffff::2
    ip -n "$1internet" -6 route add 2001:db8:2::/64 via 2001:db8:ffff::2
    fw_forwarding "$1gateway"
    fw_wait_addresses "$1gateway" "$1lan" "$1guests" "$1internet"
    fw_serve "$1gateway" gateway "22 53 80 443 2222 8080 9100" "53 67 547"
    fw_serve "$1lan" lan "22 80 443 8080 9100" ""
    fw_serve "$1guests" guests "22 80" ""
    fw_serve "$1internet" internet "22 25 80 443 8080" "53"
}

# --- Servers and probes

# `fw_serve NS NAME "TCP PORTS" "UDP PORTS"`: a server in NS answering on
# every address of both families: a TCP connection or a UDP datagram gets
# one line, "NAME PEER" (who answered, and the address it saw), so probes
# see port forwards and masquerading. Returns once it listens.
fw_serve() {
    rm -f "$WORK/ready-$1"
    ip netns exec "$1" "$PY" "$WORK/serve.py" "$2" "$3" "$4" "$WORK/ready-$1" 2>> "$WORK/server-errors" &
    echo $! >> "$WORK/servers"
    tries=0
    while [ ! -e "$WORK/ready-$1" ]; do
        tries=$((tries + 1)); [ $tries -lt 500 ] || { echo "the server in $1 never listened: $(cat "$WORK/server-errors")" >&2; return 1; }
        sleep 0.02
    done
}

# `fw_probe P FILE`: runs the probes of FILE (lines "ROLE KIND SOURCE
# DESTINATION PORT", ROLE naming the namespace ${P}ROLE) from their
# namespaces, all at once, and prints each line with its outcome after a
# tab: "open NAME PEER" (a server answered), "refused" (a TCP reset or ICMP
# port unreachable), "timeout" (no answer in 1 s), "reply" (to a ping),
# "icmp TYPE/CODE" (an ICMP error), or an error name like "EHOSTUNREACH".
# KIND `pings` sends PORT pings at once, and says how many were answered:
# "replies 10/20".
fw_probe() {
    roles=$(cut -d' ' -f1 "$2" | sort -u | tr '\n' ' ')
    probers=""
    for role in $roles; do
        grep "^$role " "$2" | ip netns exec "$1$role" "$PY" "$WORK/probe.py" > "$WORK/probed-$1-$role" &
        probers="$probers $!"
    done
    # Not a bare `wait`: the servers run in the background too.
    for pid in $probers; do wait "$pid"; done
    for role in $roles; do cat "$WORK/probed-$1-$role"; done
}

# `fw_cleanup`: ends the servers, deletes the namespaces, and forgets them
# (so nothing later signals a process id the system has given to another).
fw_cleanup() {
    if [ -e "$WORK/servers" ]; then
        while read -r pid; do kill "$pid" 2> /dev/null || true; done < "$WORK/servers"
        rm -f "$WORK/servers"
    fi
    if [ -e "$WORK/namespaces" ]; then
        while read -r ns; do ip netns del "$ns" 2> /dev/null || true; done < "$WORK/namespaces"
        rm -f "$WORK/namespaces"
    fi
}

# `fw_programs`: writes the server and the prober to $WORK.
fw_programs() {
    cat > "$WORK/serve.py" << 'EOF'
import selectors, socket, sys
name, tcp, udp, ready = sys.argv[1], sys.argv[2].split(), sys.argv[3].split(), sys.argv[4]
selector = selectors.DefaultSelector()
def bound(kind, port):
    s = socket.socket(socket.AF_INET6, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", int(port)))
    return s
def peer(address):
    return address[0].removeprefix("::ffff:")
for port in tcp:
    s = bound(socket.SOCK_STREAM, port); s.listen(64); selector.register(s, selectors.EVENT_READ, "tcp")
for port in udp:
    s = bound(socket.SOCK_DGRAM, port); selector.register(s, selectors.EVENT_READ, "udp")
open(ready, "w").close()
while True:
    for key, _ in selector.select():
        s = key.fileobj
        try:
            if key.data == "tcp":
                connection, address = s.accept()
                connection.sendall(f"{name} {peer(address)}\n".encode()); connection.close()
            else:
                _, address = s.recvfrom(512)
                s.sendto(f"{name} {peer(address)}\n".encode(), address)
        except OSError:
            pass
EOF
    cat > "$WORK/probe.py" << 'EOF'
import errno, os, socket, struct, sys, threading, time
TIMEOUT = 1.0
probes = [line.split() for line in sys.stdin if line.strip()]
outcomes = [None] * len(probes)
def family(address):
    return socket.AF_INET6 if ":" in address else socket.AF_INET
def failure(error):
    if isinstance(error, socket.timeout): return "timeout"
    if error.errno == errno.ECONNREFUSED: return "refused"
    return errno.errorcode.get(error.errno, str(error.errno))
def checksum(data):
    data += b"\0" * (len(data) % 2)
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF); total += total >> 16
    return ~total & 0xFFFF
def ping(source, destination, first, count=1):
    # One identifier a ping: conntrack would see pings sharing one as one connection, established once answered.
    idents = {(first + k) & 0xFFFF for k in range(count)}
    v6 = family(destination) == socket.AF_INET6
    s = socket.socket(family(destination), socket.SOCK_RAW, socket.IPPROTO_ICMPV6 if v6 else socket.IPPROTO_ICMP)
    if source != "-": s.bind((source, 0))
    for ident in sorted(idents):
        request = struct.pack("!BBHHH", 128 if v6 else 8, 0, 0, ident, 1) + b"ript-probe"
        if not v6: request = request[:2] + struct.pack("!H", checksum(request)) + request[4:]
        s.sendto(request, (destination, 0))
    replies, error = set(), None
    deadline = time.monotonic() + TIMEOUT
    while (left := deadline - time.monotonic()) > 0 and len(replies) < count:
        s.settimeout(left)
        try: packet, _ = s.recvfrom(2048)
        except socket.timeout: break
        icmp = packet if v6 else packet[(packet[0] & 0xF) * 4:]
        kind, code = icmp[0], icmp[1]
        if kind == (129 if v6 else 0) and struct.unpack("!H", icmp[4:6])[0] in idents: replies.add(icmp[4:6])
        if kind in ((1, 2, 3, 4) if v6 else (3, 4, 5, 11, 12)):
            inner = icmp[8 + 40:] if v6 else icmp[8 + (icmp[8] & 0xF) * 4:]
            if len(inner) >= 6 and struct.unpack("!H", inner[4:6])[0] in idents: error = error or f"icmp {kind}/{code}"
        if error and count == 1: break
    if count > 1: return f"replies {len(replies)}/{count}"
    return "reply" if replies else error or "timeout"
def probe(index, kind, source, destination, port):
    try:
        if kind == "ping": return ping(source, destination, index * 32 + 1)
        if kind == "pings": return ping(source, destination, index * 32 + 1, min(int(port), 32))
        s = socket.socket(family(destination), socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM)
        s.settimeout(TIMEOUT)
        if source != "-": s.bind((source, 0))
        try:
            s.connect((destination, int(port)))
        except socket.timeout:
            # An ICMP error that came while connect held the socket is a soft error: not lost, only late.
            soft = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if soft: raise OSError(soft, os.strerror(soft))
            raise
        if kind == "udp": s.send(b"ript-probe\n")
        answer = s.recv(200).decode().strip()
        return f"open {answer}" if answer else "closed"
    except OSError as error:
        return failure(error)
def run(index):
    outcomes[index] = probe(index, *probes[index][1:])
threads = [threading.Thread(target=run, args=(i,)) for i in range(len(probes))]
for thread in threads: thread.start()
for thread in threads: thread.join()
for line, outcome in zip(probes, outcomes): print(" ".join(line) + "\t" + outcome)
EOF
}
