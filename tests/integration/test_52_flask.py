"""The Flask fixture served by the real binary: hello, JSON, form and file uploads, 404, and an
exception that becomes a generic 500 (the traceback only in the error log)."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from bastion_test import ServerTestCase, Server  # noqa: E402
from http_client import Conn, wait_for  # noqa: E402

H = b"Host: example.com\r\n"


class Flask(ServerTestCase):
    APP = "flask_app:app"
    WORKERS = 2

    def send(self, data, head=False):
        with Conn(self.server) as c:
            c.send(data)
            return c.read_response(head_request=head)

    def test_hello(self):
        resp = self.send(b"GET / HTTP/1.1\r\n" + H + b"\r\n")
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.body, b"Hello, World!")
        self.assertTrue(resp.header("Content-Type").startswith("text/html"))
        self.assertEqual(resp.header("Content-Length"), "13")

    def test_head(self):
        resp = self.send(b"HEAD / HTTP/1.1\r\n" + H + b"\r\n", head=True)
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.header("Content-Length"), "13")

    def test_json(self):
        resp = self.send(b"GET /json?name=caf%C3%A9&x=1 HTTP/1.1\r\n" + H + b"\r\n")
        self.assertEqual(resp.status, 200)
        self.assertEqual(resp.header("Content-Type"), "application/json")
        self.assertEqual(json.loads(resp.body),
                         {"message": "Hello, World!", "args": {"name": "caf\u00e9", "x": "1"}})

    def test_form_upload(self):
        body = b"name=bastion&lang=c%2B%2B"
        resp = self.send(b"POST /upload HTTP/1.1\r\n" + H
                         + b"Content-Type: application/x-www-form-urlencoded\r\n"
                         + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.assertEqual(resp.status, 200)
        got = json.loads(resp.body)
        self.assertEqual(got["form"], {"name": "bastion", "lang": "c++"})

    def test_multipart_upload(self):
        boundary = b"XyZbOuNdArY"
        payload = os.urandom(200000)
        body = (b"--" + boundary + b"\r\nContent-Disposition: form-data; name=\"field\"\r\n\r\nvalue\r\n"
                b"--" + boundary + b"\r\nContent-Disposition: form-data; name=\"file\"; "
                b"filename=\"f.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n" + payload
                + b"\r\n--" + boundary + b"--\r\n")
        resp = self.send(b"POST /upload HTTP/1.1\r\n" + H
                         + b"Content-Type: multipart/form-data; boundary=" + boundary + b"\r\n"
                         + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.assertEqual(resp.status, 200)
        got = json.loads(resp.body)
        self.assertEqual(got["form"], {"field": "value"})
        self.assertEqual(got["size"], len(body))

    def test_raw_upload_chunked(self):
        body = os.urandom(3 << 20)
        chunks = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + 65536]), body[i:i + 65536])
                          for i in range(0, len(body), 65536))
        with Conn(self.server, timeout=20) as c:
            c.send(b"POST /upload HTTP/1.1\r\n" + H + b"Content-Type: application/octet-stream\r\n"
                   b"Transfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n")
            resp = c.read_response()
        self.assertEqual(resp.status, 200)
        self.assertEqual(json.loads(resp.body)["size"], len(body))

    def test_404(self):
        resp = self.send(b"GET /missing HTTP/1.1\r\n" + H + b"\r\n")
        self.assertEqual(resp.status, 404)

    def test_405(self):
        resp = self.send(b"POST / HTTP/1.1\r\n" + H + b"Content-Length: 0\r\n\r\n")
        self.assertEqual(resp.status, 405)

    def test_exception_is_generic_500(self):
        resp = self.send(b"GET /boom HTTP/1.1\r\n" + H + b"\r\n")
        self.assertEqual(resp.status, 500)
        self.assertNotIn(b"secret", resp.body)
        self.assertNotIn(b"Traceback", resp.body)
        self.assertNotIn(b"private.py", resp.body)
        self.assertNotIn(b"ValueError", resp.body)
        # Flask handles the exception itself (its own 500 page) and logs the traceback to
        # wsgi.errors / its logger: the traceback lands in our error log, not in the response.
        self.assertTrue(wait_for(lambda: "secret-internal-detail" in self.server.output(), 3))
        self.assertIn("Traceback", self.server.output())

    def test_keep_alive_many_requests(self):
        with Conn(self.server) as c:
            for i in range(50):
                c.send(b"GET /json?i=%d HTTP/1.1\r\n" % i + H + b"\r\n")
                self.assertEqual(json.loads(c.read_response().body)["args"], {"i": str(i)})


if __name__ == "__main__":
    unittest.main()
