"""The gate on noise-free metrics (a bundle's size, an instruction count, an allocation count): every
check of every run as CI makes them (`headroom check --run`), exit codes as CI sees them.

    cargo build --release --no-default-features
    python3 benches/compare/gate_noise_free.py target/release/headroom /tmp/gate-noise-free [SUITES]

One character per check: its exit code (0 pass, 1 fail, 3 rerun), or `w` for a warning that exits 0.

SUITES (default ABCDEFGT), each printed as it runs:
  A  exact values: 1-150 first runs at 123.4, then a sustained +3 % (within the 5 % threshold), +6.3,
     +11.7 or +47 % step held 40 runs; one character per check from the step's first run. Then round
     steps, 100 to 110 and 100 to 150: whole multiples of their step, as a coarse timer's two ticks are,
     which the gate leaves to its other tests until the stretches are too long for a timer reading either
     tick (1 in 1,000: 17 runs after 3 first runs, 10 after 4, 44 after 2); until then they warn.
  B  staircases: +6.3, +11.7 or +21.3 % every 3, 5, 10 or 20 runs, five stairs, none accepted.
  C  0.01 % and 0.1 % Gaussian jitter: +6 and +20 % steps after 3-30 first runs.
  D  false alarms: a value that moves by under 1 % now and then (mean-reverting), 12 histories of 200 runs.
  E  false alarms: one-run glitches (+10-60 %, 3 % of runs) on a value that moves by under 1 %.
  F  the steps of C over three seeds, 3-12 first runs, +6, +10 and +50 %: how many steps have a check
     that does not fail once confirmed (from the step's 2nd run after 5 first runs or more, its 3rd after
     3-4).
  G  glitches (one or two runs at another value) before a +11.7 % step: before it, long before it, inside
     it, then the step after 10 runs and a revert; and glitches alone (no step).
  T  coarse timers from a benchmark's first run (3 ms, 4 ms in 2-30 % of runs): fails and reruns.
"""
import json
import os
import random
import shutil
import subprocess
import sys

BIN, OUT = sys.argv[1], sys.argv[2]
SUITES = sys.argv[3] if len(sys.argv) > 3 else 'ABCDEFGT'
BUDGET = "cap:\n  max_latency_ms: 1000\n"


def workspace(path, values):
    if os.path.exists(path):
        shutil.rmtree(path)
    os.makedirs(path + '/budgets/history')
    with open(path + '/budgets/b.yaml', 'w') as f:
        f.write(BUDGET)
    with open(path + '/budgets/history/h.jsonl', 'w') as f:
        for i, v in enumerate(values):
            stamp = f"2026-05-{1 + i // 1440:02d}T{(i % 1440) // 60:02d}:{i % 60:02d}:00Z"
            f.write(json.dumps({"id": f"r{i}", "commit": f"{i + 1:040x}", "timestamp": stamp, "branch": "main",
                                "environment": "ci", "metrics": {"cap.latency": v}}) + "\n")


def code(path, t):
    """The exit code of the check of run `t`, `w` where it is 0 with a warning (not a pass)."""
    done = subprocess.run([BIN, 'check', 'budgets', '--run', f'r{t}'], cwd=path, capture_output=True, text=True)
    warned = done.returncode == 0 and done.stdout.rstrip().rsplit('\n', 1)[-1].startswith('WARN')
    return 'w' if warned else str(done.returncode)


def codes(values, start, end, name):
    path = f"{OUT}/{name}"
    workspace(path, values)
    return ''.join(code(path, t) for t in range(start, end))


