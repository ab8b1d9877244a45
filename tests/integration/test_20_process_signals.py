"""Master signals with Gunicorn's meanings: TERM graceful, INT/QUIT fast, HUP reload,
TTIN/TTOU, USR1 reopen logs, CHLD reap and replace (issue 3, scope 1)."""
import os
import signal
import socket
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, os.path.join(HERE, "..", "apps", "process"))
from bastion_test import APPS, Server  # noqa: E402
from loadgen import wait_port  # noqa: E402
from proc_support import alive, children_of, http_get, try_get, wait_until  # noqa: E402

PROC_APPS = os.path.join(APPS, "process")


def serve(*args, workers=2, **kw):
    return Server("proc_app:app", *args, workers=workers, cwd=PROC_APPS, **kw)


def send_get(port, path):
    s = socket.create_connection(("127.0.0.1", port), timeout=15)
    s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n\r\n" % path).encode())
    return s


def read_response(s, timeout=15):
    s.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
    while len(body) < length:
        chunk = s.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


class Term(unittest.TestCase):
    def test_term_finishes_slow_inflight_request(self):
        # --threads 2: the loop sees TERM while the request runs in a Python thread.
        srv = serve("--graceful-timeout", "10", "--threads", "2").start()
        try:
            slow = send_get(srv.port, "/slow?s=2")
            time.sleep(0.5)  # the app is now inside its sleep
            srv.send_signal(signal.SIGTERM)
            data = read_response(slow)
            slow.close()
            self.assertIn(b"200 OK", data, srv.output())
            self.assertIn(b"slow done", data)
            self.assertIn(b"connection: close", data.lower())
            self.assertEqual(srv.proc.wait(10), 0)
        finally:
            srv.stop()
        # The listener is gone: new connections are refused, not queued.
        with self.assertRaises(OSError):
            socket.create_connection(("127.0.0.1", srv.port), timeout=2).close()

    def test_term_answers_request_sent_on_idle_keepalive_connection(self):
        srv = serve("--threads", "2", workers=1).start()
        try:
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            self.assertIn(b"200 OK", read_response(s))
            # Keep a slow request in flight on another connection so the worker stays up.
            slow = send_get(srv.port, "/slow?s=1.5")
            time.sleep(0.2)
            srv.send_signal(signal.SIGTERM)
            time.sleep(0.1)
            # The idle keep-alive connection is still usable for one more request.
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            data = read_response(s)
            self.assertIn(b"200 OK", data, srv.output())
            self.assertIn(b"connection: close", data.lower())
            self.assertIn(b"slow done", read_response(slow))
            s.close()
            slow.close()
            self.assertEqual(srv.proc.wait(10), 0)
        finally:
            srv.stop()

    def test_graceful_timeout_kills_overrunning_request(self):
        srv = serve("--graceful-timeout", "1", workers=1).start()
        try:
            slow = send_get(srv.port, "/slow?s=30")
            time.sleep(0.3)
            started = time.monotonic()
            srv.send_signal(signal.SIGTERM)
            srv.proc.wait(10)
            self.assertLess(time.monotonic() - started, 5, srv.output())
            slow.close()
        finally:
            srv.stop()


class FastStop(unittest.TestCase):
    def _fast(self, sig):
        srv = serve("--graceful-timeout", "30").start()
        try:
            slow = send_get(srv.port, "/slow?s=30")
            time.sleep(0.3)
            started = time.monotonic()
            srv.send_signal(sig)
            srv.proc.wait(10)
            self.assertLess(time.monotonic() - started, 4, srv.output())
            slow.close()
        finally:
            srv.stop()

    def test_int(self):
        self._fast(signal.SIGINT)

    def test_quit(self):
        self._fast(signal.SIGQUIT)

    def test_int_during_graceful_stop_switches_to_fast(self):
        srv = serve("--graceful-timeout", "30").start()
        try:
            slow = send_get(srv.port, "/slow?s=30")
            time.sleep(0.3)
            srv.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            started = time.monotonic()
            srv.send_signal(signal.SIGINT)
            srv.proc.wait(10)
            self.assertLess(time.monotonic() - started, 4, srv.output())
            self.assertIn("switching to a fast stop", srv.output())
            slow.close()
        finally:
            srv.stop()


