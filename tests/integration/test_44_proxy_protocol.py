"""PROXY protocol (proxy_protocol, proxy_allow_ips): v1 and v2 headers set REMOTE_ADDR and the
access log's %(h)s for the whole keep-alive connection; a missing, invalid, oversized, late or
unaccepted-version header, and any peer outside proxy_allow_ips, is closed without a byte;
without the setting a PROXY line is an ordinary 400.
"""
import json
import os
import socket
import struct
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from bastion_test import Server, ServerTestCase  # noqa: E402
from http_client import Conn, wait_for  # noqa: E402

H = b"Host: example.com\r\n"
SIG = b"\r\n\r\n\x00\r\nQUIT\n"


def get(path, extra=b"", close=False):
    return (b"GET " + path.encode() + b" HTTP/1.1\r\n" + H + extra +
            (b"Connection: close\r\n" if close else b"") + b"\r\n")


def v1(src, dst="127.0.0.1", sport=40000, dport=8000, proto=None):
    proto = proto or ("TCP6" if ":" in src else "TCP4")
    return ("PROXY %s %s %s %d %d\r\n" % (proto, src, dst, sport, dport)).encode()


def v2(src, dst, sport, dport, command=0x1, tlvs=b""):
    fam = socket.AF_INET6 if ":" in src else socket.AF_INET
    block = (socket.inet_pton(fam, src) + socket.inet_pton(fam, dst) +
             struct.pack(">HH", sport, dport) + tlvs)
    fam_byte = 0x21 if fam == socket.AF_INET6 else 0x11
    return SIG + bytes([0x20 | command, fam_byte]) + struct.pack(">H", len(block)) + block


def v2_local():
    return SIG + b"\x20\x00\x00\x00"


def environ_over(server, prefix, path="/environ", extra=b""):
    """Sends `prefix` then one request; returns the app's environ as a dict."""
    with Conn(server) as c:
        c.send(prefix + get(path, extra, close=True))
        resp = c.read_response()
    if resp.status != 200:
        raise AssertionError("status %d: %r" % (resp.status, resp.body[:200]))
    return json.loads(resp.body)


def closed_silently(server, data, timeout=5.0, trickle=False):
    """Sends `data` and returns (bytes received, closed) until the server closes or times out."""
    with Conn(server, timeout=timeout) as c:
        try:
            if trickle:
                for i in range(len(data)):
                    c.send(data[i:i + 1])
            else:
                c.send(data)
        except (BrokenPipeError, ConnectionResetError):
            return b"", True
        return c.read_all(timeout)


