"""The gate's false alarms on noise past the parameter ranges of the issue's kinds and of `gate_accuracy`:
every check of every run from the 20th, as `headroom replay` makes them, for one binary or two side by side.

    cargo build --release --no-default-features
    python3 benches/compare/gate_ranges.py target/release/headroom[,OTHER_BINARY] /tmp/gate-ranges 6

PER_KIND workspaces (the last argument) of 16 budgets x 400 runs of noise alone (no step: every failing check
is a false alarm) for each kind, seeded by the kind's name and the workspace's index: a slow state on 30 % of
runs 5-30 % slower in 0.5-3 % noise (bimodal30); log-normal with a log σ of 20-40 % (lognormal_wide); Student t
with 2.1-2.5 degrees of freedom (t2); AR(1) at φ 0.85-0.95 (ar_high); 2-5 % of runs 20-60 % slower in 1-4 %
noise (spikes_dense); a timer of whole milliseconds at 1-3 ms (coarse_tiny); a daily cycle of 3-6 σ
(daily_strong, 24 runs); and a weekly one of 1-3 σ (weekly: 168 runs, hourly runs of a runtime metric, of
which 400 runs see 2.4 cycles). Prints the false alarms per check by kind and binary.
"""
import json
import math
import os
import random
import subprocess
import sys
from multiprocessing import Pool

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gate_shapes  # noqa: E402  (its workspace writer)

RUNS, FIRST = 400, 20
KINDS = ["bimodal30", "lognormal_wide", "t2", "ar_high", "spikes_dense", "coarse_tiny", "daily_strong", "weekly"]


def t_dof(rng, dof):
    """Student's t with `dof` degrees of freedom."""
    return rng.gauss(0, 1) / math.sqrt(rng.gammavariate(dof / 2, 2) / dof)


def make(rng, kind):
    """One series of `kind` noise, RUNS runs."""
    s, base = rng.uniform(0.01, 0.10), 10 ** rng.uniform(-1, 3)
    if kind == "bimodal30":
        s, d = rng.uniform(0.005, 0.03), rng.uniform(0.05, 0.30)
        return [base * (1 + s * rng.gauss(0, 1)) * (1 + d if rng.random() < 0.3 else 1) for _ in range(RUNS)]
    if kind == "lognormal_wide":
        ls = rng.uniform(0.2, 0.4)
        return [base * math.exp(ls * rng.gauss(0, 1)) for _ in range(RUNS)]
    if kind == "t2":
        dof = rng.uniform(2.1, 2.5)
        return [base * (1 + s * 0.5 * t_dof(rng, dof)) for _ in range(RUNS)]
    if kind == "ar_high":
        phi, ar, out = rng.uniform(0.85, 0.95), rng.gauss(0, 1), []
        for _ in range(RUNS):
            ar = phi * ar + math.sqrt(1 - phi * phi) * rng.gauss(0, 1)
            out.append(base * (1 + s * ar))
        return out
    if kind == "spikes_dense":
        p, s = rng.uniform(0.02, 0.05), rng.uniform(0.01, 0.04)
        return [base * (1 + s * rng.gauss(0, 1)) * (1 + rng.uniform(0.2, 0.6) if rng.random() < p else 1) for _ in range(RUNS)]
    if kind == "coarse_tiny":
        level, s = rng.uniform(1.0, 3.0), rng.uniform(0.05, 0.2)
        return [max(0.0, round(level * (1 + s * rng.gauss(0, 1)))) for _ in range(RUNS)]
    period, amp = (24, rng.uniform(3, 6) * s) if kind == "daily_strong" else (168, rng.uniform(1, 3) * s)
    phase = rng.uniform(0, 2 * math.pi)
    return [base * (1 + amp * math.sin(2 * math.pi * i / period + phase) + s * rng.gauss(0, 1)) for i in range(RUNS)]


def job(args):
    binaries, out, kind, w = args
    rng = random.Random(f"{kind}-{w}")
    ws = os.path.join(out, f"{kind}-{w}")
    gate_shapes.write_workspace(ws, [make(rng, kind) for _ in range(16)])
    alarms = []
    for b in binaries:
        r = json.loads(subprocess.run([b, "replay", ws, "--format", "json"], capture_output=True, text=True, check=False).stdout)
        alarms.append(sum(max(0, a["index"] + a["runs"] - max(a["index"], FIRST)) for a in r["alarms"]))
    return kind, alarms


def main():
    binaries, out, per = sys.argv[1].split(","), sys.argv[2], int(sys.argv[3])
    os.makedirs(out, exist_ok=True)
    with Pool(2) as pool:
        done = pool.map(job, [(binaries, out, k, w) for k in KINDS for w in range(per)])
    checks = per * 16 * (RUNS - FIRST)
    print("| kind | checks | " + " | ".join(f"false alarms ({i + 1})" for i in range(len(binaries))) + " |")
    print("|---|---|" + "---|" * len(binaries))
    for k in KINDS:
        totals = [sum(r[1][i] for r in done if r[0] == k) for i in range(len(binaries))]
        print(f"| {k} | {checks} | " + " | ".join(f"{t} ({100 * t / checks:.3f} %)" for t in totals) + " |")


if __name__ == "__main__":
    main()
