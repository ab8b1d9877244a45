"""Request smuggling: every ambiguous framing is refused with an error status and a closed
connection, and the request hidden behind it never reaches the application, whether it arrives
in the same packet, byte by byte, or after the error response.
"""
import json
import os
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from bastion_test import ServerTestCase, Server  # noqa: E402
from http_client import Conn  # noqa: E402

SMUGGLED = b"GET /smuggled HTTP/1.1\r\nHost: example.com\r\n\r\n"
H = b"Host: example.com\r\n"

# name -> (request bytes, accepted statuses, requests the app must see before the rejection).
# The smuggled request is appended after each.
CASES = {
    "cl_te": (b"POST /a HTTP/1.1\r\n" + H + b"Content-Length: 6\r\nTransfer-Encoding: chunked\r\n"
              b"\r\n0\r\n\r\n", {400}, 0),
    "te_cl": (b"POST /a HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\nContent-Length: 6\r\n"
              b"\r\n0\r\n\r\n", {400}, 0),
    "te_vtab": (b"POST /a HTTP/1.1\r\n" + H + b"Transfer-Encoding:\x0bchunked\r\n"
                b"Content-Length: 6\r\n\r\n0\r\n\r\n", {400}, 0),
    "te_vtab_no_cl": (b"POST /a HTTP/1.1\r\n" + H + b"Transfer-Encoding: \x0bchunked\r\n\r\n"
                      b"0\r\n\r\n", {400}, 0),
    "te_nbsp_before": (b"POST /a HTTP/1.1\r\n" + H + b"Transfer-Encoding: \xa0chunked\r\n\r\n"
                       b"0\r\n\r\n", {400, 501}, 0),
    "te_nbsp_after_with_cl": (b"POST /a HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\xa0\r\n"
                              b"Content-Length: 6\r\n\r\n0\r\n\r\n", {400}, 0),
    "te_nel": (b"POST /a HTTP/1.1\r\n" + H + b"Transfer-Encoding: \x85chunked\r\n\r\n0\r\n\r\n",
               {400, 501}, 0),
    "te_second_line_nbsp": (b"POST /a HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n"
                            b"Transfer-Encoding: \xa0chunked\r\n\r\n0\r\n\r\n", {400, 501}, 0),
    "te_tab_with_cl": (b"POST /a HTTP/1.1\r\n" + H + b"Transfer-Encoding:\tchunked\r\n"
                       b"Content-Length: 6\r\n\r\n0\r\n\r\n", {400}, 0),
    "te_tab_before_colon": (b"POST /a HTTP/1.1\r\n" + H + b"Transfer-Encoding\t: chunked\r\n\r\n"
                            b"0\r\n\r\n", {400}, 0),
    "te_space_before_colon": (b"POST /a HTTP/1.1\r\n" + H + b"Transfer-Encoding : chunked\r\n"
                              b"\r\n0\r\n\r\n", {400}, 0),
    "te_chunked_chunked": (b"POST /a HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked, chunked\r\n"
                           b"\r\n0\r\n\r\n", {400}, 0),
    "te_chunked_twice_two_lines": (b"POST /a HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n"
                                   b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", {400}, 0),
    "te_chunked_identity": (b"POST /a HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked, identity"
                            b"\r\n\r\n0\r\n\r\n", {400, 501}, 0),
    "te_identity_only": (b"POST /a HTTP/1.1\r\n" + H + b"Transfer-Encoding: identity\r\n"
                         b"Content-Length: 6\r\n\r\n0\r\n\r\n", {400, 501}, 0),
    "te_gzip_chunked": (b"POST /a HTTP/1.1\r\n" + H + b"Transfer-Encoding: gzip, chunked\r\n\r\n"
                        b"0\r\n\r\n", {501}, 0),
    "te_on_http10": (b"POST /a HTTP/1.0\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                     {400}, 0),
    "te_obs_fold": (b"POST /a HTTP/1.1\r\n" + H + b"Transfer-Encoding:\r\n chunked\r\n\r\n"
                    b"0\r\n\r\n", {400}, 0),
    "te_underscore": (b"POST /a HTTP/1.1\r\n" + H + b"Transfer_Encoding: chunked\r\n\r\n"
                      b"3\r\nabc\r\n0\r\n\r\n", {400}, 1),
    "te_in_trailer": (b"POST /a HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
                      b"0\r\nTransfer-Encoding: chunked\r\n\r\n", {400}, 0),
    "cl_in_trailer": (b"POST /a HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
                      b"0\r\nContent-Length: 50\r\n\r\n", {400}, 0),
    "cl_duplicate_equal": (b"POST /a HTTP/1.1\r\n" + H + b"Content-Length: 3\r\n"
                           b"Content-Length: 3\r\n\r\nabc", {400}, 0),
    "cl_duplicate_different": (b"POST /a HTTP/1.1\r\n" + H + b"Content-Length: 3\r\n"
                               b"Content-Length: 0\r\n\r\nabc", {400}, 0),
    "cl_list": (b"POST /a HTTP/1.1\r\n" + H + b"Content-Length: 3, 3\r\n\r\nabc", {400}, 0),
    "cl_plus": (b"POST /a HTTP/1.1\r\n" + H + b"Content-Length: +3\r\n\r\nabc", {400}, 0),
    "cl_negative": (b"POST /a HTTP/1.1\r\n" + H + b"Content-Length: -3\r\n\r\nabc", {400}, 0),
    "cl_overflow": (b"POST /a HTTP/1.1\r\n" + H + b"Content-Length: 18446744073709551619\r\n"
                    b"\r\nabc", {400, 413}, 0),
    "cl_obs_fold": (b"POST /a HTTP/1.1\r\n" + H + b"Content-Length:\r\n 3\r\n\r\nabc", {400}, 0),
    "obs_fold": (b"GET /a HTTP/1.1\r\n" + H + b"X-Folded: one\r\n two\r\n\r\n", {400}, 0),
    "obs_fold_tab": (b"GET /a HTTP/1.1\r\n" + H + b"X-Folded: one\r\n\ttwo\r\n\r\n", {400}, 0),
    "bare_lf_lines": (b"GET /a HTTP/1.1\nHost: example.com\n\n", {400}, 0),
    "bare_lf_in_value": (b"GET /a HTTP/1.1\r\n" + H + b"X-A: b\nContent-Length: 3\r\n\r\nabc",
                         {400}, 0),
    "bare_cr_in_value": (b"GET /a HTTP/1.1\r\n" + H + b"X-A: b\rContent-Length: 3\r\n\r\nabc",
                         {400}, 0),
    "bare_lf_after_request_line": (b"GET /a HTTP/1.1\n" + H + b"\r\n", {400}, 0),
    "nul_in_value": (b"GET /a HTTP/1.1\r\n" + H + b"X-A: b\x00c\r\n\r\n", {400}, 0),
    "nul_in_name": (b"GET /a HTTP/1.1\r\n" + H + b"X\x00A: b\r\n\r\n", {400}, 0),
    "nul_in_target": (b"GET /a\x00b HTTP/1.1\r\n" + H + b"\r\n", {400}, 0),
    "chunk_size_underscore": (b"POST /a HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
                              b"6_0\r\n" + b"x" * 96 + b"\r\n0\r\n\r\n", {400}, 0),
    "chunk_size_0x": (b"POST /a HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
                      b"0x5\r\nhello\r\n0\r\n\r\n", {400}, 0),
    "chunk_size_overflow": (b"POST /a HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
                            b"10000000000000005\r\nhello\r\n0\r\n\r\n", {400, 413}, 0),
    "chunk_data_too_long": (b"POST /a HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
                            b"3\r\nhello\r\n0\r\n\r\n", {400}, 0),
    "chunk_bare_lf": (b"POST /a HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
                      b"3\nabc\r\n0\r\n\r\n", {400}, 0),
    "two_hosts": (b"GET /a HTTP/1.1\r\n" + H + H + b"\r\n", {400}, 0),
    "valid_then_cl_te": (b"POST /ok HTTP/1.1\r\n" + H + b"Content-Length: 0\r\n\r\n"
                         b"POST /a HTTP/1.1\r\n" + H + b"Content-Length: 6\r\n"
                         b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", {400}, 1),
}


class Smuggling(ServerTestCase):
    APP = "echo_app:app"
    WORKERS = 1

    def seen(self):
        with Conn(self.server) as c:
            c.send(b"GET /__seen HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            return json.loads(c.read_response().body)

    def reset(self):
        with Conn(self.server) as c:
            c.send(b"GET /__reset HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            c.read_response()

    def expect_rejected(self, c, name, statuses, before):
        for i in range(before):
            resp = c.read_response()
            self.assertEqual(resp.status, 200, "%s: prefix %d %r" % (name, i, resp))
        resp = c.read_response()
        self.assertIn(resp.status, statuses, "%s: %r" % (name, resp))
        self.assertEqual(resp.header("Connection", "").lower(), "close", name)
        self.assertTrue(c.closed_by_server(3), "%s: connection left open" % name)

    def assert_app_saw(self, name, before):
        seen = self.seen()
        self.assertEqual(len(seen), before, "%s: the app saw %r" % (name, seen))
        self.assertNotIn(["GET", "/smuggled"], seen, name)

    def test_same_packet(self):
        for name, (data, statuses, before) in CASES.items():
            with self.subTest(case=name):
                self.reset()
                with Conn(self.server) as c:
                    c.send(data + SMUGGLED)
                    self.expect_rejected(c, name, statuses, before)
                self.assert_app_saw(name, before)

    def test_byte_by_byte(self):
        for name in ("cl_te", "te_cl", "te_vtab", "te_chunked_identity", "obs_fold", "nul_in_value",
                     "bare_lf_in_value", "chunk_size_underscore", "te_underscore"):
            data, statuses, before = CASES[name]
            with self.subTest(case=name):
                self.reset()
                with Conn(self.server) as c:
                    c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    for i, b in enumerate(data + SMUGGLED):
                        try:
                            c.send(bytes([b]))
                        except (BrokenPipeError, ConnectionResetError):
                            break  # the server already answered and closed
                        if i % 64 == 63:
                            time.sleep(0.001)
                    self.expect_rejected(c, name, statuses, before)
                self.assert_app_saw(name, before)

    def test_follow_up_after_the_error_response(self):
        for name in ("cl_te", "te_cl", "cl_list", "obs_fold", "bare_lf_lines"):
            data, statuses, before = CASES[name]
            with self.subTest(case=name):
                self.reset()
                with Conn(self.server) as c:
                    c.send(data)
                    for _ in range(before):
                        c.read_response()
                    resp = c.read_head()
                    self.assertIn(resp.status, statuses, name)
                    try:
                        c.send(SMUGGLED)
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    c.read_all(3)  # the rest of the error body, then the close
                    self.assertTrue(c.eof, "%s: connection left open" % name)
                self.assert_app_saw(name, before)

    def test_body_that_looks_like_a_request_is_body(self):
        # Well-framed bodies containing request text are just bytes for the app.
        cases = [
            b"POST /a HTTP/1.1\r\n" + H + b"Content-Length: %d\r\n\r\n" % len(SMUGGLED) + SMUGGLED,
            b"POST /a HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
            + b"%x\r\n" % len(SMUGGLED) + SMUGGLED + b"\r\n0\r\n\r\n",
        ]
        for data in cases:
            with self.subTest(data=data[:60]):
                self.reset()
                with Conn(self.server) as c:
                    c.send(data)
                    resp = c.read_response()
                    self.assertEqual(resp.status, 200)
                    self.assertEqual(json.loads(resp.body)["body"], SMUGGLED.decode())
                self.assertEqual(self.seen(), [["POST", "/a"]])

    def test_content_length_shorter_than_sent_bytes(self):
        # The bytes after a Content-Length body are the next request: answered in order as a
        # separate request (that is pipelining, not smuggling), never merged into the body.
        self.reset()
        with Conn(self.server) as c:
            c.send(b"POST /a HTTP/1.1\r\n" + H + b"Content-Length: 3\r\n\r\nabc" + SMUGGLED)
            first = c.read_response()
            second = c.read_response()
        self.assertEqual(json.loads(first.body)["body"], "abc")
        self.assertEqual(json.loads(second.body)["path_info"], "/smuggled")
        self.assertEqual(self.seen(), [["POST", "/a"], ["GET", "/smuggled"]])


if __name__ == "__main__":
    unittest.main()
