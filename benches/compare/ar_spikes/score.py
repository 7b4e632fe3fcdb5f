#!/usr/bin/env python3
"""score.py OUT: per scenario, old -> new: false alarms per check from run 30 up to each metric's regression
(or the end), and regressions failed by the 2nd check, within 12 and ever; then the metrics whose regression
the new binary fails 10 or more checks later than the old (or never, where the old did)."""
import collections
import glob
import json
import os
import sys

VERSIONS = ("old", "new")


def covered(path):
    c = collections.defaultdict(set)
    for a in json.load(open(path))["alarms"]:
        c[a["budget"]].update(range(a["index"], a["index"] + a["runs"]))
    return c


def main():
    out = sys.argv[1]
    rows = collections.defaultdict(lambda: collections.defaultdict(float))
    late = collections.defaultdict(list)
    for w in sorted(glob.glob(os.path.join(out, "*-*"))):
        if not all(os.path.exists(os.path.join(w, f"{v}.json")) for v in VERSIONS):
            continue
        meta = json.load(open(os.path.join(w, "meta.json")))
        n, scen = meta["n"], meta["scenario"]
        cover = {v: covered(os.path.join(w, f"{v}.json")) for v in VERSIONS}
        for m, info in meta["metrics"].items():
            at = info["step_at"]
            end = n if at is None else at
            r = rows[scen]
            r["checks"] += end - 30
            r["steps"] += at is not None
            first = {}
            for v in VERSIONS:
                c = cover[v][m]
                r[v + "_fa"] += sum(1 for i in range(30, end) if i in c)
                if at is None:
                    continue
                after = sorted(i - at for i in c if i >= at)
                first[v] = after[0] if after else None
                r[v + "_2nd"] += first[v] is not None and first[v] <= 1
                r[v + "_12"] += first[v] is not None and first[v] <= 11
                r[v + "_ever"] += first[v] is not None
            if at is not None and first["old"] is not None and (first["new"] is None or first["new"] - first["old"] >= 10):
                late[scen].append((os.path.basename(w), m, first["old"], first["new"]))
    print("| scenario | false alarms per check (%) | regressions | by the 2nd check | within 12 | ever | 10+ checks later |")
    print("|---|---|---|---|---|---|---|")
    for scen, r in sorted(rows.items()):
        fa = " -> ".join(f"{100 * r[v + '_fa'] / max(r['checks'], 1):.3f}" for v in VERSIONS)
        col = lambda k: " -> ".join(str(int(r[v + "_" + k])) for v in VERSIONS)
        print(f"| {scen} | {fa} | {int(r['steps'])} | {col('2nd')} | {col('12')} | {col('ever')} | {len(late[scen])} |")
    for scen, cases in sorted(late.items()):
        for ws, m, old, new in cases:
            print(f"- {scen}: {ws} {m}, first failure {old} -> {new if new is not None else 'never'} checks after the regression's first run")


if __name__ == "__main__":
    main()