class ProxyProtocolAuto(ServerTestCase):
    """--proxy-protocol without a value: auto (v1 or v2), default proxy_allow_ips (loopback)."""

    @classmethod
    def setUpClass(cls):
        cls.logdir = tempfile.TemporaryDirectory()
        cls.access = os.path.join(cls.logdir.name, "access.log")
        cls.server = Server("wsgi_basic:app", "--proxy-protocol", "--header-timeout", "2",
                            "--access-logfile", cls.access, "--log-level", "debug").start()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.logdir.cleanup()

    def test_v1_tcp4(self):
        env = environ_over(self.server, v1("203.0.113.7", sport=40001))
        self.assertEqual(env["REMOTE_ADDR"], "203.0.113.7")
        self.assertEqual(env["REMOTE_PORT"], "40001")

    def test_v1_tcp6(self):
        env = environ_over(self.server, v1("2001:db8::42", "2001:db8::1", 50000, 443))
        self.assertEqual(env["REMOTE_ADDR"], "2001:db8::42")
        self.assertEqual(env["REMOTE_PORT"], "50000")

    def test_v1_unknown_keeps_the_socket_peer(self):
        env = environ_over(self.server, b"PROXY UNKNOWN\r\n")
        self.assertEqual(env["REMOTE_ADDR"], "127.0.0.1")

    def test_v2_tcp4(self):
        env = environ_over(self.server, v2("198.51.100.23", "10.0.0.1", 12345, 443))
        self.assertEqual(env["REMOTE_ADDR"], "198.51.100.23")
        self.assertEqual(env["REMOTE_PORT"], "12345")

    def test_v2_tcp6_with_tlvs(self):
        tlvs = b"\x04\x00\x02pp" + b"\xea\x00\x05\x01vpce"  # NOOP, AWS VPC endpoint id
        env = environ_over(self.server, v2("2001:db8::99", "2001:db8::1", 61000, 80, tlvs=tlvs))
        self.assertEqual(env["REMOTE_ADDR"], "2001:db8::99")
        self.assertEqual(env["REMOTE_PORT"], "61000")

    def test_v2_local_keeps_the_socket_peer(self):
        env = environ_over(self.server, v2_local())
        self.assertEqual(env["REMOTE_ADDR"], "127.0.0.1")

    def test_header_split_across_packets(self):
        header = v2("192.0.2.5", "10.0.0.1", 1000, 80)
        with Conn(self.server) as c:
            for i in range(0, len(header), 3):
                c.send(header[i:i + 3])
                time.sleep(0.01)
            c.send(get("/environ", close=True))
            env = json.loads(c.read_response().body)
        self.assertEqual(env["REMOTE_ADDR"], "192.0.2.5")

    def test_header_and_request_in_one_packet_pipelined(self):
        with Conn(self.server) as c:
            c.send(v1("192.0.2.77") + get("/environ") + get("/environ", close=True))
            first = json.loads(c.read_response().body)
            second = json.loads(c.read_response().body)
        self.assertEqual(first["REMOTE_ADDR"], "192.0.2.77")
        self.assertEqual(second["REMOTE_ADDR"], "192.0.2.77")

    def test_keep_alive_requests_keep_the_address(self):
        with Conn(self.server) as c:
            c.send(v1("192.0.2.8", sport=5555) + get("/environ"))
            first = json.loads(c.read_response().body)
            time.sleep(0.1)
            c.send(get("/environ"))
            second = json.loads(c.read_response().body)
            # The header is read once: a second PROXY line on the same connection is HTTP (400).
            c.send(v1("192.0.2.9") + get("/environ"))
            third = c.read_response()
        for env in (first, second):
            self.assertEqual(env["REMOTE_ADDR"], "192.0.2.8")
            self.assertEqual(env["REMOTE_PORT"], "5555")
        self.assertEqual(third.status, 400)

    def test_forwarded_headers_judged_by_the_proxied_client(self):
        # The proxied client is the peer for forwarded_allow_ips: an outside client's own
        # X-Forwarded-For is not believed just because the proxy sits on loopback...
        xff = b"X-Forwarded-For: 6.6.6.6\r\nX-Forwarded-Proto: https\r\n"
        env = environ_over(self.server, v1("203.0.113.7"), extra=xff)
        self.assertEqual(env["REMOTE_ADDR"], "203.0.113.7")
        self.assertEqual(env["wsgi.url_scheme"], "http")
        self.assertNotIn("HTTP_X_FORWARDED_FOR", env)
        # ...while a client that is itself trusted (here loopback) may still forward.
        env = environ_over(self.server, v1("127.0.0.1"), extra=xff)
        self.assertEqual(env["REMOTE_ADDR"], "6.6.6.6")
        self.assertEqual(env["wsgi.url_scheme"], "https")

    def test_missing_header_closes_without_bytes(self):
        data, closed = closed_silently(self.server, get("/", close=True))
        self.assertEqual(data, b"")
        self.assertTrue(closed)

    def test_invalid_headers_close_without_bytes(self):
        bad = [
            b"PROXY TCP4 203.0.113.7 127.0.0.1 080 8000\r\n",       # leading zero in a port
            b"PROXY TCP4 2001:db8::1 127.0.0.1 1 2\r\n",             # family mismatch
            b"PROXY TCP4 203.0.113.7 127.0.0.1 1 2\n",               # bare LF
            b"PROXY UNKNOWN " + b"x" * 200 + b"\r\n",                # over 107 bytes
            b"PROXY TCP4 " + b"9" * 300,                             # no CRLF at all
            SIG + b"\x21\x12\x00\x0c" + b"\x00" * 12,                # UDP over IPv4
            SIG + b"\x21\x11\xff\xff",                               # length over the cap
            b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03",         # a TLS client hello
        ]
        for data in bad:
            with self.subTest(data=data[:40]):
                got, closed = closed_silently(self.server, data + get("/", close=True))
                self.assertEqual(got, b"")
                self.assertTrue(closed)

    def test_incomplete_header_times_out_silently(self):
        start = time.monotonic()
        data, closed = closed_silently(self.server, b"PROXY TCP4 203.0.113.7", timeout=6)
        self.assertEqual(data, b"")
        self.assertTrue(closed)
        self.assertLess(time.monotonic() - start, 5.5)
        self.assertTrue(wait_for(lambda: "within header_timeout" in self.server.output(), 3))

    def test_refusals_are_logged_with_a_reason(self):
        closed_silently(self.server, b"PROXY TCP9 1.2.3.4 5.6.7.8 1 2\r\n")
        self.assertTrue(wait_for(lambda: "V1BadProtocol" in self.server.output(), 3),
                        self.server.output()[-2000:])
        self.assertIn("BST-E0110", self.server.output())

    def test_access_log_shows_the_proxied_address(self):
        environ_over(self.server, v1("203.0.113.250"), path="/environ/access-log-probe")

        def logged():
            with open(self.access, encoding="utf-8") as f:
                return [l for l in f if "access-log-probe" in l]
        self.assertTrue(wait_for(lambda: logged(), 3))
        self.assertTrue(logged()[0].startswith("203.0.113.250 - - ["), logged()[0])


