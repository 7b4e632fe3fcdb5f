"""Apache Otava and ruptures' PELT on Headroom's synthetic suite and benchmark series.

    pip install apache-otava ruptures
    cargo run --release --no-default-features --example export_suite 200 > /tmp/suite.json
    python3 benches/compare/otava_ruptures.py /tmp/suite.json

Scores each detector as `examples/accuracy.rs` scores Headroom's: a detection within 5 runs of a
true change point is a hit, each true change point hit at most once; missing values are dropped
before detection and positions mapped back. Times the long series on one thread.
"""
import json
import math
import sys
import time

import numpy as np
import ruptures as rpt
from otava.analysis import compute_change_points

MARGIN = 5


def score(truth, found):
    used = [False] * len(truth)
    hits = 0
    for d in found:
        best = None
        for i, t in enumerate(truth):
            if not used[i] and abs(t - d) <= MARGIN and (best is None or abs(t - d) < abs(truth[best] - d)):
                best = i
        if best is not None:
            used[best] = True
            hits += 1
    return hits, len(truth), len(found)


def otava(values):
    cps, _ = compute_change_points(values, window_len=50, max_pvalue=0.001)
    return sorted(cp.index for cp in cps)


def noise_sigma(values):
    d = np.diff(values)
    mad = np.median(np.abs(d - np.median(d))) * 1.4826 / math.sqrt(2)
    return mad if mad > 0 else (np.std(d) / math.sqrt(2) or 1.0)


def pelt(values):
    x = np.asarray(values, dtype=float)
    n = len(x)
    sigma = noise_sigma(x)
    # A BIC penalty scaled to the noise: 2 σ² ln n.
    bkps = rpt.Pelt(model="l2", min_size=5, jump=1).fit(x).predict(pen=2 * sigma * sigma * math.log(max(n, 2)))
    return [b for b in bkps if b < n]


def main():
    data = json.load(open(sys.argv[1]))
    detectors = {"otava (window 50, p 0.001)": otava, "ruptures PELT (l2, BIC 2σ²ln n)": pelt}
    for name, detect in detectors.items():
        print(f"\n{name}")
        print(f"{'kind':<26} {'detected':>9} {'precision':>10} {'F1':>8} {'series with a false alarm':>26}")
        kinds = {}
        for case in data["cases"]:
            kinds.setdefault(case["kind"], []).append(case)
        total = [0, 0, 0]
        for kind, cases in kinds.items():
            k = [0, 0, 0]
            false_series = 0
            for case in cases:
                present = [i for i, v in enumerate(case["values"]) if v is not None]
                values = [case["values"][i] for i in present]
                try:
                    found = [present[i] for i in detect(values) if 0 < i < len(present)]
                except Exception as e:  # a detector that fails on a series finds nothing there
                    print(f"  {kind}: failed: {e}", file=sys.stderr)
                    found = []
                h, t, d = score(case["change_points"], found)
                if d > h:
                    false_series += 1
                k = [k[0] + h, k[1] + t, k[2] + d]
            total = [total[i] + k[i] for i in range(3)]
            print(line(kind, k) + f" {100 * false_series / len(cases):>25.1f}%")
        print(line("all", total))
    print("\ntimes on the benchmark's long series (one thread):")
    for n, values in data["long"].items():
        for name, detect in detectors.items():
            if "PELT" in name and int(n) > 10_000:
                print(f"  {name:<32} {n:>7} points: not run (quadratic here; the issue measured ~160 s at 100k)")
                continue
            start = time.perf_counter()
            found = detect(values)
            elapsed = time.perf_counter() - start
            print(f"  {name:<32} {n:>7} points: {elapsed * 1e3:>10.1f} ms, {len(found)} change points (9 true)")


def line(kind, k):
    h, t, d = k
    recall = h / t if t else 1.0
    precision = h / d if d else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return f"{kind:<26} {100 * recall:>8.1f}% {100 * precision:>9.1f}% {f1:>8.3f}"


if __name__ == "__main__":
    main()
