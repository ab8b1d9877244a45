"""Tables, versions and results files for bench/e2e/run.py (standard library only).

render() turns the per-round rows into the markdown report (the main table first, then the
derived tables: Flask ceiling, server cost per request, slow clients, issue-7 targets,
per-round numbers, versions and command lines); save() writes it with a JSON copy of the rows.
"""
import datetime
import importlib.metadata
import json
import os
import platform
import re
import shlex
import statistics
import subprocess
import sys

import servers

RESULTS_DIR = os.path.join(servers.ROOT, "bench", "results")
DEBIAN_DIST = "/usr/lib/python3/dist-packages"

# Issue 7's bjoern numbers on this machine: NOT measured by this harness (bjoern is not
# packaged in Debian). (display, value used for ratios and targets = the top of the range)
BJOERN_REF = {
    ("ka50", "raw"): ("~100k", 100000.0),
    ("close50", "raw"): ("~19.5k", 19500.0),
    ("ka50", "flask_hello"): ("15-17k", 17000.0),
}
REF_LABEL = "bjoern: issue ref, NOT measured"


# ---------------------------------------------------------------------------------------------
# versions and machine


def _cmd(argv, stderr=False):
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=20)
        return (out.stderr if stderr else out.stdout).strip()
    except (OSError, subprocess.TimeoutExpired):
        return "unavailable"


def _dist_version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        pass
    found = importlib.metadata.distributions(name=name, path=[DEBIAN_DIST])
    for dist in found:
        return dist.version
    return "not installed"


def _dpkg(pkg):
    v = _cmd(["dpkg-query", "-W", "-f", "${Version}", pkg])
    return v or "not installed"


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def _bastion_meta(binary):
    """Git revision of the tree the binary was built from (its CMakeCache names it)."""
    build_type, src = "?", None
    for d in (os.path.dirname(binary), os.path.dirname(os.path.dirname(binary))):
        cache = os.path.join(d, "CMakeCache.txt")
        if os.path.exists(cache):
            with open(cache) as f:
                text = f.read()
            m = re.search(r"^CMAKE_BUILD_TYPE:\w+=(.*)$", text, re.M)
            build_type = (m.group(1) if m else "") or "(none)"
            m = re.search(r"^CMAKE_HOME_DIRECTORY:\w+=(.*)$", text, re.M)
            src = m.group(1) if m else None
            break
    src = src or servers.ROOT
    rev = _cmd(["git", "-C", src, "rev-parse", "--short", "HEAD"])
    if not re.fullmatch(r"[0-9a-f]{4,40}", rev or ""):
        rev = "unknown (%s is not a git checkout)" % src
    else:
        changed = _cmd(["git", "-C", src, "status", "--porcelain", "--", "src", "CMakeLists.txt",
                        "cmake"])
        if changed:
            rev += "+uncommitted"
        head_time = _cmd(["git", "-C", src, "log", "-1", "--format=%ct"])
        if head_time.isdigit() and _built_at(binary) < int(head_time):
            rev += " (binary older than this commit)"
    built = datetime.datetime.fromtimestamp(_built_at(binary)).isoformat(timespec="seconds")
    return {"rev": rev, "binary": os.path.abspath(binary), "build_type": build_type,
            "source": src, "built": built, "version": _cmd([binary, "--version"])}


def _built_at(binary):
    """When the build was last linked: the newer of the executable and the runtime module
    beside it (a change to the worker side relinks only bastion-worker.so)."""
    module = os.path.join(os.path.dirname(os.path.abspath(binary)), "bastion-worker.so")
    times = [os.path.getmtime(binary)]
    if os.path.exists(module):
        times.append(os.path.getmtime(module))
    return max(times)


