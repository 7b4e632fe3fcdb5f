"""The gate on noise with a second mode: a machine state some runs land on (bimodal), and spikes that
come often. Every check of every run, as `headroom replay` makes them, for one binary or two side by side.

    cargo build --release --no-default-features
    python3 benches/compare/gate_modes.py target/release/headroom[,OTHER_BINARY] /tmp/gate-modes SEEDS

A. False alarms per check of iid bimodal noise, 600 runs per history, SEEDS histories per cell: the slow
   state's share p (5, 15, 30, 50 % of runs), how much slower it is d (8, 20 %) and the noise s (0.5,
   1.5 %), from run 20 on. Alarms before run 40 (a new benchmark's first runs, which cannot have seen the
   slow state yet) are counted apart.
B. False alarms of spikes that come often: 1-8 % of runs 1.5-5 times slower, in 1-5 % noise.
C. Steps of 8-30 % at run 200 in bimodal noise (p 10-50 %, d 5-30 %, s 0.5-2 %) and in those spikes, 30
   checks after each: histories failed by the step's 2nd check and within 12 checks, the checks that
   failed, and the median first failure (checks after the step's first run).
"""
import json
import os
import shutil
import subprocess
import sys
from multiprocessing import Pool

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gate_shapes  # noqa: E402  (its workspace writer)

RUNS = 600
STEP_AT = 200
AFTER = 30
EARLY = 40


def alarms(binary, ws):
    out = subprocess.run([binary, "replay", ws, "--format", "json"], capture_output=True, text=True, check=False)
    report = json.loads(out.stdout)
    failed = set()
    for a in report["alarms"]:
        failed.update(range(a["index"], a["index"] + a["runs"]))
    return failed, report["runs_checked"]


def bimodal(rng, n, p, d, s):
    return 100 * (1 + d * (rng.random(n) < p)) * (1 + rng.normal(0, s, n))


def spikes(rng, n):
    x = 100 * (1 + rng.normal(0, rng.uniform(0.01, 0.05), n))
    m = rng.random(n) < rng.uniform(0.01, 0.08)
    x[m] *= rng.uniform(1.5, 5, m.sum())
    return x


CELLS = [(p, d, s) for p in (0.05, 0.15, 0.3, 0.5) for d in (0.08, 0.2) for s in (0.005, 0.015)]


def history(job):
    part, index, seed = job
    rng = np.random.default_rng([seed, index, {"A": 1, "B": 2, "C": 3}[part]])
    if part == "A":
        return bimodal(rng, RUNS, *CELLS[index]), None
    if part == "B":
        return spikes(rng, RUNS), None
    if index == 0:
        values = bimodal(rng, STEP_AT + AFTER, rng.uniform(0.1, 0.5), rng.uniform(0.05, 0.3), rng.uniform(0.005, 0.02))
    else:
        values = spikes(rng, STEP_AT + AFTER)
    values[STEP_AT:] *= 1 + rng.uniform(0.08, 0.3)
    return values, STEP_AT


def run(job):
    binaries, out, part, index, seed = job
    values, step = history((part, index, seed))
    ws = os.path.join(out, f"{part}{index}_{seed}")
    gate_shapes.write_workspace(ws, [values])
    results = [alarms(b, ws) for b in binaries]
    shutil.rmtree(ws)
    return part, index, seed, step, results


def main():
    binaries = sys.argv[1].split(",")
    out, seeds = sys.argv[2], int(sys.argv[3])
    os.makedirs(out, exist_ok=True)
    jobs = [(binaries, out, "A", c, s) for c in range(len(CELLS)) for s in range(seeds)]
    jobs += [(binaries, out, "B", 0, s) for s in range(4 * seeds)]
    jobs += [(binaries, out, "C", k, s) for k in (0, 1) for s in range(seeds)]
    with Pool(2) as pool:
        done = pool.map(run, jobs)
    print("binaries: " + ", ".join(f"({i + 1}) {b}" for i, b in enumerate(binaries)))
    print()
    print("A. iid bimodal noise: false alarms per check (those before run 40 apart)")
    print()
    print("| slow share | slower by | noise | checks | " + " | ".join(f"false ({i + 1}) | of them early ({i + 1})" for i in range(len(binaries))) + " |")
    print("|---|---|---|---|" + "---|---|" * len(binaries))
    totals = [[0, 0] for _ in binaries]
    checks_all = 0
    for c, (p, d, s) in enumerate(CELLS):
        rows = [x for x in done if x[0] == "A" and x[1] == c]
        checks = sum(x[4][0][1] for x in rows)
        checks_all += checks
        cells = []
        for i in range(len(binaries)):
            false = sum(len(x[4][i][0]) for x in rows)
            early = sum(len([t for t in x[4][i][0] if t < EARLY]) for x in rows)
            totals[i][0] += false
            totals[i][1] += early
            cells.append(f"{false} ({100 * false / checks:.3f} %) | {early}")
        print(f"| {p:.0%} | {d:.0%} | {s:.1%} | {checks} | " + " | ".join(cells) + " |")
    print(f"| all | | | {checks_all} | " + " | ".join(f"{f} ({100 * f / checks_all:.3f} %) | {e}" for f, e in totals) + " |")
    print()
    rows = [x for x in done if x[0] == "B"]
    checks = sum(x[4][0][1] for x in rows)
    print("B. spikes (1-8 % of runs 1.5-5 times slower, 1-5 % noise): false alarms per check")
    print()
    for i, b in enumerate(binaries):
        false = sum(len(x[4][i][0]) for x in rows)
        print(f"- ({i + 1}) {false} of {checks} ({100 * false / checks:.3f} %)")
    print()
    print(f"C. a step of 8-30 % at run {STEP_AT}, {AFTER} checks after it")
    print()
    print("| noise | binary | histories | by 2nd check | within 12 | checks failing | median first failure |")
    print("|---|---|---|---|---|---|---|")
    for k, name in ((0, "bimodal"), (1, "spikes")):
        rows = [x for x in done if x[0] == "C" and x[1] == k]
        for i in range(len(binaries)):
            after = [sorted(t - STEP_AT for t in x[4][i][0] if t >= STEP_AT) for x in rows]
            first = sorted(a[0] for a in after if a)
            median = first[len(first) // 2] if first else "-"
            by2 = sum(1 for a in after if a and a[0] <= 1)
            w12 = sum(1 for a in after if a and a[0] <= 11)
            failing = sum(len(a) for a in after)
            print(f"| {name} | ({i + 1}) | {len(rows)} | {by2} | {w12} | {failing} of {len(rows) * AFTER} | {median} |")


if __name__ == "__main__":
    main()
