"""Black-box test support: start the real bastion binary on loopback and talk to it.

Every server is started by PID and stopped by PID; every wait is bounded.
BASTION_BIN (set by ctest) names the binary; fixture apps live in tests/apps/.
"""
import contextlib
import os
import signal
import socket
import subprocess
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
APPS = os.path.join(TESTS, "apps")
SOURCE = os.path.dirname(TESTS)
BIN = os.environ.get("BASTION_BIN") or os.path.join(SOURCE, "build", "bastion")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A running bastion master. Use as a context manager or call start()/stop()."""

    def __init__(self, app, *args, workers=1, cwd=APPS, env=None, bind=None, wait=True,
                 timeout=15.0):
        self.port = free_port()
        self.bind = bind or "127.0.0.1:%d" % self.port
        self.args = [BIN, "-w", str(workers), "-b", self.bind, *args, app]
        self.cwd = cwd
        self.env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", **(env or {}))
        self.log = tempfile.NamedTemporaryFile(prefix="bastion-test-", suffix=".log", delete=False)
        self.proc = None
        self.wait = wait
        self.timeout = timeout

    def start(self):
        self.proc = subprocess.Popen(self.args, cwd=self.cwd, env=self.env, stdout=self.log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        if self.wait:
            self.wait_ready()
        return self

    def wait_ready(self):
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("bastion exited with %s during start:\n%s"
                                     % (self.proc.returncode, self.output()))
            if "Booting worker" in self.output() and self._accepts():
                # The first worker reported ready before the master spawned the rest.
                return
            time.sleep(0.05)
        raise AssertionError("bastion did not start in %.0fs:\n%s" % (self.timeout, self.output()))

    def _accepts(self):
        if self.bind.startswith("unix:"):
            return os.path.exists(self.bind[5:])
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def output(self):
        with open(self.log.name, "r", encoding="utf-8", errors="replace") as f:
            return f.read()

    def send_signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, timeout=20.0):
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
            raise AssertionError("bastion did not stop within %.0fs:\n%s" % (timeout, self.output()))

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        os.unlink(self.log.name)

    # --- clients ---------------------------------------------------------------------

    def connect(self, timeout=5.0):
        if self.bind.startswith("unix:"):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(timeout)
            s.connect(self.bind[5:])
            return s
        return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)

    def raw(self, data, timeout=5.0, shutdown=True):
        """Sends raw bytes, half-closes, and returns everything until the server closes."""
        with contextlib.closing(self.connect(timeout)) as s:
            s.sendall(data)
            if shutdown:
                s.shutdown(socket.SHUT_WR)
            return recv_all(s, timeout)

    def get(self, path="/", headers=None, timeout=5.0):
        """One HTTP/1.1 request with Connection: close; returns a Response."""
        lines = ["GET %s HTTP/1.1" % path, "Host: 127.0.0.1", "Connection: close"]
        for k, v in (headers or {}).items():
            lines.append("%s: %s" % (k, v))
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        responses = parse_responses(self.raw(data, timeout))
        if len(responses) != 1:
            raise AssertionError("expected one response, got %d" % len(responses))
        return responses[0]


def recv_all(sock, timeout=5.0):
    sock.settimeout(timeout)
    chunks = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            data = sock.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks)


class Response:
    def __init__(self, status, reason, headers, body, version):
        self.status = status
        self.reason = reason
        self.headers = headers  # list of (name, value)
        self.body = body
        self.version = version

    def header(self, name, default=None):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return default

    def header_all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def __repr__(self):
        return "<Response %d %r %r>" % (self.status, self.headers, self.body[:80])


def parse_responses(data, head_request=False):
    """Parses a byte stream of HTTP/1.x responses (Content-Length, chunked or close framing)."""
    out = []
    while data:
        end = data.find(b"\r\n\r\n")
        if end < 0:
            raise AssertionError("truncated response head: %r" % data[:200])
        head = data[:end].decode("latin-1").split("\r\n")
        data = data[end + 4:]
        version, _, rest = head[0].partition(" ")
        code, _, reason = rest.partition(" ")
        headers = []
        for line in head[1:]:
            k, _, v = line.partition(":")
            headers.append((k, v.strip()))
        resp = Response(int(code), reason, headers, b"", version)
        if resp.status < 200 or resp.status in (204, 304) or head_request:
            out.append(resp)
            continue
        te = resp.header("Transfer-Encoding")
        cl = resp.header("Content-Length")
        if te and "chunked" in te.lower():
            body = b""
            while True:
                line_end = data.find(b"\r\n")
                size = int(data[:line_end].split(b";")[0], 16)
                data = data[line_end + 2:]
                if size == 0:
                    trailer_end = data.find(b"\r\n")
                    data = data[trailer_end + 2:]
                    break
                body += data[:size]
                data = data[size + 2:]
            resp.body = body
        elif cl is not None:
            n = int(cl)
            resp.body = data[:n]
            data = data[n:]
        else:
            resp.body = data
            data = b""
        out.append(resp)
    return out


class ServerTestCase(unittest.TestCase):
    """Starts one server for the whole class: set APP, ARGS and WORKERS. EXTRA holds more
    server arguments for subclasses that rerun a suite in another mode (--threads)."""

    APP = "wsgi_basic:app"
    ARGS = ()
    EXTRA = ()
    WORKERS = 1

    @classmethod
    def setUpClass(cls):
        cls.server = Server(cls.APP, *cls.EXTRA, *cls.ARGS, workers=cls.WORKERS).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        os.unlink(cls.server.log.name)