def collect_meta(args, nofile):
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    return {
        "date": datetime.date.today().isoformat(),
        "started": datetime.datetime.now().isoformat(timespec="seconds"),
        "bastion": _bastion_meta(args.bastion),
        "python": "%s (%s)" % (platform.python_version(), sys.executable),
        "flask": _dist_version("flask"),
        "werkzeug": _dist_version("werkzeug"),
        "gunicorn": _dist_version("gunicorn"),
        "waitress": _dist_version("waitress"),
        "uwsgi": "%s (plugin %s; Debian python3 %s, python3-flask %s, python3-werkzeug %s)" % (
            _cmd(["uwsgi", "--version"]), _dpkg("uwsgi-plugin-python3"),
            _cmd(["/usr/bin/python3", "-c", "import platform;print(platform.python_version())"]),
            _dpkg("python3-flask"), _dpkg("python3-werkzeug")),
        "nginx": _cmd(["nginx", "-v"], stderr=True).replace("nginx version: ", ""),
        "wrk": (_cmd(["wrk", "-v"]) or "?").splitlines()[0].split(" Copyright")[0],
        "bjoern/meinheld": "not packaged in Debian: not measured (issue reference shown)",
        "nproc": os.cpu_count(),
        "cpu": model,
        "mem_gib": round(mem_kib / 1048576, 1),
        "kernel": platform.release(),
        "rlimit_nofile": nofile,
        "loadavg_start": loadavg(),
        "args": {k: v for k, v in vars(args).items()},
        "command": " ".join(sys.argv[1:]),
    }


# ---------------------------------------------------------------------------------------------
# formatting helpers


def _k(v):
    if v is None:
        return "-"
    return "%.1fk" % (v / 1000) if v >= 10000 else "%.0f" % v if v >= 100 else "%.1f" % v


def _ms(us):
    if us is None:
        return "-"
    ms = us / 1000.0
    return "%.2f" % ms if ms < 10 else "%.1f" % ms if ms < 100 else "%.0f" % ms


def _mib(kib):
    return "-" if not kib else "%.1f" % (kib / 1024.0)


def brief(row):
    """One progress line for a finished row."""
    if row.get("failed"):
        return "FAILED: " + row["failed"]
    s = "%9.0f req/s  p50 %sms p99 %sms  err %s  cpu %.1fus/req  srv %.0f%% wrk %.0f%% other %.0f%%" % (
        row["rps"], _ms(row["p50_us"]), _ms(row["p99_us"]), _errors(row),
        row["server_cpu_us_per_req"] or 0, row["server_cpu_pct"], row["wrk_cpu_pct"],
        row["other_cpu_pct"])
    if "unloaded" in row:
        u = row["unloaded"]["rps"]
        s += "  (unloaded %.0f, kept %.0f%%)" % (u, 100.0 * row["rps"] / u if u else 0)
    us = row.get("ceiling_in_worker_us")
    if us:
        s += "  | app in worker %.2fus/call: served = %.1f%% of %.0f, own %.1fus/req" % (
            us, 100.0 * row["rps"] * us / 1e6, 1e6 / us,
            (row["server_cpu_us_per_req"] or 0) - us)
    elif row.get("ceiling_in_worker_failed"):
        s += "  | in-worker ceiling FAILED: %s" % row["ceiling_in_worker_failed"]
    return s


def _errors(row):
    return "%d/%d/%d/%d/%d" % (row["connect"], row["read"], row["write"], row["timeout"],
                               row["status"])