class ProxyProtocolVersions(unittest.TestCase):
    """--proxy-protocol v1 refuses v2 headers and the reverse."""

    def test_v1_only(self):
        with Server("wsgi_basic:app", "--proxy-protocol", "v1") as srv:
            self.assertEqual(environ_over(srv, v1("192.0.2.1"))["REMOTE_ADDR"], "192.0.2.1")
            got, closed = closed_silently(srv, v2("192.0.2.1", "10.0.0.1", 1, 2) + get("/"))
            self.assertEqual((got, closed), (b"", True))

    def test_v2_only(self):
        with Server("wsgi_basic:app", "--proxy-protocol=v2") as srv:
            env = environ_over(srv, v2("192.0.2.2", "10.0.0.1", 1, 2))
            self.assertEqual(env["REMOTE_ADDR"], "192.0.2.2")
            got, closed = closed_silently(srv, v1("192.0.2.2") + get("/"))
            self.assertEqual((got, closed), (b"", True))

    def test_config_file_true_means_auto(self):
        with tempfile.TemporaryDirectory() as d:
            conf = os.path.join(d, "conf.py")
            with open(conf, "w", encoding="utf-8") as f:
                f.write("proxy_protocol = True\nproxy_allow_ips = '127.0.0.0/8'\n")
            with Server("wsgi_basic:app", "-c", conf) as srv:
                self.assertEqual(environ_over(srv, v1("192.0.2.3"))["REMOTE_ADDR"], "192.0.2.3")
                env = environ_over(srv, v2("192.0.2.4", "10.0.0.1", 1, 2))
                self.assertEqual(env["REMOTE_ADDR"], "192.0.2.4")


class PeerOutsideProxyAllowIps(ServerTestCase):
    """A peer outside proxy_allow_ips is a direct client, as with Gunicorn: its plain HTTP is
    served with its own address, and a PROXY header from it (either version, even split
    across packets) is a 403, never trusted."""

    ARGS = ("--proxy-protocol", "--proxy-allow-from", "10.0.0.0/8, 192.168.0.1")

    def test_v1_header_from_a_stranger_is_403(self):
        with Conn(self.server) as c:
            c.send(v1("203.0.113.7") + get("/environ", close=True))
            resp = c.read_response()
        self.assertEqual(resp.status, 403)
        self.assertIn(b"not an allowed proxy", resp.body)

    def test_v2_header_from_a_stranger_is_403(self):
        with Conn(self.server) as c:
            c.send(v2("203.0.113.8", "10.0.0.1", 1, 2) + get("/environ", close=True))
            self.assertEqual(c.read_response().status, 403)

    def test_split_header_from_a_stranger_is_403(self):
        with Conn(self.server) as c:
            c.send(b"PRO")
            time.sleep(0.2)
            c.send(b"XY TCP4 203.0.113.9 127.0.0.1 1 2\r\n" + get("/environ", close=True))
            self.assertEqual(c.read_response().status, 403)

    def test_plain_http_from_a_stranger_is_served_with_its_own_address(self):
        env = environ_over(self.server, b"")
        self.assertEqual(env["REMOTE_ADDR"], "127.0.0.1")

    def test_keep_alive_after_plain_request(self):
        with Conn(self.server) as c:
            c.send(get("/"))
            self.assertEqual(c.read_response().status, 200)
            c.send(v1("203.0.113.7") + get("/", close=True))
            self.assertEqual(c.read_response().status, 400)  # a PROXY line mid-stream: not HTTP


class UnixSocketPeer(unittest.TestCase):
    """A unix-socket peer is always allowed, but must still send the header."""

    def test_header_required_and_used(self):
        with tempfile.TemporaryDirectory() as d:
            sock = os.path.join(d, "bastion.sock")
            with Server("wsgi_basic:app", "--proxy-protocol", "--proxy-allow-from", "10.0.0.1",
                        bind="unix:" + sock) as srv:
                env = environ_over(srv, v2("192.0.2.44", "10.0.0.1", 4321, 80))
                self.assertEqual(env["REMOTE_ADDR"], "192.0.2.44")
                self.assertEqual(env["REMOTE_PORT"], "4321")
                got, closed = closed_silently(srv, get("/", close=True))
                self.assertEqual((got, closed), (b"", True))


class ProxyProtocolOff(ServerTestCase):
    """Without the setting a PROXY line is just a malformed request: 400, as before."""

    def test_proxy_line_is_a_bad_request(self):
        with Conn(self.server) as c:
            c.send(v1("203.0.113.7") + get("/"))
            resp = c.read_response()
        self.assertEqual(resp.status, 400)
        self.assertEqual(resp.header("Connection"), "close")

    def test_plain_requests_see_the_socket_peer(self):
        self.assertEqual(environ_over(self.server, b"")["REMOTE_ADDR"], "127.0.0.1")


if __name__ == "__main__":
    unittest.main()
