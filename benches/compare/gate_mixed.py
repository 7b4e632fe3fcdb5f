"""The gate where the noise mixes kinds and the history has moved before: a second machine state whose share
or level changes, AR(1) noise with a second mode or with spikes, and regressions after an improvement, after a
short regression, in a staircase, twice, reverted and relanded, or with spikes among their first runs. Every
check of every run, as `headroom replay` makes them, for one binary or two side by side. These are the shapes
of the adversarial reviews of stops 46 and 47 (`s2.py`, `s4.py`, `miss.py`), on which two fixes that passed
every other suite lost detection; brought in so that the next try is measured on them before it lands.

    cargo build --release --no-default-features
    python3 benches/compare/gate_mixed.py target/release/headroom[,OTHER_BINARY] /tmp/gate-mixed SEEDS

A. A second mode that changes (histories of 400 runs, the change at run 300, SEEDS each): the slow state's
   share p or how much slower it is d, the bulk's noise s, its share after the change (share->) or a step of
   every run (step); AR(1) noise (φ, σ) with a slow state or with spikes, then a step; a short improvement
   (10 or 5 runs 10 % faster) right before a step. Per shape: false alarms per check before the change (from
   run 20), the share of the 100 checks after it that fail, the median first failure (checks after the
   change's first run; 999 where none), histories failed by the 2nd check and within 12, and those never
   failed after it.
B. Regressions of 4.5 σ or more (at least 6 %) at run 130, 30 checks after, in Gaussian noise of 0.5, 1 and
   2 % (SEEDS each): a plain step; after an improvement of 10-20 runs; after a short regression (3-14 runs,
   ending 5-30 runs before); a staircase of 2-4 % steps; a second step up or a partial give-back 2-10 runs
   later; a regression reverted and relanded; spikes among its first 8 runs; a short improvement that the
   regression follows at once. Per shape: the checks after it that fail, and histories never failed.

With two binaries, the histories where the second fails later or never, and where it fails more checks
before the change, are listed (seed and first failures).
"""
import os
import shutil
import sys
from multiprocessing import Pool

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gate_modes  # noqa: E402  (its replay's failing checks)
import gate_shapes  # noqa: E402  (its workspace writer)

RUNS = 400
CHANGE_AT = 300
FIRST = 20
PRE = 130
AFTER = 30


def gauss(rng, n, s):
    return 100 * (1 + rng.normal(0, s, n))


def ar1(rng, n, phi, s):
    e = rng.normal(0, s * np.sqrt(1 - phi**2), n)
    x = np.zeros(n)
    x[0] = rng.normal(0, s)
    for i in range(1, n):
        x[i] = phi * x[i - 1] + e[i]
    return x


def bimodal(p, d, s, share=None, step=0.0):
    def make(rng, n):
        slow = rng.random(n) < p
        if share is not None:
            slow[CHANGE_AT:] = rng.random(n - CHANGE_AT) < share
        x = 100 * (1 + d * slow) * (1 + rng.normal(0, s, n))
        x[CHANGE_AT:] *= 1 + step
        return x

    return make


def spiky(rate, s, step, magnitude=(1.5, 5)):
    def make(rng, n):
        x = gauss(rng, n, s)
        m = rng.random(n) < rate
        x[m] *= rng.uniform(*magnitude, m.sum())
        x[CHANGE_AT:] *= 1 + step
        return x

    return make


def autoregressive(phi, s, step, second):
    """AR(1) noise (φ, σ) with a second kind of run (`second(rng, n)`: each run's factor), then a step."""

    def make(rng, n):
        x = 100 * (1 + ar1(rng, n, phi, s)) * second(rng, n)
        x[CHANGE_AT:] *= 1 + step
        return x

    return make


def ar_bimodal(phi, s, p, d, step):
    return autoregressive(phi, s, step, lambda rng, n: 1 + d * (rng.random(n) < p))


def ar_spikes(phi, s, rate, step):
    def spikes(rng, n):
        factor = np.ones(n)
        m = rng.random(n) < rate
        factor[m] = rng.uniform(1.3, 3, m.sum())
        return factor

    return autoregressive(phi, s, step, spikes)


def improved_then_stepped(noise, length, step):
    def make(rng, n):
        x = noise(rng, n)
        x[CHANGE_AT - length : CHANGE_AT] *= 0.9
        x[CHANGE_AT:] *= 1 + step
        return x

    return make


