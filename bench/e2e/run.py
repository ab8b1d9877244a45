#!/usr/bin/env python3
"""End-to-end benchmark: Bastion against its peers on this machine, in one run, one table.

    python3 bench/e2e/run.py --quick        # ~5 min: raw + Flask hello, keep-alive and close
    python3 bench/e2e/run.py --full         # every app and scenario of issue 7 (~20 min)
    python3 bench/e2e/run.py --full --workers 1,2 --rounds 3 --name nightly

Each server is started one at a time on 127.0.0.1 (fresh port, by PID), warmed up, loaded
with wrk (-t1, bounded by -d), measured from /proc and stopped by PID; servers alternate
within a round and rounds repeat. The table and the raw numbers are written to
bench/results/YYYY-MM-DD-<name>.md (and .json). Standard library only; see bench/README.md.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import report  # noqa: E402
import servers  # noqa: E402

HERE = servers.HERE
ROOT = servers.ROOT
WRK_SCRIPT = os.path.join(HERE, "wrk_report.lua")
MIB = 1 << 20


class Scenario:
    def __init__(self, key, title, conns, headers=(), post_bytes=0, slow=0, fresh=False):
        self.key = key
        self.title = title
        self.conns = conns
        self.headers = list(headers)
        self.post_bytes = post_bytes
        self.slow = slow           # number of trickling connections during the measurement
        self.fresh = fresh         # needs its own server start (may damage the server)


SCENARIOS = {
    "ka50": Scenario("ka50", "keep-alive, 50 conns", 50),
    "close50": Scenario("close50", "Connection: close, 50 conns", 50, ["Connection: close"]),
    "ka1000": Scenario("ka1000", "keep-alive, 1000 conns", 1000),
    "post1m": Scenario("post1m", "1 MiB POST echo, 10 conns", 10, post_bytes=MIB),
    "slow": Scenario("slow", "50 conns + 1000 slow clients", 50, slow=1000, fresh=True),
}

# (scenario, app) pairs of each preset, in run order.
PRESETS = {
    "quick": [("ka50", "raw"), ("close50", "raw"), ("ka50", "flask_hello"),
              ("close50", "flask_hello")],
    "full": [("ka50", "raw"), ("close50", "raw"), ("ka1000", "raw"),
             ("ka50", "flask_hello"), ("close50", "flask_hello"), ("ka1000", "flask_hello"),
             ("ka50", "flask_json"), ("ka50", "download"), ("ka50", "stream"),
             ("post1m", "upload"), ("slow", "raw")],
}


# ---------------------------------------------------------------------------------------------
# measurement


def _proc_stat_busy():
    """(busy jiffies, total jiffies) of the whole machine from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    return sum(v[:8]) - idle, sum(v[:8])


def run_wrk(port, scen, seconds, timeout_s):
    """Runs wrk once; returns its BENCH_JSON dict plus wrk's own CPU seconds."""
    cmd = ["wrk", "-t1", "-c%d" % scen.conns, "-d%ds" % seconds, "--timeout",
           "%ds" % timeout_s, "-s", WRK_SCRIPT]
    for h in scen.headers:
        cmd += ["-H", h]
    cmd.append("http://%s:%d/" % (servers.HOST, port))
    env = dict(os.environ, BENCH_POST_BYTES=str(scen.post_bytes))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, capture_output=True, text=True, env=env,
                         timeout=seconds + timeout_s + 30)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    for line in out.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            res = json.loads(line[len("BENCH_JSON "):])
            res["wrk_cpu_s"] = (after.ru_utime + after.ru_stime) - (before.ru_utime +
                                                                     before.ru_stime)
            return res
    raise RuntimeError("wrk gave no summary: %s %s" % (out.stdout[-500:], out.stderr[-500:]))


