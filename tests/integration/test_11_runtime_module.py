"""The runtime module (bastion-worker.so): the master never maps CPython or OpenSSL, a
missing or broken module is one clear error, a module replaced on disk does not reach the
running master's children, and the installed layout (bin/ + lib/bastion/) works."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from bastion_test import APPS, BIN, Server, free_port  # noqa: E402
from http_client import wait_for  # noqa: E402
sys.path.insert(0, os.path.join(APPS, "process"))
from proc_support import children_of as children  # noqa: E402

MODULE = os.path.join(os.path.dirname(BIN), "bastion-worker.so")
WORKER_ONLY = ("libpython", "libssl", "libcrypto", "bastion-worker.so")


def mapped_files(pid):
    with open("/proc/%d/maps" % pid) as f:
        return {line.split()[-1] for line in f if len(line.split()) >= 6}


def run(args, timeout=30):
    port = free_port()
    proc = subprocess.run([args[0], "-b", "127.0.0.1:%d" % port, *args[1:]], cwd=APPS,
                          capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stdout + proc.stderr


class CopiedBinary(unittest.TestCase):
    """Each test gets a private directory holding a copy of the executable."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="bastion-module-")
        self.exe = os.path.join(self.dir, "bastion")
        shutil.copy2(BIN, self.exe)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_missing_module_is_a_startup_error_naming_the_paths(self):
        code, out = run([self.exe, "wsgi_basic:app"])
        self.assertEqual(code, 3, out)
        self.assertIn("BST-E0709 cannot find the runtime module bastion-worker.so", out)
        self.assertIn(os.path.join(self.dir, "bastion-worker.so"), out)
        self.assertIn("lib/bastion/bastion-worker.so", out)
        self.assertNotIn("Booting worker", out)

    def test_broken_module_fails_the_worker_boot(self):
        with open(os.path.join(self.dir, "bastion-worker.so"), "wb") as f:
            f.write(b"not an ELF file\n")
        code, out = run([self.exe, "wsgi_basic:app"])
        self.assertEqual(code, 3, out)
        self.assertIn("BST-E0709 cannot load the runtime module", out)
        self.assertIn("worker failed to boot", out)

    def test_check_app_without_module_is_an_error(self):
        proc = subprocess.run([self.exe, "check", "--app", "wsgi_basic:app"], cwd=APPS,
                              capture_output=True, text=True, timeout=30)
        self.assertEqual(proc.returncode, 3, proc.stderr)
        self.assertIn("cannot find the runtime module", proc.stderr)

    def test_module_replaced_on_disk_does_not_reach_new_workers(self):
        shutil.copy2(MODULE, os.path.join(self.dir, "bastion-worker.so"))
        srv = Server("wsgi_basic:app")
        srv.args[0] = self.exe
        with srv:
            self.assertEqual(srv.get("/").status, 200)
            # A deploy renames a new file over the old one; here the new one is broken.
            junk = os.path.join(self.dir, "new.so")
            with open(junk, "wb") as f:
                f.write(b"junk")
            os.replace(junk, os.path.join(self.dir, "bastion-worker.so"))
            old = children(srv.proc.pid)
            self.assertEqual(len(old), 1)
            os.kill(old[0], signal.SIGKILL)
            new = wait_for(lambda: [p for p in children(srv.proc.pid) if p not in old], 15.0)
            self.assertTrue(new, srv.output())
            self.assertTrue(wait_for(lambda: srv.output().count("Booting worker") >= 2))
            self.assertEqual(wait_for(lambda: srv._accepts() and srv.get("/").status), 200,
                             srv.output())
            self.assertNotIn("BST-E0709", srv.output())


class Memory(unittest.TestCase):
    def test_master_maps_neither_python_nor_openssl(self):
        with Server("wsgi_basic:app", "--workers", "2") as srv:
            self.assertEqual(srv.get("/").status, 200)
            master = mapped_files(srv.proc.pid)
            for name in WORKER_ONLY:
                self.assertFalse([m for m in master if name in m], (name, sorted(master)))
            workers = wait_for(lambda: len(children(srv.proc.pid)) == 2 and
                               children(srv.proc.pid))
            self.assertTrue(workers)
            for pid in workers:
                maps = mapped_files(pid)
                for name in ("libpython", "bastion-worker.so"):
                    self.assertTrue([m for m in maps if name in m], (pid, name))


class Installed(unittest.TestCase):
    def test_installed_layout_serves_and_checks(self):
        build = os.path.dirname(BIN)
        if not os.path.exists(os.path.join(build, "cmake_install.cmake")):
            self.skipTest("BASTION_BIN is not in a CMake build directory")
        prefix = tempfile.mkdtemp(prefix="bastion-prefix-")
        try:
            out = subprocess.run(["cmake", "--install", build, "--prefix", prefix],
                                 capture_output=True, text=True, timeout=120)
            self.assertEqual(out.returncode, 0, out.stdout + out.stderr)
            exe = os.path.join(prefix, "bin", "bastion")
            self.assertTrue(os.path.exists(os.path.join(prefix, "lib", "bastion",
                                                        "bastion-worker.so")))
            srv = Server("wsgi_basic:app")
            srv.args[0] = exe
            with srv:
                self.assertEqual(srv.get("/").status, 200)
            check = subprocess.run([exe, "check", "--app", "wsgi_basic:app"], cwd=APPS,
                                   capture_output=True, text=True, timeout=60)
            self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
        finally:
            shutil.rmtree(prefix, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
