#!/usr/bin/env python3
"""Where a Bastion worker's time goes, for one app under keep-alive load (stdlib + tools).

    python3 bench/e2e/profile.py callgrind [--app raw] [--requests 20000]
    python3 bench/e2e/profile.py perf      [--app raw] [--seconds 5]

callgrind: the worker runs under valgrind, counting only inside the event loop's iterations;
  h2load sends exactly N keep-alive requests (50 connections) and the worker exits through
  --max-requests, which writes the profile. Two runs (N/4 and N requests) give the steady
  instructions per request by difference; callgrind_annotate gives the top functions.
  Instruction counts do not depend on the other load on the machine, so runs compare
  exactly (user space only: time in syscalls is not counted).
perf: the worker runs natively under wrk (-t1 -c50) while `perf stat` and `perf record`
  (cpu-clock sampling, user+kernel) watch its PID; prints the counters and the top symbols.

Bastion is started and stopped by PID; output files go to a temp dir printed at the end
(kept with --keep).
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import servers  # noqa: E402


def start_bastion(binary, app, port, wrap, tmp, extra=()):
    argv = wrap + [binary, "-w", "1", "-b", "%s:%d" % (servers.HOST, port), "--chdir",
                   servers.HERE] + list(extra) + ["apps:" + app]
    log = open(os.path.join(tmp, "bastion.log"), "wb")
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=tmp,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            with open(os.path.join(tmp, "bastion.log"), "rb") as f:
                tail = f.read()[-2000:].decode("utf-8", "replace")
            sys.exit("bastion exited early:\n" + tail)
        kids = servers.descendants(proc.pid)
        if kids and servers.http_status(port, timeout=5) == 200:
            return proc, kids[0]
        time.sleep(0.2)
    proc.kill()
    sys.exit("bastion did not become ready")


def stop(proc):
    tree = servers.descendants(proc.pid)
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    for pid in tree:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def h2load(port, n, conns=50):
    out = subprocess.run(["h2load", "--h1", "-n", str(n), "-c", str(conns), "-m", "1",
                          "http://%s:%d/" % (servers.HOST, port)],
                         capture_output=True, text=True, timeout=900).stdout
    m = re.search(r"requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded", out)
    if not m or int(m.group(3)) != n:
        print("h2load: " + " | ".join(l for l in out.splitlines()
                                      if re.match(r"(requests|status|finished|traffic)", l)))
    return int(m.group(3)) if m else 0


def _callgrind_run(args, tmp, requests):
    """Runs one worker under callgrind for `requests` requests, then stops Bastion (the
    worker writes the profile as it exits); returns (profile path, total Ir, requests)."""
    port = servers.free_port()
    out = os.path.join(tmp, "callgrind.%d.out.%%p" % requests)
    # Only the event loop's iterations are counted (interpreter start-up and app import are
    # not); the one readiness request is part of the count.
    wrap = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
            "--collect-atstart=no", "--toggle-collect=*Server::run_once*"]
    # a worker under valgrind is ~50x slower: keep the heartbeat and idle timeouts away
    proc, worker = start_bastion(args.bastion, args.app, port, wrap, tmp, ["--timeout", "600", "--keep-alive", "600"])
    try:
        done = h2load(port, requests, args.conns)
    finally:
        stop(proc)
    path = os.path.join(tmp, "callgrind.%d.out.%d" % (requests, worker))
    if done < requests * 0.95 or not os.path.exists(path):
        with open(os.path.join(tmp, "bastion.log"), "rb") as f:
            tail = f.read()[-1500:].decode("utf-8", "replace")
        sys.exit("callgrind run failed: %d/%d requests, %s\n%s" % (done, requests, path, tail))
    with open(path) as f:
        total = next(int(l.split()[1]) for l in f if l.startswith("summary:"))
    return path, total, done + 1  # + the readiness request


def _short(line):
    line = re.sub(r"/tmp/python-build[^ ]*?/Python-3\.11\.7/", "", line.strip())
    line = re.sub(r"\(std::basic_string_view<char, std::char_traits<char> >", "(string_view", line)
    return line[:200]


def callgrind(args, tmp):
    small = max(args.requests // 4, 500)
    _, i_small, n_small = _callgrind_run(args, tmp, small)
    path, total, n = _callgrind_run(args, tmp, args.requests)
    per_req = (total - i_small) / (n - n_small)
    print("callgrind: app %s, worker event loop only: %s Ir for %d requests, %s Ir for %d; "
          "steady state %.0f instructions/request (user space; difference of the two runs)"
          % (args.app, format(total, ","), n, format(i_small, ","), n_small, per_req))
    ann = subprocess.run(["callgrind_annotate", "--threshold=99", path], capture_output=True,
                         text=True).stdout
    rows = [l for l in ann.splitlines() if re.match(r"^\s*[\d,]+ \(", l)][1:]
    by_obj = {}
    for l in rows:
        m = re.match(r"^\s*([\d,]+) .*\[(.*)\]\s*$", l)
        if m:
            obj = os.path.basename(m.group(2))
            by_obj[obj] = by_obj.get(obj, 0) + int(m.group(1).replace(",", ""))
    print("self instructions per request by object:")
    for obj, ir in sorted(by_obj.items(), key=lambda kv: -kv[1])[:6]:
        print("  %7.0f  %5.1f%%  %s" % (ir / n, 100.0 * ir / total, obj))
    print("top functions by self instructions (Ir/request, share):")
    for l in rows[:args.top]:
        m = re.match(r"^\s*([\d,]+) \(\s*([\d.]+)%\)\s+(.*)$", l)
        if m:
            print("  %7.0f %5s%%  %s" % (int(m.group(1).replace(",", "")) / n,
                                        m.group(2), _short(m.group(3))))
    incl = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=99", path],
                          capture_output=True, text=True).stdout
    print("bastion functions by inclusive instructions (Ir/request):")
    shown = 0
    for l in incl.splitlines():
        m = re.match(r"^\s*([\d,]+) \(\s*([\d.]+)%\)\s+(.*bastion::.*)$", l)
        if m and re.search(r"run_master|spawn\(|run_worker|^main", m.group(3)):
            continue  # callers of the loop: always 100%
        if m and shown < args.top:
            shown += 1
            print("  %7.0f %6s%%  %s" % (int(m.group(1).replace(",", "")) / n,
                                         m.group(2), _short(m.group(3))))
    print("callgrind file: %s (callgrind_annotate --tree=caller / kcachegrind)" % path)


def perf(args, tmp):
    port = servers.free_port()
    proc, worker = start_bastion(args.bastion, args.app, port, [], tmp)
    data = os.path.join(tmp, "perf.data")
    try:
        subprocess.run(["wrk", "-t1", "-c50", "-d1s", "http://%s:%d/" % (servers.HOST, port)],
                       capture_output=True, timeout=60)
        wrk = subprocess.Popen(["wrk", "-t1", "-c50", "-d%ds" % (args.seconds + 2),
                                "http://%s:%d/" % (servers.HOST, port)],
                               stdout=subprocess.PIPE, text=True)
        time.sleep(1)
        st = subprocess.run(["perf", "stat", "-e", "task-clock,context-switches,"
                             "cpu-migrations,page-faults", "-p", str(worker), "--", "sleep",
                             str(args.seconds // 2 or 1)], capture_output=True, text=True)
        subprocess.run(["perf", "record", "-e", "cpu-clock", "-F", "2000", "-g", "-o", data,
                        "-p", str(worker), "--", "sleep", str(args.seconds // 2 or 1)],
                       capture_output=True)
        wrk_out = wrk.communicate(timeout=args.seconds + 60)[0]
    finally:
        stop(proc)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", wrk_out)
    print("perf: app %s, wrk -c50 keep-alive: %s req/s" % (args.app, rps.group(1) if rps else "?"))
    print("\n".join(l for l in st.stderr.splitlines() if l.strip()))
    rep = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children",
                          "--sort", "dso,sym", "--percent-limit", "0.7", "-g", "none"],
                         capture_output=True, text=True).stdout
    print("top symbols (self, cpu-clock samples):")
    for l in rep.splitlines():
        if l.strip() and not l.startswith("#"):
            print("  " + l.strip())
    dso = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children",
                          "--sort", "dso", "-g", "none"], capture_output=True, text=True).stdout
    print("by object:")
    for l in dso.splitlines():
        if l.strip() and not l.startswith("#"):
            print("  " + l.strip())
    print("perf data: %s (perf report -i ...)" % data)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("mode", choices=["callgrind", "perf"])
    p.add_argument("--bastion", default=os.environ.get(
        "BASTION_BIN", os.path.join(servers.ROOT, "build", "bastion")))
    p.add_argument("--app", default="raw")
    p.add_argument("--requests", type=int, default=20000)
    p.add_argument("--conns", type=int, default=50, help="h2load connections (callgrind)")
    p.add_argument("--seconds", type=int, default=6)
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = p.parse_args()
    args.bastion = os.path.abspath(args.bastion)
    tmp = tempfile.mkdtemp(prefix="bastion-profile-")
    try:
        (callgrind if args.mode == "callgrind" else perf)(args, tmp)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
