"""The gate on a new benchmark's regression: a step at run 12-25 of 80, replayed as CI checks it.

    cargo build --release --no-default-features
    python3 benches/compare/gate_early.py target/release/headroom[,OTHER_BINARY] /tmp/gate-early SEED

`gate_accuracy` and `gate_shapes.py` step late in 400-run histories, so the reference before a step
is long; here it is the benchmark's first 12-25 runs. Kinds of noise from `gate_shapes.py` (its
ranges): the issue's eight, AR(1) with spikes and Gaussian with big spikes; 4 workspaces of 16
budgets each, three in four stepping by 5-25 %. Prints, per binary, the false alarms per check
(before a budget's step, from run 8) by kind, and for steps past 5 % by size in noise σ: failed within
12 runs, ever, and the share of the checks from 10 runs after the step on that fail; then, per kind of
noise, the 4-8σ steps failed by the 2nd check, within 12 runs and ever.
"""
import collections
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gate_shapes as g  # noqa: E402
KINDS = ['gaussian', 'lognormal', 'bimodal', 'student', 'ar1', 'spikes', 'coarse', 'seasonal', 'arspikes', 'bigspikes']
RUNS, FIRST = 80, 8


def main():
    bins, out, seed = sys.argv[1].split(","), sys.argv[2], int(sys.argv[3])
    g.rng.seed(seed)
    truth = {}
    for kind in KINDS:
        for w in range(4):
            series = []
            for b in range(16):
                has = b % 4 != 3
                at = g.rng.randrange(12, 26) if has else None
                step = g.rng.uniform(0.05, 0.25) if has else 0.0
                vals, sd = g.make(kind, RUNS, at, step, 1)
                series.append(dict(values=vals, at=at, step=step, sd=sd))
            g.write_workspace(f"{out}/{kind}-{w}", [s["values"] for s in series])
            truth[f"{kind}-{w}"] = [dict(at=s["at"], step=s["step"], sigma=s["step"] / s["sd"]) for s in series]
    for binary in bins:
        fa = collections.Counter(); checks = collections.Counter(); det = collections.defaultdict(lambda: [0, 0, 0, 0, 0, 0])
        for ws, budgets in truth.items():
            kind = ws.rsplit('-', 1)[0]
            rep = json.loads(subprocess.run([binary, "replay", f"{out}/{ws}", "--format", "json"], capture_output=True, text=True, check=True).stdout)
            alarms = collections.defaultdict(list)
            for a in rep["alarms"]:
                alarms[a["budget"]].append((a["index"], a["runs"]))
            for b, t in enumerate(budgets):
                end = t["at"] if t["at"] is not None else RUNS
                checks[kind] += max(0, end - FIRST)
                for (i, n) in alarms.get(f"m{b}", []):
                    fa[kind] += max(0, min(i + n, end) - max(i, FIRST))
                if t["at"] is None or t["step"] <= 0.05:
                    continue
                sz = '<4' if t["sigma"] < 4 else '4-8' if t["sigma"] < 8 else '>=8'
                al = alarms.get(f"m{b}", [])
                first = min([max(i, t["at"]) for (i, n) in al if i + n > t["at"]], default=None)
                # share of checks from 10 runs after the step on that fail
                late = set(range(t["at"] + 10, RUNS))
                failing = sum(1 for r in late if any(i <= r < i + n for (i, n) in al))
                for key in [sz, 'all', (kind, sz)]:
                    d = det[key]; d[0] += 1
                    if first is not None:
                        d[1] += first - t["at"] < 12; d[2] += 1; d[5] += first - t["at"] < 2
                    d[3] += failing; d[4] += len(late)
        print(f"== {binary}")
        print(" FA:", " ".join(f"{k} {fa[k]}/{checks[k]}" for k in KINDS), f"| all {sum(fa.values())}/{sum(checks.values())}")
        for key in ['<4', '4-8', '>=8', 'all']:
            c, w12, ev, fl, tot, _ = det[key]
            print(f" steps {key}: {c}, within 12 {100*w12/max(1,c):.1f} %, ever {100*ev/max(1,c):.1f} %, checks failing 10+ runs after {100*fl/max(1,tot):.1f} %")
        print(" 4-8σ by kind (steps: by 2nd, within 12, ever):", "; ".join(
            f"{k} {det[(k, '4-8')][0]}: {det[(k, '4-8')][5]}, {det[(k, '4-8')][1]}, {det[(k, '4-8')][2]}" for k in KINDS))


if __name__ == "__main__":
    main()
