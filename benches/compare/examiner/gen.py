#!/usr/bin/env python3
"""Examiner generator: gen.py SEED OUTDIR [WS_PER_KIND]

Writes OUTDIR/<kind>_<kk>/ workspaces (headroom.yaml, b.yaml, history/h.jsonl, truth.json).
Deterministic per SEED (each workspace has its own RNG stream derived from SEED, kind, index).
"""
import datetime
import json
import os
import sys

import numpy as np

KINDS = ["gaussian", "lognormal", "bimodal", "bimodal_sticky", "t3", "ar1", "spikes",
         "coarse", "daily", "mix_ar1_spikes", "mix_daily_spikes", "mix_bimodal_spikes"]
NB = 16
NSTEP = 12
FLOOR = 0.3  # multiplier floor: a timing never goes below 30 % of its level (only t3 tails ever reach it)
T0 = datetime.datetime(2026, 1, 1)


def bimodal_states(rng, n, sticky):
    """Slow-state indicator per run (shared by all budgets). Stationary P(slow) = 0.3."""
    if not sticky:
        return (rng.random(n) < 0.3).astype(float), None
    spell = rng.uniform(2.0, 3.0)          # mean slow-spell length
    q = 1.0 / spell                         # P(slow -> fast)
    p = 0.3 * q / 0.7                       # P(fast -> slow): stationary 0.3
    st = np.zeros(n)
    cur = rng.random() < 0.3
    for i in range(n):
        st[i] = cur
        u = rng.random()
        cur = (u >= q) if cur else (u < p)
    return st, spell


def bimodal_total_sd(sd, d, p=0.3):
    """sd of (1+sd Z)(1+d B), B~Bern(p), relative to the fast level."""
    m2 = (1 + sd * sd) * (1 + 2 * d * p + d * d * p)
    m1 = 1 + d * p
    return float(np.sqrt(m2 - m1 * m1))


def coarse_quant_sd(level, sd_abs, seed):
    r = np.random.default_rng(seed)
    x = np.maximum(np.round(level + sd_abs * r.standard_normal(400000)), 0)
    return float(x.std())


