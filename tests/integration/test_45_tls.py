"""HTTPS (certfile, keyfile, ca_certs, cert_reqs; docs/tls.md): requests, keep-alive, 1 MiB
uploads and file_wrapper downloads over TLS, wsgi.url_scheme https, plain HTTP on the TLS port
closed without a response, client certificates, PROXY protocol before the handshake, --threads,
and the start-up errors for a missing or mismatched key. Certificates are made with the
openssl CLI in a temporary directory.
"""
import concurrent.futures
import contextlib
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "apps"))
from bastion_test import APPS, BIN, Server, recv_all  # noqa: E402
import tls_app  # noqa: E402

APP = "tls_app:app"


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=60)


def make_pki(d):
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    # The server's self-signed certificate (the client verifies against it directly).
    openssl("req", "-x509", *ec, "-keyout", "server.key", "-out", "server.crt", "-days", "2",
            "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            cwd=d)
    # A client CA and a client certificate it signed (for cert_reqs).
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2",
            "-subj", "/CN=bastion test client CA", cwd=d)
    openssl("req", "-new", *ec, "-keyout", "client.key", "-out", "client.csr",
            "-subj", "/CN=client", cwd=d)
    openssl("x509", "-req", "-in", "client.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "client.crt", "-days", "2", cwd=d)
    # An unrelated key (mismatch test) and a file that is not PEM at all.
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-out", "other.key", cwd=d)
    with open(os.path.join(d, "garbage.pem"), "w") as f:
        f.write("this is not a certificate\n")


class TlsServer(Server):
    """A Server whose readiness probe and clients speak TLS."""

    def __init__(self, pki, *args, key="server.key", **kw):
        super().__init__(APP, "--certfile", os.path.join(pki, "server.crt"),
                         "--keyfile", os.path.join(pki, key), *args, **kw)
        self.pki = pki

    def client_context(self, cert=None):
        ctx = ssl.create_default_context(cafile=os.path.join(self.pki, "server.crt"))
        ctx.set_alpn_protocols(["h2", "http/1.1"])
        if cert:
            ctx.load_cert_chain(os.path.join(self.pki, cert + ".crt"),
                                os.path.join(self.pki, cert + ".key"))
        return ctx

    def https(self, cert=None, timeout=10.0):
        return http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout,
                                           context=self.client_context(cert))


def fetch(conn, method, path, body=None):
    conn.request(method, path, body=body)
    resp = conn.getresponse()
    return resp.status, resp.read()


class PkiCase(unittest.TestCase):
    """A fresh CA with server and client certificates in cls.pki for the whole class."""

    @classmethod
    def setUpClass(cls):
        cls.pki = tempfile.mkdtemp(prefix="bastion-tls-")
        make_pki(cls.pki)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.pki, ignore_errors=True)


class TlsServerCase(PkiCase):
    """Plus one TLS server for the whole class, started with server_args(pki)."""

    WAIT = True  # False: the class waits for readiness itself

    @classmethod
    def server_args(cls, pki):
        return ()

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = TlsServer(cls.pki, *cls.server_args(cls.pki), wait=cls.WAIT).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        os.unlink(cls.server.log.name)
        super().tearDownClass()


class TlsTest(TlsServerCase):
    @classmethod
    def server_args(cls, pki):
        return ("--log-level", "debug")

    def test_get_is_https(self):
        conn = self.server.https()
        with contextlib.closing(conn):
            status, body = fetch(conn, "GET", "/scheme")
            self.assertEqual(status, 200)
            self.assertEqual(json.loads(body)["url_scheme"], "https")
            self.assertEqual(conn.sock.selected_alpn_protocol(), "http/1.1")
            self.assertIn(conn.sock.version(), ("TLSv1.2", "TLSv1.3"))
        self.assertIn("Listening at: https://", self.server.output())

    def test_keep_alive_three_requests_one_connection(self):
        conn = self.server.https()
        with contextlib.closing(conn):
            ports = set()
            for _ in range(3):
                status, body = fetch(conn, "GET", "/scheme")
                self.assertEqual(status, 200)
                ports.add(json.loads(body)["remote_port"])
            self.assertEqual(len(ports), 1, "the three requests used one connection")

    def test_upload_1mib(self):
        data = os.urandom(1 << 20)
        conn = self.server.https()
        with contextlib.closing(conn):
            status, body = fetch(conn, "POST", "/upload", data)
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body), {"length": len(data),
                                            "sha256": hashlib.sha256(data).hexdigest()})

    def test_file_wrapper_download_1mib(self):
        conn = self.server.https()
        with contextlib.closing(conn):
            status, body = fetch(conn, "GET", "/file")
            self.assertEqual(status, 200)
            self.assertEqual(body, tls_app.pattern())
            # The connection stays usable after a file body.
            status, body = fetch(conn, "GET", "/stream")
            self.assertEqual(status, 200)
            self.assertEqual(body, tls_app.pattern())

    def test_plain_http_on_tls_port_is_closed_without_response(self):
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as s:
            s.sendall(b"GET /scheme HTTP/1.1\r\nHost: x\r\n\r\n")
            got = b""
            with contextlib.suppress(ConnectionResetError):
                while True:
                    chunk = s.recv(4096)
                    if not chunk:
                        break
                    got += chunk
        self.assertNotIn(b"HTTP/", got)
        self.assertEqual(got, b"")
        deadline = time.monotonic() + 5
        while "TLS handshake with" not in self.server.output() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertIn("http request", self.server.output())

    def test_server_survives_aborted_handshakes(self):
        for _ in range(5):
            with socket.create_connection(("127.0.0.1", self.server.port), timeout=5) as s:
                s.sendall(b"\x16\x03\x01\x00\x05hello")  # a truncated ClientHello, then gone
        conn = self.server.https()
        with contextlib.closing(conn):
            self.assertEqual(fetch(conn, "GET", "/scheme")[0], 200)


