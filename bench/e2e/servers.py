"""Server definitions and process control for bench/e2e/run.py (standard library only).

Each server is started as one process (its PID is the master, or the only process), found
ready over HTTP on 127.0.0.1, measured through /proc (CPU of the whole process tree, RSS of
the master and of each worker), and stopped by PID: a signal to the master, then SIGKILL to
every PID of the tree that is still alive after a grace period. Nothing is killed by name.
"""
import os
import random
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PY = sys.executable
CLK_TCK = os.sysconf("SC_CLK_TCK")
HOST = "127.0.0.1"
# apps.py's reserved path and the apps whose `<app>_c` entry point answers it (keep in step
# with apps.py; importing apps here would create its download file in the harness process).
CEILING_PATH = "/__bench_ceiling"
CEILING_APPS = ("raw", "flask_hello", "flask_json")


class ServerSpec:
    """How to start one server. `argv(app, port, workers, tmp, variant)` returns the command
    line; `variant_of(app, scenario)` names the configuration a scenario needs ("" = the
    default), so that scenarios needing different configurations get separate starts."""

    def __init__(self, name, label, argv, multi_worker, stop_signal=signal.SIGTERM,
                 apps=None, note="", variant_of=None, python=True):
        self.name = name
        self.label = label
        self.argv = argv
        self.multi_worker = multi_worker    # False: one process whatever --workers says
        self.stop_signal = stop_signal
        self.apps = apps                    # None: every app; else the apps it can serve
        self.note = note
        self.variant_of = variant_of or (lambda app, scenario: "")
        self.python = python                # serves apps.py (False: nginx's fixed answer)


def _uwsgi_listen():
    try:
        with open("/proc/sys/net/core/somaxconn") as f:
            return min(1024, int(f.read()))
    except OSError:
        return 100


def _bastion(binary):
    def argv(app, port, workers, tmp, variant=""):
        return [binary, "-w", str(workers), "-b", "%s:%d" % (HOST, port),
                "--chdir", HERE, "apps:" + app]
    return argv


def _gunicorn(worker_class, threads):
    def argv(app, port, workers, tmp, variant=""):
        cmd = [PY, os.path.join(HERE, "launch.py"), "gunicorn", "-w", str(workers),
               "-k", worker_class, "-b", "%s:%d" % (HOST, port), "--chdir", HERE]
        if threads:
            cmd += ["--threads", str(threads)]
        return cmd + ["apps:" + app]
    return argv


def _waitress(app, port, workers, tmp, variant=""):
    return [PY, os.path.join(HERE, "launch.py"), "waitress", HOST, str(port), "apps:" + app, "4"]


def _werkzeug(app, port, workers, tmp, variant=""):
    return [PY, os.path.join(HERE, "launch.py"), "werkzeug", HOST, str(port), "apps:" + app]


def _uwsgi_variant(app, scenario):
    """uWSGI's --http11-socket (keep-alive) neither chunks nor closes a response without
    Content-Length, and ignores a client's `Connection: close`. The streaming app and the
    close scenario therefore use --http-socket (one response per connection, then close)."""
    return "http-socket" if app == "stream" or scenario == "close50" else ""


def _uwsgi(threads):
    def argv(app, port, workers, tmp, variant=""):
        sock = "--http-socket" if variant == "http-socket" else "--http11-socket"
        cmd = ["uwsgi", "--plugin", "python3", sock, "%s:%d" % (HOST, port),
               "--master", "--processes", str(workers), "--chdir", HERE, "--pythonpath", HERE,
               # --eval, not --module: uWSGI reads the module dict, which would miss apps.py's
               # lazy module __getattr__ for the Flask apps
               "--eval", "import apps; application = apps.%s" % app,
               "--single-interpreter", "--disable-logging",
               "--die-on-term", "--need-app", "--listen", str(_uwsgi_listen())]
        if threads:
            cmd += ["--threads", str(threads)]
        return cmd
    return argv


NGINX_CONF = """\
worker_processes {workers};
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
worker_rlimit_nofile 8192;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    keepalive_requests 100000;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
    server {{
        listen {host}:{port};
        location / {{
            default_type text/plain;
            return 200 "Hello, World!";
        }}
    }}
}}
"""