MODES = [
    ("bimodal p.1 d.2 s.01, share -> .6", bimodal(0.1, 0.2, 0.01, share=0.6)),
    ("bimodal p.1 d.1 s.01, share -> .6", bimodal(0.1, 0.1, 0.01, share=0.6)),
    ("bimodal p.15 d.08 s.01, share -> .5", bimodal(0.15, 0.08, 0.01, share=0.5)),
    ("bimodal p.1 d.2 s.01, share -> .35", bimodal(0.1, 0.2, 0.01, share=0.35)),
    ("bimodal p.05 d.2 s.01, share -> .5", bimodal(0.05, 0.2, 0.01, share=0.5)),
    ("bimodal p.1 d.3 s.01, share -> 1", bimodal(0.1, 0.3, 0.01, share=1.0)),
    ("bimodal p.2 d.1 s.01, step 10 %", bimodal(0.2, 0.1, 0.01, step=0.10)),
    ("bimodal p.1 d.15 s.01, step 6 %", bimodal(0.1, 0.15, 0.01, step=0.06)),
    ("bimodal p.3 d.15 s.01, step 6 %", bimodal(0.3, 0.15, 0.01, step=0.06)),
    ("bimodal p.1 d.2 s.02, step 6 %", bimodal(0.1, 0.2, 0.02, step=0.06)),
    ("bimodal p.1 d.3 s.01, step 4 %", bimodal(0.1, 0.3, 0.01, step=0.04)),
    ("bimodal p.3 d.08 s.005, step 8 %", bimodal(0.3, 0.08, 0.005, step=0.08)),
    ("spikes 6 % s.01, step 6 %", spiky(0.06, 0.01, 0.06)),
    ("spikes 10 % s.01, step 6 %", spiky(0.10, 0.01, 0.06)),
    ("spikes 6 % s.02, step 8 %", spiky(0.06, 0.02, 0.08)),
    ("spikes 10 % 1.1-1.3x s.01, step 6 %", spiky(0.10, 0.01, 0.06, (1.1, 1.3))),
    ("AR .8 .01 + bimodal p.15 d.15, step 6 %", ar_bimodal(0.8, 0.01, 0.15, 0.15, 0.06)),
    ("AR .9 .015 + bimodal p.1 d.2, step 8 %", ar_bimodal(0.9, 0.015, 0.1, 0.2, 0.08)),
    ("AR .8 .01 + spikes 8 %, step 6 %", ar_spikes(0.8, 0.01, 0.08, 0.06)),
    ("AR .9 .015 + spikes 10 %, step 8 %", ar_spikes(0.9, 0.015, 0.10, 0.08)),
    ("10 runs faster, then bimodal step 8 %", improved_then_stepped(bimodal(0.2, 0.15, 0.01), 10, 0.08)),
    ("5 runs faster, then bimodal step 8 %", improved_then_stepped(bimodal(0.2, 0.15, 0.01), 5, 0.08)),
    ("10 runs faster, then spikes step 8 %", improved_then_stepped(spiky(0.05, 0.01, 0.0), 10, 0.08)),
]

MOVES = ["step", "after improvement", "after short regression", "staircase", "double", "double, give-back",
         "revert and reland", "spikes after", "short improvement, then at once"]


def moved(name, rng, s):
    """A regression of 4.5 σ or more at run PRE, after the history moved as `name` says."""
    n = PRE + AFTER
    level = np.ones(n)
    g = max(0.06, 4.5 * s) * rng.uniform(1, 2)
    k = PRE
    if name == "step":
        level[k:] *= 1 + g
    elif name == "after improvement":
        length = int(rng.integers(10, 21))
        level[k - length : k] *= 1 - rng.uniform(0.06, 0.2)
        level[k:] *= 1 + g
    elif name == "after short regression":
        length, gap = int(rng.integers(3, 15)), int(rng.integers(5, 30))
        level[k - length - gap : k - gap] *= 1 + rng.uniform(0.06, 0.2)
        level[k:] *= 1 + g
    elif name == "staircase":
        rise, every = rng.uniform(0.02, 0.04), int(rng.integers(4, 12))
        for j in range(int(np.ceil(g / rise)) + 1):
            level[k + j * every :] *= 1 + rise
    elif name == "double":
        level[k:] *= 1 + g
        level[k + int(rng.integers(2, 11)) :] *= 1 + rng.uniform(0.02, 0.1)
    elif name == "double, give-back":
        later = k + int(rng.integers(2, 11))
        level[k:] *= 1 + g + 0.06
        level[later:] *= (1 + g) / (1 + g + 0.06)
    elif name == "revert and reland":
        length, gap = int(rng.integers(3, 15)), int(rng.integers(3, 20))
        level[k - length - gap : k - gap] *= 1 + g
        level[k:] *= 1 + g
    elif name == "spikes after":
        level[k:] *= 1 + g
        at = k + rng.choice(8, size=int(rng.integers(1, 4)), replace=False)
        level[at] *= rng.uniform(1.5, 3, len(at))
    elif name == "short improvement, then at once":
        length, f = int(rng.integers(10, 21)), rng.uniform(0.1, 0.25)
        level[k - length : k] *= 1 - f
        level[k:] *= 1 + g
        level[k : k + 3] *= 1 - f / 2
    return 100 * level * (1 + rng.normal(0, s, n))


