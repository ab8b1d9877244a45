"""Production errors: an application exception is a generic 500 (HTML, or JSON when asked)
carrying a request id; the traceback goes to the error log under the same id. X-Request-ID is
honoured from a trusted peer, generated otherwise, and exposed in the environ and the response."""
import json
import re
import subprocess
import time
import unittest

from guard_support import GUARD_APPS
from bastion_test import BIN, Server, free_port

LEAKS = ("Traceback", "RuntimeError", "hunter2", "/srv/secret", "settings.py", 'File "',
         "raising_wsgi", "line 12", "ValueError", "secret-internal-detail", "private.py")


def log_has_request_traceback(log, rid):
    block = re.search(r"BST-E0401 [^\n]*\(request id %s\)\n(.*?)(?:\n\[|\Z)" % re.escape(rid),
                      log, re.S)
    return block is not None and "Traceback" in block.group(1)


class ProductionErrors(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("raising_wsgi", cwd=GUARD_APPS).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def assert_no_leak(self, body):
        text = body.decode("utf-8", "replace")
        for leak in LEAKS:
            self.assertNotIn(leak, text)

    def test_html_500_has_request_id_and_no_traceback(self):
        r = self.server.get("/")
        self.assertEqual(r.status, 500)
        self.assertTrue(r.header("Content-Type").startswith("text/html"))
        rid = r.header("X-Request-ID")
        self.assertTrue(rid)
        self.assertIn(rid.encode(), r.body)
        self.assert_no_leak(r.body)
        self.assertTrue(self.wait_log(rid), self.server.output())
        # The details are in the error log, not in the body.
        self.assertIn("hunter2", self.server.output())

    def test_json_500_when_the_client_asks_for_json(self):
        r = self.server.get("/", headers={"Accept": "application/json"})
        self.assertEqual(r.status, 500)
        self.assertTrue(r.header("Content-Type").startswith("application/json"))
        doc = json.loads(r.body)
        self.assertEqual(doc["request_id"], r.header("X-Request-ID"))
        self.assertEqual(doc["status"], 500)
        self.assert_no_leak(r.body)
        self.assertTrue(self.wait_log(doc["request_id"]), self.server.output())

    def test_trusted_peer_request_id_is_honoured_everywhere(self):
        r = self.server.get("/", headers={"X-Request-ID": "req-abc.123_X"})
        self.assertEqual(r.header("X-Request-ID"), "req-abc.123_X")
        self.assertIn(b"req-abc.123_X", r.body)
        self.assertTrue(self.wait_log("req-abc.123_X"), self.server.output())
        ok = self.server.get("/ok", headers={"X-Request-ID": "req-ok-1"})
        self.assertEqual(ok.status, 200)
        self.assertEqual(ok.body, b"req-ok-1")  # environ['bastion.request_id']

    def test_invalid_request_id_is_replaced(self):
        r = self.server.get("/ok", headers={"X-Request-ID": "bad id <script>"})
        rid = r.header("X-Request-ID")
        self.assertTrue(rid)
        self.assertNotIn("<", rid)
        self.assertEqual(r.body, rid.encode())

    def test_generated_request_id_reaches_the_app(self):
        r = self.server.get("/ok")
        rid = r.header("X-Request-ID")
        self.assertTrue(rid)
        self.assertEqual(r.body, rid.encode())
        other = self.server.get("/ok").header("X-Request-ID")
        self.assertNotEqual(rid, other)

    def wait_log(self, rid, timeout=5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if log_has_request_traceback(self.server.output(), rid):
                return True
            time.sleep(0.05)
        return False


class FlaskErrors(unittest.TestCase):
    def test_flask_500_shows_no_traceback(self):
        with Server("clean_flask:app", cwd=GUARD_APPS) as srv:
            for accept in ("text/html", "application/json"):
                r = srv.get("/boom", headers={"Accept": accept})
                self.assertEqual(r.status, 500)
                self.assertTrue(r.header("X-Request-ID"))
                for leak in LEAKS:
                    self.assertNotIn(leak, r.body.decode("utf-8", "replace"))
            rid = srv.get("/rid").body
            self.assertIn(b"request_id", rid)


def _untrusted_supported():
    """Whether this build takes --forwarded-allow-ips: a missing module exits 5 once the flags
    are accepted, 2 when one is not."""
    port = free_port()
    try:
        proc = subprocess.run([BIN, "-b", "127.0.0.1:%d" % port, "--forwarded-allow-ips",
                               "10.9.8.7", "no_such_module_for_probe:app"], cwd=GUARD_APPS,
                              capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 5


@unittest.skipUnless(_untrusted_supported(), "this bastion build has no --forwarded-allow-ips")
class UntrustedPeer(unittest.TestCase):
    def test_request_id_from_untrusted_peer_is_ignored(self):
        with Server("raising_wsgi", "--forwarded-allow-ips", "10.9.8.7", cwd=GUARD_APPS) as srv:
            r = srv.get("/ok", headers={"X-Request-ID": "spoofed-id"})
            self.assertEqual(r.status, 200)
            self.assertNotEqual(r.header("X-Request-ID"), "spoofed-id")
            self.assertEqual(r.body, r.header("X-Request-ID").encode())


if __name__ == "__main__":
    unittest.main()
