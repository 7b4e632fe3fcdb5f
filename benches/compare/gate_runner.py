#!/usr/bin/env python3
"""The gate beside a CI runner's slow state shared by every budget of a run, and steps of many budgets at once.

    cargo build --release --no-default-features
    python3 benches/compare/gate_runner.py target/release/headroom[,OTHER_BINARY] /tmp/gate-runner SEED [PER]

A runner's slow state (a noisy neighbour, a throttled machine) makes every timed benchmark of a run slow at
once, for a few runs at a time: a two-state chain on 30 % of the runs in spells of 2.5 runs (8 in
`none_sticky8`, 5 in `cw_sticky5`, 1.5 on 8 % of the runs in `rare_cw`), +10-25 % (each budget within a fifth
of the workspace's size), 1-5 % noise, one budget in five higher-is-better. PER workspaces (default 6) of 16
budgets x 300 hourly runs per scenario: none stepping (`none_shared`, `none_sticky8`); all stepping at once
by the state's size (`cw_equal`), half or twice it, or +6 % (`cw_small`, just past the 5 % threshold);
half, a quarter or one budget stepping; every budget +10 % with no state (`nostate_cw`); the state per
budget instead of shared (`perbudget_one`). Prints per binary and scenario the false alarms per check
(from run 30 to a budget's step), and of the stepping budgets those failing by the 2nd check, within 12
runs, ever, and the median first failure; with two binaries, the same counts on the budgets that had at
most one false alarm before their step under both (a stray false alarm after the step is no detection).
"""
import sys, os, json, subprocess, collections
import numpy as np
N = 300
def markov(n, p, spell, rng):
    stay = 1 - 1 / spell; enter = p * (1 - stay) / (1 - p)
    s = np.zeros(n, bool); s[0] = rng.random() < p
    for i in range(1, n):
        s[i] = rng.random() < (stay if s[i - 1] else enter)
    return s
SCEN = {
    # name: (share of budgets stepping, step relative to state amp (None: fixed), fixed step, state shared, share, spell)
    'cw_equal':  (1.0, 1.0, None, True, 0.3, 2.5),
    'cw_half':   (1.0, 0.5, None, True, 0.3, 2.5),
    'cw_double': (1.0, 2.0, None, True, 0.3, 2.5),
    'cw_small':  (1.0, None, 0.06, True, 0.3, 2.5),
    'cw_sticky5':(1.0, 1.0, None, True, 0.3, 5.0),
    'half_equal':(0.5, 1.0, None, True, 0.3, 2.5),
    'one_equal': (0.0625, 1.0, None, True, 0.3, 2.5),
    'quarter_small':(0.25, None, 0.08, True, 0.3, 2.5),
    'nostate_cw':(1.0, None, 0.10, True, 0.0, 2.5),
    'rare_cw':   (1.0, 1.0, None, True, 0.08, 1.5),
    'perbudget_one': (0.0625, 1.0, None, False, 0.3, 2.5),
    'none_shared': (0.0, None, 0.0, True, 0.3, 2.5),
    'none_sticky8': (0.0, None, 0.0, True, 0.3, 8.0),
}
def write(d, series, hib):
    os.makedirs(d + '/history', exist_ok=True)
    open(d + '/headroom.yaml', 'w').write('default_branch: main\ndefault_environment: ci\n')
    open(d + '/budgets.yaml', 'w').write('budgets:\n' + ''.join(f'  m{b}: {{unit: ms, limit: {"0.000001, direction: higher_is_better" if hib[b] else "1000000"}}}\n' for b in range(len(series))))
    with open(d + '/history/runs.jsonl', 'w') as h:
        for i in range(N):
            m = ','.join(f'"m{b}":{s[i]:.6g}' for b, s in enumerate(series))
            h.write(f'{{"id":"r{i}","timestamp":"2026-{1+i//(24*28):02d}-{1+(i//24)%28:02d}T{i%24:02d}:00:00Z","commit":"c{i}","branch":"main","environment":"ci","metrics":{{{m}}}}}\n')
