"""HTTP/1.1 conformance: every tests/corpus/http/{valid,invalid} case replayed against the live
server. Valid cases: every request answered 2xx, in order, and the application saw exactly the
expected method, target, path, query, headers and body. Invalid cases: the expected status with
Connection: close, the connection closed, and nothing after the valid prefix (not even a
pipelined follow-up) ever reaches the application.
"""
import json
import os
import sys
import unittest
from urllib.parse import unquote_to_bytes

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from bastion_test import ServerTestCase, Server  # noqa: E402
from http_client import Closed, Conn, corpus_cases  # noqa: E402

FOLLOW_UP = b"GET /smuggled-follow-up HTTP/1.1\r\nHost: example.com\r\n\r\n"
# Proxy headers the server interprets (and may rewrite into HTTP_HOST etc.) for a trusted peer.
FORWARDING = {"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port",
              "x-forwarded-prefix", "forwarded", "x-real-ip", "x-forwarded-protocol",
              "x-forwarded-ssl", "x-url-scheme"}


def environ_key(name):
    low = name.lower()
    if low == "content-type":
        return "CONTENT_TYPE"
    if low == "content-length":
        return "CONTENT_LENGTH"
    return "HTTP_" + name.upper().replace("-", "_")


def expected_environ_headers(want):
    """The HTTP_*/CONTENT_* keys the app must see for one expected request."""
    out = {}
    for name, value in want["headers"]:
        low = name.lower()
        if low in FORWARDING or low == "host":
            continue
        key = environ_key(name)
        if key in out and key != "CONTENT_LENGTH":
            out[key] += ("; " if low == "cookie" else ",") + value
        else:
            out.setdefault(key, value)
    if any(n.lower() == "transfer-encoding" for n, _ in want["headers"]):
        out["CONTENT_LENGTH"] = str(len(want["body"].encode("latin-1")))
    return out


def recorded(server):
    with Conn(server) as c:
        c.send(b"GET /__seen HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        return json.loads(c.read_response().body)


def reset(server):
    with Conn(server) as c:
        c.send(b"GET /__reset HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        c.read_response()


class CorpusReplay(ServerTestCase):
    APP = "echo_app:app"
    WORKERS = 1

    def assert_hygiene(self, resp, where):
        """One Date, one Server, exactly one framing header."""
        self.assertEqual(len(resp.header_all("Date")), 1, where)
        self.assertEqual(len(resp.header_all("Server")), 1, where)
        framing = resp.header_all("Content-Length") + resp.header_all("Transfer-Encoding")
        self.assertEqual(len(framing), 1, "%s: %r" % (where, resp.headers))
        self.assertIn(resp.version, ("HTTP/1.1", "HTTP/1.0"), where)

    def test_corpus_is_present(self):
        self.assertGreaterEqual(len(corpus_cases("valid")), 50)
        self.assertGreaterEqual(len(corpus_cases("invalid")), 70)

    def check_valid(self, name, data, expect):
        wants = expect["requests"]
        with Conn(self.server, timeout=5) as c:
            c.send(data)
            for i, want in enumerate(wants):
                where = "%s request %d (%s)" % (name, i, expect.get("description"))
                head_req = want["method"] == "HEAD"
                resp = c.read_response(head_request=head_req)
                self.assertTrue(200 <= resp.status < 300, "%s: %r" % (where, resp))
                self.assert_hygiene(resp, where)
                if not want["keep_alive"]:
                    self.assertEqual(resp.header("Connection", "").lower(), "close", where)
                if head_req:
                    continue
                got = json.loads(resp.body)
                self.assertEqual(got["method"], want["method"], where)
                self.assertEqual(got["raw_uri"], want["target"], where)
                path = unquote_to_bytes(want["path"].encode("latin-1")).decode("latin-1")
                if want["target"] == "*":
                    path = "*"  # OPTIONS *: the application sees PATH_INFO "*" (as Gunicorn)
                self.assertEqual(got["path_info"], path, where)
                self.assertEqual(got["query"], want["query"], where)
                self.assertEqual(got["protocol"], "HTTP/1.%d" % want["version_minor"], where)
                self.assertEqual(got["body"], want["body"], where)
                seen = {k: v for k, v in got["headers"].items() if k != "HTTP_HOST"
                        and not any(k == environ_key(f) for f in FORWARDING)}
                self.assertEqual(seen, expected_environ_headers(want), where)
                host = [v for n, v in want["headers"] if n.lower() == "host"]
                if want.get("form") == "absolute":
                    self.assertEqual(got["headers"].get("HTTP_HOST"), want["authority"], where)
                elif host and not any(n.lower() in FORWARDING for n, _ in want["headers"]):
                    self.assertEqual(got["headers"].get("HTTP_HOST"), host[0], where)
            if not wants[-1]["keep_alive"]:
                self.assertTrue(c.closed_by_server(3), "%s: connection left open" % name)

    def test_valid_cases(self):
        for name, data, expect in corpus_cases("valid"):
            with self.subTest(case=name, description=expect.get("description")):
                self.check_valid(name, data, expect)

    def check_invalid(self, name, data, expect, follow_up):
        before = expect.get("valid_before", 0)
        where = "%s (%s)%s" % (name, expect.get("description"), " + follow-up" if follow_up else "")
        reset(self.server)
        with Conn(self.server, timeout=5) as c:
            c.send(data + (FOLLOW_UP if follow_up else b""))
            for i in range(before):
                resp = c.read_response()
                self.assertTrue(200 <= resp.status < 300, "%s prefix %d: %r" % (where, i, resp))
            try:
                resp = c.read_response()
            except Closed as e:
                self.fail("%s: closed without an error response (%s)" % (where, e))
            if follow_up:
                self.assertGreaterEqual(resp.status, 400, "%s: %r" % (where, resp))
            else:
                self.assertEqual(resp.status, expect["status"], "%s: %r" % (where, resp))
            self.assertEqual(resp.header("Connection", "").lower(), "close", where)
            self.assert_hygiene(resp, where)
            self.assertTrue(c.closed_by_server(3), "%s: connection left open" % where)
        seen = recorded(self.server)
        self.assertEqual(len(seen), before, "%s: the app saw %r" % (where, seen))

    def test_invalid_cases(self):
        for name, data, expect in corpus_cases("invalid"):
            with self.subTest(case=name, description=expect.get("description")):
                self.check_invalid(name, data, expect, follow_up=False)

    def test_invalid_cases_with_pipelined_follow_up(self):
        for name, data, expect in corpus_cases("invalid"):
            with self.subTest(case=name, description=expect.get("description")):
                self.check_invalid(name, data, expect, follow_up=True)


if __name__ == "__main__":
    unittest.main()
