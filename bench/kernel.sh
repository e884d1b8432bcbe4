#!/usr/bin/env bash
# Kernel-side benchmarks, side by side in one run, inside a network namespace
# made for the run (unshare -n) and gone after it: never this machine's own.
#
#   first load    ript rules apply            vs iptables-legacy-restore --noflush of the same rules
#   one change    ript rules apply            vs one iptc_init+iptc_commit of each changed table (a process each)
#                                             and iptables-legacy-restore --noflush of the same delta
#   in sync       ript rules diff (no-op)     vs one iptables-legacy-save
#
# RULES (default 50000) rules from bench/make-rules.py; medians of RUNS runs.
set -euo pipefail
cd "$(dirname "$0")/.."
RULES=${RULES:-50000}
RUNS=${RUNS:-5}
OUT=${OUT:-bench/out}
mkdir -p "$OUT"

if [ -z "${RIPT_BENCH_INSIDE:-}" ]; then
    swift build -c release --product ript >&2
    gcc -O2 -o "$OUT/iptc-cycle" bench/iptc-cycle.c -lip4tc
    [ -d "$OUT/rules-$RULES" ] || bench/make-rules.py --rules "$RULES" "$OUT/rules-$RULES" >&2
    exec env RIPT_BENCH_INSIDE=1 XTABLES_LOCKFILE="$PWD/$OUT/xtables.lock" unshare -n "$0" "$@"
fi

RIPT=.build/release/ript
RULE_DIR="$OUT/rules-$RULES"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cp -r "$RULE_DIR" "$WORK/rules"
CHANGED="$WORK/rules/group000/p00000.swift"

ms() { local start end; start=$(date +%s%N); "$@" > /dev/null; end=$(date +%s%N); echo $(( (end - start) / 1000000 )); }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
empty() {
    for table in filter nat; do
        iptables-legacy -t "$table" -F; iptables-legacy -t "$table" -X
    done
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

iptables-legacy -t filter -S > /dev/null; iptables-legacy -t nat -S > /dev/null
$RIPT rules generate --format restore "$WORK/rules" > "$WORK/full.restore"

# First load.
restore_load=$(for _ in $(seq "$RUNS"); do empty; ms iptables-legacy-restore --noflush "$WORK/full.restore"; done | median)
ript_load=$(for _ in $(seq "$RUNS"); do empty; ms $RIPT rules apply "$WORK/rules"; done | median)
loaded=$(iptables-legacy-save | grep -c '^-A')

# In sync: diff with nothing to do.
ript_diff=$(for _ in $(seq "$RUNS"); do ms $RIPT rules diff "$WORK/rules"; done | median)
save=$(for _ in $(seq "$RUNS"); do ms iptables-legacy-save; done | median)
[ -z "$($RIPT rules diff "$WORK/rules")" ]

# One partition changed: alternately applied by ript and by restoring the
# same delta, each followed by an untimed clean.
ript_change=()
restore_change=()
cycles=()
port=20000
for i in $(seq $((RUNS * 2))); do
    sed -i "s/Ports([0-9]*); From(\"db\")/Ports($port); From(\"db\")/" "$CHANGED"
    port=$((port + 1))
    if [ $((i % 2)) = 1 ]; then
        ript_change+=("$(ms $RIPT rules apply "$WORK/rules")")
    else
        $RIPT rules diff --format restore "$WORK/rules" > "$WORK/delta.restore"
        restore_change+=("$(ms iptables-legacy-restore --noflush "$WORK/delta.restore")")
    fi
    [ -z "$($RIPT rules diff "$WORK/rules")" ]
    $RIPT clean apply "$WORK/rules" > /dev/null
    # One init+commit of each table, each in a process of its own as ript's
    # are (a warm loop in one process reuses the 7 MB blob's pages).
    cycles+=("$(awk -v a="$("$OUT/iptc-cycle" filter 1)" -v b="$("$OUT/iptc-cycle" nat 1)" 'BEGIN { print a + b }')")
done
ript_change=$(printf '%s\n' "${ript_change[@]}" | median)
restore_change=$(printf '%s\n' "${restore_change[@]}" | median)
cycle=$(printf '%s\n' "${cycles[@]}" | median)

printf '%s rules loaded (%s kernel rules); medians of %s runs, milliseconds\n' "$RULES" "$loaded" "$RUNS"
printf '%-44s %8s %8s %8s\n' "" ript other "ript/other"
printf '%-44s %8s %8s %8s\n' "first load vs iptables-legacy-restore" "$ript_load" "$restore_load" "$(ratio "$ript_load" "$restore_load")"
printf '%-44s %8s %8s %8s\n' "one-partition change vs init+commit (f+nat)" "$ript_change" "$cycle" "$(ratio "$ript_change" "$cycle")"
printf '%-44s %8s %8s %8s\n' "one-partition change vs restore of the delta" "$ript_change" "$restore_change" "$(ratio "$ript_change" "$restore_change")"
printf '%-44s %8s %8s %8s\n' "diff in sync vs iptables-legacy-save" "$ript_diff" "$save" "$(ratio "$ript_diff" "$save")"
