#!/usr/bin/env python3
"""Steps early in a history whose first runs held brief incidents shared by every budget.

    cargo build --release --no-default-features
    python3 benches/compare/gate_early_incidents.py target/release/headroom[,OTHER_BINARY] /tmp/gate-early-incidents SEED [PER]

PER workspaces (default 30) per scenario of 16 budgets x 150 hourly runs, a fifth of them higher-is-better,
in 1-8 % Gaussian noise; 2-8 budgets step by 6-30 % (worse) at runs 25-80. `none`: nothing else.
`incidents`: before the step, two brief incidents (1-3 runs each, 8-25 %) make every budget worse at once.
`incidents_eq`: the same, each step as large as the incidents. Prints per binary and scenario the stepped
budgets (past the 5 % threshold) failing by the 2nd check, within 12 runs and ever, and the failing checks
before a budget's step or on budgets that never step (from run 10; not an incident's own runs). Stop 64's second adversarial review found
steps after such incidents ever caught 55-75 % of the time, 6σ ones among those never caught. Since stop 65 the
check leaves the runner's brief incidents out of every baseline (`runner::incident_runs`): seed 1, ever 112 -> 134
of 163 and 110 -> 128 of 161.
"""
import datetime
import json
import os
import subprocess
import sys

import numpy as np

N, NB = 150, 16
T0 = datetime.datetime(2026, 1, 1)
SCENARIOS = {'none': (0, False), 'incidents': (2, False), 'incidents_eq': (2, True)}


def make(path, scenario, rng):
    incidents, equal = SCENARIOS[scenario]
    at = int(rng.integers(25, 81))
    steppers = set(rng.choice(NB, int(rng.integers(2, 9)), replace=False).tolist())
    shared = np.zeros(N)
    amps = []
    for _ in range(incidents):
        for _ in range(100):
            length, start = int(rng.integers(1, 4)), int(rng.integers(1, at - 4))
            if start + length < at - 1 and not shared[max(0, start - 2):start + length + 2].any():
                amp = rng.uniform(0.08, 0.25)
                shared[start:start + length] = amp
                amps.append(amp)
                break
    truth, series = {}, {}
    for b in range(NB):
        higher_better = rng.random() < 0.2
        noise, level = rng.uniform(0.01, 0.08), 10 ** rng.uniform(0, 3)
        step = (float(np.mean(amps)) if equal and amps else rng.uniform(0.06, 0.30)) if b in steppers else 0.0
        worse = np.where(np.arange(N) >= at, step, 0.0) + shared
        factor = 1 / (1 + worse) if higher_better else 1 + worse
        series[f'm{b}'] = level * factor * (1 + noise * rng.standard_normal(N))
        truth[f'm{b}'] = {'at': at if b in steppers else None, 'step': step, 'noise': noise, 'higher_better': higher_better}
    os.makedirs(f'{path}/history', exist_ok=True)
    with open(f'{path}/headroom.yaml', 'w') as f:
        f.write('default_branch: main\ndefault_environment: ci\n')
    with open(f'{path}/b.yaml', 'w') as f:
        f.write('budgets:\n')
        for name, t in truth.items():
            limit = '0.000001, direction: higher_is_better' if t['higher_better'] else '1000000'
            f.write(f'  {name}: {{unit: ms, limit: {limit}}}\n')
    with open(f'{path}/history/h.jsonl', 'w') as f:
        for i in range(N):
            stamp = (T0 + datetime.timedelta(hours=i)).strftime('%Y-%m-%dT%H:%M:%SZ')
            metrics = {name: float(f'{values[i]:.6g}') for name, values in series.items()}
            f.write(json.dumps({'id': f'r{i}', 'timestamp': stamp, 'commit': f'c{i}', 'branch': 'main',
                                'environment': 'ci', 'metrics': metrics}) + '\n')
    return truth, set(np.nonzero(shared)[0].tolist())


def score(truth, incident_runs, alarms):
    """(stepped budgets past 5 %, by 2nd, within 12, ever, false-alarm checks) of one replay: an
    incident's own runs are every budget's real slowdown, not false alarms."""
    failing = {}
    for a in alarms:
        failing.setdefault(a['budget'], set()).update(range(a['index'], a['index'] + a['runs']))
    out = [0, 0, 0, 0, 0]
    for name, t in truth.items():
        runs = failing.get(name, set())
        end = N if t['at'] is None else t['at']
        out[4] += sum(1 for i in runs if 10 <= i < end and i not in incident_runs)
        if t['at'] is None or t['step'] <= 0.05:
            continue
        first = min((i - t['at'] for i in runs if i >= t['at']), default=None)
        out[0] += 1
        out[1] += first is not None and first <= 1
        out[2] += first is not None and first <= 11
        out[3] += first is not None
    return out


def main():
    binaries, out, seed = sys.argv[1].split(','), sys.argv[2], int(sys.argv[3])
    per = int(sys.argv[4]) if len(sys.argv) > 4 else 30
    totals = {(b, s): [0] * 5 for b in binaries for s in SCENARIOS}
    for k, scenario in enumerate(SCENARIOS):
        for w in range(per):
            path = f'{out}/{scenario}-{w}'
            truth, incident_runs = make(path, scenario, np.random.default_rng([seed, k, w]))
            for binary in binaries:
                report = subprocess.run([binary, 'replay', path, '--format', 'json'], capture_output=True, text=True)
                got = score(truth, incident_runs, json.loads(report.stdout)['alarms'])
                totals[(binary, scenario)] = [x + y for x, y in zip(totals[(binary, scenario)], got)]
    for binary in binaries:
        print(f'== {binary}')
        for scenario in SCENARIOS:
            steps, by2, by12, ever, fa = totals[(binary, scenario)]
            print(f' {scenario:13s} steps {steps:4d}: by 2nd {by2:4d}, within 12 {by12:4d}, ever {ever:4d} | false-alarm checks {fa}')


if __name__ == '__main__':
    main()
