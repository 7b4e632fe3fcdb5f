#!/usr/bin/env python3
"""score.py RES.json [RES2.json]

Alarm {index, runs} covers check indices index .. index+runs-1 (verified on a toy workspace).
A check = one baseline run index i >= 30 for one budget.
False alarm: a check with i < at (or any i for a budget that never steps) inside an alarm.
Detection (steps with s > 5 %): d = first check index >= at inside an alarm; delay = d - at.
  1st: delay == 0; by 2nd: delay <= 1; within 5: delay <= 4; within 12: delay <= 11; ever: d exists.
  absorbed: d exists and some check j in (d, N-1] is not inside an alarm.
  pass@end: absorbed and the final check N-1 is not inside an alarm (subset of absorbed).
Size in sigma = s / sigma_sd_rel (gaussian part for spikes/daily; marginal sd for ar1; total sd of the
  two-state mixture for bimodal kinds; actual sd of the quantised noise / level for coarse).
"""
import json
import sys
from collections import defaultdict

KINDS = ["gaussian", "lognormal", "bimodal", "bimodal_sticky", "t3", "ar1", "spikes",
         "coarse", "daily", "mix_ar1_spikes", "mix_daily_spikes", "mix_bimodal_spikes"]
BUCKETS = ["<2", "2-4", "4-8", ">=8"]
FIRST = 30
THRESH = 0.05


def bucket(z):
    return "<2" if z < 2 else "2-4" if z < 4 else "4-8" if z < 8 else ">=8"


def score(path):
    res = json.load(open(path))
    fa = defaultdict(lambda: [0, 0, 0, 0])   # kind -> [fa checks, checks, budgets w/ fa, budgets]
    det = defaultdict(list)                   # (kind, bucket) -> list of (delay or None, absorbed)
    below = defaultdict(list)                 # kind -> list of (delay or None)
    problems = []
    for ws, rec in sorted(res["workspaces"].items()):
        t = rec["truth"]
        kind, n = t["kind"], t["n"]
        if "error" in rec:
            problems.append(f"{ws}: {rec['error'][:200]}")
            continue
        if rec.get("runs_checked") != n:
            problems.append(f"{ws}: runs_checked {rec.get('runs_checked')} != {n}")
        if rec.get("index_mismatch"):
            problems.append(f"{ws}: {rec['index_mismatch']} alarms whose run id != r<index>")
        cover = defaultdict(lambda: [False] * n)
        for a in rec["alarms"]:
            c = cover[a["budget"]]
            for i in range(a["index"], min(a["index"] + a["runs"], n)):
                c[i] = True
        for name, b in t["budgets"].items():
            c = cover[name]
            at = b["at"]
            end = n if at is None else at
            chk = range(FIRST, end)
            nfa = sum(c[i] for i in chk)
            f = fa[kind]
            f[0] += nfa
            f[1] += len(chk)
            f[2] += nfa > 0
            f[3] += 1
            if at is None:
                continue
            d = next((i for i in range(max(at, FIRST), n) if c[i]), None)
            delay = None if d is None else d - at
            if b["s"] <= THRESH:
                below[kind].append(delay)
                continue
            absorbed = d is not None and any(not c[j] for j in range(d + 1, n))
            if d is not None and not c[n - 1]:
                absorbed = 2  # absorbed and still passing at the final check
            det[(kind, bucket(b["size_sigma"]))].append((delay, absorbed))
    return {"fa": fa, "det": det, "below": below, "problems": problems, "bin": res.get("bin"),
            "outdir": res.get("outdir")}


def det_stats(lst):
    n = len(lst)
    if n == 0:
        return None

    def pct(k):
        return 100.0 * sum(1 for d, _ in lst if d is not None and d <= k) / n
    ever = 100.0 * sum(1 for d, _ in lst if d is not None) / n
    absorbed = sum(1 for _, a in lst if a)
    end = sum(1 for _, a in lst if a == 2)
    return {"n": n, "1st": pct(0), "2nd": pct(1), "5": pct(4), "12": pct(11), "ever": ever, "abs": absorbed,
            "end": end}


def all_kinds(det, bk):
    out = []
    for k in KINDS:
        out += det.get((k, bk), [])
    return out


