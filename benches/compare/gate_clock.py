#!/usr/bin/env python3
"""A daily cycle whose runs are not one a slot in run order: is a step still held?

    python3 benches/compare/gate_clock.py target/release/headroom[,OTHER] /tmp/gate-clock [SEEDS] [MODES] [KINDS]

Per mode, kind and seed (SEEDS, default 1,2) one workspace of 48 budgets x 300 runs, 10 minutes apart: noise
of 1-3 % (KINDS, default daily, daily_ar, gauss, ar: a daily cycle of 24 runs and 1-5 sigma, the same over
AR(1) noise at phi 0.6-0.9, and the two without a cycle), two budgets in three with a sustained step of 4-12
sigma at run 60-240. MODES (default regular, missing, reruns, both, jitter): every run; 30 % of the runs
without the metric (they measured others); 40 % of the runs a rerun of the commit before, each in a slot of
its own; both; every run up to 2 minutes off its slot; and, not by default: jump, 30 % missing and the
written times 9-12 ticks later from a run at 100-250 on, as a zone change in local times writes them (the
cycle goes on in true time); jump_only, that jump with every run present; outage, 30 % missing and no run
at all for 9-12 ticks from a run at 100-250 (the cycle goes on through them); two_jumps, the jump and a
second of 4-8 ticks later on; jump_back, the jump undone later on (the times go backwards there); long_gap,
30 % missing and 20 years without a run from a run at 100-250 on. `headroom replay --format
json` checks every run as CI would have; printed per mode, kind and binary: failing checks before the step
(and in the budgets with none), the share of checks after the step that fail (a sustained regression nobody
accepted must fail them all), and the steps never failed.
"""
import datetime
import json
import os
import subprocess
import sys
import zlib

import numpy as np

RUNS = 300
BUDGETS = 48


def noise(kind, rng, n, s):
    def ar():
        phi = rng.uniform(0.6, 0.9)
        e = rng.standard_normal(n) * np.sqrt(1 - phi**2)
        x = np.zeros(n)
        x[0] = rng.standard_normal()
        for t in range(1, n):
            x[t] = phi * x[t - 1] + e[t]
        return x

    def cycle():
        phase, amplitude = rng.uniform(0, 24), rng.uniform(1, 5) * s
        return amplitude * np.sin(2 * np.pi * (np.arange(n) + phase) / 24)

    if kind == "gauss":
        return 1 + s * rng.standard_normal(n)
    if kind == "ar":
        return 1 + s * ar()
    if kind == "daily":
        return 1 + s * rng.standard_normal(n) + cycle()
    if kind == "daily_ar":
        return 1 + s * ar() + cycle()
    raise ValueError(kind)


