#!/usr/bin/env python3
"""run.py BIN OUTDIR RES.json -- replay every workspace in OUTDIR (one process at a time)."""
import json
import os
import subprocess
import sys
import time


def main():
    bin_, outdir, res = sys.argv[1], sys.argv[2], sys.argv[3]
    wss = sorted(d for d in os.listdir(outdir) if os.path.isfile(os.path.join(outdir, d, "truth.json")))
    out = {"bin": os.path.abspath(bin_), "outdir": os.path.abspath(outdir), "workspaces": {}}
    t_all = time.time()
    for k, ws in enumerate(wss):
        path = os.path.join(outdir, ws)
        truth = json.load(open(os.path.join(path, "truth.json")))
        t0 = time.time()
        p = subprocess.run([bin_, "replay", path, "--format", "json"], capture_output=True, text=True,
                           timeout=600)
        el = time.time() - t0
        rec = {"truth": truth, "rc": p.returncode, "elapsed": el}
        try:
            j = json.loads(p.stdout)
            rec["alarms"] = j["alarms"]
            rec["runs_checked"] = j.get("runs_checked")
            rec["settings"] = j.get("settings")
            bad = [a for a in j["alarms"] if a.get("run") != f"r{a['index']}"]
            if bad:
                rec["index_mismatch"] = len(bad)
        except Exception as e:  # keep going, score.py reports it
            rec["error"] = f"{type(e).__name__}: {e}; stderr: {p.stderr[-2000:]}"
        out["workspaces"][ws] = rec
        if (k + 1) % 20 == 0 or k + 1 == len(wss):
            print(f"  {k + 1}/{len(wss)} workspaces, {time.time() - t_all:.0f}s", file=sys.stderr, flush=True)
    with open(res, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
