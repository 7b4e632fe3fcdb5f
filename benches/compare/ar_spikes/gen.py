#!/usr/bin/env python3
"""Workspaces of AR(1) noise with spikes and regressions that start like spikes (stop 63's adversarial review).

    python3 gen.py SCENARIO SEED OUTDIR   -> OUTDIR/{headroom.yaml,b.yaml,history/h.jsonl,meta.json}

16 metrics x 300-400 hourly runs. Every metric: AR(1) noise at phi 0.5-0.95 (0.8-0.95 for the `_weak`
scenarios), 1-8 % marginal sd, with 1 % of runs 20-60 % slower (spikes), and (but `null`) a regression from a
run in [200, n - 60) of 2-10 sigma (2-5 for `_weak`), 8-40 %. Scenarios: null; step_plain; step_spike_first
(spikes on its first 1-3 runs); step_spike_within8; flap (slow, normal, then sustained); flap2 (slow,
normal, slow, normal, then sustained); intermittent (every 2nd-4th run 15-40 % slower); alt_spikes (every
other run, with 5 % more spikes); sparse_reg (10-25 % of runs 20-60 % slower); bimodal_reg (a step, half its
runs slower still); bimodal (a slow state on 10-20 % of runs, 15 % slower, then a step); t3 (t3
innovations, then a step). meta.json holds each metric's phi, sd, step_at and step."""
import sys, os, json, datetime
import numpy as np

NM = 16

def ar1(rng, n, phi, sd, t3=False):
    e = np.empty(n)
    if t3:
        # t3 innovations scaled to unit variance (var t3 = 3)
        u = rng.standard_t(3, n) / np.sqrt(3.0)
    else:
        u = rng.standard_normal(n)
    x = sd * rng.standard_normal()
    s = np.sqrt(1 - phi * phi) * sd
    for i in range(n):
        x = phi * x + s * u[i]
        e[i] = x
    return e

def bg_spikes(rng, n, rate=0.01):
    f = np.ones(n)
    m = rng.uniform(size=n) < rate
    f[m] = rng.uniform(1.2, 1.6, m.sum())
    return f

def metric(rng, scen, n):
    weak = scen.endswith('_weak')
    if weak:
        scen = scen[:-5]
    phi = rng.uniform(0.8, 0.95) if weak else rng.uniform(0.5, 0.95)
    sd = rng.uniform(0.01, 0.08)
    t3 = scen == 't3'
    e = ar1(rng, n, phi, sd, t3)
    base = 100 * (1 + e)
    f = bg_spikes(rng, n)
    step_at = int(rng.integers(200, n - 60))
    sig = rng.uniform(2, 5) if weak else rng.uniform(2, 10)
    step = min(max(sig * sd, 0.08), 0.40)
    mult = np.ones(n)
    info = dict(phi=phi, sd=sd, step_at=step_at, step=step)
    if scen == 'null':
        step_at = None; info['step_at'] = None
    elif scen in ('step_spike_first', 't3', 'bimodal', 'step_plain'):
        mult[step_at:] *= 1 + step
        if scen == 'step_spike_first':
            k = int(rng.integers(1, 4))
            for j in range(k):
                f[step_at + j] = max(f[step_at + j], rng.uniform(1.2, 1.6))
            info['spiked_first'] = k
    elif scen == 'step_spike_within8':
        mult[step_at:] *= 1 + step
        ks = rng.choice(8, size=int(rng.integers(1, 3)), replace=False)
        for j in ks:
            f[step_at + j] = max(f[step_at + j], rng.uniform(1.2, 1.6))
        info['spikes_at'] = sorted(int(step_at + j) for j in ks)
    elif scen == 'intermittent':
        every = int(rng.integers(2, 5)); amp = rng.uniform(0.15, 0.40)
        mult[step_at::every] *= 1 + amp
        info.update(every=every, step=amp)
    elif scen == 'alt_spikes':
        amp = rng.uniform(0.15, 0.40)
        mult[step_at::2] *= 1 + amp
        # extra spikes on top within the regression
        m = rng.uniform(size=n) < 0.05
        m[:step_at] = False
        f[m] = np.maximum(f[m], rng.uniform(1.2, 1.6, m.sum()))
        info.update(every=2, step=amp)
    elif scen == 'flap':
        mult[step_at] *= 1 + step
        mult[step_at + 2:] *= 1 + step
    elif scen == 'flap2':
        # slow, normal, slow, normal, then sustained
        mult[step_at] *= 1 + step; mult[step_at + 2] *= 1 + step
        mult[step_at + 4:] *= 1 + step
    elif scen == 'bimodal_reg':
        # after step, runs +step, and half of them take slow path +amp more
        amp = rng.uniform(0.15, 0.4)
        mult[step_at:] *= 1 + step
        sl = rng.uniform(size=n) < 0.5
        sl[:step_at] = False
        mult[sl] *= 1 + amp
        info['amp'] = amp
    elif scen == 'sparse_reg':
        # slow path in ~10-25% of runs after step, 20-60% slower (rare-ish intermittent)
        pr = rng.uniform(0.1, 0.25); amp = rng.uniform(0.2, 0.6)
        sl = rng.uniform(size=n) < pr
        sl[:step_at] = False
        mult[sl] *= 1 + amp
        info.update(p=pr, step=amp)
    if scen == 'bimodal':
        st = rng.uniform(size=n) < rng.uniform(0.1, 0.2)
        mult[st] *= 1.15
    vals = base * f * mult
    return vals, info

def main():
    scen, seed, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    rng = np.random.default_rng(seed * 1000 + sum(map(ord, scen)))
    n = int(rng.integers(300, 401))
    os.makedirs(os.path.join(out, 'history'), exist_ok=True)
    cols, meta = {}, {}
    for k in range(NM):
        v, info = metric(rng, scen, n)
        cols[f'm{k}'] = v; meta[f'm{k}'] = info
    with open(os.path.join(out, 'headroom.yaml'), 'w') as fh:
        fh.write('default_branch: main\ndefault_environment: ci\n')
    with open(os.path.join(out, 'b.yaml'), 'w') as fh:
        fh.write('budgets:\n' + ''.join(f'  m{k}: {{unit: ms, limit: 1000000}}\n' for k in range(NM)))
    t0 = datetime.datetime(2026, 1, 1)
    with open(os.path.join(out, 'history', 'h.jsonl'), 'w') as fh:
        for i in range(n):
            ts = (t0 + datetime.timedelta(hours=i)).strftime('%Y-%m-%dT%H:%M:%SZ')
            fh.write(json.dumps(dict(id=f'r{i}', timestamp=ts, commit=f'c{i}', branch='main', environment='ci',
                                     metrics={m: round(float(cols[m][i]), 4) for m in cols})) + '\n')
    json.dump(dict(scenario=scen, seed=seed, n=n, metrics=meta), open(os.path.join(out, 'meta.json'), 'w'), indent=1)

main()
