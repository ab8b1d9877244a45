"""Access log: Gunicorn's default format and its atoms, one line per request."""
import os
import re
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from bastion_test import Server  # noqa: E402


def read_lines(path, count, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        if len(lines) >= count:
            return lines
        time.sleep(0.05)
    raise AssertionError("expected %d access log lines in %s" % (count, path))


class DefaultFormat(unittest.TestCase):
    def test_combined_like_line(self):
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "access.log")
            with Server("wsgi_basic:app", "--access-logfile", log) as srv:
                srv.get("/?x=1", headers={"Referer": "http://ref.example/", "User-Agent": "probe/1.0"})
                srv.get("/missing", headers={"Authorization": "Basic dXNlcjpwYXNz"})
                lines = read_lines(log, 2)
        first = re.compile(r'^127\.0\.0\.1 - - \[\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] '
                           r'"GET /\?x=1 HTTP/1\.1" 200 13 "http://ref\.example/" "probe/1\.0"$')
        self.assertRegex(lines[0], first)
        self.assertIn('127.0.0.1 - user [', lines[1])
        self.assertIn('"GET /missing HTTP/1.1" 404 9 "-" "-"', lines[1])

    def test_no_access_log_by_default(self):
        with Server("wsgi_basic:app") as srv:
            srv.get("/")
            self.assertNotIn('"GET / HTTP/1.1"', srv.output())


class CustomFormat(unittest.TestCase):
    def test_atoms(self):
        fmt = ('%(m)s|%(U)s|%(q)s|%(H)s|%(s)s|%(B)s|%(b)s|%({x-test}i)s|%({content-type}o)s|'
               '%({REMOTE_ADDR}e)s|%(p)s|%(T)s|%(M)s|%(D)s|%(L)s|%%')
        with tempfile.TemporaryDirectory() as d:
            log = os.path.join(d, "access.log")
            with Server("wsgi_basic:app", "--access-logfile", log, "--access-logformat", fmt) as srv:
                srv.get("/?a=b", headers={"X-Test": "hello"})
                srv.get("/status?204")
                lines = read_lines(log, 2)
        parts = lines[0].split("|")
        self.assertEqual(parts[:10], ["GET", "/", "a=b", "HTTP/1.1", "200", "13", "13", "hello",
                                      "text/plain", "127.0.0.1"])
        self.assertRegex(parts[10], r"^<\d+>$")
        self.assertRegex(parts[11], r"^\d+$")
        self.assertRegex(parts[13], r"^\d+$")
        self.assertRegex(parts[14], r"^\d+\.\d{6}$")
        self.assertEqual(parts[15], "%")
        second = lines[1].split("|")
        self.assertEqual(second[4:7], ["204", "0", "-"])


if __name__ == "__main__":
    unittest.main()
