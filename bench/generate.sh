#!/usr/bin/env bash
# Times `ript rules generate --format restore` (release build) on synthetic
# rule directories of 1,000, 10,000 and 50,000 rules (bench/make-rules.py),
# and prints seconds as the median of RUNS runs: parsing every file
# (--no-cache), and with a warm compile cache (nothing changed since the last run).
#
# With RIPT_ORIGINAL=/path/to/original/ript/bin/ript (a checkout of Ruby's
# Ript, with ruby installed) the original runs side by side on the same
# rules, written in its DSL, and the ratio is printed. The original reads
# the kernel's chains while generating and insists on root, so it runs in a
# fresh network namespace (unshare -n), never in this machine's own.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
SIZES=${SIZES:-"1000 10000 50000"}
WORK=${WORK:-bench/out}

swift build -c release --product ript >&2
RIPT=.build/release/ript

# Median wall-clock seconds of RUNS runs of a command (output discarded).
median() {
    local times=()
    for _ in $(seq "$RUNS"); do
        local start end
        start=$(date +%s%N)
        "$@" > /dev/null
        end=$(date +%s%N)
        times+=("$(( (end - start) / 1000000 ))")
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "%.3f", a[int((NR + 1) / 2)] / 1000 }'
}

export RIPT_CACHE_DIR="$PWD/$WORK/cache"
printf '%-8s %-7s %-12s %-12s %-14s %s\n' rules files "ript (s)" "warm (s)" "original (s)" "original / ript"
for rules in $SIZES; do
    dir="$WORK/rules-$rules"
    [ -d "$dir" ] || bench/make-rules.py --rules "$rules" "$dir" >&2
    files=$(find "$dir" -name '*.swift' | wc -l)
    ript_seconds=$(median "$RIPT" rules generate --no-cache --format restore "$dir")
    "$RIPT" rules generate --format restore "$dir" > /dev/null
    warm_seconds=$(median "$RIPT" rules generate --format restore "$dir")
    original="-" ratio="-"
    if [ -n "${RIPT_ORIGINAL:-}" ]; then
        ruby_dir="$WORK/ruby-rules-$rules"
        [ -d "$ruby_dir" ] || bench/make-rules.py --ruby --rules "$rules" "$ruby_dir" >&2
        original=$(median unshare -n ruby "$RIPT_ORIGINAL" rules generate "$ruby_dir")
        ratio=$(awk -v o="$original" -v r="$ript_seconds" 'BEGIN { printf "%.1fx", o / r }')
    fi
    printf '%-8s %-7s %-12s %-12s %-14s %s\n' "$rules" "$files" "$ript_seconds" "$warm_seconds" "$original" "$ratio"
done
if [ -z "${RIPT_ORIGINAL:-}" ]; then
    echo "(the original Ript takes 4.2 s for 50,000 rules, as measured on the machine that made these figures; set RIPT_ORIGINAL to run it here)"
fi
