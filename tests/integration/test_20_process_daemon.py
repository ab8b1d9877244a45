"""-D/--daemon: the server detaches (new session, not a child of the caller), the starting
command returns 0 only once the server answers, and a startup failure is that command's exit
status with a message, not a silent background death. -R keeps stderr open.
"""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from bastion_test import APPS, BIN, free_port  # noqa: E402
from http_client import wait_for  # noqa: E402


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open("/proc/%d/stat" % pid) as f:
        return f.read().rsplit(")", 1)[1].split()[0] != "Z"


class Daemon(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="bastion-daemon-")
        self.pidfile = os.path.join(self.dir, "master.pid")
        self.log = os.path.join(self.dir, "error.log")
        self.port = free_port()
        self.pid = None

    def tearDown(self):
        if self.pid is None and os.path.exists(self.pidfile):
            # A test that failed before reading the pidfile must not leave a daemon behind.
            with open(self.pidfile) as f:
                text = f.read().strip()
            self.pid = int(text) if text.isdigit() else None
        if self.pid and alive(self.pid):
            os.kill(self.pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while alive(self.pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            if alive(self.pid):
                os.kill(self.pid, signal.SIGKILL)
        for name in os.listdir(self.dir):
            os.unlink(os.path.join(self.dir, name))
        os.rmdir(self.dir)

    def start(self, app, *extra):
        args = [BIN, "-D", "-b", "127.0.0.1:%d" % self.port, "-p", self.pidfile,
                "--error-logfile", self.log, "--chdir", APPS, *extra, app]
        return subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)

    def test_detaches_and_serves_when_the_command_returns(self):
        r = self.start("wsgi_basic:app")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(self.pidfile) as f:
            self.pid = int(f.read())
        # Ready when the command returned: no retry loop needed.
        body = urllib.request.urlopen("http://127.0.0.1:%d/" % self.port, timeout=5).read()
        self.assertEqual(body, b"Hello, World!")
        self.assertNotEqual(os.getsid(self.pid), os.getsid(0), "still in the caller's session")
        self.assertNotEqual(os.getsid(self.pid), self.pid, "the daemon must not be a session leader")
        with open("/proc/%d/stat" % self.pid) as f:
            ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        self.assertNotEqual(ppid, os.getpid())
        self.assertEqual(os.readlink("/proc/%d/fd/0" % self.pid), "/dev/null")
        self.assertEqual(os.readlink("/proc/%d/fd/2" % self.pid), "/dev/null")
        # Signals work as for a foreground master.
        os.kill(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while alive(self.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertFalse(alive(self.pid))
        self.assertFalse(os.path.exists(self.pidfile))

    def test_import_failure_is_the_commands_exit_status(self):
        r = self.start("no_such_module_here:app")
        self.assertEqual(r.returncode, 5)
        self.assertIn(b"daemon stopped during startup with status 5", r.stderr)
        with open(self.log) as f:
            self.assertIn("no_such_module_here", f.read())

    def test_address_in_use_is_the_commands_exit_status(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", self.port))
            s.listen()
            r = self.start("wsgi_basic:app")
        self.assertEqual(r.returncode, 8)
        self.assertIn(b"status 8 (address already in use)", r.stderr)

    def test_debug_refusal_is_the_commands_exit_status(self):
        r = self.start("debug_attr:app", "--pythonpath", os.path.join(APPS, "guard"))
        self.assertEqual(r.returncode, 9, r.stderr)
        self.assertIn(b"status 9", r.stderr)

    def test_stdio_inheritance_keeps_stderr(self):
        # The daemon keeps our stderr: a file, since a pipe would stay open as long as it runs.
        err = os.path.join(self.dir, "stderr.txt")
        with open(err, "wb") as f:
            r = subprocess.run([BIN, "-D", "-R", "-b", "127.0.0.1:%d" % self.port, "-p",
                                self.pidfile, "--chdir", APPS, "wsgi_basic:app"],
                               stdin=subprocess.DEVNULL, stdout=f, stderr=f, timeout=60)
        self.assertEqual(r.returncode, 0)
        with open(self.pidfile) as f:
            self.pid = int(f.read())
        self.assertEqual(os.readlink("/proc/%d/fd/2" % self.pid), err)
        self.assertEqual(os.readlink("/proc/%d/fd/0" % self.pid), "/dev/null")
        # The error log ('-' = stderr) still reaches it.
        self.assertTrue(wait_for(lambda: b"Booting worker" in open(err, "rb").read()))

    def test_warns_when_the_error_log_would_be_lost(self):
        args = [BIN, "-D", "-b", "127.0.0.1:%d" % self.port, "-p", self.pidfile, "--chdir", APPS,
                "wsgi_basic:app"]
        r = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(self.pidfile) as f:
            self.pid = int(f.read())
        self.assertIn(b"sends the error log to /dev/null", r.stderr)


if __name__ == "__main__":
    unittest.main()