def _nginx(app, port, workers, tmp, variant=""):
    conf = os.path.join(tmp, "nginx-%d.conf" % port)
    with open(conf, "w") as f:
        f.write(NGINX_CONF.format(workers=workers, tmp=tmp, host=HOST, port=port))
    return ["nginx", "-p", tmp, "-c", conf, "-e", os.path.join(tmp, "nginx-error.log"),
            "-g", "daemon off; master_process on;"]


def server_specs(bastion_binary):
    """Every server in table order (Bastion first, nginx last)."""
    return [
        ServerSpec("bastion", "Bastion", _bastion(bastion_binary), True),
        ServerSpec("gunicorn-sync", "Gunicorn sync", _gunicorn("sync", 0), True,
                   stop_signal=signal.SIGINT),
        ServerSpec("gunicorn-gthread", "Gunicorn gthread(4)", _gunicorn("gthread", 4), True,
                   stop_signal=signal.SIGINT),
        ServerSpec("waitress", "Waitress (4 thr)", _waitress, False),
        ServerSpec("uwsgi", "uWSGI proc", _uwsgi(0), True, variant_of=_uwsgi_variant,
                   note="Debian python3.11.2 + Flask 2.2.2; stream and close via --http-socket"),
        ServerSpec("uwsgi-threads", "uWSGI proc+4thr", _uwsgi(4), True,
                   variant_of=_uwsgi_variant,
                   note="Debian python3.11.2 + Flask 2.2.2; stream and close via --http-socket"),
        ServerSpec("werkzeug", "Werkzeug dev", _werkzeug, False),
        ServerSpec("nginx", "nginx fixed 13B", _nginx, True, apps=["raw"], python=False),
        # Not a server: the Flask app called in a loop (ceiling.py), measured in turn with the
        # servers so that it sees the same machine; one row per round under ka50.
        ServerSpec("ceiling", "Flask ceiling (app in a loop)", None, False,
                   apps=["flask_hello", "flask_json"]),
    ]


# ---------------------------------------------------------------------------------------------
# /proc helpers


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def _stat_fields(pid):
    """Fields of /proc/PID/stat after the command name (index 0 = state), or None."""
    text = _read("/proc/%d/stat" % pid)
    if text is None:
        return None
    return text[text.rindex(")") + 2:].split()


def descendants(root):
    """PIDs of every live descendant of root (scan of /proc; no children file needed)."""
    parent = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields is not None:
                parent[int(entry)] = int(fields[1])
    out, frontier = [], [root]
    while frontier:
        p = frontier.pop()
        kids = sorted(pid for pid, pp in parent.items() if pp == p)
        out += kids
        frontier += kids
    return out


def cpu_seconds(root):
    """utime+stime of root and all live descendants, plus root's reaped children."""
    total = 0
    fields = _stat_fields(root)
    if fields is not None:
        total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
    for pid in descendants(root):
        f = _stat_fields(pid)
        if f is not None:
            total += int(f[11]) + int(f[12])
    return total / CLK_TCK


def rss_kib(pid):
    text = _read("/proc/%d/status" % pid) or ""
    for line in text.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return None


# ---------------------------------------------------------------------------------------------
# ports and readiness


def free_port():
    """A free loopback port below the ephemeral range (so wrk's client ports never collide)."""
    for _ in range(200):
        port = random.randint(20000, 32000)
        s = socket.socket()
        try:
            s.bind((HOST, port))
            return port
        except OSError:
            continue
        finally:
            s.close()
    raise RuntimeError("no free port")


def http_status(port, timeout=1.0):
    """Status code of GET / on 127.0.0.1:port, or None."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            head = s.recv(64)
        parts = head.split(b" ", 2)
        return int(parts[1]) if len(parts) >= 2 and parts[0].startswith(b"HTTP/") else None
    except (OSError, ValueError):
        return None


def verify(port, app, timeout=10.0):
    """None if GET / (POST 1 MiB for upload) gives the app's exact response, else why not."""
    import http.client
    body = bytes(range(256)) * 4096 if app == "upload" else None
    want = {"raw": b"Hello, World!", "flask_hello": b"Hello, World!", "upload": body,
            "download": bytes(range(256)) * 4096, "stream": b"x" * 65536}
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("POST" if body else "GET", "/", body=body)
        resp = conn.getresponse()
        data = resp.read()
    except (OSError, http.client.HTTPException) as e:
        return "%s: %s" % (type(e).__name__, e)
    finally:
        conn.close()
    if resp.status != 200:
        return "status %d" % resp.status
    if app == "flask_json":
        return None if b'"Hello, World!"' in data else "body %r" % data[:60]
    if app in want and data != want[app]:
        return "body: %d bytes, expected %d" % (len(data), len(want[app]))
    return None