def make_workspace(seed, kind_i, w, outdir):
    kind = KINDS[kind_i]
    rng = np.random.default_rng([seed, kind_i, w])
    n = int(rng.integers(300, 401))
    names = [f"m{j}" for j in range(NB)]
    steppers = set(rng.choice(NB, NSTEP, replace=False).tolist())
    has_bimodal = kind in ("bimodal", "bimodal_sticky", "mix_bimodal_spikes")
    has_spikes = kind in ("spikes", "mix_ar1_spikes", "mix_daily_spikes", "mix_bimodal_spikes")
    has_daily = kind in ("daily", "mix_daily_spikes")
    has_ar1 = kind in ("ar1", "mix_ar1_spikes")
    ws_info = {"kind": kind, "seed": seed, "index": w, "n": n}
    if has_bimodal:
        state, spell = bimodal_states(rng, n, kind == "bimodal_sticky")
        ws_info["slow_share"] = float(state.mean())
        if spell is not None:
            ws_info["slow_spell_mean"] = spell
    if has_daily:
        phase = float(rng.uniform(0, 2 * np.pi))
        ws_info["daily_phase"] = phase
    idx = np.arange(n)
    values = {}
    budgets = {}
    for j, name in enumerate(names):
        info = {}
        if kind == "coarse":
            level = float(rng.uniform(3, 12))
            sd_abs = float(rng.uniform(0.3, 1.0))
            sd = sd_abs / level
            info["sd_abs_before_rounding"] = sd_abs
        else:
            level = float(np.exp(rng.uniform(np.log(1.0), np.log(1000.0))))
            sd = float(rng.uniform(0.01, 0.08))
        if j in steppers:
            at = int(rng.integers(n - 150, n - 20 + 1))
            s = float(rng.uniform(0.02, 0.25))
        else:
            at, s = None, 0.0
        step = np.ones(n)
        if at is not None:
            step[at:] = 1 + s
        z = rng.standard_normal(n)
        sigma_sd = sd  # the sd used to express a step in sigma
        if kind in ("gaussian", "spikes", "bimodal", "bimodal_sticky", "mix_bimodal_spikes"):
            mult = 1 + sd * z
        elif kind == "lognormal":
            sg = np.sqrt(np.log(1 + sd * sd))
            mult = np.exp(sg * z - sg * sg / 2)   # mean 1, sd = sd, right-skewed
        elif kind == "t3":
            mult = 1 + sd * rng.standard_t(3, n) / np.sqrt(3.0)
        elif has_ar1:
            phi = float(rng.uniform(0.6, 0.8))
            info["phi"] = phi
            x = np.empty(n)
            x[0] = z[0]
            for i in range(1, n):
                x[i] = phi * x[i - 1] + np.sqrt(1 - phi * phi) * z[i]
            mult = 1 + sd * x
        elif has_daily:
            amp = float(rng.uniform(2.0, 3.0))
            info["daily_amp_sd"] = amp
            mult = 1 + amp * sd * np.sin(2 * np.pi * idx / 24 + phase) + sd * z
        elif kind == "coarse":
            mult = None
        else:
            raise ValueError(kind)
        if has_bimodal:
            d = float(rng.uniform(0.10, 0.25))
            info["slow_extra"] = d
            mult = mult * (1 + d * state)
            sigma_sd = bimodal_total_sd(sd, d)
        if has_spikes:
            sp = rng.random(n) < 0.01
            amt = rng.uniform(0.20, 0.60, n)
            mult = mult * np.where(sp, 1 + amt, 1.0)
            info["spike_runs"] = np.nonzero(sp)[0].tolist()
        if kind == "coarse":
            v = np.maximum(np.round(level * step + sd_abs * z), 0.0)
            qsd = coarse_quant_sd(level, sd_abs, [seed, kind_i, w, j, 7])
            sigma_sd = qsd / level
            info["quantised_sd_abs"] = qsd
        else:
            mult = np.maximum(mult, FLOOR)
            v = level * mult * step
        values[name] = v
        info.update({"level": level, "sd_rel": sd, "sigma_sd_rel": sigma_sd, "at": at, "s": s,
                     "size_sigma": (s / sigma_sd) if at is not None else None})
        budgets[name] = info
    wsdir = os.path.join(outdir, f"{kind}_{w:02d}")
    os.makedirs(os.path.join(wsdir, "history"), exist_ok=True)
    with open(os.path.join(wsdir, "headroom.yaml"), "w") as f:
        f.write("default_branch: main\ndefault_environment: ci\n")
    with open(os.path.join(wsdir, "b.yaml"), "w") as f:
        f.write("budgets:\n")
        for name in names:
            f.write(f"  {name}: {{unit: ms, limit: 1000000}}\n")
    with open(os.path.join(wsdir, "history", "h.jsonl"), "w") as f:
        for i in range(n):
            ts = (T0 + datetime.timedelta(hours=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
            met = {}
            for name in names:
                x = float(values[name][i])
                met[name] = float(int(x)) if kind == "coarse" else float(f"{x:.6g}")
            f.write(json.dumps({"id": f"r{i}", "timestamp": ts, "commit": f"c{i}", "branch": "main",
                                "environment": "ci", "metrics": met}) + "\n")
    ws_info["budgets"] = budgets
    with open(os.path.join(wsdir, "truth.json"), "w") as f:
        json.dump(ws_info, f, indent=1)


def main():
    seed = int(sys.argv[1])
    outdir = sys.argv[2]
    per_kind = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    os.makedirs(outdir, exist_ok=True)
    for ki in range(len(KINDS)):
        for w in range(per_kind):
            make_workspace(seed, ki, w, outdir)


if __name__ == "__main__":
    main()
