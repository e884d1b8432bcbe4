#!/usr/bin/env bash
# Kernel-side benchmarks, side by side in one run, inside a network namespace
# made for the run (unshare -n) and gone after it: never this machine's own.
#
#   first load    ript rules apply            vs iptables-legacy-restore --noflush of the same rules
#                                                (and ip6tables-legacy-restore of the IPv6 half)
#   one change    ript rules apply            vs one iptc_init+iptc_commit (ip6tc_ for IPv6) of each
#                                                changed table, a process each
#                                             and iptables/ip6tables-legacy-restore --noflush of the same delta
#                                             and the same init+commit, each table then read back
#                                                (the floor for a tool that verifies its commits)
#   in sync       ript rules diff (no-op)     vs one iptables-legacy-save and one ip6tables-legacy-save
#
# RULES (default 50000) rules from bench/make-rules.py; medians of RUNS runs.
# ript runs as dist/ript.service runs it, with GLIBC_TUNABLES=glibc.malloc.hugetlb=1.
# ript is the binary the .deb installs (dist/build-static.sh); BINARY=release
# measures the ordinary `swift build -c release` one, and BINARY=/path/to/ript
# one built elsewhere (another commit's, for an A/B run).
# DUAL=1: a dual-stack set, RULES/2 rules in each family (RULES=50000 DUAL=1
# is 25,000 per family). Without it every rule is IPv4, and ript makes no
# ip6tables chains for it.
set -euo pipefail
cd "$(dirname "$0")/.."
RULES=${RULES:-50000}
RUNS=${RUNS:-5}
DUAL=${DUAL:-}
OUT=${OUT:-bench/out}
SET="rules-$RULES"
[ -n "$DUAL" ] && SET="rules-dual-$RULES"
mkdir -p "$OUT"

if [ -z "${RIPT_BENCH_INSIDE:-}" ]; then
    # The binary the .deb installs (dist/build-static.sh: Swift runtime
    # linked in; it starts 2 ms sooner and ran first loads 8% faster than
    # the ordinary release build). BINARY=release measures that one instead.
    case "${BINARY:-static}" in
        static) dist/build-static.sh "$OUT/ript" >&2 ;;
        release) swift build -c release --product ript >&2 ;;
        *) [ -x "$BINARY" ] || { echo "BINARY=$BINARY: not an executable (static, release or a path)" >&2; exit 2; } ;;
    esac
    gcc -O2 -o "$OUT/iptc-cycle" bench/iptc-cycle.c -lip4tc
    gcc -O2 -DIPV6 -o "$OUT/ip6tc-cycle" bench/iptc-cycle.c -lip6tc
    [ -d "$OUT/$SET" ] || bench/make-rules.py --rules "$RULES" ${DUAL:+--dual} "$OUT/$SET" >&2
    exec env RIPT_BENCH_INSIDE=1 XTABLES_LOCKFILE="$PWD/$OUT/xtables.lock" unshare -n "$0" "$@"
fi

RIPT=.build/release/ript
case "${BINARY:-static}" in
    static) RIPT="$OUT/ript" ;;
    release) ;;
    *) RIPT=$(realpath "$BINARY") ;;
esac
# ript as dist/ript.service runs it: glibc's malloc on transparent huge pages.
ript() { GLIBC_TUNABLES=glibc.malloc.hugetlb=1 "$RIPT" "$@"; }
RULE_DIR="$OUT/$SET"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cp -r "$RULE_DIR" "$WORK/rules"
CHANGED="$WORK/rules/group000/p00000.swift"