def main():
    os.makedirs(OUT, exist_ok=True)
    if 'A' in SUITES:
        for base, steps in [(123.4, [0.03, 0.063, 0.117, 0.47]), (100.0, [0.1, 0.5])]:
            for pre in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 20, 30, 60, 150]:
                for s in steps:
                    c = codes([base] * pre + [base * (1 + s)] * 40, pre, pre + 40, "A")
                    print(f'A {base:g} pre={pre:3d} +{s * 100:4.1f}%: {c}', flush=True)
    if 'B' in SUITES:
        for h in [3, 5, 10, 20]:
            for s in [0.063, 0.117, 0.213]:
                values, level = [], 123.4
                for _ in range(5):
                    values += [level] * h
                    level *= 1 + s
                c = codes(values, h, len(values), 'B')
                print(f'B stairs h={h:2d} +{s * 100:4.1f}%: ' + ' '.join(c[i:i + h] for i in range(0, len(c), h)), flush=True)
    if 'C' in SUITES:
        rng = random.Random(5)
        for pre in [3, 5, 8, 12, 30]:
            for s in [0.06, 0.2]:
                for j in [1e-4, 1e-3]:
                    values = [100 * (1 + rng.gauss(0, j)) for _ in range(pre)]
                    values += [100 * (1 + s) * (1 + rng.gauss(0, j)) for _ in range(40)]
                    print(f'C jitter {j:g} pre={pre:3d} +{s * 100:3.0f}%: {codes(values, pre, pre + 40, "C")}', flush=True)
    if 'D' in SUITES:
        total = fails = reruns = 0
        for seed in range(12):
            rng, level, values = random.Random(100 + seed), 100.0, []
            for _ in range(200):
                if rng.random() < 0.25:
                    level = 100 + 0.8 * (level - 100) + rng.gauss(0, 0.6)
                values.append(round(level, 3))
            c = codes(values, 20, 200, 'D')
            total, fails, reruns = total + len(c), fails + c.count('1'), reruns + c.count('3')
        print(f'D small changes: {fails} fails, {reruns} reruns in {total} checks', flush=True)
    if 'E' in SUITES:
        total = fails = 0
        for seed in range(8):
            rng, level, values = random.Random(300 + seed), 100.0, []
            for _ in range(150):
                if rng.random() < 0.05:
                    level = 100 * (1 + rng.uniform(-0.01, 0.01))
                values.append(level * (1 + rng.uniform(0.1, 0.6)) if rng.random() < 0.03 else level)
            c = codes(values, 3, 150, 'E')
            total, fails = total + len(c), fails + c.count('1')
        print(f'E glitches: {fails} fails in {total} checks', flush=True)
    if 'F' in SUITES:
        total = missed = 0
        for seed in range(3):
            rng = random.Random(900 + seed)
            for pre in range(3, 13):
                for j in [1e-4, 1e-3]:
                    for s in [0.06, 0.1, 0.5]:
                        values = [100 * (1 + rng.gauss(0, j)) for _ in range(pre)]
                        values += [100 * (1 + s) * (1 + rng.gauss(0, j)) for _ in range(40)]
                        c = codes(values, pre, pre + 40, 'F')
                        confirmed = 2 if pre >= 5 else 3
                        total += 1
                        if any(x != '1' for x in c[confirmed - 1:]):
                            missed += 1
                            print(f'F seed {seed} jitter {j:g} pre={pre:3d} +{s * 100:3.0f}%: {c}', flush=True)
        print(f'F {missed} of {total} steps with a check that does not fail once confirmed', flush=True)
    if 'G' in SUITES:
        a, b = 123.4, 123.4 * 1.117
        for name, values, start in [
            ('glitch up, back, then the step', [a] * 10 + [b] + [a] * 3 + [b] * 30, 14),
            ('glitch down, back, then the step', [a] * 10 + [74.0] + [a] * 3 + [b] * 30, 14),
            ('glitch long before the step', [a] * 3 + [150.0] + [a] * 20 + [b] * 20, 24),
            ('two glitch runs before the step', [a] * 8 + [150.0, 150.0] + [a] * 12 + [b] * 20, 22),
            ('glitch inside the step', [a] * 10 + [b] * 5 + [180.0] + [b] * 20, 10),
            ('glitch right before the step', [a] * 5 + [74.0] + [b] * 30, 6),
            ('a glitch, no step', [a] * 8 + [150.0] + [a] * 30, 8),
            ('a glitch in 20 runs, no step', [a if i % 20 != 7 else 160.0 for i in range(60)], 8),
        ]:
            print(f'G {name:34s}: {codes(values, start, len(values), "G")}', flush=True)
    if 'T' in SUITES:
        for q in [0.02, 0.05, 0.1, 0.2, 0.3]:
            total = fails = reruns = 0
            for seed in range(10):
                rng = random.Random(500 + seed)
                c = codes([4.0 if rng.random() < q else 3.0 for _ in range(120)], 3, 120, 'T')
                total, fails, reruns = total + len(c), fails + c.count('1'), reruns + c.count('3')
            print(f'T coarse timer q={q}: {fails} fails, {reruns} reruns in {total} checks', flush=True)


if __name__ == '__main__':
    main()
