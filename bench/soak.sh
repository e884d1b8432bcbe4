#!/usr/bin/env bash
# Soak runs of the reliability tests: the same tests CI runs
# (Tests/ReliabilityTests/ZeroDowntimeTests.swift, CrashSafetyTests.swift,
# ConcurrentWriterTests.swift), bigger. Every kernel change happens in network
# namespaces the tests make and delete, never in this machine's own.
#
#   FILLERS   partitions of 20 rules on the zero-downtime router (CI: 500, 10,510 rules)
#   CHANGES   applies to other partitions while the stream runs   (CI: 20)
#   TRIALS    SIGKILLs at random moments of an apply              (CI: 50)
#   APPLIES   applies while another program writes               (CI: 50)
#
#   bench/soak.sh                    # 50,000-rule router, 200 changes, 500 kills, 500 applies
#   TRIALS=1000 bench/soak.sh        # more of one kind
#
# Prints each test's figures (the lines the tests print) and exits non-zero
# if any test failed.
set -euo pipefail
cd "$(dirname "$0")/.."
export RIPT_SOAK_FILLERS=${FILLERS:-2500}
export RIPT_SOAK_CHANGES=${CHANGES:-200}
export RIPT_SOAK_TRIALS=${TRIALS:-500}
export RIPT_SOAK_APPLIES=${APPLIES:-500}
echo "soak: $RIPT_SOAK_FILLERS router partitions, $RIPT_SOAK_CHANGES changes, $RIPT_SOAK_TRIALS kills, $RIPT_SOAK_APPLIES applies"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
start=$(date +%s)
status=0
swift test --filter 'ZeroDowntimeTests|CrashSafetyTests|ConcurrentWriterTests' > "$log" 2>&1 || status=$?
grep -E '^(zero downtime|SIGKILL trials|concurrent writer)|^✘|passed after|failed after' "$log" | grep -v '^✔ Suite' || true
echo "soak took $(( $(date +%s) - start )) s; swift test exit $status"
exit $status