def measure(srv, scen, args):
    """One measured wrk run against a running server: the row's raw numbers."""
    busy0, total0 = _proc_stat_busy()
    cpu0 = srv.cpu()
    res = run_wrk(srv.port, scen, args.duration, args.wrk_timeout)
    cpu1 = srv.cpu()
    busy1, total1 = _proc_stat_busy()
    master, workers = srv.rss()
    secs = res["duration_us"] / 1e6
    ncpu = os.cpu_count() or 1
    machine_busy_s = (busy1 - busy0) / servers.CLK_TCK
    res.update({
        "rps": res["requests"] / secs if secs else 0.0,
        "server_cpu_s": cpu1 - cpu0,
        "server_cpu_us_per_req": (cpu1 - cpu0) * 1e6 / res["requests"] if res["requests"] else None,
        "server_cpu_pct": 100.0 * (cpu1 - cpu0) / secs,
        "wrk_cpu_pct": 100.0 * res["wrk_cpu_s"] / secs,
        # everything else the machine did meanwhile (other jobs, the slow-client helper...)
        "other_cpu_pct": max(0.0, 100.0 * (machine_busy_s - (cpu1 - cpu0) - res["wrk_cpu_s"])
                             / secs),
        "machine_cores": ncpu,
        "rss_master_kib": master,
        "rss_workers_kib": workers,
    })
    return res


def start_slow(port, count, seconds):
    p = subprocess.Popen([sys.executable, os.path.join(HERE, "slow_clients.py"), str(port),
                          str(count), str(seconds)], stdout=subprocess.PIPE, text=True,
                         stdin=subprocess.DEVNULL)
    line = p.stdout.readline()  # "READY n" (the helper prints it within ~10 s)
    ready = int(line.split()[1]) if line.startswith("READY") else 0
    return p, ready


def stop_slow(p):
    if p.poll() is None:
        p.terminate()  # by PID; the helper prints its summary and exits
    try:
        out, _ = p.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
    for line in out.splitlines():
        if line.startswith("SLOW_JSON "):
            return json.loads(line[len("SLOW_JSON "):])
    return {}


# ---------------------------------------------------------------------------------------------
# orchestration


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def wait_quiet(args):
    """With --quiet PCT: waits (at most --quiet-wait s) until the rest of the machine uses
    less than PCT% of a core over half a second; returns the seconds waited."""
    if not args.quiet:
        return 0.0
    t0 = time.monotonic()
    while time.monotonic() - t0 < args.quiet_wait:
        b0, _ = _proc_stat_busy()
        time.sleep(0.5)
        b1, _ = _proc_stat_busy()
        if 100.0 * (b1 - b0) / servers.CLK_TCK / 0.5 < args.quiet:
            break
    return time.monotonic() - t0


def ceiling_row(app, rnd, args):
    """The "Flask ceiling" pseudo-server: ceiling.py on `app` for about --duration seconds."""
    busy0, _ = _proc_stat_busy()
    t0 = time.monotonic()
    us = ceiling(args, [app], seconds=args.duration).get(app)
    secs = time.monotonic() - t0
    busy1, _ = _proc_stat_busy()
    row = {"server": "ceiling", "app": app, "workers": 1, "round": rnd, "scenario": "ka50",
           "argv": [sys.executable, os.path.join(HERE, "ceiling.py"), app], "variant": ""}
    if not us:
        return dict(row, failed="ceiling.py failed")
    return dict(row, rps=1e6 / us, requests=0, p50_us=None, p99_us=None, connect=0, read=0,
                write=0, timeout=0, status=0, server_cpu_us_per_req=us, server_cpu_pct=100.0,
                wrk_cpu_pct=0.0, rss_master_kib=None, rss_workers_kib=[],
                other_cpu_pct=max(0.0, 100.0 * (busy1 - busy0) / servers.CLK_TCK / secs - 100))


def in_worker_ceiling(srv, args):
    """The app's in-loop cost timed inside the served worker (apps.py's CEILING_PATH):
    (details dict, None) or (None, why)."""
    time.sleep(0.3)  # let wrk's connections close
    cpu0 = srv.cpu()
    out, why = servers.in_worker_ceiling(srv.port, args.ceiling_seconds)
    if out is not None:
        out["server_cpu_s"] = round(srv.cpu() - cpu0, 2)  # ~ the loop's CPU: it ran in the server
    return out, why


def ceiling_in_worker(before, srv, row, args):
    """The in-worker ceiling of a keep-alive row: timed just before the load (`before`, from
    in_worker_ceiling) and right after it, the mean stored as ceiling_in_worker_us (+ both
    measurements). Bracketing the load cancels the host's drift (+-20% within minutes here),
    as bracket() does for the slow-clients row; one side alone is used if the other failed."""
    after, why = in_worker_ceiling(srv, args)
    sides = [m for m in (before, after) if m is not None]
    if not sides:
        row["ceiling_in_worker_failed"] = why
        return
    row["ceiling_in_worker_us"] = statistics.mean(m["us_per_call"] for m in sides)
    row["ceiling_in_worker"] = dict(after or before, before_us=before and before["us_per_call"],
                                    after_us=after and after["us_per_call"])