def _med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def aggregate(results):
    """{(workers, scenario, app, server): summary over rounds}."""
    groups = {}
    for row in results:
        groups.setdefault((row["workers"], row["scenario"], row["app"], row["server"]),
                          []).append(row)
    out = {}
    for key, rows in groups.items():
        ok = [r for r in rows if not r.get("failed")]
        summary = {"rounds": len(rows), "failed": [r["failed"] for r in rows if r.get("failed")],
                   "argv": rows[0]["argv"],
                   "notes": sorted({r["note"] for r in rows if r.get("note")}),
                   "stop_s": [r["stop_s"] for r in rows if r.get("stop_s")]}
        if ok:
            rps = [r["rps"] for r in ok]
            summary.update({
                "rps": _med(rps), "rps_all": rps,
                "other_all": [r["other_cpu_pct"] for r in ok],
                "spread_pct": 100.0 * (max(rps) - min(rps)) / _med(rps) if _med(rps) else 0,
                "p50_us": _med([r["p50_us"] for r in ok]),
                "p99_us": _med([r["p99_us"] for r in ok]),
                "errors": {e: sum(r[e] for r in ok)
                           for e in ("connect", "read", "write", "timeout", "status")},
                "rss_master_kib": max((r["rss_master_kib"] or 0) for r in ok) or None,
                "rss_workers_kib": [max(ws) for ws in zip(*[r["rss_workers_kib"] for r in ok
                                                             if r["rss_workers_kib"]])],
                "cpu_us": _med([r["server_cpu_us_per_req"] for r in ok]),
                "srv_pct": _med([r["server_cpu_pct"] for r in ok]),
                "wrk_pct": _med([r["wrk_cpu_pct"] for r in ok]),
                "other_pct": _med([r["other_cpu_pct"] for r in ok]),
            })
            inw = [r for r in ok if r.get("ceiling_in_worker_us")]
            if inw:
                us = [r["ceiling_in_worker_us"] for r in inw]
                summary.update({
                    "ceiling_worker_us": _med(us), "ceiling_worker_all": us,
                    # served req/s over the ceiling measured in the same session, per round
                    "ceiling_ratio_all": [r["rps"] * r["ceiling_in_worker_us"] / 1e6
                                          for r in inw],
                    "own_us": _med([r["server_cpu_us_per_req"] - r["ceiling_in_worker_us"]
                                    for r in inw if r["server_cpu_us_per_req"] is not None]),
                    "ceiling_runtime": "%s / Flask %s" % (
                        inw[0]["ceiling_in_worker"].get("python"),
                        inw[0]["ceiling_in_worker"].get("flask") or "-"),
                })
                summary["ceiling_ratio"] = _med(summary["ceiling_ratio_all"])
                # the same ratio had the server had a whole core: app µs / server CPU µs/req
                summary["ceiling_cpu_ratio"] = _med([
                    r["ceiling_in_worker_us"] / r["server_cpu_us_per_req"] for r in inw
                    if r["server_cpu_us_per_req"]])
            summary["ceiling_failed"] = [r["ceiling_in_worker_failed"] for r in ok
                                         if r.get("ceiling_in_worker_failed")]
            if any("unloaded" in r for r in ok):
                summary["unloaded_rps"] = _med([r["unloaded"]["rps"] for r in ok if "unloaded" in r])
                summary["kept_pct"] = _med([100.0 * r["rps"] / r["unloaded"]["rps"]
                                            for r in ok if r.get("unloaded", {}).get("rps")])
                summary["slow"] = [r.get("slow", {}) for r in ok]
        out[key] = summary
    return out


# ---------------------------------------------------------------------------------------------
# the report


