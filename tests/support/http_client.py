"""Raw HTTP/1.x client pieces for the black-box tests: one response at a time off a live
socket (keep-alive, pipelining, 100-continue), closed-connection checks, the .http corpus
decoding, and flag probing. Every read is bounded by a deadline.
"""
import json
import os
import socket
import subprocess
import time

from bastion_test import BIN, SOURCE, Response

CORPUS = os.path.join(SOURCE, "tests", "corpus", "http")


class Closed(Exception):
    """The server closed the connection before a complete response arrived."""


class Conn:
    """A client connection that reads responses one by one."""

    def __init__(self, server, timeout=5.0, sock=None):
        self.sock = sock or server.connect(timeout)
        self.timeout = timeout
        self.buf = bytearray()
        self.eof = False

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self, deadline):
        """Reads more bytes; False on EOF/reset. Raises socket.timeout past the deadline."""
        if self.eof:
            return False
        left = deadline - time.monotonic()
        if left <= 0:
            raise socket.timeout("no data before the deadline")
        self.sock.settimeout(left)
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError:
            data = b""
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def _need(self, n, deadline):
        while len(self.buf) < n:
            if not self._fill(deadline):
                raise Closed("connection closed with %d of %d bytes" % (len(self.buf), n))

    def _line(self, deadline):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line = bytes(self.buf[:i])
                del self.buf[:i + 2]
                return line
            if not self._fill(deadline):
                raise Closed("connection closed inside a line: %r" % self.buf[:200])

    def read_head(self, timeout=None):
        """Reads one response head (any status, including 1xx); returns a Response without body."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            i = self.buf.find(b"\r\n\r\n")
            if i >= 0:
                break
            if not self._fill(deadline):
                raise Closed("connection closed before a response head: %r" % self.buf[:200])
        head = self.buf[:i].decode("latin-1").split("\r\n")
        del self.buf[:i + 4]
        version, _, rest = head[0].partition(" ")
        code, _, reason = rest.partition(" ")
        headers = []
        for line in head[1:]:
            k, _, v = line.partition(":")
            headers.append((k, v.strip()))
        return Response(int(code), reason, headers, b"", version)

    def read_response(self, head_request=False, timeout=None, skip_1xx=True):
        """Reads one complete response (skipping interim 1xx heads unless told not to)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            resp = self.read_head(max(deadline - time.monotonic(), 0.01))
            if not (skip_1xx and 100 <= resp.status < 200 and resp.status != 101):
                break
        if resp.status < 200 or resp.status in (204, 304) or head_request:
            return resp
        te = resp.header("Transfer-Encoding")
        cl = resp.header("Content-Length")
        if te and "chunked" in te.lower():
            body = []
            while True:
                size = int(self._line(deadline).split(b";")[0], 16)
                if size == 0:
                    while self._line(deadline):
                        pass  # trailers
                    break
                self._need(size + 2, deadline)
                body.append(bytes(self.buf[:size]))
                if self.buf[size:size + 2] != b"\r\n":
                    raise AssertionError("bad chunk terminator: %r" % self.buf[size:size + 10])
                del self.buf[:size + 2]
            resp.body = b"".join(body)
        elif cl is not None:
            n = int(cl)
            self._need(n, deadline)
            resp.body = bytes(self.buf[:n])
            del self.buf[:n]
        else:
            while self._fill(deadline):
                pass
            resp.body = bytes(self.buf)
            self.buf = bytearray()
        return resp

    def read_all(self, timeout=None):
        """Everything until the server closes (bounded); returns (bytes, closed)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        try:
            while self._fill(deadline):
                pass
        except socket.timeout:
            data, self.buf = bytes(self.buf), bytearray()
            return data, False
        data, self.buf = bytes(self.buf), bytearray()
        return data, True

    def closed_by_server(self, timeout=None):
        """True when the server closes the connection within `timeout` with nothing more sent."""
        data, closed = self.read_all(timeout)
        if data:
            raise AssertionError("unexpected bytes after the response: %r" % data[:300])
        return closed


def decode_http(text):
    """Gunicorn's corpus convention: drop real newlines, then expand \\r \\n \\t \\0 \\xHH."""
    raw = text.replace(b"\n", b"")
    out = bytearray()
    i = 0
    while i < len(raw):
        c = raw[i]
        if c != 0x5C:  # backslash
            out.append(c)
            i += 1
            continue
        e = raw[i + 1:i + 2]
        if e == b"r":
            out += b"\r"
        elif e == b"n":
            out += b"\n"
        elif e == b"t":
            out += b"\t"
        elif e == b"0":
            out += b"\0"
        elif e == b"x":
            out.append(int(raw[i + 2:i + 4], 16))
            i += 2
        else:
            raise ValueError("stray backslash at %d" % i)
        i += 2
    return bytes(out)


def corpus_cases(kind):
    """[(name, request bytes, expectation dict)] for tests/corpus/http/<kind>, sorted."""
    d = os.path.join(CORPUS, kind)
    if not os.path.isdir(d):
        return []
    cases = []
    for name in sorted(os.listdir(d)):
        if not name.endswith(".http"):
            continue
        expect_path = os.path.join(d, name[:-5] + ".expect.json")
        if not os.path.exists(expect_path):
            continue  # being written by the corpus author
        with open(os.path.join(d, name), "rb") as f:
            data = decode_http(f.read())
        with open(expect_path, encoding="utf-8") as f:
            expect = json.load(f)
        cases.append((name[:-5], data, expect))
    return cases


_flag_cache = {}


def supports_flag(flag, value="1"):
    """True when the binary accepts `flag value` (probed with --version, which exits 0)."""
    key = (flag, value)
    if key not in _flag_cache:
        proc = subprocess.run([BIN, flag, value, "--version"], capture_output=True, timeout=30,
                              stdin=subprocess.DEVNULL)
        _flag_cache[key] = proc.returncode == 0
    return _flag_cache[key]


def wait_for(predicate, timeout=5.0, interval=0.02):
    """Polls `predicate` until true or the deadline; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)