def workspace(out, mode, kind, seed):
    rng = np.random.default_rng(seed * 1000 + zlib.crc32((mode + kind).encode()) % 997)
    series, specs = [], []
    for i in range(BUDGETS):
        s = rng.uniform(0.01, 0.03)
        step = i % 3 != 0
        sigmas = rng.uniform(4, 12) if step else 0.0
        at = int(rng.integers(60, 240))
        v = 100 * noise(kind, rng, RUNS, s)
        if step:
            v[at:] *= 1 + sigmas * s
        if mode in ("missing", "both", "jump", "outage", "two_jumps", "jump_back", "long_gap"):
            v[rng.random(RUNS) < 0.3] = np.nan
        series.append(v)
        specs.append((step, at))
    commits, c = [], 0
    for r in range(RUNS):
        if mode in ("reruns", "both") and r > 0 and rng.random() < 0.4:
            commits.append(commits[-1])
        else:
            c += 1
            commits.append("c%d" % c)
    minutes = np.arange(RUNS) * 10.0
    if mode == "jitter":
        minutes = minutes + rng.uniform(-2, 2, RUNS)
    if mode in ("jump", "jump_only", "outage", "two_jumps", "jump_back", "long_gap"):
        at, ticks = int(rng.integers(100, 250)), int(rng.integers(9, 13))
        later = int(rng.integers(at + 20, RUNS))
        if mode == "two_jumps":
            minutes[at:] += 10.0 * ticks
            minutes[later:] += 10.0 * int(rng.integers(4, 9))
        elif mode == "jump_back":
            # On, then back: the times go backwards there, so no clock holds both sides.
            minutes[at:later] += 10.0 * ticks
        elif mode == "long_gap":
            # 20 years without a run (more ticks than the clock counts in one gap).
            minutes[at:] += 20 * 365 * 24 * 60.0
        elif mode == "outage":
            # No run measures anything for 9-12 ticks; the cycle goes on through them.
            for v in series:
                v[at : at + ticks] = np.nan
        else:
            # The runner's written times move 9-12 ticks on (a zone change in naive local
            # times) while the cycle, in true time, goes on: to the times alone it is an outage.
            minutes[at:] += 10.0 * ticks
    d = os.path.join(out, "%s_%s_%d" % (mode, kind, seed))
    os.makedirs(d + "/history", exist_ok=True)
    with open(d + "/headroom.yaml", "w") as f:
        f.write("default_branch: main\ndefault_environment: ci\n")
    with open(d + "/b.yaml", "w") as f:
        f.write("budgets:\n" + "".join("  m%d: {unit: ms, limit: 1e300}\n" % i for i in range(BUDGETS)))
    start = datetime.datetime(2026, 1, 1)
    with open(d + "/history/h.jsonl", "w") as f:
        for r in range(RUNS):
            metrics = {"m%d" % i: float(series[i][r]) for i in range(BUDGETS) if not np.isnan(series[i][r])}
            when = (start + datetime.timedelta(minutes=float(minutes[r]))).strftime("%Y-%m-%dT%H:%M:%SZ")
            run = {"id": "r%d" % r, "timestamp": when, "commit": commits[r], "branch": "main", "environment": "ci", "metrics": metrics}
            f.write(json.dumps(run) + "\n")
    return d, series, specs


def main():
    binaries, out = sys.argv[1].split(","), sys.argv[2]
    seeds = [int(s) for s in (sys.argv[3] if len(sys.argv) > 3 else "1,2").split(",")]
    modes = (sys.argv[4] if len(sys.argv) > 4 else "regular,missing,reruns,both,jitter").split(",")
    kinds = (sys.argv[5] if len(sys.argv) > 5 else "daily,daily_ar,gauss,ar").split(",")
    print("%-8s %-9s %-24s %14s %20s %6s" % ("mode", "kind", "binary", "false alarms", "fail after the step", "never"))
    for mode in modes:
        for kind in kinds:
            tally = {b: [0, 0, 0, 0, 0] for b in binaries}
            for seed in seeds:
                d, series, specs = workspace(out, mode, kind, seed)
                for b in binaries:
                    replay = json.loads(subprocess.run([b, "replay", d, "--format", "json"], capture_output=True, text=True, check=True).stdout)
                    failed = {}
                    for alarm in replay["alarms"]:
                        i, first = int(alarm["budget"][1:]), int(alarm["run"][1:])
                        episode = [k for k in range(first, RUNS) if not np.isnan(series[i][k])][: alarm["runs"]]
                        failed.setdefault(i, set()).update(episode)
                    t = tally[b]
                    for i, (step, at) in enumerate(specs):
                        present = [k for k in range(5, RUNS) if not np.isnan(series[i][k])]
                        fails = failed.get(i, set())
                        before = [k for k in present if not step or k < at]
                        after = [k for k in present if step and k >= at]
                        t[0] += sum(k in fails for k in before)
                        t[1] += len(before)
                        t[2] += sum(k in fails for k in after)
                        t[3] += len(after)
                        t[4] += int(step and not any(k in fails for k in after))
            for b in binaries:
                fa, checks, fails, after, never = tally[b]
                print("%-8s %-9s %-24s %4d %8.3f%% %7d/%-6d %5.1f%% %6d" % (mode, kind, b[-24:], fa, 100 * fa / max(1, checks), fails, after, 100 * fails / max(1, after), never))


if __name__ == "__main__":
    main()