def closes_when_asked(port, timeout=3.0):
    """True if the server closes the connection after answering `Connection: close`."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            while s.recv(65536):
                pass
            return True
    except OSError:  # timeout: the connection stayed open
        return False


def entry_point(spec, app, in_worker_ceiling):
    """The apps.py attribute a server loads for `app`: `<app>_c` (answers CEILING_PATH) when
    the in-worker ceiling is wanted and the app has one, else the plain app."""
    if in_worker_ceiling and spec.python and app in CEILING_APPS:
        return app + "_c"
    return app


def in_worker_ceiling(port, seconds, timeout=None):
    """GET CEILING_PATH?seconds=S: the app's in-loop cost measured inside the worker that
    answers. Returns (dict from apps.py with us_per_call..., None) or (None, why not)."""
    import http.client
    import json
    t0 = time.monotonic()
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout or 4 * seconds + 30)
    try:
        conn.request("GET", "%s?seconds=%g" % (CEILING_PATH, seconds))
        resp = conn.getresponse()
        data = resp.read()
    except (OSError, http.client.HTTPException) as e:
        return None, "%s: %s" % (type(e).__name__, e)
    finally:
        conn.close()
    try:
        out = json.loads(data)
        if resp.status != 200 or not out.get("us_per_call"):
            raise ValueError
    except ValueError:
        return None, "status %d, body %r" % (resp.status, data[:60])
    out["wall_s"] = round(time.monotonic() - t0, 2)
    return out, None


class Running:
    """One started server process (tree). Always stop() it."""

    def __init__(self, spec, app, workers, tmp, env, variant="", entry=None):
        self.spec = spec
        self.app = app
        self.entry = entry or app           # the apps.py attribute served (see entry_point)
        self.workers = workers if spec.multi_worker else 1
        self.port = free_port()
        self.argv = spec.argv(self.entry, self.port, self.workers, tmp, variant)
        self.log_path = os.path.join(tmp, "%s-%s-%d.log" % (spec.name, app, self.port))
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.argv, stdout=self._log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=env, cwd=HERE,
                                     start_new_session=True)
        self.pid = self.proc.pid

    def wait_ready(self, timeout=30.0):
        """True once GET / answers 200 and every expected worker process exists."""
        deadline = time.monotonic() + timeout
        want_kids = self.workers if self.spec.multi_worker else 0
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            if http_status(self.port) == 200 and len(self.worker_pids()) >= want_kids:
                return True
            time.sleep(0.05)
        return False

    def worker_pids(self):
        return descendants(self.pid) if self.spec.multi_worker else []

    def rss(self):
        """(master KiB or None, [worker KiB...]); a single-process server is its own worker."""
        if not self.spec.multi_worker:
            return None, [rss_kib(self.pid)]
        return rss_kib(self.pid), [r for r in map(rss_kib, self.worker_pids()) if r]

    def cpu(self):
        return cpu_seconds(self.pid)

    def log_tail(self, n=15):
        try:
            with open(self.log_path, "rb") as f:
                return b"\n".join(f.read().splitlines()[-n:]).decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self, grace=10.0):
        """Signal the master; SIGKILL every process of the tree still alive after `grace` s.

        A descendant is killed only if it is still the same process (same start time and
        still in the server's session), so a reused PID is never hit.
        """
        tree = [(pid, _identity(pid)) for pid in descendants(self.pid)]
        if self.proc.poll() is None:
            try:
                os.kill(self.pid, self.spec.stop_signal)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for pid, ident in tree:
            if ident is not None and _identity(pid) == ident:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self._log.close()


def _identity(pid):
    """(session id, start time) of a live process, or None."""
    fields = _stat_fields(pid)
    return None if fields is None else (fields[3], fields[19])
