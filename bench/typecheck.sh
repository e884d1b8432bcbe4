#!/usr/bin/env bash
# Times swiftc type-checking rule files against RiptDSL, as an editor does:
# one partition body of N statements of every kind, and the same statements
# split into groups of 25. Type-checking grows faster than one builder
# body's length, and groups do not change that: they are for reading.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --target RiptDSL >&2
MODULES=$(swift build --show-bin-path)/Modules
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

write() {  # write COUNT GROUPED FILE
    python3 - "$1" "$2" "$3" <<'PY'
import sys
count, grouped, path = int(sys.argv[1]), sys.argv[2] == "1", sys.argv[3]
kinds = [
    'Label("h{i}", address: "10.0.{a}.{b}")',
    'Accept("a{i}") {{ Ports(80, 8000...8100); From("h{i}"); To("all") }}',
    'Drop("d{i}") {{ Protocols("udp", 47); From("h{i}") }}',
    'Rewrite("r{i}", log: true) {{ Ports(2222 => 22); DNAT(["h{i}", "h0"] => "h5") }}',
    'Reject("x{i}") {{ Ports(25); To("h{i}"); Interface("vlan+") }}',
]
lines = [kinds[i % 5].format(i=i, a=i // 256, b=i % 256) for i in range(count)]
out = ["import RiptDSL", "", 'Partition("big") {']
if grouped:
    for start in range(0, count, 25):
        out += ["    Group {"] + ["        " + l for l in lines[start:start + 25]] + ["    }"]
else:
    out += ["    " + l for l in lines]
out.append("}")
open(path, "w").write("\n".join(out) + "\n")
PY
}

printf '%-12s %-18s %s\n' statements "one body (s)" "groups of 25 (s)"
for count in ${COUNTS:-50 200 400}; do
    write "$count" 0 "$WORK/one.swift"
    write "$count" 1 "$WORK/grouped.swift"
    one=$( { /usr/bin/time -f %e swiftc -typecheck -I "$MODULES" "$WORK/one.swift" 2>&1 >/dev/null; } | tail -1)
    grouped=$( { /usr/bin/time -f %e swiftc -typecheck -I "$MODULES" "$WORK/grouped.swift" 2>&1 >/dev/null; } | tail -1)
    printf '%-12s %-18s %s\n' "$count" "$one" "$grouped"
done
