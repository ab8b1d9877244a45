"""A compatibility corpus: Gunicorn configurations and command lines in the style of public
deployment guides (a Dockerfile CMD, Heroku Procfile lines, a systemd ExecStart behind nginx,
GUNICORN_CMD_ARGS, gunicorn.conf.py files with `workers = multiprocessing.cpu_count() * 2 + 1`),
written for this test. Each one is run against the binary unchanged (only `gunicorn` becomes
`bastion`) and must start and serve; and `bastion --print-config` must show the same effective
values as Debian's Gunicorn 20.1 (`gunicorn --print-config ...`, which imports the app but
does not serve) for every setting both know. Binds are on 127.0.0.1 or unix sockets only."""
import ast
import json
import os
import pwd
import grp
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from bastion_test import BIN, free_port, parse_responses, recv_all  # noqa: E402

GUNICORN = shutil.which("gunicorn") or "/usr/bin/gunicorn"

WSGI_APP = textwrap.dedent('''
    import os

    def app(environ, start_response):
        body = ("hello from %s app_env=%s" % (__name__, os.environ.get("APP_ENV", "-"))).encode()
        start_response("200 OK", [("Content-Type", "text/plain"),
                                  ("Content-Length", str(len(body)))])
        return [body]

    application = app
''')

# Settings whose printed values differ between Gunicorn 20.1 and the Gunicorn 23 that Bastion
# follows, or that Gunicorn prints in another form; compared only when a case sets them.
DEFAULTS_DIFFER = {
    "forwarded_allow_ips": "Gunicorn 22 added ::1 to the default",
    "proxy_allow_ips": "Gunicorn 22 added ::1 to the default",
    "config": "Gunicorn prints its default path ./gunicorn.conf.py even when no file exists",
}
# Never compared.
NOT_COMPARED = {
    "print_config": "the flag under test (Bastion also records the format, text or json)",
    "ssl_version": "deprecated: Gunicorn 20.1 prints an ssl module constant, 23 ignores it",
}

# name -> {files, argv (a command line or a Procfile line), env, serve, sets}
CASES = {
    # A Dockerfile CMD in the style of container guides: shell form, $PORT from the platform,
    # no timeout (the platform has its own), threads for I/O-bound apps.
    "dockerfile_cmd": {
        "files": {"main.py": WSGI_APP},
        "argv": "gunicorn --bind 127.0.0.1:$PORT --workers 1 --threads 8 --timeout 0 main:app",
    },
    # Heroku: the classic Procfile line. Bind comes from $PORT, workers from $WEB_CONCURRENCY;
    # printed only (it would listen on 0.0.0.0).
    "heroku_procfile_env_defaults": {
        "files": {"myproject/__init__.py": "", "myproject/wsgi.py": WSGI_APP},
        "argv": "web: gunicorn myproject.wsgi --log-file -",
        "env": {"WEB_CONCURRENCY": "3"},
        "serve": False,
    },
    # The same Procfile with an explicit loopback bind and access log to stdout.
    "heroku_procfile_bind": {
        "files": {"myproject/__init__.py": "", "myproject/wsgi.py": WSGI_APP},
        "argv": "web: gunicorn myproject.wsgi:application --bind 127.0.0.1:$PORT "
                "--workers=$WEB_CONCURRENCY --access-logfile - --log-file -",
        "env": {"WEB_CONCURRENCY": "2"},
    },
    # A gunicorn.conf.py in the style of Gunicorn's example config, found by default in the
    # working directory.
    "gunicorn_conf_py_default_lookup": {
        "files": {"wsgi.py": WSGI_APP, "gunicorn.conf.py": textwrap.dedent('''
            import multiprocessing
            import os

            bind = "127.0.0.1:" + os.environ.get("PORT", "8000")
            backlog = 2048
            workers = multiprocessing.cpu_count() * 2 + 1
            worker_class = "gthread"
            threads = 2
            worker_connections = 1000
            timeout = 120
            graceful_timeout = 30
            keepalive = 5
            max_requests = 1000
            max_requests_jitter = 50
            accesslog = "-"
            errorlog = "-"
            loglevel = "info"
            access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s'
            forwarded_allow_ips = "*"
            proc_name = "myproject"
            raw_env = ["APP_ENV=production"]
        ''')},
        "argv": "gunicorn wsgi:app",
        "expect_body": "app_env=production",
    },
    # GUNICORN_CMD_ARGS from a deploy script, with the app on the command line.
    "gunicorn_cmd_args": {
        "files": {"app.py": WSGI_APP},
        "argv": "gunicorn app:application",
        "env": {"GUNICORN_CMD_ARGS": "--bind=127.0.0.1:$PORT --workers=3 --timeout 60 "
                                     "--access-logfile - --forwarded-allow-ips='10.0.0.1,10.0.0.2'"},
    },
    # systemd ExecStart behind nginx, as in the DigitalOcean-style guides: a unix socket.
    "systemd_unix_socket": {
        "files": {"wsgi.py": WSGI_APP},
        "argv": "gunicorn --access-logfile - --workers 3 --bind unix:$DIR/myproject.sock wsgi:app",
    },
    # A Django-style layout: code under src/, --chdir, --pythonpath, -e, request recycling.
    "django_style_layout": {
        "files": {"src/mysite/__init__.py": "", "src/mysite/wsgi.py": WSGI_APP},
        "argv": "gunicorn mysite.wsgi:application --chdir src --pythonpath src,lib "
                "--bind 127.0.0.1:$PORT --workers 2 --env APP_ENV=staging --max-requests 500 "
                "--max-requests-jitter 25 --log-level warning --graceful-timeout 10",
        "expect_body": "app_env=staging",
    },
    # An explicit -c config for production behind a load balancer, overridden on the command
    # line; errors to a file with the application's output captured there.
    "config_file_with_override": {
        "files": {"app.py": WSGI_APP, "config/gunicorn_prod.py": textwrap.dedent('''
            import os
            bind = ["127.0.0.1:%s" % os.environ["PORT"]]
            workers = 8
            timeout = 90
            keepalive = 75
            limit_request_line = 8190
            limit_request_field_size = 16380
            secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}
            forwarded_allow_ips = "127.0.0.1,10.0.0.5"
            errorlog = os.path.join(os.environ["DIR"], "error.log")
            capture_output = True
            loglevel = "debug"
            raw_env = ["APP_ENV=prod", "TZ=UTC"]
        ''')},
        "argv": "gunicorn -c config/gunicorn_prod.py --workers 2 app:app",
        "expect_body": "app_env=prod",
    },
    # Container-guide tuning: worker heartbeat files in /dev/shm, StatsD to a sidecar.
    "docker_compose_statsd": {
        "files": {"app.py": WSGI_APP},
        "argv": "gunicorn --workers=2 --bind=127.0.0.1:$PORT --worker-tmp-dir /dev/shm "
                "--statsd-host=127.0.0.1:$STATSD_PORT --statsd-prefix=webapp --log-level=debug "
                "--backlog 512 --name web app:app",
    },
}