class ClientCertTest(TlsServerCase):
    @classmethod
    def server_args(cls, pki):
        return ("--cert-reqs", "2", "--ca-certs", os.path.join(pki, "ca.crt"),
                "--log-level", "debug")

    def test_required_client_cert_missing_fails_handshake(self):
        conn = self.server.https()
        # TLS 1.3 finishes the client's side of the handshake before the server has checked
        # the (missing) certificate: the refusal arrives as an alert on the first read.
        with contextlib.closing(conn), self.assertRaises((ssl.SSLError, ConnectionError,
                                                         http.client.HTTPException)):
            fetch(conn, "GET", "/scheme")

    def test_required_client_cert_from_other_ca_fails(self):
        conn = http.client.HTTPSConnection("127.0.0.1", self.server.port, timeout=10,
                                           context=self.server.client_context())
        ctx = conn._context
        ctx.load_cert_chain(os.path.join(self.pki, "server.crt"),
                            os.path.join(self.pki, "server.key"))  # self-signed, not the CA's
        with contextlib.closing(conn), self.assertRaises((ssl.SSLError, ConnectionError,
                                                         http.client.HTTPException)):
            fetch(conn, "GET", "/scheme")

    def test_required_client_cert_present_succeeds(self):
        conn = self.server.https(cert="client")
        with contextlib.closing(conn):
            status, body = fetch(conn, "GET", "/scheme")
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(body)["url_scheme"], "https")


class OptionalClientCertTest(ClientCertTest):
    """cert_reqs 1: a client without a certificate is served; a sent one must verify."""

    @classmethod
    def server_args(cls, pki):
        return ("--cert-reqs", "1", "--ca-certs", os.path.join(pki, "ca.crt"))

    test_required_client_cert_missing_fails_handshake = None  # not required here

    def test_optional_client_cert_missing_is_served(self):
        conn = self.server.https()
        with contextlib.closing(conn):
            self.assertEqual(fetch(conn, "GET", "/scheme")[0], 200)


class KeysAndReloadTest(PkiCase):
    """The master reads the files: a root-only key works with -u, and HUP re-reads them."""

    def served_cert(self, port):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
            with ctx.wrap_socket(raw) as s:
                return s.getpeercert(binary_form=True)

    def der(self, name):
        with open(os.path.join(self.pki, name)) as f:
            return ssl.PEM_cert_to_DER_cert(f.read())

    def test_hup_rereads_the_certificate(self):
        live = tempfile.mkdtemp(prefix="bastion-tls-live-")
        try:
            for src, dst in (("server.crt", "c.pem"), ("server.key", "k.pem")):
                shutil.copy(os.path.join(self.pki, src), os.path.join(live, dst))
            server = Server(APP, "--certfile", os.path.join(live, "c.pem"),
                            "--keyfile", os.path.join(live, "k.pem"))
            with server:
                self.assertEqual(self.served_cert(server.port), self.der("server.crt"))
                # Swap in the client CA's certificate and key, then reload.
                shutil.copy(os.path.join(self.pki, "ca.crt"), os.path.join(live, "c.pem"))
                shutil.copy(os.path.join(self.pki, "ca.key"), os.path.join(live, "k.pem"))
                server.send_signal(signal.SIGHUP)
                deadline = time.monotonic() + 15
                got = None
                while time.monotonic() < deadline:
                    got = self.served_cert(server.port)
                    if got == self.der("ca.crt"):
                        break
                    time.sleep(0.1)
                self.assertEqual(got, self.der("ca.crt"), server.output())
        finally:
            shutil.rmtree(live, ignore_errors=True)

    @unittest.skipUnless(os.geteuid() == 0, "needs root to drop privileges")
    def test_root_only_key_with_user_switch(self):
        key = os.path.join(self.pki, "root-only.key")
        shutil.copy(os.path.join(self.pki, "server.key"), key)
        os.chmod(key, 0o600)
        server = TlsServer(self.pki, "-u", "nobody", "-g", "nogroup", key="root-only.key",
                           wait=False).start()
        try:
            # Either the worker serves, or it stops at Python's start (the server exits).
            served = False
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and server.proc.poll() is None and not served:
                conn = server.https(timeout=5)
                try:
                    served = fetch(conn, "GET", "/scheme")[0] == 200
                except (OSError, http.client.HTTPException):
                    time.sleep(0.1)
                finally:
                    conn.close()
            if not served:
                server.proc.wait(30)
                # The Python installation is private to root here (as in test_20's
                # test_user_nobody): the worker, now nobody, built its TLS context from the
                # master's bytes and only then failed to start Python.
                self.assertIn("cannot initialise Python", server.output())
            self.assertNotIn("BST-E0112", server.output())
            self.assertNotIn("cannot read", server.output())
        finally:
            server.stop()
            os.unlink(server.log.name)