class WorkerCount(unittest.TestCase):
    def test_ttin_ttou_never_below_one(self):
        with serve(workers=2) as srv:
            master = srv.proc.pid
            self.assertTrue(wait_until(lambda: len(children_of(master)) == 2), srv.output())
            srv.send_signal(signal.SIGTTIN)
            self.assertTrue(wait_until(lambda: len(children_of(master)) == 3), srv.output())
            for _ in range(4):
                srv.send_signal(signal.SIGTTOU)
                time.sleep(0.1)
            self.assertTrue(wait_until(lambda: len(children_of(master)) == 1), srv.output())
            time.sleep(0.5)
            self.assertEqual(len(children_of(master)), 1)
            self.assertEqual(http_get(srv.port)[0], 200)
            self.assertIn("ttou; workers: 1", srv.output())

    def test_ttou_retires_oldest(self):
        with serve(workers=2) as srv:
            master = srv.proc.pid
            before = wait_until(lambda: (lambda c: c if len(c) == 2 else None)(children_of(master)))
            oldest = min(before)
            srv.send_signal(signal.SIGTTOU)
            self.assertTrue(wait_until(lambda: not alive(oldest)), srv.output())
            self.assertEqual(children_of(master), [max(before)])


class Chld(unittest.TestCase):
    def test_killed_worker_is_replaced(self):
        with serve(workers=2) as srv:
            master = srv.proc.pid
            pids = wait_until(lambda: (lambda c: c if len(c) == 2 else None)(children_of(master)))
            victim = pids[0]
            os.kill(victim, signal.SIGKILL)
            fresh = wait_until(lambda: [p for p in children_of(master) if p not in pids], 5)
            self.assertTrue(fresh, srv.output())
            self.assertEqual(len(children_of(master)), 2)
            self.assertTrue(wait_until(lambda: "Worker (pid:%d) was sent SIGKILL" % victim
                                       in srv.output()), srv.output())

    def test_replacement_serves_within_a_second(self):
        # One worker: whoever answers after the kill is the replacement.
        with serve(workers=1) as srv:
            master = srv.proc.pid
            victim = wait_until(lambda: children_of(master))[0]
            self.assertEqual(http_get(srv.port)[1], "ok %d" % victim)
            os.kill(victim, signal.SIGKILL)
            killed_at = time.monotonic()
            answer = wait_until(lambda: try_get(srv.port, timeout=2), 5, 0.005)
            elapsed = time.monotonic() - killed_at
            self.assertTrue(answer, srv.output())
            self.assertNotEqual(answer[1], "ok %d" % victim)
            self.assertLess(elapsed, 1.0, srv.output())


