#!/usr/bin/env bash
# ADR 030's CI gate: run the micro-benchmark suite, import it into the budgets' history, prove the
# budgets are the agreed ones, and check p95 latency and peak memory against capability_budgets.yaml.
#
#   ci/gate.sh RUN_ID COMMIT BRANCH        (the GitHub Actions job calls it; so can you, locally)
#
# Exit codes are `headroom check`'s: 0 within budget, 1 over budget or regressed, 2 invalid input.
# A run beyond the noise but unconfirmed (3, inconclusive) is benchmarked again on the same commit,
# up to three times; the check pools the runs of that commit.
set -euo pipefail
cd "$(dirname "$0")/.."
headroom="${HEADROOM:-headroom}"
run_id="$1" commit="$2" branch="$3"

benchmark() {
  # Short rounds keep the gate quick; every round's time is kept (`stats.data`), so the p95 and
  # the regression test use the samples, not one summary number. The capabilities compute and
  # never wait, so the CPU time of a call is its latency, without the time a busy shared runner
  # gives to its neighbours (use the default wall clock for code that waits on I/O).
  python3 -m pytest -q -p no:cacheprovider tests --benchmark-json="$1" \
    --benchmark-min-rounds=30 --benchmark-max-time=0.03 --benchmark-warmup=on \
    --benchmark-timer=time.process_time >/dev/null
}

import_run() {
  "$headroom" import --from pytest-benchmark "$1" --into budgets \
    --run-id "$2" --commit "$commit" --branch "$branch" --env ci
}

benchmark benchmarks.json
import_run benchmarks.json "$run_id"
# Against the base where the job names one (HEADROOM_BASE): without one, a ledger rewritten whole
# is as consistent as the agreed one.
"$headroom" verify budgets ${HEADROOM_BASE:+--base "$HEADROOM_BASE"}
status=0
# `--run`: the run measured here, never another run the history was given (one dated ahead, say).
"$headroom" check budgets --env ci --run "$run_id" --format "${HEADROOM_FORMAT:-text}" || status=$?
for attempt in 1 2 3; do
  [ "$status" -eq 3 ] || break
  echo "inconclusive: benchmarking commit $commit again ($attempt of 3)"
  benchmark benchmarks.json
  import_run benchmarks.json "$run_id-rerun-$attempt"
  status=0
  "$headroom" check budgets --env ci --run "$run_id-rerun-$attempt" --format "${HEADROOM_FORMAT:-text}" || status=$?
done
exit "$status"