class ThreadsTest(TlsServerCase):
    """--threads 4: many TLS clients at once, each with uploads and file downloads."""

    @classmethod
    def server_args(cls, pki):
        return ("--threads", "4")

    def test_threads_concurrent_clients(self):
        data = os.urandom(300000)
        digest = hashlib.sha256(data).hexdigest()

        def client(_):
            conn = self.server.https()
            with contextlib.closing(conn):
                out = [fetch(conn, "GET", "/scheme"), fetch(conn, "POST", "/upload", data),
                       fetch(conn, "GET", "/file")]
            return out

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            results = list(pool.map(client, range(16)))
        for scheme, upload, file in results:
            self.assertEqual(scheme[0], 200)
            self.assertEqual(json.loads(scheme[1])["url_scheme"], "https")
            self.assertEqual(json.loads(upload[1])["sha256"], digest)
            self.assertEqual(file[1], tls_app.pattern())


class ProxyProtocolTest(TlsServerCase):
    WAIT = False

    @classmethod
    def server_args(cls, pki):
        return ("--proxy-protocol", "v1")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The readiness probe would be refused (no PROXY header): wait for the log instead.
        deadline = time.monotonic() + 15
        while "Booting worker" not in cls.server.output() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)

    def request(self, header, split=False):
        raw = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        if split:  # the header in two segments: the server must wait for the rest
            raw.sendall(header[:10])
            time.sleep(0.1)
            raw.sendall(header[10:])
        else:
            raw.sendall(header)
        tls = self.server.client_context().wrap_socket(raw, server_hostname="localhost")
        with contextlib.closing(tls):
            tls.sendall(b"GET /scheme HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            got = recv_all(tls, 10.0)
        head, _, body = got.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"HTTP/1.1 200"), head)
        return json.loads(body)

    def test_proxy_header_then_handshake(self):
        env = self.request(b"PROXY TCP4 203.0.113.7 127.0.0.1 4242 443\r\n")
        self.assertEqual(env["remote_addr"], "203.0.113.7")
        self.assertEqual(env["url_scheme"], "https")

    def test_proxy_header_in_pieces(self):
        env = self.request(b"PROXY TCP4 198.51.100.9 127.0.0.1 4243 443\r\n", split=True)
        self.assertEqual(env["remote_addr"], "198.51.100.9")


class StartupErrorTest(PkiCase):
    def run_bastion(self, *args):
        port = socket.socket()
        port.bind(("127.0.0.1", 0))
        bind = "127.0.0.1:%d" % port.getsockname()[1]
        port.close()
        proc = subprocess.run([BIN, "-b", bind, *args, APP], cwd=APPS, capture_output=True,
                              text=True, timeout=30)
        return proc.returncode, proc.stdout + proc.stderr

    def path(self, name):
        return os.path.join(self.pki, name)

    def test_missing_keyfile_exits_2_naming_the_file(self):
        missing = self.path("nope.key")
        code, out = self.run_bastion("--certfile", self.path("server.crt"), "--keyfile", missing)
        self.assertEqual(code, 2, out)
        self.assertIn(missing, out)
        self.assertIn("No such file", out)

    def test_keyfile_without_certfile_is_usage_error(self):
        code, out = self.run_bastion("--keyfile", self.path("server.key"))
        self.assertEqual(code, 2, out)
        self.assertIn("certfile", out)

    def test_key_not_matching_certificate(self):
        code, out = self.run_bastion("--certfile", self.path("server.crt"),
                                     "--keyfile", self.path("other.key"))
        self.assertNotEqual(code, 0, out)
        self.assertIn("does not match the certificate", out)
        self.assertIn("other.key", out)

    def test_invalid_certificate_pem(self):
        code, out = self.run_bastion("--certfile", self.path("garbage.pem"),
                                     "--keyfile", self.path("server.key"))
        self.assertNotEqual(code, 0, out)
        self.assertIn("garbage.pem", out)
        self.assertIn("no certificate", out)

    def test_invalid_cipher_list(self):
        code, out = self.run_bastion("--certfile", self.path("server.crt"),
                                     "--keyfile", self.path("server.key"),
                                     "--ciphers", "NO-SUCH-CIPHER")
        self.assertNotEqual(code, 0, out)
        self.assertIn("NO-SUCH-CIPHER", out)


if __name__ == "__main__":
    unittest.main()
