#!/usr/bin/env python3
"""Paired A/B of two Bastion builds (or a build and nginx): is a change faster?

    python3 bench/e2e/ab.py --a /tmp/old/bastion --b build-bench/bastion --app raw --runs 15
    python3 bench/e2e/ab.py --a nginx --b build-bench/bastion --conns 1000

Both servers (one worker each) run at the same time on 127.0.0.1 and wrk (-t1) alternates
between them in short runs (default 1 s). This host's speed drifts by +-20% within minutes;
pairing each B run with the A run just before it cancels the drift, which separate
start-measure-stop runs (run.py) cannot. The result is the B/A throughput ratio per pair:
mean, median, standard deviation and the standard error of the mean. Standard library only.
"""
import argparse
import os
import resource
import statistics
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run  # noqa: E402
import servers  # noqa: E402


def spec_for(side):
    """The ServerSpec of one side: `nginx`, or the Bastion spec run.py uses for a binary."""
    specs = servers.server_specs(os.path.abspath(side))
    name = "nginx" if side == "nginx" else "bastion"
    return next(spec for spec in specs if spec.name == name)


def rps(port, conns, seconds):
    res = run.run_wrk(port, run.Scenario("ab", "A/B", conns), seconds, 2)
    return res["requests"] * 1e6 / res["duration_us"]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--a", required=True, help="baseline: a bastion binary or 'nginx'")
    p.add_argument("--b", required=True, help="candidate: a bastion binary or 'nginx'")
    p.add_argument("--app", default="raw", help="apps.py entry point (default raw)")
    p.add_argument("--conns", type=int, default=50)
    p.add_argument("--runs", type=int, default=15, help="pairs of runs (default 15)")
    p.add_argument("--seconds", type=int, default=1, help="seconds per wrk run (default 1)")
    args = p.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 8192)), hard))
    with tempfile.TemporaryDirectory(prefix="bastion-ab-") as tmp:
        sides = []
        try:
            for side in (args.a, args.b):
                sides.append(servers.Running(spec_for(side), args.app, 1, tmp, dict(os.environ)))
                if not sides[-1].wait_ready():
                    raise SystemExit("%s did not start:\n%s" % (side, sides[-1].log_tail()))
            for srv in sides:  # warm both
                rps(srv.port, args.conns, 1)
            pairs = []
            for n in range(args.runs):
                a, b = (rps(srv.port, args.conns, args.seconds) for srv in sides)
                pairs.append((a, b))
                print("pair %2d  A %9.0f  B %9.0f  B/A %.3f" % (n + 1, a, b, b / a), flush=True)
        finally:
            for srv in sides:
                srv.stop()
    ratios = [b / a for a, b in pairs]
    sd = statistics.stdev(ratios) if len(ratios) > 1 else 0.0
    print("A %s: mean %.0f req/s" % (args.a, statistics.mean(a for a, _ in pairs)))
    print("B %s: mean %.0f req/s" % (args.b, statistics.mean(b for _, b in pairs)))
    print("B/A per pair: mean %.3f  median %.3f  sd %.3f  stderr %.3f  (n %d, %s, %d conns)" %
          (statistics.mean(ratios), statistics.median(ratios), sd, sd / len(ratios) ** 0.5,
           len(ratios), args.app, args.conns))


if __name__ == "__main__":
    main()