def bracket(before, srv, args):
    """The unloaded reference of the slow-clients scenario: measured just before the slow
    clients start and again just after they stop, averaged, so that the host's drift over the
    ~20 s in between (+-20% here) cancels instead of counting as the slow clients' effect."""
    time.sleep(0.3)  # let the slow clients' connections close
    try:
        after = measure(srv, SCENARIOS["ka50"], args)
    except (RuntimeError, subprocess.TimeoutExpired):
        return before
    out = dict(before, rps=(before["rps"] + after["rps"]) / 2.0,
               rps_before=before["rps"], rps_after=after["rps"])
    return out


def run_session(spec, app, scens, workers, rnd, args, tmp, env, results, variant=""):
    """Starts one server, runs the given scenarios against it in order, stops it."""
    if spec.name == "ceiling":
        row = ceiling_row(app, rnd, args)
        results.append(row)
        log("  %-18s %-12s %-8s %s" % (spec.name, app, "ka50", report.brief(row)))
        return
    waited = wait_quiet(args)
    if waited > 1:
        log("  (waited %.0f s for the machine to be quiet)" % waited)
    want_ceiling = args.ceiling_seconds > 0 and workers == 1 and app in args.ceiling_apps
    entry = servers.entry_point(spec, app, want_ceiling)
    try:
        srv = servers.Running(spec, app, workers, tmp, env, variant, entry)
    except OSError as e:
        log("  %-18s %-12s cannot start: %s" % (spec.name, app, e))
        for scen in scens:
            results.append({"server": spec.name, "app": app, "workers": workers, "round": rnd,
                            "argv": spec.argv(entry, 0, workers, tmp, variant),
                            "scenario": scen.key,
                            "failed": "cannot start: %s" % e})
        return
    base = {"server": spec.name, "app": app, "workers": srv.workers, "round": rnd,
            "argv": srv.argv, "variant": variant}
    try:
        if not srv.wait_ready():
            log("  %-18s %-12s FAILED to start:\n%s" % (spec.name, app, srv.log_tail()))
            for scen in scens:
                results.append(dict(base, scenario=scen.key, failed="did not start"))
            return
        bad = servers.verify(srv.port, app)
        if bad:
            log("  %-18s %-12s WRONG response: %s" % (spec.name, app, bad))
            for scen in scens:
                results.append(dict(base, scenario=scen.key, failed="wrong response: " + bad))
            return
        first = scens[0]
        run_wrk(srv.port, SCENARIOS["ka50"] if first.slow else first, args.warmup,
                args.wrk_timeout)
        for i, scen in enumerate(scens):
            if i:
                time.sleep(0.3)  # let the previous scenario's connections close
            row = dict(base, scenario=scen.key)
            if "Connection: close" in scen.headers and not servers.closes_when_asked(srv.port):
                row["note"] = "ignored Connection: close (this row measures keep-alive)"
            want_ceiling = (scen.key == "ka50" and entry != app and srv.workers == 1)
            ceiling_before = in_worker_ceiling(srv, args)[0] if want_ceiling else None
            try:
                if scen.slow:
                    before = measure(srv, SCENARIOS["ka50"], args)
                    helper, ready = start_slow(srv.port, scen.slow,
                                               args.duration + args.wrk_timeout + 25)
                    try:
                        row.update(measure(srv, scen, args))
                    finally:
                        row["slow"] = dict(stop_slow(helper), ready=ready)
                    row["unloaded"] = bracket(before, srv, args)
                else:
                    row.update(measure(srv, scen, args))
            except (RuntimeError, subprocess.TimeoutExpired) as e:
                row["failed"] = str(e)[:300]
            if want_ceiling and not row.get("failed") and srv.proc.poll() is None:
                ceiling_in_worker(ceiling_before, srv, row, args)
            if srv.proc.poll() is not None:
                row["failed"] = "server exited (%s)" % srv.proc.returncode
            results.append(row)
            log("  %-18s %-12s %-8s %s" % (spec.name, app, scen.key, report.brief(row)))
    finally:
        t0 = time.monotonic()
        srv.stop()
        if time.monotonic() - t0 > 3:
            log("  %-18s %-12s took %.1f s to stop (SIGKILL after 10 s)" % (
                spec.name, app, time.monotonic() - t0))
            for row in results[-len(scens):]:
                row["stop_s"] = round(time.monotonic() - t0, 1)