def _main_table(agg, order, scen_defs):
    lines = [
        "| scenario | app | server | w | req/s | ±% | p50 ms | p99 ms | errors c/r/w/t/non2xx "
        "| RSS master MiB | RSS worker(s) MiB | CPU µs/req | srv CPU% | wrk CPU% | other CPU% "
        "| Bastion/peer |",
        "|---|---|---|--:|--:|--:|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    labels = {s.name: s.label for s in servers.server_specs("")}
    keys = sorted({k[:3] for k in agg}, key=lambda k: (k[0], order.index(k[1:])))
    for w, scen, app in keys:
        bast = agg.get((w, scen, app, "bastion"), {}).get("rps")
        for name in [s.name for s in servers.server_specs("")]:
            a = agg.get((w, scen, app, name))
            if a is None:
                continue
            head = "| %s | %s | %s | %d " % (scen, app, labels[name], w)
            if "rps" not in a:
                lines.append(head + "| FAILED: %s |" % "; ".join(a["failed"])[:120]
                             + " |" * 13)
                continue
            ratio = "%.2f" % (bast / a["rps"]) if bast and a["rps"] else "-"
            if name == "ceiling":
                lines.append("| %s | %s | *%s* | - | *%s* | %.0f | | | | | | %.1f | | | %.0f | %s |"
                             % (scen, app, labels[name], _k(a["rps"]), a["spread_pct"],
                                a["cpu_us"], a["other_pct"], ratio))
                continue
            err = a["errors"]
            fails = " (%d failed)" % len(a["failed"]) if a["failed"] else ""
            if a.get("notes"):
                fails += " (!)"
            lines.append(head + "| %s%s | %.0f | %s | %s | %d/%d/%d/%d/%d | %s | %s | %s | %.0f "
                         "| %.0f | %.0f | %s |" % (
                             _k(a["rps"]), fails, a["spread_pct"], _ms(a["p50_us"]),
                             _ms(a["p99_us"]), err["connect"], err["read"], err["write"],
                             err["timeout"], err["status"], _mib(a["rss_master_kib"]),
                             ", ".join(_mib(x) for x in a["rss_workers_kib"]) or "-",
                             "%.1f" % a["cpu_us"] if a["cpu_us"] is not None else "-",
                             a["srv_pct"], a["wrk_pct"], a["other_pct"], ratio))
        ref = BJOERN_REF.get((scen, app))
        if ref and w == 1:
            ratio = "%.2f" % (bast / ref[1]) if bast else "-"
            lines.append("| %s | %s | *%s* | 1 | *%s* | | | | | | | | | | | %s |" % (
                scen, app, REF_LABEL, ref[0], ratio))
    return lines


def _worker_ceiling_table(agg, ceiling_us):
    """1 worker, keep-alive: served req/s against the app's in-loop cost timed inside the
    same worker just before and right after the load (apps.py's CEILING_PATH)."""
    names = [s.name for s in servers.server_specs("")]
    labels = {s.name: s.label for s in servers.server_specs("")}
    keys = sorted((k for k, a in agg.items()
                   if k[0] == 1 and k[1] == "ka50" and (a.get("ceiling_worker_us")
                                                        or a.get("ceiling_failed"))),
                  key=lambda k: (k[2] != "raw", k[2], names.index(k[3])))
    if not keys:
        return []
    lines = ["| app | server | req/s | app µs/call in worker (per round) | in-worker ceiling "
             "req/s | served / ceiling (per round) | CPU µs/req | app / CPU | server's own "
             "µs/req | separate ceiling.py µs/call: served / it (ref) | Python / Flask |",
             "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|"]
    for k in keys:
        a = agg[k]
        if not a.get("ceiling_worker_us"):
            lines.append("| %s | %s | %s | FAILED: %s ||||||||" % (
                k[2], labels[k[3]], _k(a.get("rps")), "; ".join(a["ceiling_failed"])[:100]))
            continue
        sep = ceiling_us.get(k[2])
        lines.append("| %s | %s | %s | %.2f (%s) | %s | %.1f%% (%s) | %s | %s | %s | %s | %s |" % (
            k[2], labels[k[3]], _k(a["rps"]), a["ceiling_worker_us"],
            ", ".join("%.2f" % v for v in a["ceiling_worker_all"]),
            _k(1e6 / a["ceiling_worker_us"]), 100 * a["ceiling_ratio"],
            ", ".join("%.1f" % (100 * v) for v in a["ceiling_ratio_all"]),
            "%.1f" % a["cpu_us"] if a.get("cpu_us") is not None else "-",
            "%.1f%%" % (100 * a["ceiling_cpu_ratio"]) if a.get("ceiling_cpu_ratio") else "-",
            "%.1f" % a["own_us"] if a.get("own_us") is not None else "-",
            "%.2f: %.1f%%" % (sep, 100 * a["rps"] * sep / 1e6) if sep else "-",
            a["ceiling_runtime"]))
    return lines


def _cost_table(agg, ceiling_us):
    """Server CPU per request minus the app's in-loop Python time, 1 worker: the time timed
    inside that server's worker when the run has it, else the separate ceiling.py's (†)."""
    cols = [("ka50", "raw"), ("close50", "raw"), ("ka50", "flask_hello"),
            ("close50", "flask_hello")]
    cols = [c for c in cols if any(k[1:3] == c and k[0] == 1 for k in agg)]
    if not cols:
        return []
    lines = ["| server | " + " | ".join("%s %s" % c for c in cols) + " |",
             "|---|" + "--:|" * len(cols)]
    lines.append("| *app's own Python µs/call (separate ceiling.py, †)* | " + " | ".join(
        "*%.2f*" % ceiling_us.get(app, 0) for _, app in cols) + " |")
    for spec in servers.server_specs(""):
        if spec.name == "ceiling":
            continue
        cells = []
        for scen, app in cols:
            a = agg.get((1, scen, app, spec.name))
            if not a or a.get("cpu_us") is None:
                cells.append("-")
                continue
            inw = agg.get((1, "ka50", app, spec.name), {}).get("ceiling_worker_us")
            mark = ""
            if not spec.python:
                app_us = 0.0
            elif inw:
                app_us = inw
            else:
                app_us, mark = ceiling_us.get(app, 0.0), "†"
            cells.append("%.1f%s (%.1f)" % (a["cpu_us"] - app_us, mark, a["cpu_us"]))
        if any(c != "-" for c in cells):
            lines.append("| %s | %s |" % (spec.label, " | ".join(cells)))
    return lines


def _slow_table(agg):
    rows = [(k, a) for k, a in agg.items() if k[1] == "slow" and "rps" in a]
    if not rows:
        return []
    lines = ["| server | w | unloaded req/s | with 1000 slow clients | kept | slow conns open "
             "(at start/end, min over rounds) | closed by server (reconnected) | errors |",
             "|---|--:|--:|--:|--:|---|--:|---|"]
    names = [s.name for s in servers.server_specs("")]
    labels = {s.name: s.label for s in servers.server_specs("")}
    for (w, _, app, name), a in sorted(rows, key=lambda r: (r[0][0], names.index(r[0][3]))):
        slow = a.get("slow", [])
        opened = "%d/%d" % (min(s.get("ready", 0) for s in slow),
                            min(s.get("open_at_end", 0) for s in slow)) if slow else "-"
        closed = sum(s.get("closed_by_server", 0) for s in slow)
        e = a["errors"]
        lines.append("| %s | %d | %s | %s | %.0f%% | %s | %d | %d/%d/%d/%d/%d |" % (
            labels[name], w, _k(a.get("unloaded_rps")), _k(a["rps"]), a.get("kept_pct") or 0,
            opened, closed, e["connect"], e["read"], e["write"], e["timeout"], e["status"]))
    return lines


def _target(ok, text, detail):
    return "| %s | %s | %s |" % ("PASS" if ok else "**FAIL**" if ok is not None else "n/a",
                                 text, detail)


def _targets(agg, ceiling_us):
    def rps(scen, app, server):
        return agg.get((1, scen, app, server), {}).get("rps")

    lines = ["| | issue-7 target (1 worker, same run) | measured |", "|---|---|---|"]
    b = rps("ka50", "raw", "bastion")
    if b:
        ng, gs = rps("ka50", "raw", "nginx"), rps("ka50", "raw", "gunicorn-sync")
        lines.append(_target(b >= 100000, "raw keep-alive >= bjoern (~100k, issue ref)",
                             "%s" % _k(b)))
        if ng:
            lines.append(_target(b >= 0.85 * ng, "raw keep-alive >= 85% of nginx",
                                 "%.1f%% of %s" % (100 * b / ng, _k(ng))))
        if gs:
            lines.append(_target(b >= 8 * gs, "raw keep-alive >= 8x Gunicorn sync",
                                 "%.1fx" % (b / gs)))
    b = rps("close50", "raw", "bastion")
    if b:
        lines.append(_target(b >= 19500, "Connection: close >= bjoern (~19.5k, issue ref)",
                             _k(b)))
    a = agg.get((1, "ka1000", "raw", "bastion"))
    if a and "rps" in a:
        errs = sum(a["errors"].values())
        lines.append(_target(errs == 0 and a["rps"] >= 100000,
                             "1000 keep-alive conns: 0 errors, >= bjoern (~100k, issue ref)",
                             "%s, %d errors" % (_k(a["rps"]), errs)))
    b = rps("ka50", "flask_hello", "bastion")
    if b:
        lines.append(_target(b >= 17000, "Flask hello >= bjoern (15-17k, issue ref)", _k(b)))
        a = agg.get((1, "ka50", "flask_hello", "bastion"), {})
        sep = ""
        if ceiling_us.get("flask_hello"):
            c = 1e6 / ceiling_us["flask_hello"]
            sep = "%.1f%% of %s (separate ceiling.py process)" % (100 * b / c, _k(c))
        if a.get("ceiling_ratio"):
            r = a["ceiling_ratio"]
            lines.append(_target(
                r >= 0.8, "Flask hello >= 80% of the Flask ceiling",
                "%.1f%% of the in-worker ceiling %s (%.1f µs/call timed in Bastion's worker "
                "before and after the load; median of the per-round ratios %s); CPU-normalised "
                "(app µs / server CPU µs per request): %s%s" % (
                    100 * r, _k(1e6 / a["ceiling_worker_us"]), a["ceiling_worker_us"],
                    ", ".join("%.1f%%" % (100 * v) for v in a["ceiling_ratio_all"]),
                    "%.1f%%" % (100 * a["ceiling_cpu_ratio"]) if a.get("ceiling_cpu_ratio")
                    else "-", "; reference: " + sep if sep else "")))
        elif sep:
            lines.append(_target(b >= 0.8 * 1e6 / ceiling_us["flask_hello"],
                                 "Flask hello >= 80% of the Flask ceiling",
                                 sep + "; no in-worker ceiling in this run"))
    b = rps("post1m", "upload", "bastion")
    if b:
        u = rps("post1m", "upload", "uwsgi")
        lines.append(_target(b >= 2 * u if u else None,
                             "1 MiB upload >= 2x uWSGI (bjoern: no reference)",
                             "%.2fx uWSGI" % (b / u) if u else "uWSGI not measured"))
    a = agg.get((1, "slow", "raw", "bastion"))
    if a and a.get("kept_pct") is not None:
        lines.append(_target(a["kept_pct"] >= 90, "slow clients: keeps >= 90% of unloaded",
                             "%.0f%%" % a["kept_pct"]))
    masters = [x.get("rss_master_kib") for k, x in agg.items()
               if k[0] == 1 and k[3] == "bastion" and x.get("rss_master_kib")]
    if masters:
        lines.append(_target(max(masters) < 5 * 1024, "master RSS < 5 MiB",
                             "max %s MiB" % _mib(max(masters))))
    for app in ("raw", "flask_hello"):
        bw = agg.get((1, "ka50", app, "bastion"), {}).get("rss_workers_kib")
        gw = agg.get((1, "ka50", app, "gunicorn-sync"), {}).get("rss_workers_kib")
        if bw and gw:
            lines.append(_target(max(bw) <= max(gw), "worker RSS <= Gunicorn's (%s)" % app,
                                 "%s vs %s MiB" % (_mib(max(bw)), _mib(max(gw)))))
    return lines


def _rounds_table(agg, order):
    keys = sorted(agg, key=lambda k: (k[0], order.index(k[1:3]),
                                      [s.name for s in servers.server_specs("")].index(k[3])))
    lines = ["| w | scenario | app | server | req/s per round | other CPU% per round | notes |",
             "|--:|---|---|---|---|---|---|"]
    for k in keys:
        a = agg[k]
        notes = ["failed: %s" % f[:150] for f in a["failed"]] + a.get("notes", [])
        notes += ["stopped in %s s" % s for s in a.get("stop_s", [])]
        if a.get("ceiling_worker_all"):
            notes.append("app in worker µs/call: " + ", ".join(
                "%.2f" % v for v in a["ceiling_worker_all"]))
        notes += ["in-worker ceiling failed: %s" % f[:100] for f in a.get("ceiling_failed", [])]
        lines.append("| %d | %s | %s | %s | %s | %s | %s |" % (
            k[0], k[1], k[2], k[3], ", ".join("%.0f" % v for v in a.get("rps_all", [])),
            ", ".join("%.0f" % v for v in a.get("other_all", [])), "; ".join(notes)))
    return lines


def render(results, ceiling_us, meta, args, scen_defs):
    agg = aggregate(results)
    order = []
    for r in results:
        if (r["scenario"], r["app"]) not in order:
            order.append((r["scenario"], r["app"]))
    bm = meta["bastion"]
    out = ["# Bastion end-to-end benchmark: %s, %s" % (args.name, meta["date"]), "",
           "Command: `python3 bench/e2e/run.py %s`; %d round(s) x %d s per wrk run (+%d s "
           "warm-up), wrk -t1, workers %s. Bastion %s (%s build, %s)." % (
               meta.get("command", ""), args.rounds, args.duration, args.warmup,
               ",".join(map(str, args.workers)), bm["rev"], bm["build_type"], bm["binary"]),
           "Machine: %s cores, %s, %s GiB, kernel %s. Load average %s at start, %s at end; "
           "run took %s s." % (meta["nproc"], meta["cpu"], meta["mem_gib"], meta["kernel"],
                               meta["loadavg_start"], meta.get("loadavg_end", "?"),
                               meta.get("elapsed_s", "?")), ""]
    others = [r["other_cpu_pct"] for r in results if "other_cpu_pct" in r]
    if others and statistics.median(others) > 20:
        out += ["**Warning: the machine was busy: other processes used a median %.0f%% of a core "
                "(max %.0f%%) during the measured runs. Absolute numbers are unreliable; compare "
                "ratios, and rerun on a quiet machine.**" % (statistics.median(others),
                                                             max(others)), ""]
    out += ["## Results (median over rounds)", ""]
    out += _main_table(agg, order, scen_defs)
    out += ["",
            "req/s, p50, p99, CPU: median over rounds; ±%: (max-min)/median of req/s; errors: "
            "wrk's socket errors connect/read/write/timeout and non-2xx-or-3xx responses, summed "
            "over rounds (wrk counts only responses that complete: a server that never answers "
            "shows 0 req/s and no errors); (!): see the notes in the per-round table; RSS: after the run, max over rounds; CPU µs/req: user+sys CPU of every "
            "server process during the measured run / requests; srv/wrk/other CPU%: server, wrk "
            "and everything else on the machine (100% = one core) during the run. Absolute "
            "numbers on a shared machine are noisy: the ratios in one run are the result. "
            "uWSGI runs Debian's Python and Flask (see versions); every other Python server "
            "runs the same Python and Flask as Bastion.", ""]
    if any(r["server"] == "ceiling" for r in results):
        out += ["The *Flask ceiling* rows are not a server: `e2e/ceiling.py` calls the app in a "
                "loop (environ built once, no-op start_response) for the same duration, in turn "
                "with the servers of each round; req/s = 1e6 / µs per call (median of 7 "
                "repeats, thread CPU time).", ""]
    if ceiling_us:
        out += ["## Flask ceiling (the app called in a loop, no server)", ""]
        out += ["| app | µs per call (CPU) | req/s on one core |", "|---|--:|--:|"]
        for app, us in ceiling_us.items():
            out.append("| %s | %.2f | %s |" % (app, us, _k(1e6 / us) if us else "-"))
        out += ["", "Flask apps: the median of the interleaved ceiling rows above, when the run "
                "has them. Otherwise, and for raw: the median of the short measurements made "
                "before and after the servers (%s)." % "; ".join(
                    json.dumps(c) for c in meta.get("ceiling_runs", [])), ""]
    inw = _worker_ceiling_table(agg, ceiling_us)
    if inw:
        out += ["## Ceiling in the served worker (1 worker, keep-alive 50)", ""] + inw
        out += ["", "Right after each keep-alive run, the harness asks the same server for "
                "`%s?seconds=%g` (apps.py's `<app>_c` entry points): the worker that answers "
                "times the app called in a loop exactly as ceiling.py does (wrk's `GET /` "
                "environ, no-op start_response, thread CPU time, median of 7 repeats), in its "
                "own process and memory state, with its own Python and Flask (uWSGI: "
                "Debian's). served / ceiling = req/s x µs/call / 1e6, per round (the same "
                "session), median over rounds. app / CPU = in-worker µs/call / CPU µs/req: "
                "what served / ceiling would be if the server had a whole core, so it does not "
                "fall when other processes take CPU time (it still does when they evict the "
                "caches). server's own µs/req = CPU µs/req of all the "
                "server's processes minus the in-worker µs/call. The last column compares "
                "with the separate ceiling.py measurement of this run (reference only)." % (
                    servers.CEILING_PATH, getattr(args, "ceiling_seconds", 1.0)), ""]
    cost = _cost_table(agg, ceiling_us)
    if cost:
        out += ["## Server cost per request, 1 worker: own µs (total CPU µs/req)", ""] + cost
        out += ["", "own = CPU µs/req of all server processes minus the app's in-loop Python "
                "time, timed inside that server's worker after its keep-alive run (the table "
                "above); † = no in-worker time in this run, so the separate ceiling.py time "
                "(Bastion's Python/Flask) is used. nginx: its whole CPU per request.", ""]
    slow = _slow_table(agg)
    if slow:
        out += ["## Slow clients", ""] + slow + [""]
    out += ["## Issue-7 targets", ""] + _targets(agg, ceiling_us) + [""]
    out += ["## Per-round req/s", ""] + _rounds_table(agg, order) + [""]
    out += ["## Versions", ""]
    for k in ("python", "flask", "werkzeug", "gunicorn", "waitress", "uwsgi", "nginx", "wrk",
              "bjoern/meinheld"):
        out.append("- %s: %s" % (k, meta[k]))
    out.append("- bastion: %s, %s, %s build, %s (source %s, built %s)" % (
        bm["version"], bm["rev"], bm["build_type"], bm["binary"], bm["source"], bm["built"]))
    out += ["", "## Command lines (one per server and configuration; app, port and temp dir "
            "vary)", ""]
    seen = set()
    names = [s.name for s in servers.server_specs("")]
    for r in sorted(results, key=lambda r: (names.index(r["server"]), r["app"] != "raw")):
        key = (r["server"], r.get("variant", ""), r["workers"])
        if key not in seen:
            seen.add(key)
            out.append("- %s%s: `%s`" % (r["server"], " (%s)" % key[1] if key[1] else "",
                                         shlex.join(r["argv"])))
    return "\n".join(out) + "\n"


def save(text, results, ceiling_us, meta, args):
    os.makedirs(RESULTS_DIR, exist_ok=True)
    base = os.path.join(RESULTS_DIR, "%s-%s" % (meta["date"], args.name))
    n, stem = 1, base
    while os.path.exists(base + ".md"):  # never overwrite an earlier run of the same day
        n += 1
        base = "%s-%d" % (stem, n)
    with open(base + ".md", "w") as f:
        f.write(text)
    with open(base + ".json", "w") as f:
        json.dump({"meta": meta, "ceiling_us": ceiling_us, "results": results}, f, indent=1,
                  default=str)
    return base + ".md"


def main():
    """report.py RESULTS.json: rewrites RESULTS.md from the raw rows (after a report change)."""
    import argparse
    path = sys.argv[1]
    with open(path) as f:
        data = json.load(f)
    meta, results = data["meta"], data["results"]
    args = argparse.Namespace(**meta["args"])
    ceiling_us = dict(data["ceiling_us"])
    for app in ceiling_us:
        rows = [r["rps"] for r in results
                if r["server"] == "ceiling" and r["app"] == app and not r.get("failed")]
        if rows:
            ceiling_us[app] = 1e6 / statistics.median(rows)
    text = render(results, ceiling_us, meta, args, None)
    with open(path[:-len(".json")] + ".md", "w") as f:
        f.write(text)
    print("rewrote " + path[:-len(".json")] + ".md")


if __name__ == "__main__":
    main()
