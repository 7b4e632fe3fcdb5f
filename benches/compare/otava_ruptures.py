"""Headroom, Apache Otava, ruptures' PELT and Perfherder's detector on Headroom's own suites.

    python3 -m venv /tmp/compare && /tmp/compare/bin/pip install apache-otava==0.8.0 ruptures==1.1.10
    cargo run --release --no-default-features --example export_suite 50 > /tmp/suite.json
    /tmp/compare/bin/python benches/compare/otava_ruptures.py /tmp/suite.json [--accuracy-only]

The series, their truth and Headroom's answer all come from `export_suite` (Headroom's generator
and detector with the settings `examples/accuracy.rs` scores); this script runs the other three on
the same values and scores all four by one rule, the rule of `examples/accuracy.rs`: a detection
within 5 runs of a true change point is a hit, each true change point hit at most once; changes
of level are scored against the true steps and Headroom's changes of noise against the true
changes of noise (the others report none), so a level shift on a series whose noise changed is a
false alarm. Missing values are dropped before detection and positions mapped back. On kinds with
no true change point (noise, drifts, trends, cycles) every detection is a false alarm: the table
gives the share of series with one and the detections per series (a staircase cut into a trend).
Times the long series on one thread.
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
    """Hits, truths, detections: `synthetic::Score::of` with a margin of 5 runs."""
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


def perfherder(values, min_back=12, max_back=24, fore=12, t_threshold=7.0):
    """Perfherder's offline detector (treeherder's `perfalert.detect_changes`), one value a run.

    At each run i, Welch's t between the runs before it (12, growing to 24 while no change has
    been seen) and the 12 from i on; each window's mean is weighted linearly, heaviest next to i,
    its variance taken about that mean. A change is a run with t > 7 that is no smaller than
    either neighbour's t, with full windows on both sides (so a series needs 24 runs).
    """
    n = len(values)

    def stats(window):
        k = len(window)
        weights = [(k - j) / k for j in range(k)]
        mean = sum(w * v for w, v in zip(weights, window)) / sum(weights)
        variance = sum((v - mean) ** 2 for v in window) / (k - 1) if k > 1 else 0.0
        return mean, variance, k

    t = [0.0] * n
    back_len = [0] * n
    fore_len = [0] * n
    since_change = 0
    for i in range(1, n):
        back = [values[j] for j in range(i - 1, max(-1, i - 1 - min(max(since_change, min_back), max_back)), -1)]
        ahead = values[i : i + fore]
        back_len[i], fore_len[i] = len(back), len(ahead)
        m1, v1, n1 = stats(back)
        m2, v2, n2 = stats(ahead)
        if m2 == m1:
            t[i] = 0.0
        elif v1 == 0 and v2 == 0:
            t[i] = math.inf
        else:
            t[i] = abs(m2 - m1) / math.sqrt(v1 / n1 + v2 / n2)
        since_change = 0 if t[i] > t_threshold else since_change + 1
    found = []
    for i in range(1, n):
        if back_len[i] < min_back or fore_len[i] < fore or t[i] <= t_threshold:
            continue
        if t[i - 1] > t[i] or (i + 1 < n and t[i + 1] > t[i]):
            continue
        found.append(i)
    return found


def no_change(cases):
    return all(not c["change_points"] and not c["variance_changes"] for c in cases)


def main():
    data = json.load(open(sys.argv[1]))
    detectors = {
        "Headroom": "all",
        "Headroom, levels alone": "levels",
        "Otava": otava,
        "PELT": pelt,
        "Perfherder": perfherder,
    }
    kinds = {}
    for case in data["cases"]:
        kinds.setdefault((case["suite"], case["kind"]), []).append(case)
    results = {}  # (kind, detector) -> (hits, truths, detections, series with a false alarm, series)
    for (suite, kind), cases in kinds.items():
        for name, detect in detectors.items():
            k = [0, 0, 0]
            false_series = level_false_series = 0
            for case in cases:
                if isinstance(detect, str):
                    levels = case["headroom"]["change_points"]
                    noise = case["headroom"]["variance_changes"] if detect == "all" else []
                else:
                    present = [i for i, v in enumerate(case["values"]) if v is not None]
                    values = [case["values"][i] for i in present]
                    try:
                        levels = [present[i] for i in detect(values) if 0 < i < len(present)]
                    except Exception as e:  # a detector that fails on a series finds nothing there
                        print(f"  {name} on {kind}: failed: {e}", file=sys.stderr)
                        levels = []
                    noise = []
                h1, t1, d1 = score(case["change_points"], levels)
                h2, t2, d2 = score(case["variance_changes"], noise)
                h, t, d = h1 + h2, t1 + t2, d1 + d2
                if d > h:
                    false_series += 1
                if d1 > h1:
                    level_false_series += 1
                k = [k[0] + h, k[1] + t, k[2] + d]
            results[(suite, kind, name)] = (*k, false_series, level_false_series, len(cases))

    print("| series | " + " | ".join(detectors) + " |")
    print("|---|" + "---|" * len(detectors))
    totals = {name: [0, 0, 0] for name in detectors}
    for (suite, kind), cases in kinds.items():
        cells = []
        for name in detectors:
            h, t, d, false_series, level_false_series, count = results[(suite, kind, name)]
            if no_change(cases):
                cells.append(f"{100 * false_series / count:.1f} % ({d / count:.2f})")
            elif any(c["variance_changes"] for c in cases):
                # Scored apart, as in examples/accuracy.rs: a kind of its own.
                cells.append(f"{f1(h, t, d):.3f} ({pct(h, t)} / {pct(h, d)}); a level shift in "
                             f"{100 * level_false_series / count:.0f} %")
            else:
                totals[name] = [totals[name][0] + h, totals[name][1] + t, totals[name][2] + d]
                cells.append(f"{f1(h, t, d):.3f} ({pct(h, t)} / {pct(h, d)})")
        label = f"{kind} (no change)" if no_change(cases) else kind
        print(f"| {label} | " + " | ".join(cells) + " |")
    print("| **all with a step** | " + " | ".join(f"**{f1(*totals[n]):.3f}** ({pct(totals[n][0], totals[n][1])} / "
                                                      f"{pct(totals[n][0], totals[n][2])})" for n in detectors) + " |")
    print("\ncells: F1 (detected / precision); on kinds with no change, the share of series with a false alarm "
          "(detections per series); 'all with a step' leaves out the noise change, scored apart")

    if "--accuracy-only" in sys.argv[2:]:
        return
    print("\ntimes on the benchmark's long series (one thread):")
    for n, values in data["long"].items():
        for name, detect in detectors.items():
            if isinstance(detect, str):
                continue
            if name == "PELT" and int(n) > 10_000:
                print(f"  {name:<12} {n:>7} points: not run (quadratic here; the issue measured ~160 s at 100k)")
                continue
            start = time.perf_counter()
            found = detect(values)
            elapsed = time.perf_counter() - start
            print(f"  {name:<12} {n:>7} points: {elapsed * 1e3:>10.1f} ms, {len(found)} change points (9 true)")


def pct(part, whole):
    return f"{100 * part / whole:.1f} %" if whole else "–"


def f1(h, t, d):
    recall = h / t if t else 1.0
    precision = h / d if d else 1.0
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


if __name__ == "__main__":
    main()
