"""Housekeeping (issue 3, scope 6): pidfile, user/group/initgroups, umask, -e, process
titles, no orphans when the master dies, --reuse-port."""
import os
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, os.path.join(HERE, "..", "apps", "process"))
from bastion_test import APPS, BIN, Server, free_port, recv_all  # noqa: E402
from loadgen import wait_port  # noqa: E402
from proc_support import alive, children_of, cmdline, http_get, wait_until  # noqa: E402

PROC_APPS = os.path.join(APPS, "process")


def serve(*args, workers=1, **kw):
    return Server("proc_app:app", *args, workers=workers, cwd=PROC_APPS, **kw)


def python_readable_by(user):
    """True when `user` can read this Python's standard library (workers import it)."""
    import pwd
    entry = pwd.getpwnam(user)
    probe = subprocess.run([sys.executable, "-c", "import os,sys; os.setgid(%d); os.setuid(%d); "
                            "open(os.__file__).close()" % (entry.pw_gid, entry.pw_uid)],
                           capture_output=True)
    return probe.returncode == 0


def unix_get(path, target="/"):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % target).encode())
    data = recv_all(s, 10.0)
    s.close()
    return data.partition(b"\r\n\r\n")[2].decode()


def read(path):
    with open(path) as f:
        return f.read().strip()


class Pidfile(unittest.TestCase):
    def test_written_refused_while_held_and_removed(self):
        with tempfile.TemporaryDirectory() as d:
            pidfile = os.path.join(d, "bastion.pid")
            srv = serve("-p", pidfile).start()
            try:
                self.assertTrue(wait_until(lambda: os.path.exists(pidfile)))
                with open(pidfile) as f:
                    self.assertEqual(int(f.read()), srv.proc.pid)
                self.assertEqual(stat.S_IMODE(os.stat(pidfile).st_mode), 0o644)
                # A second master with the same pidfile is refused (exit 10), on another port.
                other = subprocess.run([BIN, "-b", "127.0.0.1:%d" % free_port(), "-p", pidfile,
                                        "proc_app:app"], cwd=PROC_APPS, capture_output=True,
                                       text=True, timeout=30)
                self.assertEqual(other.returncode, 10, other.stderr)
                self.assertIn("held by a running master (pid %d)" % srv.proc.pid, other.stderr)
                with open(pidfile) as f:
                    self.assertEqual(int(f.read()), srv.proc.pid)  # untouched
            finally:
                srv.stop()
            self.assertFalse(os.path.exists(pidfile))

    def test_stale_pidfile_is_replaced(self):
        with tempfile.TemporaryDirectory() as d:
            pidfile = os.path.join(d, "bastion.pid")
            dead = subprocess.Popen(["true"])
            dead.wait()
            for stale in (str(dead.pid), "garbage", str(os.getpid())):  # dead, junk, not bastion
                with open(pidfile, "w") as f:
                    f.write(stale + "\n")
                with serve("-p", pidfile) as srv:
                    self.assertTrue(wait_until(lambda: read(pidfile) == str(srv.proc.pid)), stale)
                self.assertFalse(os.path.exists(pidfile))

    def test_pidfile_removed_after_boot_failure(self):
        with tempfile.TemporaryDirectory() as d:
            pidfile = os.path.join(d, "bastion.pid")
            proc = subprocess.run([BIN, "-b", "127.0.0.1:%d" % free_port(), "-p", pidfile,
                                   "import_error:app"], cwd=PROC_APPS, capture_output=True,
                                  timeout=30)
            self.assertEqual(proc.returncode, 4)
            self.assertFalse(os.path.exists(pidfile))