PB = {}
def main():
    bins, out, seed = sys.argv[1].split(','), sys.argv[2], int(sys.argv[3])
    per = int(sys.argv[4]) if len(sys.argv) > 4 else 6
    rng = np.random.default_rng(seed)
    truth = {}
    for sc, (share, rel, fixed, shared, p, spell) in SCEN.items():
        for w in range(per):
            at = int(rng.integers(180, 270))
            st = markov(N, p, spell, rng) if p > 0 else np.zeros(N, bool)
            amp0 = rng.uniform(0.10, 0.25)
            nstep = int(round(share * 16))
            steppers = set(rng.choice(16, nstep, replace=False).tolist()) if nstep else set()
            series = []; tr = []; hib = []
            for b in range(16):
                s = rng.uniform(0.01, 0.05); lvl = 10 ** rng.uniform(0, 3)
                amp = amp0 * rng.uniform(0.8, 1.2)
                own = st if shared else (markov(N, p, spell, rng) if p > 0 else np.zeros(N, bool))
                step = (rel * amp0 if rel is not None else fixed) if b in steppers else 0.0
                h = bool(b % 5 == 4)
                mult = (1 + s * rng.standard_normal(N)) * np.where(own, 1 + amp, 1.0)
                mult[at:] *= 1 + step
                v = lvl * mult
                if h: v = lvl * lvl / v  # higher is better: slower -> smaller
                series.append(v); hib.append(h)
                tr.append(dict(at=at if step > 0 else None, step=step, sigma=step / s))
            write(f'{out}/{sc}-{w}', series, hib)
            truth[f'{sc}-{w}'] = tr
    for binary in bins:
        print('==', binary)
        agg = collections.defaultdict(lambda: [0, 0, 0, 0, 0, 0, []])
        for ws, tr in truth.items():
            sc = ws.rsplit('-', 1)[0]
            rep = json.loads(subprocess.run([binary, 'replay', f'{out}/{ws}', '--format', 'json'], capture_output=True, text=True, check=True).stdout)
            fails = collections.defaultdict(set)
            for a in rep['alarms']:
                fails[a['budget']].update(range(a['index'], a['index'] + a['runs']))
            for b, t in enumerate(tr):
                f = fails.get(f'm{b}', set()); A = agg[sc]
                end = t['at'] if t['at'] is not None else N
                A[0] += sum(1 for i in range(30, end)); A[1] += sum(1 for i in f if 30 <= i < end)
                if t['at'] is not None:
                    post = sorted(i - t['at'] for i in f if i >= t['at'])
                    first = post[0] if post else 99
                    PB.setdefault(binary, {})[(ws, b)] = (sum(1 for i in f if 30 <= i < end), first)
                    A[2] += 1; A[3] += first <= 1; A[4] += first < 12; A[5] += first < 99; A[6].append(first)
                    # absorption: checks after first fail that pass
        for sc in SCEN:
            A = agg[sc]
            med = sorted(A[6])[len(A[6]) // 2] if A[6] else '-'
            print(f' {sc:14s} FA {A[1]:4d}/{A[0]:6d} ({100*A[1]/max(A[0],1):.3f}%) | steps {A[2]:3d}: by 2nd {A[3]:3d}, within 12 {A[4]:3d}, ever {A[5]:3d}, median first {med}')
main()
if len(PB) == 2:
    a, b = list(PB.values())
    agg = collections.defaultdict(lambda: [0, 0, 0, 0, 0, 0, 0])
    for k in a:
        sc = k[0].rsplit('-', 1)[0]
        if a[k][0] <= 1 and b[k][0] <= 1:
            g = agg[sc]; g[0] += 1
            g[1] += a[k][1] <= 1; g[2] += a[k][1] < 12; g[3] += a[k][1] < 99
            g[4] += b[k][1] <= 1; g[5] += b[k][1] < 12; g[6] += b[k][1] < 99
    print('budgets with <= 1 FA before the step under both (n: by 2nd, within 12, ever) first vs second binary')
    for sc, g in agg.items(): print(f' {sc:14s} {g[0]:3d}: {g[1]},{g[2]},{g[3]} -> {g[4]},{g[5]},{g[6]}')
