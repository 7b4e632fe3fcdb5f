#!/bin/bash
# The stop-62 examiner: an independent generator from the issue's words (twelve kinds of noise, 16 budgets x
# 300-400 hourly runs, 12 budgets in 16 stepping by 2-25 % at runs N-150..N-20), replayed with BIN.
#   cargo build --release --no-default-features
#   benches/compare/examiner/run_all.sh target/release/headroom TAG [WS_PER_KIND, default 30]
# Seeds 101 and 202; workspaces in $EXAM_DIR/ws_SEED (default /tmp/exam; generated once, shared by binaries);
# results $EXAM_DIR/res_TAG_SEED.json; tables printed and saved to $EXAM_DIR/TAG_tables.txt. Two binaries side by
# side: python3 benches/compare/examiner/score.py res_A_101.json res_B_101.json. About 10 minutes per binary here.
set -euo pipefail
BIN=$1; TAG=$2; PK=${3:-30}
D=${EXAM_DIR:-/tmp/exam}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$D"
for SEED in 101 202; do
  if [ ! -f "$D/ws_$SEED/.done_$PK" ]; then
    rm -rf "$D/ws_$SEED"; python3 "$HERE/gen.py" $SEED "$D/ws_$SEED" $PK; touch "$D/ws_$SEED/.done_$PK"
  fi
  python3 "$HERE/run.py" "$BIN" "$D/ws_$SEED" "$D/res_${TAG}_$SEED.json"
done
{ for SEED in 101 202; do echo "##### seed $SEED"; python3 "$HERE/score.py" "$D/res_${TAG}_$SEED.json"; done; } | tee "$D/${TAG}_tables.txt"
