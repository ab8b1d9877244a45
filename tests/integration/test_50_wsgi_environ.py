"""PEP 3333 environ: required keys and types, PATH_INFO decoding, raw URIs, server and remote
addresses, HTTP_* joining, wsgi.input in every access style (in memory and spooled), chunked
uploads, wsgi.errors, and proxy headers honoured only from trusted peers.
"""
import hashlib
import json
import os
import socket
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from bastion_test import ServerTestCase, Server  # noqa: E402
from http_client import Conn, supports_flag, wait_for  # noqa: E402

H = b"Host: example.com\r\n"


def request(server, data, sock=None):
    with Conn(server, sock=sock) as c:
        c.send(data)
        return c.read_response()


def environ_of(server, target="/environ", extra=b"", method=b"GET", body=b"", sock=None):
    data = method + b" " + target.encode("latin-1") + b" HTTP/1.1\r\n" + extra
    low = b"\n" + extra.lower()
    if b"\nhost:" not in low:
        data += H
    if body:
        data += b"Content-Length: %d\r\n" % len(body)
    resp = request(server, data + b"Connection: close\r\n\r\n" + body, sock)
    if resp.status != 200:
        raise AssertionError("%r" % resp)
    return json.loads(resp.body)


class Environ(ServerTestCase):
    APP = "wsgi_basic:app"
    WORKERS = 1

    def test_required_keys_and_types(self):
        types = environ_of(self.server, "/environ-types")
        expected = {
            "REQUEST_METHOD": "str", "SCRIPT_NAME": "str", "PATH_INFO": "str",
            "QUERY_STRING": "str", "SERVER_NAME": "str", "SERVER_PORT": "str",
            "SERVER_PROTOCOL": "str", "REMOTE_ADDR": "str", "wsgi.version": "tuple",
            "wsgi.url_scheme": "str", "wsgi.multithread": "bool", "wsgi.multiprocess": "bool",
            "wsgi.run_once": "bool", "wsgi.input_terminated": "bool",
        }
        for key, type_name in expected.items():
            self.assertEqual(types.get(key), type_name, key)
        self.assertIn("wsgi.input", types)
        self.assertIn("wsgi.errors", types)
        self.assertIn("wsgi.file_wrapper", types)
        self.assertEqual(types["input_methods"], ["read", "readline", "readlines", "__iter__"])
        self.assertEqual(types["errors_methods"], ["write", "writelines", "flush"])
        # Every CGI-style key (no dot) is a native str.
        for key, type_name in types.items():
            if "." not in key and key.isupper():
                self.assertEqual(type_name, "str", key)

    def test_values(self):
        env = environ_of(self.server, "/environ?a=1")
        self.assertEqual(env["REQUEST_METHOD"], "GET")
        self.assertEqual(env["SCRIPT_NAME"], "")
        self.assertEqual(env["PATH_INFO"], "/environ")
        self.assertEqual(env["QUERY_STRING"], "a=1")
        self.assertEqual(env["SERVER_PROTOCOL"], "HTTP/1.1")
        self.assertEqual(env["wsgi.version"], [1, 0])
        self.assertEqual(env["wsgi.url_scheme"], "http")
        self.assertIs(env["wsgi.multithread"], "--threads" in self.EXTRA)
        self.assertIs(env["wsgi.run_once"], False)
        self.assertIs(env["wsgi.input_terminated"], True)
        self.assertNotIn("CONTENT_TYPE", env)
        self.assertNotIn("CONTENT_LENGTH", env)

    def test_http10_protocol(self):
        resp = request(self.server, b"GET /environ HTTP/1.0\r\n\r\n")
        env = json.loads(resp.body)
        self.assertEqual(env["SERVER_PROTOCOL"], "HTTP/1.0")
        self.assertNotIn("HTTP_HOST", env)
        self.assertTrue(env["SERVER_NAME"])
        self.assertEqual(env["SERVER_PORT"], str(self.server.port))

    def test_path_info_is_percent_decoded_latin1(self):
        cases = {
            "/environ/caf%C3%A9": "/environ/caf\u00c3\u00a9",
            "/environ/a%20b": "/environ/a b",
            "/environ/%7Euser": "/environ/~user",
            "/environ/a%2Fb": "/environ/a/b",
            "/environ/%ZZ%4": "/environ/%ZZ%4",
            "/environ/caf\xc3\xa9": "/environ/caf\u00c3\u00a9",
        }
        for raw, decoded in cases.items():
            with self.subTest(raw=raw):
                env = environ_of(self.server, raw)
                self.assertEqual(env["PATH_INFO"], decoded)
                self.assertEqual(env["RAW_URI"], raw)
                self.assertEqual(env["REQUEST_URI"], raw)

    def test_raw_uri_and_query_string(self):
        env = environ_of(self.server, "/environ/x%2Fy?q=%20a+b&c=%C3%A9&flag")
        self.assertEqual(env["RAW_URI"], "/environ/x%2Fy?q=%20a+b&c=%C3%A9&flag")
        self.assertEqual(env["REQUEST_URI"], env["RAW_URI"])
        self.assertEqual(env["QUERY_STRING"], "q=%20a+b&c=%C3%A9&flag")
        self.assertEqual(env["PATH_INFO"], "/environ/x/y")

    def test_options_asterisk(self):
        env = environ_of(self.server, "*", method=b"OPTIONS")
        self.assertEqual(env["REQUEST_METHOD"], "OPTIONS")
        self.assertEqual(env["PATH_INFO"], "*")
        self.assertEqual(env["RAW_URI"], "*")

    def test_absolute_form(self):
        env = environ_of(self.server, "http://other.example:8081/environ?z=1")
        self.assertEqual(env["PATH_INFO"], "/environ")
        self.assertEqual(env["QUERY_STRING"], "z=1")
        self.assertEqual(env["RAW_URI"], "http://other.example:8081/environ?z=1")
        self.assertEqual(env["SERVER_NAME"], "other.example")
        self.assertEqual(env["SERVER_PORT"], "8081")
        self.assertEqual(env["HTTP_HOST"], "other.example:8081")

    def test_server_name_and_port_from_host(self):
        cases = [(b"Host: example.com:8080\r\n", "example.com", "8080"),
                 (b"Host: example.com\r\n", "example.com", "80"),
                 (b"Host: 10.1.2.3:99\r\n", "10.1.2.3", "99"),
                 (b"Host: [::1]:9000\r\n", "[::1]", "9000")]
        for host, name, port in cases:
            with self.subTest(host=host):
                env = environ_of(self.server, "/environ", host)
                self.assertEqual(env["SERVER_NAME"], name)
                self.assertEqual(env["SERVER_PORT"], port)
                self.assertEqual(env["HTTP_HOST"], host[6:-2].decode())

    def test_remote_addr_and_port(self):
        sock = socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
        port = sock.getsockname()[1]
        env = environ_of(self.server, sock=sock)
        self.assertEqual(env["REMOTE_ADDR"], "127.0.0.1")
        self.assertEqual(env["REMOTE_PORT"], str(port))

    def test_duplicate_headers_joined(self):
        env = environ_of(self.server, "/environ",
                         b"Accept: text/html\r\nX-Multi: a\r\nAccept: application/json\r\n"
                         b"X-Multi: b, c\r\nCookie: a=1\r\nCookie: b=2\r\n")
        self.assertEqual(env["HTTP_ACCEPT"], "text/html,application/json")
        self.assertEqual(env["HTTP_X_MULTI"], "a,b, c")
        self.assertEqual(env["HTTP_COOKIE"], "a=1; b=2")

    def test_header_values_are_latin1_strings(self):
        env = environ_of(self.server, "/environ", b"X-Name: caf\xc3\xa9\r\n")
        self.assertEqual(env["HTTP_X_NAME"], "caf\u00c3\u00a9")

    def test_content_type_and_length_have_no_http_prefix(self):
        env = environ_of(self.server, "/environ", b"Content-Type: text/plain\r\n", method=b"POST",
                         body=b"hello")
        self.assertEqual(env["CONTENT_TYPE"], "text/plain")
        self.assertEqual(env["CONTENT_LENGTH"], "5")
        self.assertNotIn("HTTP_CONTENT_TYPE", env)
        self.assertNotIn("HTTP_CONTENT_LENGTH", env)

    def test_underscore_headers_absent(self):
        env = environ_of(self.server, "/environ", b"X-Auth-User: good\r\nX_Auth_User: evil\r\n"
                         b"Only_Underscore: evil\r\n")
        self.assertEqual(env["HTTP_X_AUTH_USER"], "good")
        self.assertNotIn("HTTP_ONLY_UNDERSCORE", env)
        self.assertNotIn("evil", json.dumps(env))

    def test_wsgi_input_access_styles(self):
        body = b"line one\nline two\nline three\nno newline"
        cases = {
            "read": [["read", body.decode()]],
            "read:4,read:5,read": [["read:4", "line"], ["read:5", " one\n"],
                                   ["read", "line two\nline three\nno newline"]],
            "readline,readline:4,readline": [["readline", "line one\n"], ["readline:4", "line"],
                                             ["readline", " two\n"]],
            "readlines": [["readlines", ["line one\n", "line two\n", "line three\n", "no newline"]]],
            "readlines:12": [["readlines:12", ["line one\n", "line two\n"]]],
            "iter": [["iter", ["line one\n", "line two\n", "line three\n", "no newline"]]],
            "read,read,readline": [["read", body.decode()], ["read", ""], ["readline", ""]],
            "read:0,read:1000": [["read:0", ""], ["read:1000", body.decode()]],
        }
        for ops, expected in cases.items():
            with self.subTest(ops=ops):
                got = environ_of(self.server, "/input?" + ops, method=b"POST", body=body)
                self.assertEqual(got, expected)

    def test_wsgi_input_empty_body(self):
        got = environ_of(self.server, "/input?read,readline,readlines,iter")
        self.assertEqual(got, [["read", ""], ["readline", ""], ["readlines", []], ["iter", []]])

    def test_large_body_is_spooled_to_an_unlinked_file(self):
        body = os.urandom(3 << 20) + b"\nlast line\n"
        with Conn(self.server, timeout=20) as c:
            c.send(b"POST /spooled HTTP/1.1\r\n" + H + b"Content-Length: %d\r\n\r\n" % len(body))
            c.send(body)
            resp = c.read_response()
        got = json.loads(resp.body)
        self.assertEqual(got["size"], len(body))
        self.assertEqual(got["sha256"], hashlib.sha256(body).hexdigest())
        self.assertTrue(got["deleted"], "no unlinked spool file open during the request")

    def test_small_body_stays_in_memory(self):
        got = environ_of(self.server, "/spooled", method=b"POST", body=b"x" * 1000)
        self.assertEqual(got["deleted"], [])

    def test_large_body_echo_and_lines(self):
        body = b"".join(b"%07d %s\n" % (i, b"y" * 50) for i in range(30000))  # ~1.7 MiB
        with Conn(self.server, timeout=20) as c:
            c.send(b"POST /echo-lines HTTP/1.1\r\n" + H + b"Content-Length: %d\r\n\r\n" % len(body)
                   + body)
            lines = json.loads(c.read_response().body)
        self.assertEqual(len(lines), 30000)
        self.assertEqual(lines[12345], "0012345 " + "y" * 50 + "\n")

    def test_chunked_upload_dechunked_with_content_length(self):
        chunks = [b"hello ", b"chunked ", b"world"]
        data = b"".join(b"%x;ext=1\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\nX-T: 1\r\n\r\n"
        with Conn(self.server) as c:
            c.send(b"POST /environ HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n" + data)
            env = json.loads(c.read_response().body)
            self.assertEqual(env["CONTENT_LENGTH"], str(len(b"".join(chunks))))
            c.send(b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n" + data)
            self.assertEqual(c.read_response().body, b"hello chunked world")

    def test_large_chunked_upload_spooled(self):
        piece = os.urandom(256 << 10)
        body = piece * 8
        data = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for _ in range(8)) + b"0\r\n\r\n"
        with Conn(self.server, timeout=20) as c:
            c.send(b"POST /spooled HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n" + data)
            got = json.loads(c.read_response().body)
        self.assertEqual(got["sha256"], hashlib.sha256(body).hexdigest())
        self.assertEqual(got["content_length"], str(len(body)))
        self.assertTrue(got["deleted"])

    def test_unique_header_names_do_not_leak(self):
        # Clients choose header names: past the server's key cache, each new name must not
        # cost memory for the worker's lifetime.
        counter = iter(range(10 ** 9))

        def batch(c, n):
            reqs = []
            for _ in range(n):
                names = b"".join(b"X-U%09d: v\r\n" % next(counter) for _ in range(90))
                reqs.append(b"GET /p/x HTTP/1.1\r\n" + H + names + b"\r\n")
            c.send(b"".join(reqs))
            for _ in range(n):
                self.assertEqual(c.read_response().status, 200)

        with Conn(self.server, timeout=20) as c:
            for _ in range(10):
                batch(c, 50)  # fills any cache, warms the allocator
            c.send(b"GET /blocks HTTP/1.1\r\n" + H + b"\r\n")
            before = int(c.read_response().body)
            for _ in range(80):
                batch(c, 50)  # 4000 requests, 360000 new names
            c.send(b"GET /blocks HTTP/1.1\r\n" + H + b"\r\n")
            after = int(c.read_response().body)
        self.assertLess(after - before, 20000, "Python heap grew by %d blocks" % (after - before))

    def test_wsgi_errors_goes_to_the_error_log(self):
        resp = request(self.server, b"GET /errors HTTP/1.1\r\n" + H + b"\r\n")
        self.assertEqual(resp.body, b"logged")
        self.assertTrue(wait_for(lambda: "errors-marker-two" in self.server.output(), 3))
        self.assertIn("errors-marker-one", self.server.output())

    def test_trusted_proxy_headers_honoured(self):
        env = environ_of(self.server, "/environ",
                         b"X-Forwarded-For: 203.0.113.9, 198.51.100.7\r\n"
                         b"X-Forwarded-Proto: https\r\nX-Forwarded-Host: public.example\r\n"
                         b"X-Forwarded-Port: 8443\r\n")
        self.assertEqual(env["REMOTE_ADDR"], "198.51.100.7")
        self.assertEqual(env["wsgi.url_scheme"], "https")
        self.assertEqual(env["SERVER_NAME"], "public.example")
        self.assertEqual(env["SERVER_PORT"], "8443")
        self.assertEqual(env["HTTP_X_FORWARDED_FOR"], "203.0.113.9, 198.51.100.7")

    def test_trusted_forwarded_header_honoured(self):
        env = environ_of(self.server, "/environ",
                         b'Forwarded: for=192.0.2.60;proto=https;host="fwd.example:444"\r\n')
        self.assertEqual(env["REMOTE_ADDR"], "192.0.2.60")
        self.assertEqual(env["wsgi.url_scheme"], "https")
        self.assertEqual(env["SERVER_NAME"], "fwd.example")
        self.assertEqual(env["SERVER_PORT"], "444")

    def test_trusted_forwarded_ipv6(self):
        env = environ_of(self.server, "/environ", b'Forwarded: for="[2001:db8::17]:4711"\r\n')
        self.assertEqual(env["REMOTE_ADDR"], "2001:db8::17")

    def test_contradicting_secure_scheme_headers_rejected(self):
        with Conn(self.server) as c:
            c.send(b"GET /environ HTTP/1.1\r\n" + H + b"X-Forwarded-Proto: https\r\n"
                   b"X-Forwarded-Ssl: off\r\n\r\n" + b"GET /p/never HTTP/1.1\r\n" + H + b"\r\n")
            resp = c.read_response()
            self.assertEqual(resp.status, 400)
            self.assertEqual(resp.header("Connection"), "close")
            self.assertTrue(c.closed_by_server(3))

    def test_agreeing_secure_scheme_headers_accepted(self):
        env = environ_of(self.server, "/environ",
                         b"X-Forwarded-Proto: https\r\nX-Forwarded-Ssl: on\r\n")
        self.assertEqual(env["wsgi.url_scheme"], "https")


FORWARDING = (b"X-Forwarded-For: 203.0.113.9\r\nX-Forwarded-Proto: https\r\n"
              b"X-Forwarded-Host: evil.example\r\nX-Forwarded-Port: 1\r\n"
              b"Forwarded: for=192.0.2.1;proto=https;host=evil.example\r\n"
              b"X-Forwarded-Ssl: on\r\nX-Real-IP: 192.0.2.2\r\n")


class UntrustedPeer(unittest.TestCase):
    """Proxy headers from a peer outside --forwarded-allow-ips are removed, not believed."""

    EXTRA = ()  # more server arguments (test_53 reruns these classes with --threads)

    @classmethod
    def setUpClass(cls):
        cls.by_flag = supports_flag("--forwarded-allow-ips", "192.0.2.200")
        args = ("--forwarded-allow-ips", "192.0.2.200") if cls.by_flag else ()
        cls.server = Server("wsgi_basic:app", *cls.EXTRA, *args, workers=1).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        os.unlink(cls.server.log.name)

    def connect(self):
        if self.by_flag:
            return None
        # Without the flag the default trusts 127.0.0.1 and ::1 only: speak from another
        # loopback address.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.settimeout(5)
        sock.bind(("127.0.0.2", 0))
        sock.connect(("127.0.0.1", self.server.port))
        return sock

    def test_forwarding_headers_stripped(self):
        env = environ_of(self.server, "/environ", FORWARDING, sock=self.connect())
        self.assertIn(env["REMOTE_ADDR"], ("127.0.0.1", "127.0.0.2"))
        self.assertEqual(env["wsgi.url_scheme"], "http")
        self.assertEqual(env["SERVER_NAME"], "example.com")
        self.assertEqual(env["SERVER_PORT"], "80")
        for key in ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
                    "HTTP_X_FORWARDED_PORT", "HTTP_FORWARDED", "HTTP_X_FORWARDED_SSL",
                    "HTTP_X_REAL_IP"):
            self.assertNotIn(key, env)
        self.assertNotIn("evil", json.dumps(env))

    def test_contradicting_scheme_headers_ignored_from_untrusted(self):
        env = environ_of(self.server, "/environ",
                         b"X-Forwarded-Proto: https\r\nX-Forwarded-Ssl: off\r\n",
                         sock=self.connect())
        self.assertEqual(env["wsgi.url_scheme"], "http")

    def test_request_id_from_untrusted_peer_not_used(self):
        resp = request(self.server, b"GET / HTTP/1.1\r\n" + H + b"X-Request-ID: chosen-by-client\r\n"
                       b"Connection: close\r\n\r\n", self.connect())
        self.assertNotEqual(resp.header("X-Request-ID"), "chosen-by-client")


