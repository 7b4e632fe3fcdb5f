#!/usr/bin/env python3
"""Headroom's `analyze` on the Turing Change Point Dataset (TCPD), scored as TCPDBench scores.

Real series with change points annotated by five people each (van den Burg & Williams, "An
Evaluation of Change Point Detection Algorithms", 2020; github.com/alan-turing-institute/TCPD).
The data is not in this repository (its datasets carry their own licences): check it out and
point this script at it.

    python3 benches/compare/tcpd.py BIN TCPD_DIR [--margin 5] [--csv-dir DIR] [--args "..."]

BIN is a `headroom` binary; TCPD_DIR holds `annotations.json` and `datasets/NAME/NAME.json`.
Each dataset is written as a wide CSV (index column, one column per dimension; a missing value is
an empty cell) and run through `headroom analyze --format json`; its change points (the index of a
new level's first run, per dimension, pooled) are scored against every annotator's with
TCPDBench's F1 (margin 5; index 0 counts as a change point of every set; precision against the
union of the annotators', recall averaged over them) and segment cover. Beside it: the "zero"
detector (no change point), TCPDBench's baseline that a detector must beat.

Standard library only. Prints one row per dataset and the means over univariate and all datasets.
"""

import argparse
import csv
import json
import math
import os
import subprocess
import sys
import tempfile


def true_positives(truth, predictions, margin):
    """TCPDBench's true positives: each true point matched to at most one prediction within the
    margin, the closest first."""
    left = set(predictions)
    hits = set()
    for tau in sorted(truth):
        close = sorted((abs(tau - x), x) for x in left if abs(tau - x) <= margin)
        if not close:
            continue
        hits.add(tau)
        left.remove(close[0][1])
    return hits


def f_measure(annotations, predictions, margin):
    """TCPDBench's F1 over annotators (alpha 0.5), with precision and recall.

    >>> round(f_measure({1: [10, 20], 2: [11, 20], 3: [10], 4: [0, 5]}, [10, 20], 5)[0], 6)
    1.0
    >>> round(f_measure({1: [], 2: [10], 3: [50]}, [10], 5)[0], 6)
    0.909091
    >>> round(f_measure({1: [], 2: [10], 3: [50]}, [], 5)[0], 6)
    0.8
    """
    sets = [set(points) | {0} for points in annotations.values()]
    x = set(predictions) | {0}
    union = set().union(*sets)
    precision = len(true_positives(union, x, margin)) / len(x)
    recall = sum(len(true_positives(t, x, margin)) / len(t) for t in sets) / len(sets)
    if precision + recall == 0:
        return 0.0, precision, recall
    return 2 * precision * recall / (precision + recall), precision, recall


def partition(points, n):
    bounds = sorted({0, n} | {p for p in points if 0 < p < n})
    return [set(range(a, b)) for a, b in zip(bounds, bounds[1:])]


def cover_single(truth_parts, pred_parts, n):
    total = 0.0
    for a in truth_parts:
        best = 0.0
        for b in pred_parts:
            inter = len(a & b)
            if inter:
                best = max(best, inter / len(a | b))
        total += len(a) * best
    return total / n


def covering(annotations, predictions, n):
    """TCPDBench's segment cover, averaged over annotators.

    >>> round(covering({1: [10, 20], 2: [10], 3: [0, 5]}, [10, 20], 45), 6)
    0.796296
    >>> round(covering({1: [], 2: [10], 3: [40]}, [10], 45), 6)
    0.795414
    >>> round(covering({1: [], 2: [10], 3: [40]}, [], 45), 6)
    0.81893
    """
    pred = partition(predictions, n)
    scores = [cover_single(partition(points, n), pred, n) for points in annotations.values()]
    return sum(scores) / len(scores)


def load(path):
    with open(path) as f:
        data = json.load(f)
    n = data["n_obs"]
    columns = []
    for series in data["series"]:
        raw = series["raw"]
        columns.append([None if (v is None or (isinstance(v, float) and math.isnan(v))) else float(v) for v in raw])
    return n, columns


def headroom_points(binary, n, columns, csv_dir, name, extra):
    path = os.path.join(csv_dir, f"{name}.csv")
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["index"] + [f"d{i}" for i in range(len(columns))])
        for i in range(n):
            w.writerow([i] + ["" if c[i] is None else repr(c[i]) for c in columns])
    out = subprocess.run([binary, "analyze", path, "--format", "json"] + extra, capture_output=True, text=True)
    if out.returncode not in (0, 1):
        raise RuntimeError(f"{name}: headroom analyze exited {out.returncode}: {out.stderr.strip()}")
    report = json.loads(out.stdout)
    points = sorted({int(cp["id"]) for cp in report["change_points"]})
    noise = sorted({int(nc["id"]) for nc in report.get("noise_changes", []) if "id" in nc})
    return points, noise


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("tcpd")
    ap.add_argument("--margin", type=int, default=5)
    ap.add_argument("--csv-dir")
    ap.add_argument("--args", default="", help="extra arguments for headroom analyze")
    ap.add_argument("--with-noise-changes", action="store_true", help="count changes of noise as change points too")
    a = ap.parse_args()
    with open(os.path.join(a.tcpd, "annotations.json")) as f:
        annotations = json.load(f)
    csv_dir = a.csv_dir or tempfile.mkdtemp(prefix="tcpd-")
    os.makedirs(csv_dir, exist_ok=True)
    rows = []
    for name in sorted(annotations):
        path = os.path.join(a.tcpd, "datasets", name, f"{name}.json")
        if not os.path.exists(path):
            print(f"{name}: not in {a.tcpd} (skipped)", file=sys.stderr)
            continue
        n, columns = load(path)
        points, noise = headroom_points(a.binary, n, columns, csv_dir, name, a.args.split())
        if a.with_noise_changes:
            points = sorted(set(points) | set(noise))
        # TCPDBench's clean-up: locations 0 and n - 1 are dropped (0 is added back by the F1).
        points = [p for p in points if 1 <= p <= n - 2]
        f1, p, r = f_measure(annotations[name], points, a.margin)
        cover = covering(annotations[name], points, n)
        z1, _, _ = f_measure(annotations[name], [], a.margin)
        zc = covering(annotations[name], [], n)
        rows.append((name, n, len(columns), len(points), f1, p, r, cover, z1, zc))
    print(f"| dataset | runs | dims | found | F1 | precision | recall | cover | zero: F1 | zero: cover |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, n, d, k, f1, p, r, c, z1, zc in rows:
        print(f"| {name} | {n} | {d} | {k} | {f1:.3f} | {p:.3f} | {r:.3f} | {c:.3f} | {z1:.3f} | {zc:.3f} |")
    for label, pick in (("univariate", lambda row: row[2] == 1), ("all", lambda row: True)):
        chosen = [row for row in rows if pick(row)]
        if not chosen:
            continue
        m = len(chosen)
        mean = lambda i: sum(row[i] for row in chosen) / m
        print(
            f"{label} ({m} datasets): F1 {mean(4):.3f} (zero {mean(8):.3f}), cover {mean(7):.3f} (zero {mean(9):.3f}), "
            f"change points a series {mean(3):.1f}; beats zero on F1 in {sum(row[4] > row[8] + 1e-12 for row in chosen)}, "
            f"below it in {sum(row[4] < row[8] - 1e-12 for row in chosen)}"
        )


if __name__ == "__main__":
    main()
