"""PEP 3333 responses: start_response and exc_info, write(), close() always called, errors
before and after the head, response validation (never a split response), file_wrapper via
sendfile, generator streaming, and the fixture apps under wsgiref.validate.validator.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from bastion_test import ServerTestCase, Server  # noqa: E402
from http_client import Closed, Conn, wait_for  # noqa: E402

H = b"Host: example.com\r\n"


def get(path, extra=b""):
    return b"GET " + path.encode() + b" HTTP/1.1\r\n" + H + extra + b"\r\n"


def file_bytes(size):
    return bytes(range(256)) * (size // 256) + b"x" * (size % 256)


class Responses(ServerTestCase):
    APP = "wsgi_basic:app"
    WORKERS = 1

    def fetch(self, path, extra=b""):
        with Conn(self.server) as c:
            c.send(get(path, extra))
            return c.read_response()

    def closed_paths(self):
        return json.loads(self.fetch("/closed").body)

    def assert_closed(self, path):
        # With --threads the iterable is closed on its pool thread once the response is out,
        # which may be just after the client has it.
        self.assertTrue(wait_for(lambda: path in self.closed_paths(), 5), path)

    def assert_generic_500(self, resp, path):
        self.assertEqual(resp.status, 500, "%s: %r" % (path, resp))
        self.assertNotIn(b"secret", resp.body)
        self.assertNotIn(b"Traceback", resp.body)
        self.assertNotIn(b"/srv/app", resp.body)
        self.assertNotIn(b".py", resp.body)
        rid = resp.header("X-Request-ID")
        self.assertTrue(rid)
        self.assertIn(rid.encode(), resp.body)
        return rid

    def error_log_entry(self, rid):
        """The error-log text from the line naming `rid` to the next log line."""
        self.assertTrue(wait_for(lambda: rid in self.server.output(), 3), rid)
        out = self.server.output()
        start = out.rfind("\n", 0, out.index(rid)) + 1
        return out[start:start + 4000]

    # --- start_response ---------------------------------------------------------------------

    def test_exc_info_before_the_head_replaces_the_status(self):
        resp = self.fetch("/exc-info-before-head")
        self.assertEqual(resp.status, 503)
        self.assertEqual(resp.body, b"replaced")

    def test_exc_info_after_the_head_reraises_and_aborts(self):
        with Conn(self.server) as c:
            c.send(get("/exc-info-after-head"))
            head = c.read_head()
            self.assertEqual(head.status, 200)
            data, closed = c.read_all(3)
        self.assertTrue(closed)
        self.assertIn(b"first", data)
        self.assertNotIn(b"never", data)
        self.assertFalse(data.endswith(b"0\r\n\r\n"), "an aborted response must not look complete")
        self.assert_closed("/exc-info-after-head")

    def test_start_response_twice_without_exc_info_is_500(self):
        resp = self.fetch("/start-twice")
        self.assertEqual(resp.status, 500)
        self.assertNotIn(b"no", resp.body.replace(b"not", b""))

    def test_start_response_on_first_iteration(self):
        resp = self.fetch("/lazy-start")
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.body, b"lazy")

    def test_known_body_length_is_declared(self):
        # One-item list: the whole body is known before the head goes out.
        self.assertEqual(self.fetch("/environ").header("Content-Length"),
                         str(len(self.fetch("/environ").body)))
        empty = self.fetch("/empty-generator")
        self.assertEqual(empty.header("Content-Length"), "0")
        self.assertIsNone(empty.header("Transfer-Encoding"))
        self.assertEqual(self.fetch("/status?204").header("Content-Length"), None)
        with Conn(self.server) as c:  # so HTTP/1.0 keep-alive survives it
            c.send(b"GET /environ HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            self.assertEqual(c.read_response().header("Connection"), "keep-alive")
            c.send(b"GET /p/x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            self.assertEqual(c.read_response().body, b"GET /p/x?")

    def test_write_callable(self):
        self.assertEqual(self.fetch("/write").body, b"written and returned")
        resp = self.fetch("/write-only")
        self.assertEqual(resp.body, b"hello world")
        self.assertEqual(resp.header("Content-Length"), "11")

    # --- close() ----------------------------------------------------------------------------

    def test_close_called_after_success(self):
        self.assertEqual(self.fetch("/closing").body, b"ab")
        self.assert_closed("/closing")

    def test_close_called_when_iteration_raises(self):
        with Conn(self.server) as c:
            c.send(get("/raise-late"))
            c.read_all(3)
        self.assert_closed("/raise-late")

    def test_close_called_when_first_item_raises(self):
        resp = self.fetch("/raise-first")
        self.assert_generic_500(resp, "/raise-first")
        self.assert_closed("/raise-first")

    def test_close_called_when_client_disconnects(self):
        with Conn(self.server) as c:
            c.send(get("/big-closing"))
            self.assertEqual(c.read_head().status, 200)
        # 128 MiB could not have been written yet: the server noticed the reset and cleaned up.
        self.assertTrue(wait_for(lambda: "/big-closing" in self.closed_paths(), 10))

    # --- errors -----------------------------------------------------------------------------

    def test_iterable_raising_after_the_head_aborts_the_connection(self):
        with Conn(self.server) as c:
            c.send(get("/raise-late") + get("/p/never"))
            head = c.read_head()
            self.assertEqual(head.status, 200)
            self.assertEqual(head.header("Transfer-Encoding"), "chunked")
            data, closed = c.read_all(3)
        self.assertTrue(closed)
        self.assertNotIn(b"0\r\n\r\n", data, "the final chunk must not be sent")
        self.assertNotIn(b"secret", data)
        self.assertNotIn(b"HTTP/1.1", data)

    def test_app_exception_before_the_head(self):
        resp = self.fetch("/raise")
        rid = self.assert_generic_500(resp, "/raise")
        entry = self.error_log_entry(rid)
        self.assertIn("Traceback", entry)
        self.assertIn("secret-internal-detail", entry)
        self.assertIn("RuntimeError", entry)

    def test_app_exception_json_client(self):
        resp = self.fetch("/raise", b"Accept: application/json\r\n")
        self.assertEqual(resp.status, 500)
        self.assertEqual(resp.header("Content-Type"), "application/json")
        body = json.loads(resp.body)
        self.assertEqual(body["request_id"], resp.header("X-Request-ID"))

    def test_app_exception_keeps_the_connection_usable(self):
        with Conn(self.server) as c:
            c.send(get("/raise") + get("/p/after"))
            self.assertEqual(c.read_response().status, 500)
            self.assertEqual(c.read_response().body, b"GET /p/after?")

    def test_request_id_from_trusted_proxy_is_used(self):
        resp = self.fetch("/raise", b"X-Request-ID: proxy-chosen-42\r\n")
        self.assertEqual(resp.header("X-Request-ID"), "proxy-chosen-42")
        self.assertIn("Traceback", self.error_log_entry("proxy-chosen-42"))

    def test_invalid_response_headers_are_500_never_split(self):
        for path in ("/bad-header", "/bad-header-lf", "/bad-header-nul", "/bad-header-name",
                     "/bad-header-unicode"):
            with self.subTest(path=path), Conn(self.server) as c:
                c.send(get(path) + get("/p/after"))
                resp = c.read_response()
                self.assertEqual(resp.status, 500)
                raw = json.dumps(resp.headers)
                self.assertNotIn("Injected", raw)
                self.assertNotIn("injected", raw)
                self.assertNotIn(b"no", resp.body.replace(b"not", b""))
                self.assertEqual(c.read_response().body, b"GET /p/after?")
                self.assertIn(resp.header("X-Request-ID"), self.server.output())

    def test_invalid_status_is_500(self):
        self.assertEqual(self.fetch("/bad-status").status, 500)

    def test_no_start_response_is_500(self):
        resp = self.fetch("/no-start")
        self.assertEqual(resp.status, 500)
        self.assertNotIn(b"body without", resp.body)

    def test_str_body_is_500(self):
        self.assertEqual(self.fetch("/str-body").status, 500)

    # --- file_wrapper and streaming ---------------------------------------------------------

    def test_file_wrapper_sends_the_whole_file(self):
        for size in (0, 1, 100000, 5 << 20):
            with self.subTest(size=size), Conn(self.server, timeout=20) as c:
                c.send(get("/file?%d" % size) + get("/p/after"))
                resp = c.read_response()
                self.assertEqual(resp.status, 200)
                self.assertEqual(resp.header("Content-Length"), str(size))
                self.assertEqual(hashlib.sha256(resp.body).hexdigest(),
                                 hashlib.sha256(file_bytes(size)).hexdigest())
                self.assertEqual(c.read_response().body, b"GET /p/after?")

    def test_file_wrapper_from_the_current_offset(self):
        resp = self.fetch("/file-offset")
        self.assertEqual(resp.body, (b"0123456789" * 100)[500:])

    def test_file_wrapper_respects_the_apps_content_length(self):
        with Conn(self.server) as c:
            c.send(get("/file-with-length") + get("/p/after"))
            resp = c.read_response()
            self.assertEqual(resp.body, (b"abcdefghij" * 10)[:25])
            self.assertEqual(c.read_response().body, b"GET /p/after?")

    def test_file_wrapper_of_a_non_file(self):
        resp = self.fetch("/file-bytesio")
        self.assertEqual(resp.body, b"in-memory " * 1000)

    def test_file_wrapper_http10(self):
        with Conn(self.server) as c:
            c.send(b"GET /file?70000 HTTP/1.0\r\n\r\n")
            resp = c.read_response()
        self.assertEqual(resp.body, file_bytes(70000))

    @unittest.skipUnless(shutil.which("strace"), "strace not installed")
    def test_file_wrapper_is_sent_with_sendfile(self):
        pid = int(self.fetch("/pid").body)
        trace = tempfile.NamedTemporaryFile(prefix="bastion-strace-", delete=False)
        trace.close()
        tracer = subprocess.Popen(["strace", "-qq", "-f", "-e", "trace=sendfile,pread64", "-o",
                                   trace.name, "-p", str(pid)], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            # strace attaches asynchronously: wait until it has written its first line.
            ok = False
            for _ in range(50):
                self.fetch("/")
                if tracer.poll() is not None:
                    break
                time.sleep(0.05)
                if _attached(pid):
                    ok = True
                    break
            if not ok:
                self.skipTest("cannot ptrace the worker")
            size = 8 << 20
            with Conn(self.server, timeout=30) as c:
                c.send(get("/file?%d" % size))
                resp = c.read_response()
            self.assertEqual(resp.body, file_bytes(size))
        finally:
            tracer.terminate()
            tracer.wait(10)
        with open(trace.name) as f:
            calls = f.read()
        os.unlink(trace.name)
        self.assertIn("sendfile(", calls)
        self.assertNotIn("pread64(", calls)

    def test_generator_streaming(self):
        with Conn(self.server) as c:
            c.send(get("/stream"))
            resp = c.read_response()
        self.assertEqual(resp.header("Transfer-Encoding"), "chunked")
        self.assertEqual(resp.body, b"".join(b"chunk %d\n" % i for i in range(5)))

    def test_streaming_big_generator(self):
        resp = self.fetch("/big?%d" % (10 << 20))
        self.assertEqual(len(resp.body), 10 << 20)

    def test_slow_generator_streams_incrementally(self):
        # The head and first chunk arrive before the app finishes sleeping.
        with Conn(self.server, timeout=5) as c:
            start = time.monotonic()
            c.send(get("/slow?0.5"))
            resp = c.read_response()
            self.assertGreaterEqual(time.monotonic() - start, 0.45)
            self.assertEqual(resp.body, b"slow done")


def _attached(pid):
    """True when some process is ptrace-attached to `pid`."""
    try:
        with open("/proc/%d/status" % pid) as f:
            return any(line.startswith("TracerPid:") and line.split()[1] != "0" for line in f)
    except OSError:
        return False


class Validated(unittest.TestCase):
    """wsgi_basic and the Flask app behind wsgiref.validate.validator: no assertion fires."""

    EXTRA = ()  # more server arguments (test_53 reruns these classes with --threads)

    @classmethod
    def setUpClass(cls):
        cls.server = Server("validated_app:app", *cls.EXTRA, workers=1).start()
        cls.flask = Server("validated_app:flask", *cls.EXTRA, workers=1).start()

    @classmethod
    def tearDownClass(cls):
        for s in (cls.server, cls.flask):
            s.stop()
            os.unlink(s.log.name)

    def check_log(self, server):
        out = server.output()
        for marker in ("AssertionError", "WSGIWarning", "Traceback", "Exception ignored"):
            self.assertNotIn(marker, out)

    def test_basic_routes_pass_the_validator(self):
        requests = [
            get("/"), get("/environ?x=1"), get("/stream"), get("/write"), get("/closing"),
            get("/file?1000"), get("/p/x?y"), get("/big?100000"), get("/status?204"),
            get("/errors"),
            b"POST /echo HTTP/1.1\r\n" + H + b"Content-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
            b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            b"POST /echo-lines HTTP/1.1\r\n" + H + b"Content-Length: 6\r\n\r\na\nb\nc\n",
            b"POST /input?read:2,readline,readlines,iter HTTP/1.1\r\n" + H
            + b"Content-Length: 8\r\n\r\nab\ncd\nef",
            b"HEAD / HTTP/1.1\r\n" + H + b"\r\n",
            b"GET /environ HTTP/1.0\r\n\r\n",
        ]
        for data in requests:
            with self.subTest(request=data[:40]), Conn(self.server) as c:
                c.send(data)
                resp = c.read_response(head_request=data.startswith(b"HEAD"))
                self.assertIn(resp.status, (200, 204), resp)
        time.sleep(0.2)
        self.check_log(self.server)

    def test_flask_passes_the_validator(self):
        # Only GET routes: with wsgi.input_terminated set, Werkzeug's get_data() calls
        # wsgi.input.read() without a size, which the (older) validator forbids on its own.
        for data, status in ((get("/"), 200), (get("/json?a=b"), 200), (get("/nope"), 404),
                             (b"HEAD / HTTP/1.1\r\n" + H + b"\r\n", 200)):
            with self.subTest(request=data[:40]), Conn(self.flask) as c:
                c.send(data)
                resp = c.read_response(head_request=data.startswith(b"HEAD"))
                self.assertEqual(resp.status, status)
        time.sleep(0.2)
        self.check_log(self.flask)


if __name__ == "__main__":
    unittest.main()
