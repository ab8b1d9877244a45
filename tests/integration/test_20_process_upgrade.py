"""USR2 binary upgrade and WINCH, Gunicorn's upgrade dance: USR2 starts a second master from
the binary on disk on the same sockets (the pidfile moves to <pidfile>.oldbin, the new master
writes <pidfile>), WINCH stops the old master's workers, TERM/QUIT stops the old master; a new
master that cannot start leaves the old one serving with its pidfile back."""
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, os.path.join(HERE, "..", "apps", "process"))
from bastion_test import Server  # noqa: E402
from proc_support import alive, children_of, cmdline, try_get, wait_until  # noqa: E402

APP = '''import os

def app(environ, start_response):
    body = ("ok %d %d" % (os.getpid(), os.getppid())).encode()
    start_response("200 OK", [("Content-Type", "text/plain"),
                              ("Content-Length", str(len(body)))])
    return [body]
'''


def read_pid(path):
    try:
        with open(path) as f:
            return int(f.read().strip() or 0)
    except (OSError, ValueError):
        return 0


def master_of(port):
    """The pid of the master whose worker answered (the worker's parent), or None."""
    got = try_get(port)
    if not got or got[0] != 200:
        return None
    return int(got[1].split()[2])


class Load:
    """A bounded request loop in a thread: counts answers per master and failures."""

    def __init__(self, port, limit_s=60.0):
        self.port = port
        self.limit_s = limit_s
        self.done = threading.Event()
        self.masters = {}
        self.failures = []
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        deadline = time.monotonic() + self.limit_s
        while not self.done.is_set() and time.monotonic() < deadline:
            got = try_get(self.port)
            if not got or got[0] != 200:
                self.failures.append(got)
                continue
            master = int(got[1].split()[2])
            self.masters[master] = self.masters.get(master, 0) + 1

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.done.set()
        self.thread.join(10)


