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
import re
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import servers  # noqa: E402

HERE = servers.HERE
HOST = servers.HOST


def start(binary, app, port, tmp):
    """Starts one side; returns its Popen. `nginx` is nginx's fixed 13-byte answer."""
    log = open(os.path.join(tmp, "ab-%d.log" % port), "w")
    if binary == "nginx":
        cmd = servers._nginx(app, port, 1, tmp)
    else:
        cmd = [os.path.abspath(binary), "-w", "1", "-b", "%s:%d" % (HOST, port), "--worker-connections", "4096",
               "apps:" + app]
    return subprocess.Popen(cmd, cwd=HERE, stdout=log, stderr=subprocess.STDOUT)


def wrk_rps(port, conns, seconds):
    out = subprocess.run(["wrk", "-t1", "-c%d" % conns, "-d%ds" % seconds, "--timeout", "2",
                          "http://%s:%d/" % (HOST, port)],
                         capture_output=True, text=True, timeout=seconds + 30).stdout
    m = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    if not m:
        raise RuntimeError("wrk gave no result: %s" % out[-300:])
    return float(m.group(1))


def wait_listening(port, proc, timeout=15.0):
    import socket
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server on port %d exited with %s" % (port, proc.returncode))
        try:
            socket.create_connection((HOST, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server on port %d did not listen in %.0f s" % (port, timeout))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--a", required=True, help="baseline: a bastion binary or 'nginx'")
    p.add_argument("--b", required=True, help="candidate: a bastion binary or 'nginx'")
    p.add_argument("--app", default="raw", help="apps.py entry point (default raw)")
    p.add_argument("--conns", type=int, default=50)
    p.add_argument("--runs", type=int, default=15, help="pairs of runs (default 15)")
    p.add_argument("--seconds", type=int, default=1, help="seconds per wrk run (default 1)")
    p.add_argument("--port", type=int, default=21900, help="A's port; B uses the next one")
    args = p.parse_args()

    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 8192)), hard))
    import tempfile
    with tempfile.TemporaryDirectory(prefix="bastion-ab-") as tmp:
        procs = []
        try:
            for i, binary in enumerate((args.a, args.b)):
                port = args.port + i
                procs.append(start(binary, args.app, port, tmp))
                wait_listening(port, procs[-1])
            for i in range(2):  # warm both
                wrk_rps(args.port + i, args.conns, 1)
            pairs = []
            for n in range(args.runs):
                a = wrk_rps(args.port, args.conns, args.seconds)
                b = wrk_rps(args.port + 1, args.conns, args.seconds)
                pairs.append((a, b))
                print("pair %2d  A %9.0f  B %9.0f  B/A %.3f" % (n + 1, a, b, b / a), flush=True)
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
    ratios = [b / a for a, b in pairs]
    sd = statistics.stdev(ratios) if len(ratios) > 1 else 0.0
    print("A %s: mean %.0f req/s" % (args.a, statistics.mean(a for a, _ in pairs)))
    print("B %s: mean %.0f req/s" % (args.b, statistics.mean(b for _, b in pairs)))
    print("B/A per pair: mean %.3f  median %.3f  sd %.3f  stderr %.3f  (n %d, %s, %d conns)" %
          (statistics.mean(ratios), statistics.median(ratios), sd, sd / len(ratios) ** 0.5,
           len(ratios), args.app, args.conns))


if __name__ == "__main__":
    main()