def to_argv(line, env):
    """A command line or Procfile line as the shell would split it, `gunicorn` dropped."""
    if line.startswith("web:"):
        line = line[4:]
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(env)
        words = shlex.split(os.path.expandvars(line))
    finally:
        os.environ.clear()
        os.environ.update(saved)
    assert words[0] == "gunicorn", words
    return words[1:]


def gunicorn_values(text):
    values = {}
    for line in text.splitlines():
        name, sep, value = line.partition(" = ")
        if not sep and line.rstrip().endswith(" ="):
            name, value = line.rstrip()[:-2], ""
        elif not sep:
            continue
        values[name.strip()] = value
    return values


def literal(text):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def normalize(name, gunicorn_text, bastion_value, gunicorn_all):
    """Both sides as comparable Python values."""
    g = literal(gunicorn_text)
    b = bastion_value
    if name == "user":
        g, b = int(g), os.geteuid() if b is None else (
            int(b) if str(b).isdigit() else pwd.getpwnam(b).pw_uid)
    elif name == "group":
        g, b = int(g), os.getegid() if b is None else (
            int(b) if str(b).isdigit() else grp.getgrnam(b).gr_gid)
    elif name == "pythonpath":  # Gunicorn 20.1 keeps the text "a,b"
        g = [] if g is None else [p.strip() for p in str(g).split(",") if p.strip()]
    elif name == "sendfile":  # 20.1: None means "use sendfile"
        g = True if g is None else g
    elif name == "proxy_protocol":  # 20.1: a bool; 23: off/auto/v1/v2
        g = {False: "off", True: "auto"}.get(g, g)
    elif name == "wsgi_app" and g is None:  # 20.1 keeps the command-line app elsewhere
        g = literal(gunicorn_all.get("default_proc_name", "None"))
    elif name == "statsd_host" and isinstance(g, tuple):  # 20.1 keeps (host, port)
        g = "%s:%s" % g
    elif name == "config" and isinstance(b, str):
        g, b = os.path.normpath(str(g)), os.path.normpath(b)
    if isinstance(g, str) and isinstance(b, (int, bool)) and not isinstance(g, bool):
        g = literal(g)
    if isinstance(b, str) and not isinstance(g, str):
        g = str(g)
    return g, b


