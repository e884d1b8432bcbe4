#!/usr/bin/env bash
# The long fuzz run: the fuzz test of Tests/RiptCoreTests/HostileInputTests.swift
# (swift test --filter HostileInputTests.fuzz) over ITERATIONS inputs from
# SEED, split over JOBS test processes with an iteration range each.
#
#   ITERATIONS=200000 SEED=random bench/fuzz.sh
#
# Every input is a function of the seed and its iteration number, so any
# failure replays alone with the command printed beside it:
#   RIPT_FUZZ_SEED=S RIPT_FUZZ_FIRST=N RIPT_FUZZ_ITERATIONS=1 swift test --filter HostileInputTests.fuzz
# A crash kills its test process: the input it was compiling is still in
# /tmp/ript-fuzz-SEED-FIRST/ (input.swift alone, or dir/b-input.swift beside
# a good file), and the script prints where.
#
# CONFIGURATION=release runs a release build (about twenty times the inputs a
# minute, after a long first build); SLOW_LIMIT (seconds, default 2) is the
# most one input may take.
set -euo pipefail
cd "$(dirname "$0")/.."
ITERATIONS=${ITERATIONS:-20000}
SEED=${SEED:-random}
JOBS=${JOBS:-$(nproc)}
CONFIGURATION=${CONFIGURATION:-debug}
SLOW_LIMIT=${SLOW_LIMIT:-2}
if [ "$SEED" = random ]; then SEED=$(od -An -N4 -tu4 /dev/urandom | tr -d ' '); fi

echo "ript fuzz: seed $SEED, $ITERATIONS iterations in $JOBS jobs, $CONFIGURATION build"
# The kernel tests' @testable imports need testing enabled, which release builds don't do by themselves.
testing=()
if [ "$CONFIGURATION" = release ]; then testing=(-Xswiftc -enable-testing); fi
swift build --build-tests -c "$CONFIGURATION" "${testing[@]}" >&2
LOGS=$(mktemp -d /tmp/ript-fuzz-logs-XXXXXX)
chunk=$(( (ITERATIONS + JOBS - 1) / JOBS ))
start=$(date +%s)
pids=() firsts=()
for job in $(seq 0 $(( JOBS - 1 ))); do
    first=$(( job * chunk ))
    count=$(( ITERATIONS - first < chunk ? ITERATIONS - first : chunk ))
    [ "$count" -gt 0 ] || break
    # --ignore-lock: the jobs share one build, already made, and only read it.
    RIPT_FUZZ_SEED=$SEED RIPT_FUZZ_FIRST=$first RIPT_FUZZ_ITERATIONS=$count RIPT_FUZZ_SLOW_LIMIT=$SLOW_LIMIT \
        swift test -c "$CONFIGURATION" --skip-build --ignore-lock --filter 'HostileInputTests.fuzz' > "$LOGS/$job.log" 2>&1 &
    pids+=("$!") firsts+=("$first")
done

failed=0
for index in "${!pids[@]}"; do
    status=0
    wait "${pids[$index]}" || status=$?
    log="$LOGS/$index.log"
    grep -h '^ript fuzz: ' "$log" | grep -v 'is kept in' || true
    if [ "$status" -ne 0 ]; then
        failed=1
        echo "ript fuzz: job $index (iterations from ${firsts[$index]}) failed with status $status; its log is $log"
        # Issues name their iteration, the saved input and the replay command.
        grep -h -A3 '^↳ iteration\|Fatal error\|Signal [0-9]\|Program crashed' "$log" | head -40 || true
        if ! grep -q 'failures$' "$log"; then
            echo "ript fuzz: the process died; the input it was compiling is in /tmp/ript-fuzz-$SEED-${firsts[$index]}/"
        fi
    fi
done
elapsed=$(( $(date +%s) - start ))
if [ "$failed" -eq 0 ]; then rm -rf "$LOGS"; fi
echo "ript fuzz: seed $SEED, $ITERATIONS iterations, $elapsed s, $([ "$failed" -eq 0 ] && echo "no failures" || echo "FAILURES")"
exit "$failed"
