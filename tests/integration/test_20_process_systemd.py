"""systemd integration (issue 3, scope 7): sd_notify messages (READY, RELOADING, STOPPING,
STATUS, WATCHDOG) read from a test datagram socket, filesystem and abstract; socket
activation through a small launcher (tests/apps/process/sd_launch.py)."""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, os.path.join(HERE, "..", "apps", "process"))
from bastion_test import APPS, BIN, Server, free_port  # noqa: E402
from loadgen import wait_port  # noqa: E402
from proc_support import children_of, http_get, wait_until  # noqa: E402

PROC_APPS = os.path.join(APPS, "process")
LAUNCHER = os.path.join(PROC_APPS, "sd_launch.py")


def read(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


class NotifySocket:
    """A datagram socket standing in for systemd's notify socket."""

    def __init__(self, abstract=False):
        self.dir = tempfile.TemporaryDirectory()
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        if abstract:
            name = "bastion-test-notify-%d-%d" % (os.getpid(), time.monotonic_ns())
            self.sock.bind("\0" + name)
            self.address = "@" + name
        else:
            self.address = os.path.join(self.dir.name, "notify")
            self.sock.bind(self.address)
        self.sock.settimeout(0.1)
        self.messages = []

    def drain(self):
        while True:
            try:
                self.messages.append(self.sock.recv(4096).decode())
            except socket.timeout:
                return self.messages

    def wait_for(self, needle, timeout=15.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.drain()
            for i, m in enumerate(self.messages):
                if needle in m.split("\n"):
                    return i
        return None

    def close(self):
        self.sock.close()
        self.dir.cleanup()


class Notify(unittest.TestCase):
    def _lifecycle(self, abstract):
        ns = NotifySocket(abstract)
        srv = Server("proc_app:app", workers=2, cwd=PROC_APPS,
                     env={"NOTIFY_SOCKET": ns.address}, wait=False).start()
        try:
            ready = ns.wait_for("READY=1")
            self.assertIsNotNone(ready, "%r\n%s" % (ns.messages, srv.output()))
            # READY comes once all the first workers are ready, with their count.
            self.assertIn("STATUS=2 of 2 worker(s) ready", ns.messages[ready])
            self.assertIn("MAINPID=%d" % srv.proc.pid, ns.messages[ready])
            self.assertEqual(http_get(srv.port)[0], 200)
            # The variable is not passed on to the workers (they are not the main process).
            self.assertEqual(http_get(srv.port, "/env?k=NOTIFY_SOCKET")[1], "<unset>")
            srv.send_signal(signal.SIGHUP)
            reloading = ns.wait_for("RELOADING=1")
            self.assertIsNotNone(reloading, ns.messages)
            self.assertTrue(any(line.startswith("MONOTONIC_USEC=")
                                for line in ns.messages[reloading].split("\n")))
            self.assertTrue(wait_until(lambda: any("READY=1" in m.split("\n")
                                                   for m in ns.drain()[reloading + 1:]), 15),
                            ns.messages)
            srv.send_signal(signal.SIGTTIN)
            self.assertIsNotNone(ns.wait_for("STATUS=3 of 3 worker(s) ready"), ns.messages)
            srv.send_signal(signal.SIGTERM)
            self.assertEqual(srv.proc.wait(15), 0)
            self.assertIsNotNone(ns.wait_for("STOPPING=1"), ns.messages)
        finally:
            srv.stop()
            ns.close()

    def test_filesystem_socket(self):
        self._lifecycle(abstract=False)

    def test_abstract_socket(self):
        self._lifecycle(abstract=True)

    def test_watchdog(self):
        ns = NotifySocket()
        srv = Server("proc_app:app", workers=1, cwd=PROC_APPS, wait=False,
                     env={"NOTIFY_SOCKET": ns.address, "WATCHDOG_USEC": "400000"}).start()
        try:
            self.assertIsNotNone(ns.wait_for("READY=1"), ns.messages)
            start = len(ns.drain())
            time.sleep(1.5)
            pings = [m for m in ns.drain()[start:] if m == "WATCHDOG=1"]
            # Every WATCHDOG_USEC / 2 = 200 ms: about 7 in 1.5 s.
            self.assertGreaterEqual(len(pings), 5, ns.messages)
            self.assertLessEqual(len(pings), 10, ns.messages)
        finally:
            srv.stop()
            ns.close()

    def test_watchdog_for_another_pid_is_ignored(self):
        ns = NotifySocket()
        srv = Server("proc_app:app", workers=1, cwd=PROC_APPS, wait=False,
                     env={"NOTIFY_SOCKET": ns.address, "WATCHDOG_USEC": "200000",
                          "WATCHDOG_PID": "1"}).start()
        try:
            self.assertIsNotNone(ns.wait_for("READY=1"), ns.messages)
            time.sleep(0.5)
            self.assertNotIn("WATCHDOG=1", ns.drain())
        finally:
            srv.stop()
            ns.close()


class SocketActivation(unittest.TestCase):
    def test_tcp_socket_from_systemd(self):
        port = free_port()
        unused = free_port()
        log = tempfile.NamedTemporaryFile(prefix="bastion-sd-", suffix=".log", delete=False)
        # --bind is ignored when systemd passes sockets (as Gunicorn does).
        proc = subprocess.Popen([sys.executable, LAUNCHER, "web=tcp:127.0.0.1:%d" % port, BIN,
                                 "-w", "2", "-b", "127.0.0.1:%d" % unused, "proc_app:app"],
                                cwd=PROC_APPS, stdout=log, stderr=subprocess.STDOUT)
        try:
            self.assertTrue(wait_port(port), read(log.name))
            self.assertEqual(http_get(port)[0], 200)
            out = read(log.name)
            self.assertIn("(systemd: web)", out)
            # The variables describe the master only; workers must not see them.
            self.assertEqual(http_get(port, "/env?k=LISTEN_FDS")[1], "<unset>")
            self.assertEqual(http_get(port, "/env?k=LISTEN_PID")[1], "<unset>")
            with self.assertRaises(OSError):
                socket.create_connection(("127.0.0.1", unused), timeout=1).close()
            # A reload keeps serving on the inherited socket.
            proc.send_signal(signal.SIGHUP)
            self.assertTrue(wait_until(lambda: "Reload complete" in read(log.name), 20))
            self.assertEqual(http_get(port)[0], 200)
        finally:
            proc.send_signal(signal.SIGTERM)
            self.assertEqual(proc.wait(20), 0)
            os.unlink(log.name)

    def test_unix_socket_from_systemd_is_not_unlinked(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "app.sock")
            proc = subprocess.Popen([sys.executable, LAUNCHER, "app=unix:" + path, BIN, "-w", "1",
                                     "proc_app:app"], cwd=PROC_APPS, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            try:
                def ask():
                    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                        try:
                            s.settimeout(5)
                            s.connect(path)
                            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                            return s.recv(4096)
                        except OSError:
                            return None
                self.assertIn(b"200 OK", wait_until(ask, 15) or b"")
            finally:
                proc.send_signal(signal.SIGTERM)
                self.assertEqual(proc.wait(20), 0)
            self.assertTrue(os.path.exists(path), "systemd owns the socket file")

    def test_listen_pid_for_another_process_is_ignored(self):
        env = {"LISTEN_FDS": "1", "LISTEN_PID": "1"}
        with Server("proc_app:app", workers=1, cwd=PROC_APPS, env=env) as srv:
            self.assertEqual(http_get(srv.port)[0], 200)
            self.assertNotIn("systemd", srv.output())
            self.assertEqual(http_get(srv.port, "/env?k=LISTEN_FDS")[1], "<unset>")


if __name__ == "__main__":
    unittest.main()
