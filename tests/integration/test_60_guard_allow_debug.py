"""--allow-debug: serves a debug app on loopback or a unix socket with a loud warning on every
start; refused outright, with its own message and exit status 9, on a non-loopback bind."""
import os
import tempfile
import time
import unittest

from guard_support import EXIT_DEBUG_REFUSED, GUARD_APPS, Refusal
from bastion_test import Server, free_port


class AllowDebug(unittest.TestCase):
    def test_loopback_serves_with_a_loud_warning(self):
        srv = Server("debug_attr:app", "--allow-debug", cwd=GUARD_APPS)
        with srv:
            r = srv.get("/")
            self.assertEqual(r.status, 200, srv.output())
            self.assertEqual(r.body, b"debug on")
            log = srv.output()
        self.assertIn("BG001", log)
        self.assertIn("allowed by --allow-debug", log)
        self.assertIn("BST-E0603", log)
        self.assertIn("NEVER in production", log)
        self.assertNotIn("BST-E0601", log)

    def test_warning_on_every_worker_start(self):
        srv = Server("debug_attr:app", "--allow-debug", workers=2, cwd=GUARD_APPS)
        with srv:
            srv.get("/")
            # Both workers boot (the first alone, then the rest); give the second a moment.
            for _ in range(100):
                if srv.output().count("BST-E0603") >= 2:
                    break
                time.sleep(0.05)
            log = srv.output()
        self.assertGreaterEqual(log.count("BST-E0603"), 2, log)

    def test_warning_even_for_a_clean_app(self):
        srv = Server("clean_flask:app", "--allow-debug", cwd=GUARD_APPS)
        with srv:
            self.assertEqual(srv.get("/").status, 200)
            log = srv.output()
        self.assertIn("BST-E0603", log)

    def test_unix_socket_serves(self):
        path = os.path.join(tempfile.mkdtemp(prefix="bastion-guard-"), "s.sock")
        srv = Server("debug_module_run:app", "--allow-debug", bind="unix:" + path, cwd=GUARD_APPS)
        with srv:
            r = srv.get("/")
            self.assertEqual(r.status, 200, srv.output())
            self.assertEqual(r.body, b"run")
            log = srv.output()
        self.assertIn("BG004", log)
        self.assertNotIn("Running on http", log)

    def test_ipv6_loopback_also_allowed(self):
        srv = Server("debug_attr:app", "--allow-debug", "-b", "[::1]:0", cwd=GUARD_APPS)
        try:
            srv.start()
        except AssertionError as e:
            if "Cannot assign requested address" in str(e) or "Address family" in str(e):
                self.skipTest("no IPv6 loopback here")
            raise
        try:
            self.assertEqual(srv.get("/").status, 200)
        finally:
            srv.stop()
            os.unlink(srv.log.name)

    def test_non_loopback_bind_is_refused(self):
        r = Refusal("debug_attr:app", "--allow-debug", bind="0.0.0.0:%d" % free_port())
        self.assertEqual(r.code, EXIT_DEBUG_REFUSED, r.output)
        self.assertIn("--allow-debug", r.output)
        self.assertIn("non-loopback", r.output)
        self.assertEqual(r.answered, b"")
        self.assertNotIn("Booting worker", r.output)

    def test_non_loopback_among_loopback_binds_is_refused(self):
        r = Refusal("clean_flask:app", "--allow-debug", "-b", "0.0.0.0:%d" % free_port())
        self.assertEqual(r.code, EXIT_DEBUG_REFUSED, r.output)
        self.assertIn("non-loopback", r.output)
        self.assertNotIn("Booting worker", r.output)


if __name__ == "__main__":
    unittest.main()
