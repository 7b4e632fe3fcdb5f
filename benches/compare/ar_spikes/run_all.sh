#!/bin/bash
# The AR(1)-with-spikes review suite (stop 63), two binaries side by side, one headroom process at a time:
#   benches/compare/ar_spikes/run_all.sh OLD_BIN NEW_BIN [OUT]     (OUT default /tmp/ar-spikes; about 6 minutes)
# then prints the table of score.py. 8 seeds per scenario, 16 for the three `_weak` ones the review leaned on.
set -euo pipefail
old=$(realpath "$1"); new=$(realpath "$2"); out=${3:-/tmp/ar-spikes}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
for s in null step_plain step_plain_weak step_spike_first step_spike_first_weak step_spike_within8 flap flap_weak \
         flap2 flap2_weak intermittent alt_spikes sparse_reg bimodal_reg bimodal t3; do
  seeds=8; case $s in *_weak) seeds=16;; esac
  for seed in $(seq 1 $seeds); do
    w="$out/$s-$seed"
    rm -rf "$w"; python3 "$here/gen.py" "$s" "$seed" "$w"
    "$old" replay "$w" --format json > "$w/old.json"
    "$new" replay "$w" --format json > "$w/new.json"
  done
done
python3 "$here/score.py" "$out"
