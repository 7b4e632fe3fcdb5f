"""The gate on workspaces from a generator other than `engine::synthetic`'s: other parameters, and
shapes the issue's list does not name. Every check of every run, as `headroom replay` makes them.

    cargo build --release --no-default-features
    python3 benches/compare/gate_shapes.py target/release/headroom /tmp/gate-shapes 1 4

Writes PER_KIND workspaces of 16 budgets x 400 runs for each kind into OUT, replays each with the
binary (`replay --format json`, no reruns: an inconclusive check is not an alarm) and prints the
false alarms per check (an alarm before a budget's step, or on a budget with none, from run 20 on)
and, for steps past the gate's 5 % threshold, how many failed by the 2nd check, within 12 and ever,
by the step's size in noise σ, and of the checks from each step's 12th run to the history's end the
share that failed (held: a sustained step must never be absorbed into the baseline). Three budgets in four step by 2-25 % at a run from 250 to 380 (one
step in five is a ramp over 2 or 4 runs, timed from its first run). Kinds (σ 1-10 % of the level):
Gaussian; log-normal (σ of the log 2-20 %); bimodal (15-45 % of runs 5-25 % slower); Student t (2.5-4
dof); AR(1) (φ 0.5-0.85); spikes (0.5-2 % of runs 20-80 % slower); a coarse timer (whole ms at 2-15 ms);
a business-hours cycle (a square wave of 24 runs); and mixtures: log-normal AR(1) at φ 0.5 with 0.5 %
spikes of 30-100 % (mixed); AR(1) at φ 0.5 with those spikes (arspikes); log-normal with them
(lnspikes); Gaussian with them (bigspikes); AR(1) with Student t3 innovations (art); and bursts, 1 % of
runs starting 2-4 runs 15-50 % slower (a noisy neighbour for a while, which no gate can tell from a
step at the second check).
"""
import collections
import json
import math
import os
import random
import subprocess
import sys

RUNS = 400
# The first run whose check counts (the earlier ones have too short a history to judge).
FIRST = 20
KINDS = ['gaussian', 'lognormal', 'bimodal', 'student', 'ar1', 'spikes', 'coarse', 'seasonal',
         'mixed', 'arspikes', 'lnspikes', 'bigspikes', 'art', 'bursts']
rng = random.Random(0)


def t_dof(dof):
    """Student's t with `dof` degrees of freedom."""
    chi = rng.gammavariate(dof / 2, 2) / dof
    return rng.gauss(0, 1) / math.sqrt(chi)


def make(kind, n, step_at, step, ramp):
    """A series of `kind` noise with a step of `step` (relative) at `step_at` reached over `ramp`
    runs: its values and its noise's σ relative to the level (the residual's, for the cycle)."""
    s = rng.uniform(0.01, 0.10)
    base = rng.uniform(2, 15) if kind == 'coarse' else 10 ** rng.uniform(-1, 3)
    phi = rng.uniform(0.5, 0.85)
    slow_p, slow = rng.uniform(0.15, 0.45), rng.uniform(0.05, 0.25)
    dof = rng.uniform(2.5, 4.0)
    spike_p = rng.uniform(0.005, 0.02)
    amp = rng.uniform(0.5, 3.0) * s
    phase = rng.uniform(0, 2 * math.pi)
    ar = rng.gauss(0, 1)
    burst_left, burst = 0, 0.0
    vals = []
    for i in range(n):
        f = 1.0
        if step_at is not None and i >= step_at:
            f = 1 + step * min(1.0, (i - step_at + 1) / ramp)
        lv = base * f
        e = rng.gauss(0, 1)
        if kind == 'gaussian':
            v = lv * (1 + s * e)
        elif kind == 'lognormal':
            v = lv * math.exp(2 * s * e)
        elif kind == 'bimodal':
            v = lv * (1 + s * e) * (1 + slow if rng.random() < slow_p else 1)
        elif kind == 'student':
            v = lv * (1 + s * t_dof(dof) * math.sqrt((dof - 2) / dof))
        elif kind == 'ar1':
            ar = phi * ar + math.sqrt(1 - phi * phi) * e
            v = lv * (1 + s * ar)
        elif kind == 'spikes':
            v = lv * (1 + s * e)
            if rng.random() < spike_p:
                v *= 1 + rng.uniform(0.2, 0.8)
        elif kind == 'coarse':
            v = max(0.0, round(lv * (1 + s * e)))
        elif kind == 'seasonal':
            x = (i % 24) / 24
            wave = 1.0 if 0.35 < ((x + phase / (2 * math.pi)) % 1.0) < 0.75 else -0.6  # business hours
            v = lv * (1 + amp * wave + s * e)
        elif kind == 'mixed':  # log-normal, mild AR, rare spikes
            ar = 0.5 * ar + math.sqrt(0.75) * e
            v = lv * math.exp(s * ar)
            if rng.random() < 0.005:
                v *= 1 + rng.uniform(0.3, 1.0)
        elif kind in ('arspikes', 'lnspikes', 'bigspikes'):
            if kind == 'arspikes':
                ar = 0.5 * ar + math.sqrt(0.75) * e
                v = lv * (1 + s * ar)
            elif kind == 'lnspikes':
                v = lv * math.exp(s * e)
            else:
                v = lv * (1 + s * e)
            if rng.random() < 0.005:
                v *= 1 + rng.uniform(0.3, 1.0)
        elif kind == 'art':  # AR(1) with heavy-tailed (t3) innovations
            ar = phi * ar + math.sqrt(1 - phi * phi) * t_dof(3.0) / math.sqrt(3.0)
            v = lv * (1 + s * ar)
        elif kind == 'bursts':  # a noisy neighbour: 1 % of runs start a 2-4-run burst +15-50 %
            if burst_left == 0 and rng.random() < 0.01:
                burst_left, burst = rng.randint(2, 4), rng.uniform(0.15, 0.5)
            v = lv * (1 + s * e) * (1 + burst if burst_left > 0 else 1)
            burst_left = max(0, burst_left - 1)
        vals.append(v)
    sd = {
        'lognormal': math.sqrt(math.exp((2 * s) ** 2) - 1),
        'bimodal': math.sqrt(s * s + slow_p * (1 - slow_p) * slow * slow),
        'coarse': math.sqrt((base * s) ** 2 + 1 / 12) / base,
    }.get(kind, s)
    return vals, sd