class UnixSocketPeer(unittest.TestCase):
    """A unix-socket peer is the local proxy: its forwarding headers are believed."""

    EXTRA = ()  # more server arguments (test_53 reruns these classes with --threads)

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="bastion-unix-")
        cls.server = Server("wsgi_basic:app", *cls.EXTRA, bind="unix:" + os.path.join(cls.dir, "s.sock"),
                            workers=1).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        os.unlink(cls.server.log.name)
        for name in os.listdir(cls.dir):
            os.unlink(os.path.join(cls.dir, name))
        os.rmdir(cls.dir)

    def test_forwarding_headers_honoured(self):
        env = environ_of(self.server, "/environ",
                         b"X-Forwarded-For: 203.0.113.9\r\nX-Forwarded-Proto: https\r\n")
        self.assertEqual(env["REMOTE_ADDR"], "203.0.113.9")
        self.assertEqual(env["wsgi.url_scheme"], "https")
        self.assertEqual(env["SERVER_NAME"], "example.com")

    def test_plain_request(self):
        env = environ_of(self.server, "/environ")
        self.assertIsInstance(env["REMOTE_ADDR"], str)
        self.assertEqual(env["SERVER_NAME"], "example.com")
        self.assertEqual(env["SERVER_PORT"], "80")


class SpoolFailure(unittest.TestCase):
    """A body too large for memory whose temporary directory has gone: a 500, never a hang
    or a silently dropped connection, and the error in the log."""

    EXTRA = ()

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="bastion-spool-")
        cls.server = Server("wsgi_basic:app", "--worker-tmp-dir", cls.tmp, *cls.EXTRA,
                            workers=1).start()
        os.rmdir(cls.tmp)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        os.unlink(cls.server.log.name)

    def test_unspoolable_body_is_a_500(self):
        body = b"z" * (3 << 20)
        with Conn(self.server, timeout=20) as c:
            c.send(b"POST /spooled HTTP/1.1\r\n" + H + b"Content-Length: %d\r\n\r\n" % len(body))
            try:
                c.send(body)
            except OSError:
                pass  # the server may answer and close before the whole body is sent
            resp = c.read_response()
        self.assertEqual(resp.status, 500)
        self.assertIn(b"could not be stored", resp.body)
        def logged():
            with open(self.server.log.name, "rb") as f:
                return b"BST-E0201" in f.read()
        self.assertTrue(wait_for(logged))


class ScriptName(unittest.TestCase):
    """SCRIPT_NAME from the environment is the mount point: PATH_INFO is what follows it."""

    EXTRA = ()  # more server arguments (test_53 reruns these classes with --threads)

    @classmethod
    def setUpClass(cls):
        cls.server = Server("wsgi_basic:app", *cls.EXTRA, env={"SCRIPT_NAME": "/mount"}, workers=1).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        os.unlink(cls.server.log.name)

    def test_script_name_prefix_removed(self):
        env = environ_of(self.server, "/mount/environ")
        self.assertEqual(env["SCRIPT_NAME"], "/mount")
        self.assertEqual(env["PATH_INFO"], "/environ")


if __name__ == "__main__":
    unittest.main()