class GunicornCorpus(unittest.TestCase):
    maxDiff = None

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="bastion-corpus-")
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def prepare(self, case):
        for name, text in case["files"].items():
            path = os.path.join(self.dir, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        self.statsd = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.statsd.bind(("127.0.0.1", 0))
        self.addCleanup(self.statsd.close)
        self.port = free_port()
        env = {k: v for k, v in os.environ.items()
               if k not in ("PORT", "WEB_CONCURRENCY", "GUNICORN_CMD_ARGS", "BASTION_CMD_ARGS",
                            "FORWARDED_ALLOW_IPS", "SENDFILE")}
        env.update(PYTHONDONTWRITEBYTECODE="1", PORT=str(self.port), DIR=self.dir,
                   STATSD_PORT=str(self.statsd.getsockname()[1]))
        for k, v in case.get("env", {}).items():
            env[k] = os.path.expandvars(v.replace("$PORT", str(self.port)))
        return env, to_argv(case["argv"], env)

    def compare(self, name, case):
        env, argv = self.prepare(case)
        # Gunicorn runs under Debian's own python3: no application-side packages needed.
        gun = subprocess.run([GUNICORN, "--print-config", *argv], cwd=self.dir, env=env,
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(gun.returncode, 0, "%s: gunicorn: %s" % (name, gun.stderr))
        bas = subprocess.run([BIN, "--print-config=json", *argv], cwd=self.dir, env=env,
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(bas.returncode, 0, "%s: bastion: %s" % (name, bas.stderr))
        self.assertNotIn("not implemented", bas.stderr)
        g_all = gunicorn_values(gun.stdout)
        b_all = json.loads(bas.stdout)["settings"]
        compared, diffs = 0, []
        for setting in sorted(set(g_all) & set(b_all)):
            if setting in NOT_COMPARED:
                continue
            explicit = b_all[setting]["source"] != "default"
            if setting in DEFAULTS_DIFFER and not explicit:
                continue
            g, b = normalize(setting, g_all[setting], b_all[setting]["value"], g_all)
            compared += 1
            if g != b:
                diffs.append("%s: gunicorn %r, bastion %r (%s)" % (
                    setting, g, b, b_all[setting]["source"]))
        self.assertEqual(diffs, [], name)
        self.assertGreater(compared, 60)
        return env, argv, b_all

    def serve(self, name, case, env, argv, settings):
        proc = subprocess.Popen([BIN, *argv], cwd=self.dir, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            bind = settings["bind"]["value"][0]
            response = self.request(bind, proc)
            self.assertEqual(response.status, 200, name)
            self.assertIn(case.get("expect_body", "hello from"), response.body.decode())
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                out, _ = proc.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                out, _ = proc.communicate(timeout=10)
        self.assertEqual(proc.returncode, 0, "%s: %s" % (name, out.decode(errors="replace")))
        return out.decode(errors="replace")

    def request(self, bind, proc, timeout=20.0):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                self.fail("bastion exited with %s: %s" % (proc.returncode,
                                                           proc.stdout.read().decode()))
            try:
                if bind.startswith("unix:"):
                    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    s.settimeout(5)
                    try:
                        s.connect(bind[5:])
                    except OSError:
                        s.close()
                        raise
                else:
                    host, port = bind.rsplit(":", 1)
                    s = socket.create_connection((host, int(port)), timeout=5)
                with s:
                    s.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    responses = parse_responses(recv_all(s, 5))
                    if responses:
                        return responses[0]
            except OSError as e:
                last = e
            time.sleep(0.1)
        self.fail("no response from %s: %s" % (bind, last))

    def test_corpus(self):
        if not os.path.exists(GUNICORN):
            self.skipTest("Debian's gunicorn is not installed")
        for name, case in CASES.items():
            with self.subTest(name):
                self.tmp.cleanup()
                self.tmp = tempfile.TemporaryDirectory(prefix="bastion-corpus-")
                self.dir = self.tmp.name
                env, argv, settings = self.compare(name, case)
                if case.get("serve", True):
                    out = self.serve(name, case, env, argv, settings)
                    if name == "docker_compose_statsd":
                        self.statsd.settimeout(5)
                        packets = []
                        while not any(p.startswith("webapp.gunicorn.requests:") for p in packets):
                            packets.append(self.statsd.recv(4096).decode())
                    if name == "config_file_with_override":
                        with open(os.path.join(self.dir, "error.log"), encoding="utf-8") as f:
                            self.assertIn("Booting worker", f.read())
                    self.assertNotIn("not implemented", out)


if __name__ == "__main__":
    unittest.main()