def plan(args):
    """The run's sessions: [(workers, round, spec, app, [scenarios], variant)] in run order."""
    pairs = PRESETS[args.preset]
    if args.scenarios:
        pairs = [(s, a) for s, a in pairs if s in args.scenarios]
    if args.apps:
        pairs = [(s, a) for s, a in pairs if a in args.apps]
    specs = [s for s in servers.server_specs(args.bastion)
             if not args.servers or s.name in args.servers]
    sessions = []
    for workers in args.workers:
        for rnd in range(args.rounds):
            order = specs if rnd % 2 == 0 else list(reversed(specs))
            apps = []
            for _, a in pairs:
                if a not in apps:
                    apps.append(a)
            for app in apps:
                shared = [SCENARIOS[s] for s, a in pairs if a == app and not SCENARIOS[s].fresh]
                fresh = [SCENARIOS[s] for s, a in pairs if a == app and SCENARIOS[s].fresh]
                for spec in order:
                    if spec.apps is not None and app not in spec.apps:
                        continue
                    if spec.name == "ceiling":
                        if workers == 1 and any(sc.key == "ka50" for sc in shared):
                            sessions.append((workers, rnd, spec, app, [SCENARIOS["ka50"]], ""))
                        continue
                    if workers > 1 and not spec.multi_worker:
                        continue  # a single-process server's row would repeat the 1-worker one
                    variants = []
                    for scen in shared:
                        v = spec.variant_of(app, scen.key)
                        if v not in variants:
                            variants.append(v)
                    for v in variants:
                        group = [sc for sc in shared if spec.variant_of(app, sc.key) == v]
                        sessions.append((workers, rnd, spec, app, group, v))
                    for scen in fresh:
                        sessions.append((workers, rnd, spec, app, [scen],
                                         spec.variant_of(app, scen.key)))
    return sessions


