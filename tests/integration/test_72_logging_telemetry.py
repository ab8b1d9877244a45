"""Logging and telemetry settings end to end: --capture-output, Python logging configuration
(logconfig_dict, logconfig_json, logconfig), syslog over UDP and a unix datagram socket,
StatsD packets, and --check-config / `bastion check --app` with the full configuration."""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from bastion_test import APPS, BIN, Server  # noqa: E402
from http_client import wait_for  # noqa: E402
sys.path.insert(0, os.path.join(APPS, "process"))
from proc_support import children_of, cmdline  # noqa: E402

GUARD_APPS = os.path.join(APPS, "guard")

APP = textwrap.dedent('''
    import logging, os, sys
    log = logging.getLogger("myapp")

    def app(environ, start_response):
        path = environ["PATH_INFO"]
        if path == "/print":
            print("PRINTED-LINE", flush=True)
            os.write(1, b"RAW-FD1\\n")
            os.write(2, b"RAW-FD2\\n")
            sys.stderr.write("STDERR-LINE\\n")
            sys.stderr.flush()
        elif path == "/log":
            log.warning("APP-WARNING")
            log.debug("APP-DEBUG")
        status = "404 Not Found" if path == "/missing" else "200 OK"
        start_response(status, [("Content-Type", "text/plain")])
        return [b"ok"]
''')


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def drain(sock, until, timeout=5.0):
    """Datagrams received until `until(list)` holds or the timeout passes."""
    got = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not until(got):
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            got.append(sock.recv(65536).decode("utf-8", "replace"))
        except socket.timeout:
            break
    return got


class AppDir(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name
        self.write("logapp.py", APP)

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, text):
        with open(os.path.join(self.dir, name), "w", encoding="utf-8") as f:
            f.write(text)
        return os.path.join(self.dir, name)

    def path(self, name):
        return os.path.join(self.dir, name)

    def server(self, *args, **kw):
        return Server("logapp:app", *args, cwd=self.dir, **kw)

    def server_logging_to(self, err, *args):
        """A started server whose error log is the file `err` (so the master's output does
        not announce the boot)."""
        srv = self.server("--error-logfile", err, *args, wait=False)
        srv.start()
        self.addCleanup(srv.stop)
        ready = wait_for(lambda: "Booting worker" in read(err) and srv._accepts(), 15)
        self.assertTrue(ready, read(err) + srv.output())
        return srv


class CaptureOutput(AppDir):
    def test_fds_1_and_2_go_to_the_error_log(self):
        err = self.path("error.log")
        srv = self.server_logging_to(err, "--capture-output")
        self.assertEqual(srv.get("/print").status, 200)
        text = wait_for(lambda: (lambda t: t if "STDERR-LINE" in t and "RAW-FD1" in t else "")(read(err)))
        for marker in ("PRINTED-LINE", "RAW-FD1", "RAW-FD2", "STDERR-LINE", "Booting worker"):
            self.assertIn(marker, text)
        self.assertNotIn("PRINTED-LINE", srv.output())

    def test_without_the_flag_output_stays_on_the_terminal(self):
        err = self.path("error.log")
        srv = self.server_logging_to(err)
        srv.get("/print")
        wait_for(lambda: "STDERR-LINE" in srv.output())
        self.assertIn("PRINTED-LINE", srv.output())
        self.assertNotIn("PRINTED-LINE", read(err))
        self.assertIn("Booting worker", read(err))


