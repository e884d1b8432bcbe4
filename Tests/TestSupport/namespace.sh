# shellcheck shell=sh
# The shell library of the kernel tests' scripts, which run in a fresh
# network namespace (TestSupport's inFreshNetworkNamespace) and source this
# file first. They find $RIPT (the built binary), $WORK (a scratch
# directory), $XTABLES_LOCKFILE and $RIPT_RUN_DIR (both in $WORK);
# `iptables` and `ip6tables` are the legacy tools there.

# A new namespace has no legacy tables until something reads them; a host always has them.
for tool in iptables ip6tables; do $tool -t filter -S > /dev/null; $tool -t nat -S > /dev/null; done

# --- The state of the kernel's tables

# Save output without comments and counters, for comparing states.
uncounted() { grep -v '^#' | sed 's/ \[[0-9]*:[0-9]*\]$//'; }
# Both families' save output, uncounted, the IPv6 part after a line "=== ip6tables".
save() { { iptables-legacy-save; echo "=== ip6tables"; ip6tables-legacy-save; } | uncounted; }
# `tables NAME` saves each table of each family, uncounted, to
# $WORK/NAME.4filter, .4nat, .6filter and .6nat.
tables() {
    for t in filter nat; do
        iptables-legacy-save -t "$t" | uncounted > "$WORK/$1.4$t"
        ip6tables-legacy-save -t "$t" | uncounted > "$WORK/$1.6$t"
    done
}
# `compare NEW OLD` prints, per table, "new" or "old" for which of the two
# states saved by `tables` the kernel's table is now, and fails if it is neither.
compare() {
    tables now
    verdict=""
    for t in 4filter 4nat 6filter 6nat; do
        if cmp -s "$WORK/now.$t" "$WORK/$1.$t"; then verdict="$verdict new"
        elif cmp -s "$WORK/now.$t" "$WORK/$2.$t"; then verdict="$verdict old"
        else echo "the $t table is neither the old nor the new version:"; diff "$WORK/$2.$t" "$WORK/now.$t" | head -20; return 1
        fi
    done
    echo "${verdict# }"
}

# --- Rule files

# The examples, copied to $WORK/rules.
rules() { rm -rf "$WORK/rules"; cp -r examples "$WORK/rules"; rm -rf "$WORK/rules/errors"; }
# The examples without raw lines (which may change anything, policies
# included) and without host-wide settings (which set policies).
plain() { rules; rm "$WORK/rules/raw.swift" "$WORK/rules/joeblogsco.swift" "$WORK/rules/host.swift"; }

# --- Other programs

# Other programs' chains, rules and policies, in both families.
foreign() {
    iptables -N DOCKER
    iptables -A DOCKER -d 172.17.0.2/32 -p tcp --dport 80 -j ACCEPT
    iptables -A DOCKER -j RETURN
    iptables -A INPUT -s 192.0.2.99/32 -j DROP
    iptables -A FORWARD -j DOCKER
    iptables -P FORWARD DROP
    iptables -t nat -N DOCKER
    iptables -t nat -A DOCKER -p tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80
    iptables -t nat -A PREROUTING -j DOCKER
    ip6tables -N DOCKER
    ip6tables -A DOCKER -d 2001:db8:17::2/128 -p tcp --dport 80 -j ACCEPT
    ip6tables -A INPUT -s 2001:db8::99/128 -j DROP
    ip6tables -A FORWARD -j DOCKER
    ip6tables -P FORWARD DROP
    ip6tables -t nat -N DOCKER
    ip6tables -t nat -A DOCKER -p tcp --dport 8080 -j DNAT --to-destination '[2001:db8:17::2]:80'
    ip6tables -t nat -A PREROUTING -j DOCKER
}
# What `foreign` made, as `save` shows it.
foreign_lines() { save | grep -E 'DOCKER|192.0.2.99|2001:db8::99|^:FORWARD|^\*|COMMIT|^===' ; }
# A chain and rules ript doesn't own, in IPv4's filter table only.
docker() {
    iptables -N DOCKER
    iptables -A DOCKER -d 172.17.0.2/32 -p tcp --dport 80 -j ACCEPT
    iptables -A FORWARD -j DOCKER
}
# Holds the xtables lock for $1 seconds in the background, returning once it is held.
hold() {
    rm -f "$WORK/held"
    flock "$XTABLES_LOCKFILE" sh -c "touch '$WORK/held'; sleep $1" &
    while [ ! -e "$WORK/held" ]; do sleep 0.02; done
}

