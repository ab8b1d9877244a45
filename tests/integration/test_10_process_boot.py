"""Boot: the app URI forms, and one clear line plus a distinct exit status per failure."""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from bastion_test import APPS, BIN, Server, free_port  # noqa: E402


def run_fail(*args, timeout=30):
    port = free_port()
    proc = subprocess.run([BIN, "-b", "127.0.0.1:%d" % port, *args], cwd=APPS, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stdout + proc.stderr


class BootFailures(unittest.TestCase):
    def test_module_not_found(self):
        code, out = run_fail("no_such_module:app")
        self.assertEqual(code, 5, out)
        self.assertIn("no module named 'no_such_module'", out)

    def test_module_with_py_suffix_suggests_name(self):
        code, out = run_fail("wsgi_basic.py:app")
        self.assertEqual(code, 5, out)
        self.assertIn("did you mean 'wsgi_basic'", out)

    def test_attribute_missing(self):
        code, out = run_fail("wsgi_basic:nope")
        self.assertEqual(code, 6, out)
        self.assertIn("failed to find attribute 'nope'", out)

    def test_not_callable(self):
        code, out = run_fail("not_callable:app")
        self.assertEqual(code, 7, out)
        self.assertIn("not callable", out)

    def test_import_raises_logs_traceback(self):
        code, out = run_fail("raises_on_import:app")
        self.assertEqual(code, 4, out)
        self.assertIn("RuntimeError: this application cannot start", out)
        self.assertIn("Traceback", out)
        # One boot attempt, not a respawn loop.
        self.assertEqual(out.count("Booting worker"), 1, out)

    def test_address_in_use(self):
        with Server("wsgi_basic:app") as srv:
            proc = subprocess.run([BIN, "-b", srv.bind, "wsgi_basic:app"], cwd=APPS,
                                  capture_output=True, text=True, timeout=30)
        self.assertEqual(proc.returncode, 8, proc.stderr)
        self.assertIn("Address already in use", proc.stderr)

    def test_no_app_is_usage_error(self):
        proc = subprocess.run([BIN], capture_output=True, text=True, timeout=10)
        self.assertEqual(proc.returncode, 2)


class AppForms(unittest.TestCase):
    def test_bare_module_means_application_then_app(self):
        with Server("wsgi_basic") as srv:
            self.assertEqual(srv.get("/").body, b"Hello, World!")

    def test_factory_with_literal_args(self):
        with Server("factory_app:create_app('hi', excited=True)") as srv:
            self.assertEqual(srv.get("/").body, b"hi!")

    def test_flask_app_serves(self):
        with Server("flask_app:app", workers=2) as srv:
            r = srv.get("/")
            self.assertEqual(r.status, 200)
            self.assertEqual(r.body, b"Hello, World!")


if __name__ == "__main__":
    unittest.main()