ms() { local start end; start=$(date +%s%N); "$@" > /dev/null; end=$(date +%s%N); echo $(( (end - start) / 1000000 )); }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
empty() {
    for tool in iptables-legacy ip6tables-legacy; do
        for table in filter nat; do
            $tool -t "$table" -F; $tool -t "$table" -X
        done
    done
}
restore_both() { iptables-legacy-restore --noflush "$1"; ip6tables-legacy-restore --noflush "$2"; }
save_both() { iptables-legacy-save; ip6tables-legacy-save; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

for tool in iptables-legacy ip6tables-legacy; do $tool -t filter -S > /dev/null; $tool -t nat -S > /dev/null; done
ript rules generate --format restore --family 4 "$WORK/rules" > "$WORK/full.restore"
ript rules generate --format restore --family 6 "$WORK/rules" > "$WORK/full6.restore"

# First load, ript and the restores taking turns (this machine's speed
# drifts; alternating keeps the drift out of the ratio).
restore_loads=()
ript_loads=()
for _ in $(seq "$RUNS"); do
    empty; restore_loads+=("$(ms restore_both "$WORK/full.restore" "$WORK/full6.restore")")
    empty; ript_loads+=("$(ms ript rules apply "$WORK/rules")")
done
restore_load=$(printf '%s\n' "${restore_loads[@]}" | median)
ript_load=$(printf '%s\n' "${ript_loads[@]}" | median)
loaded=$(iptables-legacy-save | grep -c '^-A')
loaded6=$(ip6tables-legacy-save | grep -c '^-A' || true)

# In sync: diff with nothing to do, taking turns with the saves.
ript_diffs=()
saves=()
for _ in $(seq "$RUNS"); do
    ript_diffs+=("$(ms ript rules diff "$WORK/rules")")
    saves+=("$(ms save_both)")
done
ript_diff=$(printf '%s\n' "${ript_diffs[@]}" | median)
save=$(printf '%s\n' "${saves[@]}" | median)
[ -z "$(ript rules diff "$WORK/rules")" ]

# One partition changed: alternately applied by ript and by restoring the
# same delta, each followed by an untimed clean.
ript_changes=()
restore_changes=()
cycles=()
floors=()
port=20000
for i in $(seq $((RUNS * 2))); do
    sed -i "s/Ports([0-9]*); From(\"db\"/Ports($port); From(\"db\"/" "$CHANGED"
    port=$((port + 1))
    if [ $((i % 2)) = 1 ]; then
        ript_changes+=("$(ms ript rules apply "$WORK/rules")")
    else
        ript rules diff --format restore --family 4 "$WORK/rules" > "$WORK/delta.restore"
        ript rules diff --format restore --family 6 "$WORK/rules" > "$WORK/delta6.restore"
        restore_changes+=("$(ms restore_both "$WORK/delta.restore" "$WORK/delta6.restore")")
    fi
    [ -z "$(ript rules diff "$WORK/rules")" ]
    ript clean apply "$WORK/rules" > /dev/null
    # One init+commit of each table that changes, each in a process of its
    # own as ript's are (a warm loop in one process reuses the 7 MB blob's
    # pages): the partition's new chains are made in filter and nat of each
    # family it has rules in.
    cycles+=("$( { "$OUT/iptc-cycle" filter 1; "$OUT/iptc-cycle" nat 1
                   if [ -n "$DUAL" ]; then "$OUT/ip6tc-cycle" filter 1; "$OUT/ip6tc-cycle" nat 1; fi; } | awk '{ s += $1 } END { print s }')")
    # The same, each table then read back from the kernel (nothing decoded):
    # the floor for any tool that verifies its commits by reading them back.
    floors+=("$( { "$OUT/iptc-cycle" filter 1 verify; "$OUT/iptc-cycle" nat 1 verify
                   if [ -n "$DUAL" ]; then "$OUT/ip6tc-cycle" filter 1 verify; "$OUT/ip6tc-cycle" nat 1 verify; fi; } | awk '{ s += $1 } END { print s }')")
done
ript_change=$(printf '%s\n' "${ript_changes[@]}" | median)
restore_change=$(printf '%s\n' "${restore_changes[@]}" | median)
cycle=$(printf '%s\n' "${cycles[@]}" | median)
floor=$(printf '%s\n' "${floors[@]}" | median)
tables=2; [ -n "$DUAL" ] && tables=4

printf '%s rules%s loaded (%s iptables and %s ip6tables kernel rules); medians of %s runs, milliseconds\n' \
    "$RULES" "${DUAL:+ (dual stack)}" "$loaded" "$loaded6" "$RUNS"
printf '%-44s %8s %8s %8s\n' "" ript other "ript/other"
printf '%-44s %8s %8s %8s\n' "first load vs iptables-legacy-restore" "$ript_load" "$restore_load" "$(ratio "$ript_load" "$restore_load")"
printf '%-44s %8s %8s %8s\n' "one-partition change vs init+commit ($tables tables)" "$ript_change" "$cycle" "$(ratio "$ript_change" "$cycle")"
printf '%-44s %8s %8s %8s\n' "one-partition change vs restore of the delta" "$ript_change" "$restore_change" "$(ratio "$ript_change" "$restore_change")"
printf '%-44s %8s %8s %8s\n' "one-partition change vs init+commit+read back" "$ript_change" "$floor" "$(ratio "$ript_change" "$floor")"
printf '%-44s %8s %8s %8s\n' "init+commit+read back (C) vs init+commit" "$floor" "$cycle" "$(ratio "$floor" "$cycle")"
printf '%-44s %8s %8s %8s\n' "diff in sync vs iptables+ip6tables-legacy-save" "$ript_diff" "$save" "$(ratio "$ript_diff" "$save")"