class Hup(unittest.TestCase):
    def test_hup_reimports_changed_code_with_new_workers(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "versioned.py")

            def write(version):
                with open(path, "w") as f:
                    f.write("import os\n"
                            "def app(environ, start_response):\n"
                            "    body = b'%s %%d' %% os.getpid()\n"
                            "    start_response('200 OK', [('Content-Length', str(len(body)))])\n"
                            "    return [body]\n" % version)

            write("v1")
            srv = Server("versioned:app", workers=2, cwd=d).start()
            try:
                master = srv.proc.pid
                http_get(srv.port)
                old = wait_until(lambda: (lambda c: c if len(c) == 2 else None)(children_of(master)))
                self.assertTrue(http_get(srv.port)[1].startswith("v1"))
                write("v2")
                srv.send_signal(signal.SIGHUP)
                self.assertTrue(wait_until(lambda: "Reload complete" in srv.output()), srv.output())
                self.assertTrue(wait_until(lambda: not any(alive(p) for p in old)), srv.output())
                for _ in range(6):
                    self.assertTrue(http_get(srv.port)[1].startswith("v2"))
                self.assertEqual(len(children_of(master)), 2)
                self.assertEqual(master, srv.proc.pid)
            finally:
                srv.stop()

    def test_hup_with_broken_code_keeps_old_workers(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "deploy.py")
            good = ("def app(environ, start_response):\n"
                    "    start_response('200 OK', [('Content-Length', '4')])\n"
                    "    return [b'good']\n")
            with open(path, "w") as f:
                f.write(good)
            srv = Server("deploy:app", workers=2, cwd=d).start()
            try:
                # Booted (the first answer) and both workers up before the deploy breaks.
                self.assertEqual(http_get(srv.port), (200, "good"))
                self.assertTrue(wait_until(lambda: len(children_of(srv.proc.pid)) == 2))
                time.sleep(0.5)
                with open(path, "w") as f:
                    f.write("raise RuntimeError('broken deploy')\n")
                srv.send_signal(signal.SIGHUP)
                self.assertTrue(wait_until(lambda: "BST-E0704 reload failed" in srv.output(), 20),
                                srv.output())
                self.assertIsNone(srv.proc.poll(), "the master must keep running")
                self.assertEqual(http_get(srv.port), (200, "good"))
                with open(path, "w") as f:
                    f.write(good.replace("good", "new!"))
                srv.send_signal(signal.SIGHUP)
                self.assertTrue(wait_until(lambda: "Reload complete" in srv.output(), 20),
                                srv.output())
                self.assertTrue(wait_until(lambda: try_get(srv.port) == (200, "new!")), srv.output())
            finally:
                srv.stop()


class Usr1(unittest.TestCase):
    def test_usr1_reopens_error_and_access_logs(self):
        with tempfile.TemporaryDirectory() as d:
            error_log = os.path.join(d, "error.log")
            access_log = os.path.join(d, "access.log")
            srv = serve("--error-logfile", error_log, "--access-logfile", access_log,
                        wait=False).start()
            try:
                self.assertTrue(wait_port(srv.port))
                self.assertEqual(http_get(srv.port)[0], 200)
                self.assertTrue(wait_until(lambda: os.path.getsize(access_log) > 0))
                self.assertTrue(wait_until(lambda: open(error_log).read().count("Booting") == 2))
                time.sleep(0.3)
                os.rename(error_log, error_log + ".1")
                os.rename(access_log, access_log + ".1")
                srv.send_signal(signal.SIGUSR1)
                self.assertTrue(wait_until(lambda: os.path.exists(error_log)))
                for _ in range(4):  # reach both workers
                    http_get(srv.port, "/?after-rotate")
                self.assertTrue(wait_until(lambda: os.path.exists(access_log) and
                                           "after-rotate" in open(access_log).read()))
                with open(error_log + ".1") as f:
                    self.assertIn("usr1", f.read())
                with open(access_log + ".1") as f:
                    self.assertNotIn("after-rotate", f.read())
            finally:
                srv.stop()
            with open(error_log) as f:
                text = f.read()
            self.assertIn("Shutting down: Master", text)
            self.assertIn("Worker exiting", text)  # the workers reopened too


class Ignored(unittest.TestCase):
    def test_winch_changes_nothing_when_not_daemonized(self):
        # As Gunicorn: WINCH stops the workers only in a daemon (or during a USR2 upgrade,
        # see test_20_process_upgrade.py); in a terminal it is a window resize.
        with serve(workers=1) as srv:
            master = srv.proc.pid
            pids = wait_until(lambda: children_of(master))
            srv.send_signal(signal.SIGWINCH)
            time.sleep(0.5)
            self.assertEqual(children_of(master), pids)
            self.assertEqual(http_get(srv.port)[0], 200)


if __name__ == "__main__":
    unittest.main()