class Upgrade(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="bastion-upgrade-")
        with open(os.path.join(self.dir, "upg_app.py"), "w") as f:
            f.write(APP)
        self.pidfile = os.path.join(self.dir, "app.pid")
        self.extra = []  # masters not started by us directly, stopped by pid

    def tearDown(self):
        for pid in self.extra:
            if alive(pid):
                os.kill(pid, signal.SIGTERM)
                if not wait_until(lambda: not alive(pid), timeout=20):
                    os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.dir, ignore_errors=True)

    def serve(self):
        return Server("upg_app:app", "-p", self.pidfile, "--graceful-timeout", "5",
                      workers=2, cwd=self.dir)

    def test_upgrade_dance_without_failed_requests(self):
        srv = self.serve().start()
        try:
            old = srv.proc.pid
            self.assertEqual(read_pid(self.pidfile), old)
            with Load(srv.port) as load:
                time.sleep(0.3)
                srv.send_signal(signal.SIGUSR2)
                new = wait_until(lambda: (read_pid(self.pidfile) not in (0, old)) and
                                 read_pid(self.pidfile), timeout=15)
                self.assertTrue(new, srv.output())
                self.extra.append(new)
                self.assertEqual(read_pid(self.pidfile + ".oldbin"), old)
                self.assertIn(new, children_of(old))
                # The new master's workers answer on the same port, beside the old ones.
                self.assertTrue(wait_until(lambda: load.masters.get(new), timeout=20),
                                srv.output())
                self.assertIn("(old)", cmdline(old))
                # A second USR2, to either master, is ignored while the upgrade runs.
                srv.send_signal(signal.SIGUSR2)
                os.kill(new, signal.SIGUSR2)
                self.assertTrue(wait_until(lambda: "USR2 ignored: an upgrade is already" in
                                           srv.output()))
                self.assertTrue(wait_until(lambda: "USR2 ignored: this master was started"
                                           in srv.output()))
                # WINCH: the old workers stop gracefully; the old master stays.
                srv.send_signal(signal.SIGWINCH)
                self.assertTrue(wait_until(lambda: children_of(old) == [new], timeout=20),
                                children_of(old))
                self.assertTrue(alive(old))
                seen = load.masters.get(new, 0)
                self.assertTrue(wait_until(lambda: load.masters.get(new, 0) > seen + 20))
                self.assertEqual(srv.stop(signal.SIGQUIT), 0)
                time.sleep(0.5)  # requests keep being served by the new master alone
            self.assertEqual(load.failures, [])
            self.assertGreater(sum(load.masters.values()), 50)
            self.assertTrue(alive(new))
            self.assertEqual(master_of(srv.port), new)
            self.assertEqual(read_pid(self.pidfile), new)
            self.assertFalse(os.path.exists(self.pidfile + ".oldbin"))
            self.assertNotIn("(old)", cmdline(new))
        finally:
            srv.stop()
            os.unlink(srv.log.name)
        os.kill(new, signal.SIGTERM)
        self.assertTrue(wait_until(lambda: not alive(new), timeout=20))
        self.assertFalse(os.path.exists(self.pidfile))

    def test_failed_upgrade_keeps_old_master_and_pidfile(self):
        srv = self.serve().start()
        try:
            old = srv.proc.pid
            self.assertTrue(wait_until(lambda: len(children_of(old)) == 2))
            time.sleep(1.0)  # both workers have imported the application
            workers = children_of(old)
            self.assertEqual(len(workers), 2)
            self.assertNotIn("failed to boot", srv.output())
            os.unlink(os.path.join(self.dir, "upg_app.py"))  # the new master cannot import it
            srv.send_signal(signal.SIGUSR2)
            self.assertTrue(wait_until(lambda: "BST-E0741" in srv.output(), timeout=30),
                            srv.output())
            self.assertTrue(wait_until(lambda: read_pid(self.pidfile) == old))
            self.assertFalse(os.path.exists(self.pidfile + ".oldbin"))
            self.assertNotIn("(old)", cmdline(old))
            self.assertEqual(children_of(old), workers, srv.output())
            self.assertEqual(master_of(srv.port), old)
            # A later USR2 is accepted again (and fails the same way).
            srv.send_signal(signal.SIGUSR2)
            self.assertTrue(wait_until(lambda: srv.output().count("BST-E0741") == 2,
                                       timeout=30), srv.output())
            self.assertEqual(read_pid(self.pidfile), old)
            self.assertEqual(srv.stop(), 0)
            self.assertFalse(os.path.exists(self.pidfile))
        finally:
            srv.stop()
            os.unlink(srv.log.name)

    def test_rollback_on_a_unix_socket(self):
        # USR2, WINCH, then HUP to the old master and TERM to the new one: the old master
        # serves again with its pidfile back, and the socket file was never removed.
        sock = os.path.join(self.dir, "app.sock")
        srv = Server("upg_app:app", "-p", self.pidfile, "--graceful-timeout", "5",
                     workers=1, cwd=self.dir, bind="unix:" + sock).start()
        try:
            old = srv.proc.pid
            srv.send_signal(signal.SIGUSR2)
            new = wait_until(lambda: (read_pid(self.pidfile) not in (0, old)) and
                             read_pid(self.pidfile), timeout=15)
            self.assertTrue(new, srv.output())
            self.extra.append(new)
            self.assertTrue(wait_until(lambda: len(children_of(new)) >= 1))
            srv.send_signal(signal.SIGWINCH)
            self.assertTrue(wait_until(lambda: children_of(old) == [new], timeout=20))
            srv.send_signal(signal.SIGHUP)
            self.assertTrue(wait_until(lambda: len(children_of(old)) == 2, timeout=20),
                            srv.output())
            os.kill(new, signal.SIGTERM)
            self.assertTrue(wait_until(lambda: not alive(new), timeout=20))
            self.assertTrue(wait_until(lambda: read_pid(self.pidfile) == old), srv.output())
            self.assertFalse(os.path.exists(self.pidfile + ".oldbin"))
            self.assertTrue(os.path.exists(sock))
            self.assertEqual(srv.get().status, 200)
            self.assertNotIn("(old)", cmdline(old))
            self.assertEqual(srv.stop(), 0)
        finally:
            srv.stop()
            os.unlink(srv.log.name)


if __name__ == "__main__":
    unittest.main()