class PythonLogging(AppDir):
    def test_logconfig_dict_from_gunicorn_conf(self):
        app_log = self.path("app.log")
        self.write("gunicorn.conf.py", textwrap.dedent('''
            logconfig_dict = {
                "version": 1,
                "formatters": {"plain": {"format": "%%(name)s %%(levelname)s %%(message)s"}},
                "handlers": {"file": {"class": "logging.FileHandler", "filename": %r,
                                      "formatter": "plain"}},
                "loggers": {"myapp": {"level": "WARNING", "handlers": ["file"]},
                            "gunicorn.error": {"level": "INFO", "handlers": ["file"]}},
            }
        ''' % app_log))
        with self.server() as srv:
            srv.get("/log")
            text = wait_for(lambda: read(app_log) if "APP-WARNING" in read(app_log) else "")
            out = srv.output()
        self.assertIn("myapp WARNING APP-WARNING", text)
        self.assertNotIn("APP-DEBUG", text)
        # The dict gives gunicorn.error a handler: the load warns where server lines go.
        self.assertIn("configures the Python logger 'gunicorn.error'", out)
        self.assertIn("error log (stderr)", out)
        self.assertNotIn("not implemented", out)

    def test_logconfig_json_file(self):
        app_log = self.path("json.log")
        self.write("logging.json", json.dumps({
            "version": 1,
            "formatters": {"f": {"format": "JSONCFG %(name)s %(message)s"}},
            "handlers": {"h": {"class": "logging.FileHandler", "filename": app_log,
                               "formatter": "f"}},
            "loggers": {"myapp": {"level": "INFO", "handlers": ["h"]}}}))
        with self.server("--log-config-json", "logging.json") as srv:
            srv.get("/log")
            text = wait_for(lambda: read(app_log) if "APP-WARNING" in read(app_log) else "")
        self.assertIn("JSONCFG myapp APP-WARNING", text)

    def test_logconfig_ini_file(self):
        app_log = self.path("ini.log")
        self.write("logging.ini", textwrap.dedent('''
            [loggers]
            keys=root,myapp
            [handlers]
            keys=file
            [formatters]
            keys=plain
            [logger_root]
            level=WARNING
            handlers=
            [logger_myapp]
            level=INFO
            handlers=file
            qualname=myapp
            [handler_file]
            class=FileHandler
            args=(%r,)
            formatter=plain
            [formatter_plain]
            format=INICFG %%(levelname)s %%(message)s
        ''' % app_log))
        with self.server("--log-config", "logging.ini") as srv:
            srv.get("/log")
            text = wait_for(lambda: read(app_log) if "APP-WARNING" in read(app_log) else "")
        self.assertIn("INICFG WARNING APP-WARNING", text)

    def test_a_broken_dict_stops_the_boot_and_fails_check_config(self):
        self.write("gunicorn.conf.py", "logconfig_dict = {'version': 1, 'handlers': "
                                       "{'h': {'class': 'no.such.Handler'}}}\n")
        proc = subprocess.run([BIN, "--check-config", "logapp:app"], cwd=self.dir,
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn("cannot configure Python logging", proc.stderr)


class Syslog(AppDir):
    def test_udp_error_and_access_lines(self):
        rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        rx.bind(("127.0.0.1", 0))
        port = rx.getsockname()[1]
        with rx, self.server("--log-syslog", "--log-syslog-to", "udp://127.0.0.1:%d" % port,
                             "--log-syslog-facility", "local0", "--log-syslog-prefix", "web",
                             "--access-logfile", self.path("access.log")) as srv:
            srv.get("/hello")
            got = drain(rx, lambda g: any(".access:" in m for m in g)
                        and any("Booting worker" in m for m in g))
        boot = [m for m in got if "Booting worker" in m]
        self.assertTrue(boot, got)
        # local0 (16) * 8 + info (6) = 134; RFC 3164 timestamp, Gunicorn's tag.
        self.assertRegex(boot[0], r"^<134>\w{3} [ \d]\d \d\d:\d\d:\d\d gunicorn\.web\.error: "
                                  r"\[\d+\] Booting worker")
        access = [m for m in got if ".access:" in m]
        self.assertTrue(access, got)
        self.assertTrue(access[0].startswith("<134>"))
        self.assertIn("gunicorn.web.access: [", access[0])
        self.assertIn('"GET /hello HTTP/1.1" 200', access[0])
        self.assertIn('"GET /hello HTTP/1.1" 200', read(self.path("access.log")))

    def test_unix_datagram_without_access(self):
        sock_path = self.path("log.sock")
        rx = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        rx.bind(sock_path)
        with rx, self.server("--log-syslog", "--log-syslog-to", "unix://" + sock_path,
                             "--disable-redirect-access-to-syslog") as srv:
            srv.get("/")
            got = drain(rx, lambda g: any("Booting worker" in m for m in g))
            time.sleep(0.3)
            got += drain(rx, lambda g: False, timeout=0.3)
        self.assertTrue(any(m.startswith("<14>") and "gunicorn.logapp.app.error: [" in m
                            for m in got), got)  # user (1) * 8 + info (6)
        self.assertFalse([m for m in got if ".access:" in m], got)


class Statsd(AppDir):
    def test_request_and_worker_metrics(self):
        rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        rx.bind(("127.0.0.1", 0))
        port = rx.getsockname()[1]
        with rx, self.server("--statsd-host", "127.0.0.1:%d" % port, "--statsd-prefix", "svc",
                             "--dogstatsd-tags", "env:ci,team:web", workers=2) as srv:
            srv.get("/")
            srv.get("/missing")
            got = drain(rx, lambda g: "svc.gunicorn.request.status.404:1|c|@1.0|#env:ci,team:web" in g
                        and any(m.startswith("svc.gunicorn.workers:") for m in g))
        tags = "|#env:ci,team:web"
        self.assertEqual(got.count("svc.gunicorn.requests:1|c|@1.0" + tags), 2, got)
        self.assertIn("svc.gunicorn.request.status.200:1|c|@1.0" + tags, got)
        self.assertIn("svc.gunicorn.request.status.404:1|c|@1.0" + tags, got)
        durations = [m for m in got if m.startswith("svc.gunicorn.request.duration:")]
        self.assertEqual(len(durations), 2, got)
        self.assertRegex(durations[0], r"^svc\.gunicorn\.request\.duration:\d+\.\d{3}\|ms" + tags.replace("|", r"\|") + "$")
        self.assertTrue([m for m in got if m.startswith("svc.gunicorn.workers:") and m.endswith("|g" + tags)], got)


def backlog(datagrams):
    return [int(m[len("gunicorn.backlog:"):-2]) for m in datagrams
            if m.startswith("gunicorn.backlog:") and m.endswith("|h")]


class BacklogMetric(AppDir):
    def test_backlog_histogram_counts_queued_connections(self):
        # A stopped worker accepts nothing: the connections wait in the listen queue, and the
        # master reports how many (Linux TCP_INFO) as gunicorn.backlog.
        rx = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        rx.bind(("127.0.0.1", 0))
        port = rx.getsockname()[1]
        conns = []
        with rx, self.server("--statsd-host", "127.0.0.1:%d" % port, "--enable-backlog-metric",
                             workers=1) as srv:
            workers = [p for p in children_of(srv.proc.pid) if "bastion: worker" in cmdline(p)]
            self.assertEqual(len(workers), 1)
            os.kill(workers[0], signal.SIGSTOP)
            try:
                conns = [socket.create_connection(("127.0.0.1", srv.port)) for _ in range(5)]
                got = drain(rx, lambda g: max(backlog(g), default=0) >= 5, timeout=5)
            finally:
                os.kill(workers[0], signal.SIGCONT)
                for c in conns:
                    c.close()
        values = backlog(got)
        self.assertEqual(values[0], 0, got)  # at start, before anything was queued
        # Ours, plus possibly the harness's readiness probe if the worker had not taken it yet.
        self.assertIn(max(values), (5, 6), got)


class CheckConfig(AppDir):
    def run_bastion(self, *args, cwd=None, env=None):
        return subprocess.run([BIN, *args], cwd=cwd or self.dir, capture_output=True, text=True,
                              timeout=60, env=dict(os.environ, **(env or {})))

    def test_ok_and_failures(self):
        ok = self.run_bastion("--check-config", "logapp:app")
        self.assertEqual(ok.returncode, 0, ok.stderr)
        self.assertIn("OK", ok.stderr)
        missing = self.run_bastion("--check-config", "nosuch:app")
        self.assertEqual(missing.returncode, 1)
        self.assertIn("no module named 'nosuch'", missing.stderr)
        self.write("raises.py", "raise RuntimeError('import exploded')\n")
        raised = self.run_bastion("--check-config", "raises:app")
        self.assertEqual(raised.returncode, 1)
        self.assertIn("RuntimeError: import exploded", raised.stderr)

    def test_debug_mode_fails_with_the_rule_id(self):
        proc = self.run_bastion("--check-config", "debug_attr:app", cwd=GUARD_APPS)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn("BG001", proc.stderr)
        self.assertIn("debug mode", proc.stderr)
        allowed = self.run_bastion("--check-config", "--allow-debug", "debug_attr:app",
                                   cwd=GUARD_APPS)
        self.assertEqual(allowed.returncode, 0, allowed.stderr)

    def test_print_config_loads_the_app_too(self):
        good = self.run_bastion("--print-config", "-w", "3", "logapp:app")
        self.assertEqual(good.returncode, 0, good.stderr)
        self.assertRegex(good.stdout, r"(?m)^workers\s+= 3$")
        bad = self.run_bastion("--print-config", "nosuch:app")
        self.assertEqual(bad.returncode, 1)
        self.assertIn("wsgi_app", bad.stdout)  # printed first, as Gunicorn does

    def test_check_app_reads_gunicorn_conf(self):
        # raw_env from gunicorn.conf.py reaches the dry run: FLASK_DEBUG=1 is BG003.
        self.write("gunicorn.conf.py", "raw_env = ['FLASK_DEBUG=1']\n")
        proc = self.run_bastion("check", "--app", "logapp:app", "--format", "json")
        self.assertEqual(proc.returncode, 1, proc.stderr)
        doc = json.loads(proc.stdout)
        self.assertIn("BG003", [f["rule"] for f in doc["findings"]])
        os.unlink(self.path("gunicorn.conf.py"))
        clean = self.run_bastion("check", "--app", "logapp:app")
        self.assertEqual(clean.returncode, 0, clean.stderr)


if __name__ == "__main__":
    unittest.main()