# Another program changing the firewall while ript applies: `writer` is a
# loop of `iptables -w` and `ip6tables -w` (the legacy tools, which take the
# xtables lock as ript does) adding and deleting its own rules in INPUT and
# in its chain FOREIGN, each rule tagged with its iteration. Each iteration
# deletes the previous one's rules: a delete fails if ript had lost them.
# It stops by itself after 100,000 iterations or $WRITER_SECONDS (180), or
# when $WORK/stop appears; $WORK/writer-failures lists what went wrong.

# The writer's four rules of iteration $2, as commands doing $1 (-A or -D).
writer_rules() {
    x=$(($2 % 250 + 1))
    echo "iptables -w $1 INPUT -s 192.0.2.$x/32 -m comment --comment w$2 -j ACCEPT"
    echo "iptables -w $1 FOREIGN -s 198.51.100.$x/32 -m comment --comment w$2 -j DROP"
    echo "ip6tables -w $1 INPUT -s 2001:db8::$x/128 -m comment --comment w$2 -j ACCEPT"
    echo "ip6tables -w $1 FOREIGN -s 2001:db8:1::$x/128 -m comment --comment w$2 -j DROP"
}
writer() {
    i=0; started=$(date +%s); limit=${WRITER_SECONDS:-180}
    : > "$WORK/writer-failures"
    while [ $i -lt 100000 ] && [ $(( $(date +%s) - started )) -lt "$limit" ] && [ ! -e "$WORK/stop" ]; do
        i=$((i + 1))
        { writer_rules -A $i; [ $i = 1 ] || writer_rules -D $((i - 1)); } | while read -r step; do
            # shellcheck disable=SC2086 # a command line of plain words, split into them
            $step 2> "$WORK/writer-error" || echo "failed: $step: $(cat "$WORK/writer-error")" >> "$WORK/writer-failures"
        done
    done
    echo $i > "$WORK/writer-iterations"
}

# --- Terminals and --confirm

# `terminal FILE COMMAND…` runs a command with standard output (and error,
# unless redirected) on a pseudo-terminal, writing what it showed to FILE.
terminal() { out=$1; shift; script -qec "$*" /dev/null > "$out"; }
# A keyboard for commands run on a terminal of their own (script -qec … < "$WORK/keys"):
# `printf x >&3` types. Held open, so script never sees its input end (it would type ^D).
keyboard() { rm -f "$WORK/keys"; mkfifo "$WORK/keys"; exec 3<> "$WORK/keys"; }
# `waiting PID` returns once that process waits for confirmation.
# The pid first: a waiter removes a dead one's socket before it writes
# its pid, so a socket seen after the pid matches is the waiter's own.
# (The other order could see a killed waiter's socket, then the new pid.)
waiting() {
    tries=0
    until [ "$(cat "$RIPT_RUN_DIR/confirm.pid" 2>/dev/null)" = "$1" ] && [ -S "$RIPT_RUN_DIR/confirm.sock" ]; do
        tries=$((tries + 1)); [ $tries -lt 1000 ] || { echo "pid $1 never waited for confirmation" >&2; return 1; }
        sleep 0.02
    done
}
# Loads an older version of the rules (and hand edits to ript's chains)
# that the next apply changes.
older() {
    plain
    $RIPT apply "$WORK/rules" > /dev/null
    chain=$(save | sed -n 's/^:\(dropper-a[0-9a-f]*\) .*/\1/p' | head -1)
    iptables -A "$chain" -m comment --comment "a hand edit" -j LOG --log-prefix "hand: "
    iptables -A partition-i -s 192.0.2.1/32 -j ACCEPT
    ip6tables -t nat -A partition-d -d 2001:db8::1/128 -j ACCEPT
    sed -i 's/Ports(8080)/Ports(8081)/' "$WORK/rules/dual-stack.swift"
    sed -i 's/Ports(873)/Ports(874)/' "$WORK/rules/accept-without-to.swift"
    rm "$WORK/rules/snat.swift"
}
