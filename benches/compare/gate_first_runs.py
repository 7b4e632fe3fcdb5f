#!/usr/bin/env python3
"""A new benchmark's early regression: is it held once its start leaves the 160-commit look-back?

    python3 benches/compare/gate_first_runs.py target/release/headroom[,OTHER] /tmp/gate-first-runs [KIND] [STEPS] [SEEDS]

One workspace per binary: a budget per (step run, seed), 400 runs of KIND noise (gauss, ar, lognormal,
spikes, bimodal; 1.5 % noise) at 100 ms, +20 % held from the step's run on (STEPS, default
3,5,8,10,12,15,18,20,24,30; SEEDS, default 3). Every 8th run from run 20 is checked (`headroom check
--run`); printed per step and seed, from the step's 12th run on: F fails, w asks for a rerun (exit 3),
. passes. A sustained regression nobody accepted must never pass: the last line counts the series with a
passing check there.
"""
import json
import os
import subprocess
import sys

import numpy as np

RUNS = 400
SIZE = 0.20


def noise(kind, rng, n):
    if kind == "gauss":
        return 1 + 0.015 * rng.standard_normal(n)
    if kind == "ar":
        e = rng.standard_normal(n)
        x = np.zeros(n)
        x[0] = e[0]
        for i in range(1, n):
            x[i] = 0.7 * x[i - 1] + e[i]
        return 1 + 0.015 * x
    if kind == "lognormal":
        return np.exp(0.02 * rng.standard_normal(n))
    if kind == "spikes":
        return (1 + 0.015 * rng.standard_normal(n)) * np.where(rng.random(n) < 0.01, 1 + rng.uniform(0.2, 0.6, n), 1)
    if kind == "bimodal":
        return (1 + 0.015 * rng.standard_normal(n)) * np.where(rng.random(n) < 0.3, 1.1, 1)
    raise SystemExit(f"unknown noise kind {kind}")


def main():
    binaries = sys.argv[1].split(",")
    out = sys.argv[2]
    kind = sys.argv[3] if len(sys.argv) > 3 else "gauss"
    steps = [int(x) for x in (sys.argv[4] if len(sys.argv) > 4 else "3,5,8,10,12,15,18,20,24,30").split(",")]
    seeds = int(sys.argv[5]) if len(sys.argv) > 5 else 3
    series = {}
    for s in steps:
        for seed in range(seeds):
            v = 100 * noise(kind, np.random.default_rng(1000 * s + seed), RUNS)
            v[s:] *= 1 + SIZE
            series[f"s{s}_{seed}"] = v
    os.makedirs(os.path.join(out, "history"), exist_ok=True)
    with open(os.path.join(out, "headroom.yaml"), "w") as f:
        f.write("default_branch: main\ndefault_environment: ci\n")
    with open(os.path.join(out, "b.yaml"), "w") as f:
        f.write("budgets:\n" + "".join(f"  {k}: {{unit: ms, limit: 1000000}}\n" for k in series))
    with open(os.path.join(out, "history", "h.jsonl"), "w") as f:
        for i in range(RUNS):
            metrics = {k: float(v[i]) for k, v in series.items()}
            f.write(json.dumps({"id": f"r{i}", "timestamp": "2026-01-01T00:00:00Z", "commit": f"c{i}", "branch": "main", "environment": "ci", "metrics": metrics}) + "\n")
    for b, binary in enumerate(binaries):
        status = {k: [] for k in series}
        for i in range(20, RUNS, 8):
            p = subprocess.run([binary, "check", "--workspace", out, "--run", f"r{i}", "--format", "json"], capture_output=True, text=True)
            for r in json.loads(p.stdout)["results"]:
                status[r["budget"]].append((i, r["status"]))
        print(f"({b + 1}) {binary}, {kind} noise, +{SIZE:.0%} at the step's run")
        passing = 0
        for s in steps:
            row = []
            for seed in range(seeds):
                marks = "".join({"pass": ".", "fail": "F", "warn": "w"}[x] for i, x in status[f"s{s}_{seed}"] if i >= s + 11)
                passing += "." in marks
                row.append(marks)
            print(f"step at run {s:3d}: " + " ".join(row))
        print(f"series with a passing check from the step's 12th run on: {passing} of {len(series)}")
        print()


if __name__ == "__main__":
    main()
