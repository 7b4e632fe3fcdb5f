"""The gate on steps beyond every far run of their reference: a benchmark with a rare spike, a slow machine state
or a fixed blip in its history, then a regression larger than any of them. Replayed as CI checks it, for one
binary or two side by side.

    cargo build --release --no-default-features
    python3 benches/compare/gate_beyond.py target/release/headroom[,OTHER_BINARY] /tmp/gate-beyond SEEDS [checks]

Such a step's runs are as unseen as a second spike beyond the first is, so a change that reads runs beyond
every spike more cautiously (fewer false alarms in spiky noise) costs these steps: an adversarial review of
stop 47's try found them failed a check later in up to 75 of 100 histories. Each shape is SEEDS histories of
20-150 runs of 0.3-2 % noise with the far runs in them, then 20 runs of the step (the step multiplies the runs,
so its noise grows with its level). Prints, per shape and binary, the histories failed by the step's 2nd check
and within 12 checks, the median first failing check (1 = the step's first run; none counts 99) and the share
of checks failing before the step (the far runs themselves, a blip's above all, may fail: they are not all false
alarms); then the histories where the binaries differ. With `checks`, each history is also checked after each of
the step's first 12 runs as CI checks it (`headroom check`, its exit code): the checks that pass (exit 0) after the
step and before its first failure, the screen calmer than the truth, and those that ask for a rerun (exit 3).
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

AFTER = 20


def gauss(rng, n, s):
    return 100 * (1 + rng.normal(0, s, n))


def beyond(reference, rng, low, high):
    """A step factor putting the new level beyond every reference run by 5-50 % of it."""
    return reference.max() / np.median(reference) * rng.uniform(low, high)


def far(rng, k_low, k_high, n_low, n_high):
    """1-6 runs 1.3-3 times slower among the newest 100, then a step beyond all of them."""
    n = int(rng.integers(n_low, n_high + 1))
    x = gauss(rng, n + AFTER, rng.uniform(0.005, 0.02))
    k = int(rng.integers(k_low, k_high + 1))
    at = rng.choice(np.arange(max(0, n - 100), n), size=k, replace=False)
    x[at] *= rng.uniform(1.3, 3, k)
    x[n:] *= beyond(x[:n], rng, 1.05, 1.5)
    return x, n


def spikes(rng, n_low, n_high):
    """Spikes on 1-8 % of runs, 1.5-5 times slower, then a step beyond every one (the step's own noise)."""
    n = int(rng.integers(n_low, n_high + 1))
    x = gauss(rng, n, rng.uniform(0.01, 0.05))
    m = rng.random(n) < rng.uniform(0.01, 0.08)
    x[m] *= rng.uniform(1.5, 5, m.sum())
    after = gauss(rng, AFTER, rng.uniform(0.01, 0.05)) * beyond(x, rng, 1.05, 1.5)
    return np.concatenate([x, after]), n


def slow_state(rng):
    """A slow machine state on 2-5 % of runs, 15-40 % slower, then a step beyond it."""
    n = int(rng.integers(40, 151))
    x = gauss(rng, n + AFTER, rng.uniform(0.005, 0.015))
    m = rng.random(n) < rng.uniform(0.02, 0.05)
    x[:n][m] *= 1 + rng.uniform(0.15, 0.4)
    x[n:] *= beyond(x[:n], rng, 1.03, 1.3)
    return x, n


def fixed_blip(rng):
    """A regression of 6-30 % for 1-5 runs, fixed, then a larger one that stays."""
    n = int(rng.integers(30, 121))
    x = gauss(rng, n + AFTER, rng.uniform(0.003, 0.02))
    runs, size = int(rng.integers(1, 6)), rng.uniform(0.06, 0.3)
    at = int(rng.integers(max(0, n - 40), n - runs - 2))
    x[at:at + runs] *= 1 + size
    x[n:] *= 1 + size + rng.uniform(0.02, 0.2)
    return x, n


def planted(rng):
    """An insider's one run at +30-50 % a few runs before the regression it hides."""
    n = int(rng.integers(40, 151))
    x = gauss(rng, n + AFTER, 0.01)
    size = rng.uniform(0.3, 0.5)
    x[int(rng.integers(n - 20, n - 3))] = 100 * (1 + size)
    x[n:] *= 1 + size + rng.uniform(0.03, 0.2)
    return x, n


SHAPES = {
    "one far run, 15-30 runs": lambda r: far(r, 1, 1, 15, 30),
    "one far run, 30-60 runs": lambda r: far(r, 1, 1, 30, 60),
    "one far run, 60-120 runs": lambda r: far(r, 1, 1, 60, 120),
    "2-3 far runs, 30-60 runs": lambda r: far(r, 2, 3, 30, 60),
    "4-6 far runs, 30-120 runs": lambda r: far(r, 4, 6, 30, 120),
    "spikes, 20-60 runs": lambda r: spikes(r, 20, 60),
    "spikes, 60-150 runs": lambda r: spikes(r, 60, 150),
    "slow state": slow_state,
    "fixed blip": fixed_blip,
    "planted run": planted,
}


def failing(binary, ws):
    out = subprocess.run([binary, "replay", ws, "--format", "json"], capture_output=True, text=True, check=False)
    failed = set()
    for a in json.loads(out.stdout)["alarms"]:
        failed.update(range(a["index"], a["index"] + a["runs"]))
    return failed


def exit_codes(binary, ws, step, runs):
    """The exit code of `headroom check --run` (the check CI made of that run) of each of the step's first 12 runs."""
    return [subprocess.run([binary, "check", ws, "--run", f"r{k}"], capture_output=True, check=False).returncode
            for k in range(step, min(step + 12, runs))]


def passes_and_reruns(codes):
    """The checks that pass before the first failure, and those that ask for a rerun."""
    passes = reruns = 0
    for code in codes:
        if code == 1:
            break
        passes += code == 0
        reruns += code == 3
    return passes, reruns


def run(job):
    binaries, out, index, seed, by_check = job
    name = list(SHAPES)[index]
    values, step = SHAPES[name](np.random.default_rng([seed, index, 47]))
    ws = os.path.join(out, f"{index}_{seed}")
    gate_shapes.write_workspace(ws, [values])
    results = []
    for b in binaries:
        failed = failing(b, ws)
        after = sorted(i - step + 1 for i in failed if i >= step)
        codes = passes_and_reruns(exit_codes(b, ws, step, len(values))) if by_check else (0, 0)
        results.append((after[0] if after else 99, len([i for i in failed if i < step]), step, codes))
    shutil.rmtree(ws)
    return name, seed, results


def main():
    binaries = sys.argv[1].split(",")
    out, seeds = sys.argv[2], int(sys.argv[3])
    by_check = len(sys.argv) > 4 and sys.argv[4] == "checks"
    os.makedirs(out, exist_ok=True)
    jobs = [(binaries, out, i, s, by_check) for i in range(len(SHAPES)) for s in range(seeds)]
    with Pool(2) as pool:
        done = pool.map(run, jobs)
    print("binaries: " + ", ".join(f"({i + 1}) {b}" for i, b in enumerate(binaries)))
    print()
    print("| shape | binary | histories | by the 2nd check | within 12 | median first failure | checks failing before the step |")
    print("|---|---|---|---|---|---|---|")
    differ = []
    for name in SHAPES:
        rows = [d for d in done if d[0] == name]
        for i in range(len(binaries)):
            first = sorted(r[2][i][0] for r in rows)
            before = sum(r[2][i][1] for r in rows)
            checks = sum(r[2][i][2] for r in rows)
            print(f"| {name} | ({i + 1}) | {len(rows)} | {sum(f <= 2 for f in first)} | {sum(f <= 12 for f in first)} | "
                  f"{first[len(first) // 2]} | {100 * before / max(1, checks):.3f} % |")
        if len(binaries) > 1:
            differ += [(name, r[1], [x[0] for x in r[2]]) for r in rows if len({x[0] for x in r[2]}) > 1]
    if by_check:
        print()
        print("| shape | binary | checks passing after the step before its first failure | checks asking for a rerun |")
        print("|---|---|---|---|")
        for name in SHAPES:
            rows = [d for d in done if d[0] == name]
            for i in range(len(binaries)):
                print(f"| {name} | ({i + 1}) | {sum(r[2][i][3][0] for r in rows)} | {sum(r[2][i][3][1] for r in rows)} |")
    if len(binaries) > 1:
        print()
        print(f"histories whose first failure differs: {len(differ)}")
        for name, seed, firsts in differ[:20]:
            print(f"- {name}, seed {seed}: first failing check " + ", ".join(f"({i + 1}) {f}" for i, f in enumerate(firsts)))


if __name__ == "__main__":
    main()