def print_one(s, name):
    print(f"=== {name}  (bin {s['bin']}, workspaces {s['outdir']})")
    for p in s["problems"][:20]:
        print("  PROBLEM:", p)
    print(f"False alarms (checks i>={FIRST} before the step / never-stepping budgets):")
    print(f"  {'kind':20s} {'FA checks':>10s} {'checks':>8s} {'FA %':>7s}  {'budgets w/ FA':>14s}")
    tot = [0, 0, 0, 0]
    for k in KINDS:
        f = s["fa"].get(k)
        if not f:
            continue
        tot = [a + b for a, b in zip(tot, f)]
        print(f"  {k:20s} {f[0]:10d} {f[1]:8d} {100.0 * f[0] / max(f[1], 1):7.3f}  {f[2]:6d} of {f[3]:<5d}")
    print(f"  {'ALL':20s} {tot[0]:10d} {tot[1]:8d} {100.0 * tot[0] / max(tot[1], 1):7.3f}  {tot[2]:6d} of {tot[3]:<5d}")
    print("Detection of steps > 5 % (% of steps failed: at 1st check, by 2nd, within 5, within 12, ever; "
          "absorbed = count failed then passed later;\n"
          "  pass@end = of those, count passing at the final check N-1):")
    print(f"  {'kind':20s} {'sigma':>5s} {'n':>4s} {'1st':>6s} {'2nd':>6s} {'<=5':>6s} {'<=12':>6s} {'ever':>6s} {'absorbed':>8s} {'pass@end':>8s}")
    for k in KINDS + ["ALL"]:
        for bk in BUCKETS:
            lst = all_kinds(s["det"], bk) if k == "ALL" else s["det"].get((k, bk), [])
            st = det_stats(lst)
            if st is None:
                continue
            print(f"  {k:20s} {bk:>5s} {st['n']:4d} {st['1st']:6.1f} {st['2nd']:6.1f} {st['5']:6.1f} "
                  f"{st['12']:6.1f} {st['ever']:6.1f} {st['abs']:8d} {st['end']:8d}")
    print("Below-threshold steps (2-5 %): failed ever / within 12 checks:")
    tb = []
    for k in KINDS:
        lst = s["below"].get(k, [])
        tb += lst
        if lst:
            e = sum(1 for d in lst if d is not None)
            w = sum(1 for d in lst if d is not None and d <= 11)
            print(f"  {k:20s} n={len(lst):3d}  ever {e:3d} ({100.0 * e / len(lst):5.1f} %)  within 12 {w:3d}")
    if tb:
        e = sum(1 for d in tb if d is not None)
        print(f"  {'ALL':20s} n={len(tb):3d}  ever {e:3d} ({100.0 * e / len(tb):5.1f} %)")
    print()


def print_cmp(a, b, na, nb):
    print(f"=== A = {na} ({a['bin']})\n    B = {nb} ({b['bin']})")
    if a["outdir"] != b["outdir"]:
        print(f"  NOTE: different workspace dirs: {a['outdir']} vs {b['outdir']}")
    for p in a["problems"][:10]:
        print("  PROBLEM A:", p)
    for p in b["problems"][:10]:
        print("  PROBLEM B:", p)
    print("False alarms: FA checks / checks (%)")
    print(f"  {'kind':20s} {'A':>22s} {'B':>22s}")
    ta, tb = [0, 0], [0, 0]
    for k in KINDS:
        fa_, fb_ = a["fa"].get(k), b["fa"].get(k)
        if not fa_ and not fb_:
            continue
        fa_ = fa_ or [0, 0, 0, 0]
        fb_ = fb_ or [0, 0, 0, 0]
        ta = [ta[0] + fa_[0], ta[1] + fa_[1]]
        tb = [tb[0] + fb_[0], tb[1] + fb_[1]]
        print(f"  {k:20s} {fa_[0]:7d}/{fa_[1]:6d} {100.0 * fa_[0] / max(fa_[1], 1):6.3f}% "
              f"{fb_[0]:7d}/{fb_[1]:6d} {100.0 * fb_[0] / max(fb_[1], 1):6.3f}%")
    print(f"  {'ALL':20s} {ta[0]:7d}/{ta[1]:6d} {100.0 * ta[0] / max(ta[1], 1):6.3f}% "
          f"{tb[0]:7d}/{tb[1]:6d} {100.0 * tb[0] / max(tb[1], 1):6.3f}%")
    print("Detection of steps > 5 %, A/B (% failed by 2nd, within 5, within 12, ever; absorbed counts)")
    print(f"  {'kind':20s} {'sigma':>5s} {'n':>4s} {'by 2nd':>13s} {'within 5':>13s} {'within 12':>13s} "
          f"{'ever':>13s} {'absorbed':>9s}")
    for k in KINDS + ["ALL"]:
        for bk in BUCKETS:
            la = all_kinds(a["det"], bk) if k == "ALL" else a["det"].get((k, bk), [])
            lb = all_kinds(b["det"], bk) if k == "ALL" else b["det"].get((k, bk), [])
            sa, sb = det_stats(la), det_stats(lb)
            if sa is None and sb is None:
                continue
            z = {"n": 0, "1st": 0, "2nd": 0, "5": 0, "12": 0, "ever": 0, "abs": 0}
            sa, sb = sa or z, sb or z
            n = f"{sa['n']}" if sa["n"] == sb["n"] else f"{sa['n']}/{sb['n']}"
            cols = " ".join(f"{sa[c]:6.1f}/{sb[c]:<6.1f}" for c in ("2nd", "5", "12", "ever"))
            print(f"  {k:20s} {bk:>5s} {n:>4s} {cols} {sa['abs']:4d}/{sb['abs']:<4d}")
    print()


def main():
    if len(sys.argv) == 2:
        print_one(score(sys.argv[1]), sys.argv[1])
    elif len(sys.argv) == 3:
        print_cmp(score(sys.argv[1]), score(sys.argv[2]), sys.argv[1], sys.argv[2])
    else:
        print(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