def run(job):
    binaries, out, part, index, seed, s = job
    if part == "A":
        values = MODES[index][1](np.random.default_rng([seed, index, 1]), RUNS)
        at, first = CHANGE_AT, FIRST
    else:
        values = moved(MOVES[index], np.random.default_rng([seed, index, int(s * 1000), 2]), s)
        at, first = PRE, FIRST
    ws = os.path.join(out, f"{part}{index}_{seed}_{s}")
    gate_shapes.write_workspace(ws, [list(map(float, values))])
    results = []
    for b in binaries:
        failed = gate_modes.alarms(b, ws)[0]
        before = sum(1 for i in failed if first <= i < at)
        after = sorted(i - at for i in failed if i >= at)
        results.append((before, after))
    shutil.rmtree(ws)
    return part, index, seed, s, at, results


def main():
    binaries = sys.argv[1].split(",")
    out, seeds = sys.argv[2], int(sys.argv[3])
    os.makedirs(out, exist_ok=True)
    jobs = [(binaries, out, "A", i, seed, 0.0) for i in range(len(MODES)) for seed in range(seeds)]
    jobs += [(binaries, out, "B", i, seed, s) for i in range(len(MOVES)) for s in (0.005, 0.01, 0.02) for seed in range(seeds)]
    with Pool(2) as pool:
        results = pool.map(run, jobs, chunksize=4)
    print("binaries: " + ", ".join(f"({k + 1}) {b}" for k, b in enumerate(binaries)))
    print()
    print("A. A second mode that changes: false alarms per check before the change, and the 100 checks after it")
    print()
    print("| shape | binary | false alarms per check | checks failing after | median first failure | by 2nd check | within 12 | never |")
    print("|---|---|---|---|---|---|---|---|")
    worse = []
    for i, (name, _) in enumerate(MODES):
        rows = [r for r in results if r[0] == "A" and r[1] == i]
        for k in range(len(binaries)):
            before = sum(r[5][k][0] for r in rows)
            after = sum(len(r[5][k][1]) for r in rows)
            firsts = [r[5][k][1][0] if r[5][k][1] else 999 for r in rows]
            checks_before = len(rows) * (CHANGE_AT - FIRST)
            print(
                f"| {name} | ({k + 1}) | {before / checks_before:.4f} | {after / (len(rows) * (RUNS - CHANGE_AT)):.3f} | "
                f"{int(np.median(firsts))} | {sum(f <= 1 for f in firsts)} | {sum(f <= 11 for f in firsts)} | {firsts.count(999)} |"
            )
        worse += [(name, r[2], r) for r in rows if len(binaries) > 1 and later_or_more(r[5])]
    print()
    print(f"B. Regressions of 4.5 σ or more after the history moved: the {AFTER} checks after each (Gaussian noise 0.5, 1, 2 %)")
    print()
    print("| shape | binary | checks failing after | never failed |")
    print("|---|---|---|---|")
    for i, name in enumerate(MOVES):
        rows = [r for r in results if r[0] == "B" and r[1] == i]
        for k in range(len(binaries)):
            after = sum(len(r[5][k][1]) for r in rows)
            print(f"| {name} | ({k + 1}) | {after} of {len(rows) * AFTER} | {sum(1 for r in rows if not r[5][k][1])} |")
        worse += [(name, r[2], r) for r in rows if len(binaries) > 1 and later_or_more(r[5])]
    if len(binaries) > 1:
        print()
        print(f"histories where (2) fails later, fewer checks after, or more before: {len(worse)}")
        for name, seed, r in worse[:40]:
            (b1, a1), (b2, a2) = r[5][0], r[5][1]
            print(f"- {name}, seed {seed}{f', noise {r[3]}' if r[3] else ''}: before {b1} -> {b2}, "
                  f"first failure {a1[0] if a1 else '-'} -> {a2[0] if a2 else '-'}, failing after {len(a1)} -> {len(a2)}")


def later_or_more(pair):
    (b1, a1), (b2, a2) = pair[0], pair[1]
    first = (a1[0] if a1 else 999), (a2[0] if a2 else 999)
    return b2 > b1 or first[1] > first[0] or len(set(a1) - set(a2)) > 0


if __name__ == "__main__":
    main()