class Identity(unittest.TestCase):
    @unittest.skipUnless(os.geteuid() == 0, "needs root")
    def test_group_switch_and_unix_socket_ownership(self):
        with tempfile.TemporaryDirectory() as d:
            os.chmod(d, 0o755)
            sock = os.path.join(d, "app.sock")
            srv = serve("-g", "nogroup", bind="unix:" + sock).start()
            try:
                uid, gid, groups = unix_get(sock, "/ids").split()
                self.assertEqual((int(uid), int(gid), groups), (0, 65534, "65534"))
                self.assertEqual(os.stat(sock).st_gid, 65534)  # the workers' group owns it
                self.assertIn("Workers run as uid 0, gid 65534", srv.output())
            finally:
                srv.stop()

    @unittest.skipUnless(os.geteuid() == 0, "needs root")
    def test_initgroups(self):
        with serve("-u", "root", "-g", "nogroup", "--initgroups") as srv:
            uid, gid, groups = http_get(srv.port, "/ids")[1].split()
            self.assertEqual((int(uid), int(gid)), (0, 65534))
            self.assertIn("65534", groups.split(","))
        # A user with supplementary groups in /etc/group gets them with --initgroups.
        member = None
        with open("/etc/group") as f:
            for line in f:
                name, _, gid, users = line.rstrip("\n").split(":")
                if users:
                    member = (users.split(",")[0], int(gid))
                    break
        if member is None or not python_readable_by(member[0]):
            self.skipTest("no /etc/group member that can read the Python installation")
        with serve("-u", member[0], "--initgroups") as srv:
            self.assertIn(str(member[1]), http_get(srv.port, "/ids")[1].split()[2].split(","))

    @unittest.skipUnless(os.geteuid() == 0, "needs root")
    def test_user_nobody(self):
        if python_readable_by("nobody"):
            with serve("-u", "nobody", "-g", "nogroup") as srv:
                self.assertEqual(http_get(srv.port, "/ids")[1].split()[:2], ["65534", "65534"])
                # The master keeps its identity (it must be able to signal and reap).
                self.assertEqual(os.stat("/proc/%d" % srv.proc.pid).st_uid, 0)
            return
        # Here the Python installation is private to root (e.g. under /root): a worker that
        # really became nobody cannot start Python. That failure proves the switch happened
        # before Python ran, and the master stops cleanly with the boot status.
        proc = subprocess.run([BIN, "-b", "127.0.0.1:%d" % free_port(), "-u", "nobody", "-g",
                               "nogroup", "proc_app:app"], cwd=PROC_APPS, capture_output=True,
                              text=True, timeout=30)
        self.assertEqual(proc.returncode, 3, proc.stderr)
        self.assertIn("Workers run as uid 65534, gid 65534", proc.stderr)
        self.assertIn("cannot initialise Python", proc.stderr)

    def test_unknown_user_is_a_usage_error(self):
        proc = subprocess.run([BIN, "-b", "127.0.0.1:%d" % free_port(), "-u",
                               "no-such-user-bastion", "proc_app:app"], cwd=PROC_APPS,
                              capture_output=True, text=True, timeout=30)
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertIn("no such user", proc.stderr)


class Umask(unittest.TestCase):
    def test_umask_applies_to_unix_socket(self):
        for mask, mode in (("0o077", 0o700), ("0", 0o777), ("0o007", 0o770)):
            with tempfile.TemporaryDirectory() as d:
                sock = os.path.join(d, "app.sock")
                with serve("-m", mask, bind="unix:" + sock):
                    self.assertEqual(stat.S_IMODE(os.stat(sock).st_mode), mode, mask)
                self.assertFalse(os.path.exists(sock))  # removed on exit


class Environment(unittest.TestCase):
    def test_env_option_reaches_the_app(self):
        with serve("-e", "BASTION_TEST_VALUE=hello=world", "-e", "OTHER=2") as srv:
            self.assertEqual(http_get(srv.port, "/env?k=BASTION_TEST_VALUE")[1], "hello=world")
            self.assertEqual(http_get(srv.port, "/env?k=OTHER")[1], "2")


class Titles(unittest.TestCase):
    def test_process_titles(self):
        with serve(workers=2) as srv:
            master = srv.proc.pid
            pids = wait_until(lambda: (lambda c: c if len(c) == 2 else None)(children_of(master)))
            self.assertTrue(cmdline(master).startswith("bastion: master [proc_app:app]"),
                            cmdline(master))
            for pid in pids:
                self.assertTrue(cmdline(pid).startswith("bastion: worker [proc_app:app]"),
                                cmdline(pid))

    def test_proc_name(self):
        with serve("-n", "shop") as srv:
            self.assertTrue(cmdline(srv.proc.pid).startswith("bastion: master [shop]"))


class Orphans(unittest.TestCase):
    def test_workers_exit_when_master_is_killed(self):
        srv = serve(workers=3).start()
        try:
            master = srv.proc.pid
            pids = wait_until(lambda: (lambda c: c if len(c) == 3 else None)(children_of(master)))
            self.assertTrue(pids)
            os.kill(master, signal.SIGKILL)
            srv.proc.wait(5)
            self.assertTrue(wait_until(lambda: not any(alive(p) for p in pids), 10),
                            [p for p in pids if alive(p)])
        finally:
            for p in children_of(srv.proc.pid) if srv.proc.poll() is None else []:
                os.kill(p, signal.SIGKILL)
            srv.stop()


class ReusePort(unittest.TestCase):
    def _bind_again(self, port):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False
        finally:
            s.close()

    def test_reuse_port_lets_another_process_bind(self):
        with serve("--reuse-port") as srv:
            self.assertTrue(self._bind_again(srv.port))
            self.assertEqual(http_get(srv.port)[0], 200)
        with serve() as srv:
            self.assertFalse(self._bind_again(srv.port))


if __name__ == "__main__":
    unittest.main()