def ceiling(args, apps=("raw", "flask_hello", "flask_json"), seconds=0.5):
    """{app: us per call} from ceiling.py (median of 7 repeats lasting `seconds` in all)."""
    out = subprocess.run([sys.executable, os.path.join(HERE, "ceiling.py"), "--seconds",
                          str(seconds)] + list(apps), capture_output=True, text=True, timeout=300)
    for line in out.stdout.splitlines():
        if line.startswith("CEILING_JSON "):
            return json.loads(line[len("CEILING_JSON "):])
    log("ceiling.py failed: %s" % out.stderr[-500:])
    return {}


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    g = p.add_mutually_exclusive_group()
    g.add_argument("--quick", dest="preset", action="store_const", const="quick",
                   help="raw + Flask hello, keep-alive and close, 1 worker (default)")
    g.add_argument("--full", dest="preset", action="store_const", const="full",
                   help="every app and scenario")
    p.add_argument("--bastion", default=os.environ.get("BASTION_BIN",
                                                       os.path.join(ROOT, "build", "bastion")),
                   help="bastion binary (default $BASTION_BIN or build/bastion)")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--duration", type=int, default=None,
                   help="seconds per measured wrk run (default 4 quick, 5 full)")
    p.add_argument("--warmup", type=int, default=1, help="seconds of wrk before measuring")
    p.add_argument("--wrk-timeout", type=int, default=2, help="wrk --timeout in seconds")
    p.add_argument("--workers", default="1",
                   help="comma list of worker counts, e.g. 1,2 (Gunicorn-recommended 2)")
    p.add_argument("--servers", default="", help="comma list (default all): " +
                   ",".join(s.name for s in servers.server_specs("")))
    p.add_argument("--scenarios", default="", help="comma list of " + ",".join(SCENARIOS))
    p.add_argument("--apps", default="", help="comma list of apps")
    p.add_argument("--quiet", type=float, default=0, metavar="PCT",
                   help="before each server start, wait until other processes use < PCT%% "
                        "of a core (0 = do not wait)")
    p.add_argument("--quiet-wait", type=float, default=60, metavar="S",
                   help="longest wait for --quiet, per server start (default 60)")
    p.add_argument("--ceiling-seconds", type=float, default=1.0, metavar="S",
                   help="after each 1-worker keep-alive run of a --ceiling-apps app, time the "
                        "app in a loop inside the served worker for about S s (apps.py's "
                        "`<app>_c` entry points; 0 = serve the plain apps, no in-worker "
                        "ceiling; default 1)")
    p.add_argument("--ceiling-apps", default="flask_hello,flask_json",
                   help="apps served through their `_c` entry point for the in-worker ceiling "
                        "(default flask_hello,flask_json: free on normal requests; `raw` may be "
                        "added, but raw_c's PATH_INFO check adds ~385 instructions (~3%%) to "
                        "each raw request in Bastion)")
    p.add_argument("--name", default=None, help="results file suffix (default: the preset)")
    p.add_argument("--no-save", action="store_true", help="print only; no results file")
    args = p.parse_args(argv)
    args.bastion = os.path.abspath(args.bastion)
    args.preset = args.preset or "quick"
    args.duration = args.duration or (4 if args.preset == "quick" else 5)
    args.workers = [int(w) for w in args.workers.split(",") if w]
    args.servers = [s for s in args.servers.split(",") if s]
    args.scenarios = [s for s in args.scenarios.split(",") if s]
    args.apps = [s for s in args.apps.split(",") if s]
    args.ceiling_apps = [s for s in args.ceiling_apps.split(",") if s]
    bad = [a for a in args.ceiling_apps if a not in servers.CEILING_APPS]
    if bad:
        p.error("--ceiling-apps: no in-worker ceiling for %s (only %s)" % (
            ",".join(bad), ",".join(servers.CEILING_APPS)))
    args.name = args.name or args.preset
    return args


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else 65536
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if not os.access(args.bastion, os.X_OK):
        sys.exit("run.py: no bastion binary at %s (build it, or pass --bastion / BASTION_BIN)"
                 % args.bastion)
    nofile = raise_nofile()
    if nofile < 2200:
        log("warning: RLIMIT_NOFILE is %d; the 1000-connection scenarios need more" % nofile)
    started = time.time()
    meta = report.collect_meta(args, nofile)
    log("bench: %s, %d round(s) x %ss, workers %s, bastion %s (%s)" % (
        args.preset, args.rounds, args.duration, args.workers, meta["bastion"]["rev"],
        meta["bastion"]["build_type"]))
    log("load average at start: %s" % meta["loadavg_start"])
    sessions = plan(args)
    results = []
    with tempfile.TemporaryDirectory(prefix="bastion-bench-") as tmp:
        env = dict(os.environ, BENCH_DOWNLOAD_FILE=os.path.join(tmp, "download.bin"),
                   PYTHONDONTWRITEBYTECODE="1")
        ceil = [ceiling(args)]
        log("flask ceiling (us per call): %s" % ceil[-1])
        for i, (workers, rnd, spec, app, scens, variant) in enumerate(sessions):
            if i == 0 or sessions[i - 1][:2] != (workers, rnd):
                log("-- workers=%d round %d/%d" % (workers, rnd + 1, args.rounds))
            run_session(spec, app, scens, workers, rnd, args, tmp, env, results, variant)
        ceil.append(ceiling(args))
        log("flask ceiling (us per call): %s" % ceil[-1])
    meta["loadavg_end"] = report.loadavg()
    meta["elapsed_s"] = round(time.time() - started, 1)
    ceiling_us = {k: statistics.median(c[k] for c in ceil if k in c) for k in ceil[0]}
    for app in ceiling_us:  # the interleaved ceiling rows, when the run has them
        rows = [r["rps"] for r in results
                if r["server"] == "ceiling" and r["app"] == app and not r.get("failed")]
        if rows:  # the same median req/s as the table's ceiling row
            ceiling_us[app] = 1e6 / statistics.median(rows)
    meta["ceiling_runs"] = ceil
    text = report.render(results, ceiling_us, meta, args, SCENARIOS)
    print(text)
    if not args.no_save:
        path = report.save(text, results, ceiling_us, meta, args)
        log("saved %s (and .json)" % path)


if __name__ == "__main__":
    main()
