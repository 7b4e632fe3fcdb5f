"""Sustained steps in wandering noise, held or absorbed: every check of every run, as `headroom replay`
makes them, for one or more binaries side by side.

    cargo build --release --no-default-features
    python3 benches/compare/gate_held.py target/release/headroom /tmp/gate-held 12 normal 2
    python3 benches/compare/gate_held.py OLD,NEW /tmp/gate-held 12 t3 1

Writes NWS workspaces of 16 budgets (120, 200 or 300 runs each) of AR(1) noise (φ 0.5-0.9, σ 1-5 % of
the level, Gaussian or Student t3 innovations); three budgets in four step once, 30-110 runs before
the end, by 4-8σ or by at least 8σ (and 15 %), one step in two at once and the others as a ramp over
2-3 runs. Prints the false alarms per check (before a budget's step, or on one with none, from run 20
on) and, for steps past the gate's 5 % threshold, of 4-8σ and of 8σ or more: how many failed within
12 runs and ever, the share of the checks from each step's 12th run to the history's end that fail
(held: a sustained step must keep failing until a person accepts it), and how many fail the last
check. Replays have no reruns: an inconclusive check is not an alarm.
"""
import collections
import json
import math
import random
import subprocess
import sys

sys.path.insert(0, __file__.rsplit('/', 1)[0])
import gate_shapes  # noqa: E402  (its workspace writer)


def t_dof(r, dof):
    chi = r.gammavariate(dof / 2, 2) / dof
    return r.gauss(0, 1) / math.sqrt(chi)


def ar_series(seed, n, phi, s, innov, step_at, step, ramp):
    """AR(1) noise of relative σ `s` (the stationary σ of the state is 1), times a step of `step`
    from run `step_at`, reached over `ramp` runs."""
    r = random.Random(seed)
    state = r.gauss(0, 1)
    values = []
    for i in range(n):
        e = t_dof(r, 3.0) / math.sqrt(3.0) if innov == 't3' else r.gauss(0, 1)
        state = phi * state + math.sqrt(1 - phi * phi) * e
        f = 1.0
        if step_at is not None and i >= step_at:
            f = 1 + step * min(1.0, (i - step_at + 1) / ramp)
        values.append(100.0 * f * (1 + s * state))
    return values


def specs_of(seedbase, w, innov):
    rb = random.Random(1000 * seedbase + w)
    n = rb.choice([120, 200, 300])
    specs = []
    for b in range(16):
        phi = rb.choice([0.5, 0.7, 0.8, 0.85, 0.9])
        s = rb.uniform(0.01, 0.05)
        has = b % 4 != 3
        at = rb.randrange(max(40, n - 110), n - 30) if has else None
        step = (max(8 * s, 0.15) if rb.random() < 0.5 else rb.uniform(4, 8) * s) if has else 0
        ramp = rb.choice([1, 1, 2, 3])
        specs.append(dict(seed=rb.randrange(10**9), n=n, phi=phi, s=s, innov=innov, step_at=at, step=step, ramp=ramp))
    return specs


def main():
    binaries, out, nws = sys.argv[1].split(','), sys.argv[2], int(sys.argv[3])
    innov = sys.argv[4] if len(sys.argv) > 4 else 't3'
    seedbase = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    counts = {b: collections.Counter() for b in binaries}
    for w in range(nws):
        specs = specs_of(seedbase, w, innov)
        n = specs[0]['n']
        ws = f'{out}/w{w}'
        gate_shapes.write_workspace(ws, [ar_series(**d) for d in specs])
        for binary in binaries:
            replay = subprocess.run([binary, 'replay', ws, '--format', 'json'], capture_output=True, text=True, check=True)
            alarms = collections.defaultdict(list)
            for a in json.loads(replay.stdout)['alarms']:
                alarms[a['budget']].append((a['index'], a['runs']))
            c = counts[binary]
            for b, d in enumerate(specs):
                mine = alarms[f'm{b}']
                at = d['step_at']
                end = at if at is not None else n
                c['checks'] += max(0, end - 20)
                c['false'] += sum(max(0, min(i + k, end) - max(i, 20)) for i, k in mine)
                if at is None or d['step'] <= 0.05:
                    continue
                size = '8+' if d['step'] / d['s'] >= 8 else '4-8'
                first = min([max(i, at) for i, k in mine if i + k > at], default=None)
                c['steps' + size] += 1
                c['ever' + size] += first is not None
                c['w12' + size] += first is not None and first - at < 12
                held_from = at + 11
                c['held' + size] += sum(max(0, min(i + k, n) - max(i, held_from)) for i, k in mine)
                c['after' + size] += max(0, n - held_from)
                c['last' + size] += any(i + k >= n for i, k in mine)
    print('| binary | false alarms | size | steps | within 12 | ever | held from 12th | last check fails |')
    print('|---|---|---|---|---|---|---|---|')
    for binary, c in counts.items():
        for size in ('4-8', '8+'):
            k = max(1, c['steps' + size])
            print(f"| {binary} | {c['false']} of {c['checks']} ({100 * c['false'] / max(1, c['checks']):.3f} %) | {size}σ | "
                  f"{c['steps' + size]} | {100 * c['w12' + size] / k:.0f} % | {100 * c['ever' + size] / k:.0f} % | "
                  f"{100 * c['held' + size] / max(1, c['after' + size]):.1f} % | {100 * c['last' + size] / k:.0f} % |")


if __name__ == '__main__':
    main()
