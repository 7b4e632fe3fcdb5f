"""The gate after a short level: an improvement held a few runs, then a regression (or none).

    cargo build --release --no-default-features
    python3 benches/compare/gate_short_level.py target/release/headroom[,OTHER_BINARY] OUT [SEEDS]

For each case, SEEDS histories (default 4) of 200 runs at 100 ms, an improvement of 12 % held L runs,
then a regression of R (relative to the improved level) for 40 runs, in one kind of noise. Each
binary replays every history (`headroom replay --format json`, every run checked as CI would, no
reruns). Printed per case and binary: the checks that failed before the regression (every one a
false alarm: the improvement and the 200 runs before it), the checks of the 40 runs after it that
failed, and each history's first failing run after it ('-' for none).

Table A, 2 % noise, R of 0 (no regression: every failure false), 8 % and 15 % (the metric back near
the level before the improvement). Table B, R of 25-35 % in 2-4 % noise: past the level before the
improvement by 10-19 %, a regression by any reading. Standard library only; workspaces are written by
`gate_shapes.py`'s writer.
"""
import json
import math
import os
import random
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gate_shapes  # noqa: E402  (its workspace writer)

BEFORE, AFTER = 200, 40
IMPROVEMENT = 0.12


def noise(kind, rng, n, s):
    """n values of relative noise of about s (a fraction of the level)."""
    if kind == 'gaussian':
        return [rng.gauss(0, s) for _ in range(n)]
    if kind == 'lognormal':
        return [math.exp(rng.gauss(0, s)) - math.exp(s * s / 2) for _ in range(n)]
    if kind == 'student-t3':
        # t with 3 degrees of freedom (a normal over the root of a chi-square over 3), scaled to σ s.
        return [rng.gauss(0, 1) / math.sqrt(rng.gammavariate(1.5, 2.0) / 3) * s / math.sqrt(3) for _ in range(n)]
    if kind == 'ar1':
        x, out = 0.0, []
        for _ in range(n):
            x = 0.7 * x + rng.gauss(0, s * math.sqrt(1 - 0.49))
            out.append(x)
        return out
    if kind == 'bimodal':
        return [rng.gauss(0, s) + (0.08 if rng.random() < 0.3 else 0.0) for _ in range(n)]
    if kind == 'spikes':
        return [rng.gauss(0, s) + (rng.uniform(0.2, 0.6) if rng.random() < 0.01 else 0.0) for _ in range(n)]
    if kind == 'daily':
        return [rng.gauss(0, s) + 0.04 * math.sin(2 * math.pi * i / 24) for i in range(n)]
    raise ValueError(kind)


def history(kind, seed, improved, regression, s):
    rng = random.Random(f'{kind}-{seed}-{improved}-{regression}-{s}')
    n = BEFORE + improved + AFTER
    level = [100.0] * BEFORE + [100.0 * (1 - IMPROVEMENT)] * improved + [100.0 * (1 - IMPROVEMENT) * (1 + regression)] * AFTER
    return [v * (1 + e) for v, e in zip(level, noise(kind, rng, n, s))]


def failing(binary, folder):
    """The indices of the runs whose check failed."""
    out = subprocess.run([binary, 'replay', folder, '--format', 'json'], capture_output=True, text=True, check=False)
    report = json.loads(out.stdout)
    return {a['index'] + j for a in report['alarms'] for j in range(a['runs'])}


def case(binaries, out, seeds, kind, improved, regression, s):
    step = BEFORE + improved
    row = []
    for binary in binaries:
        before = after = 0
        first = []
        for seed in range(seeds):
            folder = os.path.join(out, f'{kind}-{improved}-{regression}-{s}-{seed}')
            gate_shapes.write_workspace(folder, [history(kind, seed, improved, regression, s)])
            failed = failing(binary, folder)
            before += sum(1 for i in failed if i < step)
            later = sorted(i - step + 1 for i in failed if i >= step)
            after += len(later)
            first.append(str(later[0]) if later else '-')
        row.append(f'{before:3d} | {after:3d} of {AFTER * seeds} | {" ".join(first)}')
    print(f'| {kind} | {improved} | {regression:+.0%} | {s:.0%} | ' + ' | '.join(row) + ' |', flush=True)


def main():
    binaries, out = sys.argv[1].split(','), sys.argv[2]
    seeds = int(sys.argv[3]) if len(sys.argv) > 3 else 4
    heads = ' | '.join(f'false before ({i + 1}) | failing after ({i + 1}) | first failure ({i + 1})' for i in range(len(binaries)))
    print(f'binaries: {", ".join(f"({i + 1}) {b}" for i, b in enumerate(binaries))}\n')
    print('A. 2 % noise, back near the level before the improvement (or no regression)\n')
    print(f'| noise | improved runs | regression | σ | {heads} |')
    for kind in ('gaussian', 'lognormal', 'bimodal', 'daily', 'spikes', 'student-t3', 'ar1'):
        for improved in (8, 15, 30):
            for regression in (0.0, 0.08, 0.15):
                case(binaries, out, seeds, kind, improved, regression, 0.02)
    print('\nB. past the level before the improvement\n')
    print(f'| noise | improved runs | regression | σ | {heads} |')
    for kind in ('gaussian', 'lognormal', 'student-t3', 'ar1'):
        for improved in (10, 15):
            for regression, s in ((0.25, 0.02), (0.30, 0.03), (0.35, 0.04)):
                case(binaries, out, seeds, kind, improved, regression, s)


if __name__ == '__main__':
    main()
