"""Connection behaviour: keep-alive, pipelining, HTTP/1.0, Connection: close, HEAD,
Expect: 100-continue, absolute-form, bodiless statuses, response framing, hop-by-hop fields,
Date/Server, request limits, and the deadlines that stop slow clients without hurting others.
"""
import os
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from bastion_test import ServerTestCase, Server  # noqa: E402
from http_client import Closed, Conn, supports_flag, wait_for  # noqa: E402

H = b"Host: example.com\r\n"


def get(path, extra=b"", version=b"1.1"):
    return b"GET " + path.encode() + b" HTTP/" + version + b"\r\n" + H + extra + b"\r\n"


class ConnectionBasics(ServerTestCase):
    APP = "wsgi_basic:app"
    WORKERS = 1

    def test_keep_alive_reuses_the_connection(self):
        with Conn(self.server) as c:
            for i in range(5):
                c.send(get("/p/%d" % i))
                resp = c.read_response()
                self.assertEqual(resp.status, 200)
                self.assertEqual(resp.body, b"GET /p/%d?" % i)
                self.assertNotEqual(resp.header("Connection", "").lower(), "close")

    def test_pipelining_answers_in_order(self):
        with Conn(self.server) as c:
            c.send(b"".join(get("/p/%d" % i, version=b"1.1") for i in range(10)))
            for i in range(10):
                self.assertEqual(c.read_response().body, b"GET /p/%d?" % i)
            # Still open and usable afterwards.
            c.send(get("/p/after"))
            self.assertEqual(c.read_response().body, b"GET /p/after?")

    def test_pipelining_mixed_methods_and_bodies(self):
        reqs = [get("/p/a"),
                b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 5\r\n\r\nhello",
                b"HEAD / HTTP/1.1\r\n" + H + b"\r\n",
                b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"
                b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
                get("/stream"), get("/p/z")]
        with Conn(self.server) as c:
            c.send(b"".join(reqs))
            self.assertEqual(c.read_response().body, b"GET /p/a?")
            self.assertEqual(c.read_response().body, b"hello")
            head = c.read_response(head_request=True)
            self.assertEqual(head.header("Content-Length"), "13")
            self.assertEqual(c.read_response().body, b"abcde")
            self.assertEqual(c.read_response().body, b"".join(b"chunk %d\n" % i for i in range(5)))
            self.assertEqual(c.read_response().body, b"GET /p/z?")

    # The server skips the read that would only say "nothing more" after a short read; these
    # pin down that no byte and no end of stream is missed because of it.
    def test_request_then_half_close_is_answered_and_closed_at_once(self):
        # The one worker is busy in a slow app call while request and FIN arrive, so both are
        # reported by the same readiness event.
        with Conn(self.server) as busy, Conn(self.server) as c:
            busy.send(get("/slow?0.3"))
            time.sleep(0.1)
            c.send(get("/p/fin"))
            c.sock.shutdown(socket.SHUT_WR)
            self.assertEqual(busy.read_response().status, 200)
            self.assertEqual(c.read_response().body, b"GET /p/fin?")
            start = time.monotonic()
            self.assertTrue(c.closed_by_server(1.0))  # --keep-alive is 2 s here
            self.assertLess(time.monotonic() - start, 1.0)

    def test_half_close_after_a_response_is_seen_at_once(self):
        with Conn(self.server) as c:
            c.send(get("/p/1"))
            self.assertEqual(c.read_response().body, b"GET /p/1?")
            time.sleep(0.1)
            c.sock.shutdown(socket.SHUT_WR)
            self.assertTrue(c.closed_by_server(1.0))

    def test_request_arriving_in_pieces(self):
        with Conn(self.server) as c:
            for piece in (b"GET /p/pie", b"ces HTTP/1.1\r\nHo", b"st: example.com\r\n", b"\r\n"):
                c.send(piece)
                time.sleep(0.05)
            self.assertEqual(c.read_response().body, b"GET /p/pieces?")
            body = b"x" * 3000
            c.send(b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 3000\r\n\r\n" + body[:1000])
            time.sleep(0.05)
            c.send(body[1000:2000])
            time.sleep(0.05)
            c.send(body[2000:])
            self.assertEqual(c.read_response().body, body)

    def test_concurrent_keep_alive_clients(self):
        errors = []

        def client(n):
            try:
                with Conn(self.server, timeout=10) as c:
                    for i in range(20):
                        body = b"%d-%d-" % (n, i) + os.urandom(i * 100).hex().encode()
                        c.send(b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: %d\r\n\r\n"
                               % len(body) + body)
                        resp = c.read_response()
                        if resp.body != body:
                            errors.append((n, i, resp))
            except Exception as e:  # reported below
                errors.append((n, repr(e)))

        threads = [threading.Thread(target=client, args=(n,)) for n in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual(errors, [])

    def test_http10_closes_by_default(self):
        with Conn(self.server) as c:
            c.send(b"GET / HTTP/1.0\r\n\r\n")
            resp = c.read_response()
            self.assertEqual(resp.status, 200)
            self.assertEqual(resp.body, b"Hello, World!")
            self.assertTrue(c.closed_by_server(3))

    def test_http10_keep_alive(self):
        with Conn(self.server) as c:
            c.send(b"GET /p/1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            resp = c.read_response()
            self.assertEqual(resp.header("Connection", "").lower(), "keep-alive")
            c.send(b"GET /p/2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            self.assertEqual(c.read_response().body, b"GET /p/2?")

    def test_http10_streaming_is_close_delimited(self):
        with Conn(self.server) as c:
            c.send(b"GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            resp = c.read_response()
            self.assertIsNone(resp.header("Transfer-Encoding"))
            self.assertEqual(resp.header("Connection", "").lower(), "close")
            self.assertEqual(resp.body, b"".join(b"chunk %d\n" % i for i in range(5)))
            self.assertTrue(c.eof)

    def test_connection_close(self):
        with Conn(self.server) as c:
            c.send(get("/", b"Connection: close\r\n") + get("/p/never"))
            resp = c.read_response()
            self.assertEqual(resp.header("Connection", "").lower(), "close")
            self.assertTrue(c.closed_by_server(3))  # the pipelined request is not answered

    def test_head_has_headers_but_no_body(self):
        with Conn(self.server) as c:
            c.send(get("/"))
            g = c.read_response()
            c.send(b"HEAD / HTTP/1.1\r\n" + H + b"\r\n")
            h = c.read_response(head_request=True)
            # Nothing may follow the HEAD response's head: the next response must parse.
            c.send(get("/p/next"))
            self.assertEqual(c.read_response().body, b"GET /p/next?")
        skip = {"date", "x-request-id"}
        self.assertEqual([x for x in g.headers if x[0].lower() not in skip],
                         [x for x in h.headers if x[0].lower() not in skip])

    def test_head_of_streamed_and_file_responses(self):
        for path in ("/stream", "/file?5000"):
            with self.subTest(path=path), Conn(self.server) as c:
                c.send(b"HEAD " + path.encode() + b" HTTP/1.1\r\n" + H + b"\r\n" + get("/p/n"))
                h = c.read_response(head_request=True)
                self.assertEqual(h.status, 200)
                self.assertEqual(c.read_response().body, b"GET /p/n?")

    def test_expect_100_continue(self):
        with Conn(self.server) as c:
            c.send(b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 5\r\n"
                   b"Expect: 100-continue\r\n\r\n")
            interim = c.read_head()
            self.assertEqual(interim.status, 100)
            c.send(b"hello")
            resp = c.read_response()
            self.assertEqual(resp.status, 200)
            self.assertEqual(resp.body, b"hello")

    def test_expect_100_continue_chunked(self):
        with Conn(self.server) as c:
            c.send(b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n"
                   b"Expect: 100-continue\r\n\r\n")
            self.assertEqual(c.read_head().status, 100)
            c.send(b"5\r\nhello\r\n0\r\n\r\n")
            self.assertEqual(c.read_response().body, b"hello")

    def test_expect_100_continue_without_waiting(self):
        with Conn(self.server) as c:
            c.send(b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 5\r\n"
                   b"Expect: 100-continue\r\n\r\nhello")
            first = c.read_head()
            if first.status == 100:
                first = c.read_response()
            else:
                c.buf = bytearray()  # drop the body: only the status matters here
            self.assertEqual(first.status, 200)

    def test_expect_100_continue_refused_body_gets_no_100(self):
        with Conn(self.server) as c:
            c.send(b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 999999999999\r\n"
                   b"Expect: 100-continue\r\n\r\n")
            resp = c.read_response(skip_1xx=False)
            self.assertEqual(resp.status, 413)
            self.assertTrue(c.closed_by_server(3))

    def test_absolute_form_target(self):
        with Conn(self.server) as c:
            c.send(b"GET http://example.org/p/abs?x=1 HTTP/1.1\r\n" + H + b"\r\n")
            self.assertEqual(c.read_response().body, b"GET /p/abs?x=1")

    def test_bodiless_statuses(self):
        for code in ("204", "304"):
            with self.subTest(code=code), Conn(self.server) as c:
                c.send(get("/status?" + code) + get("/p/after"))
                resp = c.read_response()
                self.assertEqual(resp.status, int(code))
                self.assertIsNone(resp.header("Transfer-Encoding"))
                # The next response starts right after the head: no body bytes in between.
                self.assertEqual(c.read_response().body, b"GET /p/after?")

    def test_informational_status_from_app_is_never_a_final_response(self):
        with Conn(self.server) as c:
            c.send(get("/status?103", b"Connection: close\r\n"))
            first = c.read_head()
            if first.status == 103:
                # An interim response must be followed by a final one.
                final = c.read_response()
                self.assertGreaterEqual(final.status, 200)
            else:
                self.assertEqual(first.status, 500)

    def test_chunked_response_without_length(self):
        with Conn(self.server) as c:
            c.send(get("/stream"))
            resp = c.read_response()
            self.assertEqual(resp.header("Transfer-Encoding"), "chunked")
            self.assertIsNone(resp.header("Content-Length"))
            self.assertEqual(resp.body, b"".join(b"chunk %d\n" % i for i in range(5)))

    def test_content_length_honoured(self):
        with Conn(self.server) as c:
            c.send(get("/big?200000"))
            resp = c.read_response()
            self.assertEqual(resp.header("Content-Length"), "200000")
            self.assertIsNone(resp.header("Transfer-Encoding"))
            self.assertEqual(resp.body, b"b" * 200000)
            c.send(get("/p/again"))
            self.assertEqual(c.read_response().body, b"GET /p/again?")

    def test_large_generator_response(self):
        # Far more than one event's worth of writes: the connection must keep going by itself.
        size = 48 << 20
        with Conn(self.server, timeout=30) as c:
            c.send(get("/big?%d" % size) + get("/p/after"))
            resp = c.read_response()
            self.assertEqual(len(resp.body), size)
            self.assertEqual(c.read_response().body, b"GET /p/after?")

    def test_large_pieces_arrive_whole_and_in_order(self):
        # Large pieces are written straight from the app's bytes, the part the socket does not
        # take is buffered: with a slow reader most writes are partial.
        sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "apps"))
        from wsgi_basic import pattern_pieces
        want = b"".join(pattern_pieces())
        for query, slow in (("", False), ("chunked", False), ("", True), ("chunked", True)):
            sock = socket.socket()
            if slow:  # before connect, so that the advertised window matches the buffer
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
            sock.settimeout(30)
            sock.connect(("127.0.0.1", self.server.port))
            with Conn(self.server, timeout=30, sock=sock) as c:
                c.send(get("/pattern?" + query) + get("/p/after"))
                if slow:
                    time.sleep(0.3)  # let the server fill the socket and buffer the rest
                resp = c.read_response()
                self.assertEqual(resp.header("Transfer-Encoding") is not None, query == "chunked")
                self.assertEqual(len(resp.body), len(want), (query, slow))
                self.assertTrue(resp.body == want, (query, slow))
                self.assertEqual(c.read_response().body, b"GET /p/after?")

    def test_large_upload_arriving_at_once(self):
        # Far more than one event's worth of reads already queued in the socket.
        body = os.urandom(8 << 20)
        for framing in ("length", "chunked"):
            with self.subTest(framing=framing), Conn(self.server, timeout=30) as c:
                if framing == "length":
                    data = b"Content-Length: %d\r\n\r\n" % len(body) + body
                else:
                    data = b"Transfer-Encoding: chunked\r\n\r\n" + b"".join(
                        b"%x\r\n%s\r\n" % (65536, body[i:i + 65536])
                        for i in range(0, len(body), 65536)) + b"0\r\n\r\n"
                sender = threading.Thread(target=c.send, args=(b"POST /echo HTTP/1.1\r\n" + H + data,))
                sender.start()
                resp = c.read_response()
                sender.join(30)
                self.assertEqual(len(resp.body), len(body))
                self.assertTrue(resp.body == body)

    def test_app_sending_less_than_its_content_length_closes(self):
        with Conn(self.server) as c:
            c.send(get("/cl-short") + get("/p/never"))
            data, closed = c.read_all(3)
            self.assertTrue(closed)
            self.assertTrue(data.endswith(b"\r\n\r\nshort"), data)
            self.assertNotIn(b"/p/never", data)

    def test_app_sending_more_than_its_content_length_is_truncated(self):
        with Conn(self.server) as c:
            c.send(get("/cl-long") + get("/p/after"))
            resp = c.read_response()
            self.assertEqual(resp.body, b"01234")
            # The extra bytes never reach the wire as a bogus next response.
            rest, _ = c.read_all(3)
            self.assertTrue(rest == b"" or rest.startswith(b"HTTP/1.1 200 OK\r\n"), rest)

    def test_hop_by_hop_headers_from_the_app_are_dropped(self):
        with Conn(self.server) as c:
            c.send(get("/hop") + get("/p/after"))
            resp = c.read_response()
            self.assertEqual(resp.body, b"ok")
            self.assertEqual(resp.header("Content-Length"), "2")
            self.assertIsNone(resp.header("Transfer-Encoding"))
            self.assertIsNone(resp.header("Connection"))
            self.assertEqual(c.read_response().body, b"GET /p/after?")

    def test_date_and_server_present(self):
        with Conn(self.server) as c:
            c.send(get("/"))
            resp = c.read_response()
        self.assertRegex(resp.header("Date", ""),
                         r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|"
                         r"Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$")
        self.assertTrue(resp.header("Server"))
        self.assertEqual(len(resp.header_all("Date")), 1)
        self.assertEqual(len(resp.header_all("Server")), 1)


class DefaultLimits(ServerTestCase):
    """Gunicorn's defaults: request line 4094, 100 fields, 8190 bytes a field; body 100 MiB."""

    APP = "wsgi_basic:app"
    WORKERS = 1

    def rejected(self, data, status):
        with Conn(self.server) as c:
            try:
                c.send(data)
            except (BrokenPipeError, ConnectionResetError):
                pass
            resp = c.read_response()
            self.assertEqual(resp.status, status, resp)
            self.assertEqual(resp.header("Connection"), "close")
            c.read_all(5)
            self.assertTrue(c.eof)

    def accepted(self, data):
        with Conn(self.server) as c:
            c.send(data)
            self.assertEqual(c.read_response().status, 200)

    def test_request_line_limit(self):
        # "GET " + target + " HTTP/1.1" is exactly 4094 bytes: accepted; one more: 414.
        target = "/p/" + "a" * (4094 - len("GET  HTTP/1.1") - 3)
        self.accepted(get(target))
        self.rejected(get(target + "a"), 414)

    def test_header_count_limit(self):
        fields = b"".join(b"X-F%d: v\r\n" % i for i in range(99))
        self.accepted(get("/", fields))  # Host + 99 = 100 fields
        self.rejected(get("/", fields + b"X-Last: v\r\n"), 431)

    def test_header_field_size_limit(self):
        name = b"X-Big: "
        self.accepted(get("/", name + b"v" * (8190 - 2 - len(name)) + b"\r\n"))
        self.rejected(get("/", name + b"v" * (8190 - 1 - len(name)) + b"\r\n"), 431)

    def test_body_limit_declared(self):
        self.rejected(b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: %d\r\n\r\n" % ((100 << 20) + 1),
                      413)

    def test_body_limit_declared_at_limit_is_accepted(self):
        with Conn(self.server) as c:
            c.send(b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: %d\r\n\r\n" % (100 << 20))
            c.send(b"x" * 4096)
            # Not rejected at the head: the server is waiting for the rest of the body.
            with self.assertRaises(socket.timeout):
                c.read_head(timeout=0.5)


@unittest.skipUnless(supports_flag("--limit-request-line", "100"), "no --limit-request-* flags")
class ConfiguredLimits(unittest.TestCase):
    EXTRA = ()  # more server arguments (test_53 reruns these classes with --threads)

    @classmethod
    def setUpClass(cls):
        cls.server = Server("wsgi_basic:app", *cls.EXTRA, "--limit-request-line", "100",
                            "--limit-request-fields", "5", "--limit-request-field_size", "200",
                            "--limit-request-body", "1000", workers=1).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        os.unlink(cls.server.log.name)

    def status(self, data):
        with Conn(self.server) as c:
            try:
                c.send(data)
            except (BrokenPipeError, ConnectionResetError):
                pass
            return c.read_response().status

    def test_limits(self):
        self.assertEqual(self.status(get("/p/" + "a" * 70)), 200)
        self.assertEqual(self.status(get("/p/" + "a" * 90)), 414)
        self.assertEqual(self.status(get("/", b"A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n")), 200)
        self.assertEqual(self.status(get("/", b"A: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n")), 431)
        self.assertEqual(self.status(get("/", b"X: " + b"v" * 250 + b"\r\n")), 431)
        post = b"POST /echo HTTP/1.1\r\n" + H
        self.assertEqual(self.status(post + b"Content-Length: 1000\r\n\r\n" + b"x" * 1000), 200)
        self.assertEqual(self.status(post + b"Content-Length: 1001\r\n\r\n" + b"x" * 1001), 413)
        chunked = post + b"Transfer-Encoding: chunked\r\n\r\n" + (b"fa\r\n" + b"x" * 250 + b"\r\n") * 4
        self.assertEqual(self.status(chunked + b"0\r\n\r\n"), 200)
        self.assertEqual(self.status(chunked + b"1\r\nx\r\n0\r\n\r\n"), 413)


class SlowClients(unittest.TestCase):
    """Deadlines: a slow head gets 408, a client that never reads does not block others, an idle
    keep-alive connection is closed after --keep-alive seconds."""

    HEADER_TIMEOUT = 1 if supports_flag("--header-timeout", "1") else 10
    BODY_TIMEOUT = 1 if supports_flag("--body-timeout", "1") else None
    SEND_TIMEOUT = 1 if supports_flag("--send-timeout", "1") else None

    EXTRA = ()  # more server arguments (test_53 reruns these classes with --threads)

    @classmethod
    def setUpClass(cls):
        args = ["--keep-alive", "1"]
        if cls.HEADER_TIMEOUT == 1:
            args += ["--header-timeout", "1"]
        if cls.BODY_TIMEOUT:
            args += ["--body-timeout", str(cls.BODY_TIMEOUT)]
        if cls.SEND_TIMEOUT:
            args += ["--send-timeout", str(cls.SEND_TIMEOUT)]
        cls.server = Server("wsgi_basic:app", *cls.EXTRA, *args, workers=1).start()

    def test_stalled_body_gets_408(self):
        if not self.BODY_TIMEOUT:
            self.skipTest("no --body-timeout flag (default 30 s is too long for a test)")
        with Conn(self.server, timeout=self.BODY_TIMEOUT + 5) as c:
            c.send(b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 10\r\n\r\n12345")
            start = time.monotonic()
            self.assertLess(self.served_quickly(), 1.0)
            resp = c.read_response()
            self.assertEqual(resp.status, 408)
            self.assertTrue(c.closed_by_server(3))
        self.assertLess(time.monotonic() - start, self.BODY_TIMEOUT + 1.5)

    def test_slow_but_steady_body_is_accepted(self):
        if not self.BODY_TIMEOUT:
            self.skipTest("no --body-timeout flag")
        # Each pause is shorter than the body timeout, the whole upload much longer.
        with Conn(self.server, timeout=10) as c:
            c.send(b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 8\r\n\r\n")
            for b in b"12345678":
                time.sleep(self.BODY_TIMEOUT * 0.4)
                c.send(bytes([b]))
            self.assertEqual(c.read_response().body, b"12345678")

    def test_client_that_stops_reading_is_dropped(self):
        if not self.SEND_TIMEOUT:
            self.skipTest("no --send-timeout flag (default 30 s is too long for a test)")
        with Conn(self.server, timeout=self.SEND_TIMEOUT + 8) as c:
            c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            c.send(get("/big?%d" % (256 << 20)))
            time.sleep(self.SEND_TIMEOUT + 1.5)
            self.assertLess(self.served_quickly(), 1.0)
            data, closed = c.read_all(self.SEND_TIMEOUT + 5)
            self.assertTrue(closed, "the server kept a non-reading client")
            self.assertLess(len(data), 256 << 20)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        os.unlink(cls.server.log.name)

    def served_quickly(self):
        start = time.monotonic()
        with Conn(self.server, timeout=3) as c:
            c.send(get("/p/other"))
            self.assertEqual(c.read_response().body, b"GET /p/other?")
        return time.monotonic() - start

    def test_slowloris_gets_408_while_others_are_served(self):
        line = get("/p/slow")
        stop = threading.Event()
        result = {}

        def trickle():
            with Conn(self.server, timeout=self.HEADER_TIMEOUT + 5) as c:
                start = time.monotonic()
                for b in line[:-2]:  # never finish the head
                    if stop.is_set():
                        break
                    try:
                        c.send(bytes([b]))
                    except (BrokenPipeError, ConnectionResetError):
                        break
                    if _readable(c.sock):
                        break  # the server answered
                    time.sleep(0.1)
                try:
                    result["resp"] = c.read_response(timeout=self.HEADER_TIMEOUT + 3)
                except (Closed, socket.timeout) as e:
                    result["error"] = e
                result["elapsed"] = time.monotonic() - start
                result["closed"] = c.closed_by_server(3) if "resp" in result else None

        t = threading.Thread(target=trickle)
        t.start()
        try:
            time.sleep(0.3)
            self.assertLess(self.served_quickly(), 1.0)
        finally:
            t.join(self.HEADER_TIMEOUT + 15)
            stop.set()
        self.assertIn("resp", result, result)
        self.assertEqual(result["resp"].status, 408)
        self.assertTrue(result["closed"])
        # The deadline counts from the first byte: trickling does not extend it.
        self.assertLess(result["elapsed"], self.HEADER_TIMEOUT + 1.5)
        self.assertGreater(result["elapsed"], self.HEADER_TIMEOUT - 0.5)

    def test_slow_reader_does_not_block_the_worker(self):
        with Conn(self.server) as slow:
            slow.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            slow.send(get("/big?%d" % (64 << 20)))
            time.sleep(0.3)
            for _ in range(3):
                self.assertLess(self.served_quickly(), 1.0)
            # The slow client can still read its response from where it stopped.
            head = slow.read_head()
            self.assertEqual(head.status, 200)

    def test_idle_keep_alive_is_closed(self):
        with Conn(self.server) as c:
            c.send(get("/p/1"))
            c.read_response()
            start = time.monotonic()
            self.assertTrue(c.closed_by_server(4))
            elapsed = time.monotonic() - start
        self.assertGreater(elapsed, 0.7)
        self.assertLess(elapsed, 2.0)

    def test_keep_alive_survives_shorter_pauses(self):
        with Conn(self.server) as c:
            for i in range(3):
                c.send(get("/p/%d" % i))
                self.assertEqual(c.read_response().body, b"GET /p/%d?" % i)
                time.sleep(0.4)

    def test_silent_connection_closed_without_response(self):
        # A client that connects and sends nothing is dropped quietly, no 408 bytes.
        with Conn(self.server, timeout=self.HEADER_TIMEOUT + 5) as c:
            data, closed = c.read_all(self.HEADER_TIMEOUT + 3)
            self.assertTrue(closed)
            self.assertEqual(data, b"")


def _readable(sock):
    import select
    r, _, _ = select.select([sock], [], [], 0)
    return bool(r)


if __name__ == "__main__":
    unittest.main()
