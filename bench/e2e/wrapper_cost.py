#!/usr/bin/env python3
"""What apps.py's `<app>_c` entry points (the in-worker ceiling hook) add to a normal request.

    python3 bench/e2e/wrapper_cost.py [--apps raw,flask_hello] [--calls 200,1200]

For each app and its `_c` twin, runs a fresh interpreter under valgrind's callgrind that calls
the entry point in a loop (ceiling.py's environ for wrk's `GET /`, no-op start_response, body
iterated and closed), once with each of two call counts. The difference of the two totals
divided by the difference of the counts is the steady-state instruction count per call, which
does not depend on the load of the machine. Prints one line per app and a JSON summary line.
Standard library only; needs valgrind.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

LOOP = """
import sys
sys.path.insert(0, %(here)r)
import apps, ceiling
app = getattr(apps, %(entry)r)
env = ceiling.environ()
sr = ceiling._start_response
for _ in range(%(calls)d):
    body = app(env, sr)
    for _c in body:
        pass
    close = getattr(body, "close", None)
    if close is not None:
        close()
"""


def instructions(entry, calls, tmp):
    """Total instructions (Ir) of one interpreter run calling `entry` `calls` times."""
    out_file = os.path.join(tmp, "cg.%s.%d" % (entry, calls))
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out_file,
           sys.executable, "-c", LOOP % {"here": HERE, "entry": entry, "calls": calls}]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=600,
                         env=dict(os.environ, PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1"))
    if run.returncode != 0:
        raise RuntimeError("valgrind failed: %s" % run.stderr[-500:])
    with open(out_file) as f:
        m = re.search(r"^(?:summary|totals): (\d+)", f.read(), re.M)
    return int(m.group(1))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--apps", default="raw,flask_hello")
    p.add_argument("--calls", default="200,1200", help="two call counts, low,high")
    args = p.parse_args()
    lo, hi = (int(x) for x in args.calls.split(","))
    summary = {}
    with tempfile.TemporaryDirectory(prefix="bench-wrapper-cost-") as tmp:
        for app in [a for a in args.apps.split(",") if a]:
            per = {}
            for entry in (app, app + "_c"):
                per[entry] = (instructions(entry, hi, tmp) - instructions(entry, lo, tmp)) / (
                    hi - lo)
            extra = per[app + "_c"] - per[app]
            summary[app] = {"plain": round(per[app]), "wrapped": round(per[app + "_c"]),
                            "extra": round(extra), "extra_pct": round(100 * extra / per[app], 3)}
            print("%-12s plain %10.0f instr/call   %s_c %10.0f   extra %+6.0f (%+.3f%%)" % (
                app, per[app], app, per[app + "_c"], extra, 100 * extra / per[app]), flush=True)
    print("WRAPPER_COST_JSON " + json.dumps(summary))


if __name__ == "__main__":
    main()