def write_workspace(d, series):
    """A workspace in `d`: budgets m0, m1, ... (ms, no real limit), one run per commit on `main`
    with every series' value at that run."""
    os.makedirs(d + "/history", exist_ok=True)
    open(d + "/headroom.yaml", "w").write("default_branch: main\ndefault_environment: ci\n")
    open(d + "/b.yaml", "w").write("budgets:\n" + "".join(f"  m{b}: {{unit: ms, limit: 1000000}}\n" for b in range(len(series))))
    with open(d + "/history/h.jsonl", "w") as h:
        for i in range(len(series[0])):
            m = ",".join(f'"m{b}":{values[i]:.6g}' for b, values in enumerate(series))
            h.write(f'{{"id":"r{i}","timestamp":"2026-01-01T00:00:00Z","commit":"c{i}","branch":"main","environment":"ci","metrics":{{{m}}}}}\n')


def generate(out, seed, per_kind, budgets):
    """Writes the workspaces; returns each one's truth (per budget: step run, size, size in σ)."""
    rng.seed(seed)
    truth = {}
    for kind in KINDS:
        for w in range(per_kind):
            series = []
            for b in range(budgets):
                has = b % 4 != 3
                at = rng.randrange(250, 381) if has else None
                step = rng.uniform(0.02, 0.25) if has else 0.0
                ramp = rng.choice([1, 1, 1, 2, 4]) if has else 1
                vals, sd = make(kind, RUNS, at, step, ramp)
                series.append(dict(values=vals, at=at, step=step, sd=sd, ramp=ramp))
            write_workspace(f"{out}/{kind}-{w}", [s["values"] for s in series])
            truth[f"{kind}-{w}"] = [dict(at=s["at"], step=s["step"], sigma=s["step"] / s["sd"], ramp=s["ramp"]) for s in series]
    return truth


def score(truth, reports):
    """Prints the false alarms per check by kind, and the steps past 5 % caught by size."""
    fa = collections.Counter()
    checks = collections.Counter()
    det = collections.defaultdict(lambda: [0, 0, 0, 0, 0, 0])  # steps, by the 2nd check, within 12, ever, held
    for ws, budgets in truth.items():
        kind = ws.rsplit('-', 1)[0]
        rep = reports[ws]
        alarms = collections.defaultdict(list)
        for a in rep["alarms"]:
            alarms[a["budget"]].append((a["index"], a["runs"]))
        for b, t in enumerate(budgets):
            end = t["at"] if t["at"] is not None else 400
            checks[kind] += max(0, end - FIRST)
            for (i, n) in alarms.get(f"m{b}", []):
                lo, hi = max(i, FIRST), min(i + n, end)
                fa[kind] += max(0, hi - lo)
            if t["at"] is None or t["step"] <= 0.05:
                continue
            sz = '<2' if t["sigma"] < 2 else '2-4' if t["sigma"] < 4 else '4-8' if t["sigma"] < 8 else '>=8'
            first = min([max(i, t["at"]) for (i, n) in alarms.get(f"m{b}", []) if i + n > t["at"]], default=None)
            # Held: of the checks from the step's 12th run to the history's end, how many fail (a
            # sustained step must keep failing until a person accepts it, never be absorbed).
            held_from = t["at"] + 11
            held = sum(max(0, min(i + n, RUNS) - max(i, held_from)) for (i, n) in alarms.get(f"m{b}", []))
            for key in [(kind, sz), ('all', sz)]:
                d = det[key]
                d[0] += 1
                d[4] += held
                d[5] += max(0, RUNS - held_from)
                if first is not None:
                    d[3] += 1
                    d[1] += first - t["at"] < 2
                    d[2] += first - t["at"] < 12
    print("| noise | checks | false alarms | rate |")
    for k in checks:
        print(f"| {k} | {checks[k]} | {fa[k]} | {100*fa[k]/max(1,checks[k]):.3f} % |")
    print(f"| all | {sum(checks.values())} | {sum(fa.values())} | {100*sum(fa.values())/max(1,sum(checks.values())):.3f} % |")
    print()
    print("| kind | size (past 5 %) | steps | by 2nd | within 12 | ever | held from 12th |")
    for key in sorted(det):
        c, w2, w12, ev, held, after = det[key]
        print(f"| {key[0]} | {key[1]} | {c} | {100*w2/c:.1f} % | {100*w12/c:.1f} % | {100*ev/c:.1f} % | {100*held/max(1, after):.1f} % |")


def main():
    binary, out, seed, per_kind = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    truth = generate(out, seed, per_kind, 16)
    reports = {}
    for ws in truth:
        replay = subprocess.run([binary, "replay", f"{out}/{ws}", "--format", "json"], capture_output=True, text=True, check=True)
        reports[ws] = json.loads(replay.stdout)
    score(truth, reports)


if __name__ == "__main__":
    main()
