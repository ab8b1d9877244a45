"""Raw PEP 3333 fixture application: one route per behaviour the tests need."""
import gc
import hashlib
import io
import json
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CLOSED = []  # request paths whose iterable was closed, for /closed


class ClosingBody:
    def __init__(self, path, chunks, fail_at=None):
        self.path = path
        self.chunks = chunks
        self.fail_at = fail_at

    def __iter__(self):
        for i, chunk in enumerate(self.chunks):
            if self.fail_at is not None and i == self.fail_at:
                raise RuntimeError("secret-internal-detail /srv/app/private.py")
            yield chunk

    def close(self):
        CLOSED.append(self.path)


def pattern_pieces():
    """The /pattern response body as its pieces (tests compare against the join)."""
    sizes = [100, 70000, 5, 300000, 16384, 16383, 6 << 20, 7, 65536]  # 6 MiB: partial sends
    return [bytes((i * 7 + k) % 251 for k in range(256)) * (n // 256) +
            bytes((i * 7 + k) % 251 for k in range(n % 256)) for i, n in enumerate(sizes)]


def app(environ, start_response):
    path = environ["PATH_INFO"]
    method = environ["REQUEST_METHOD"]
    if path == "/":
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "13")])
        return [b"Hello, World!"]
    if path == "/echo":
        length = environ.get("CONTENT_LENGTH")
        body = environ["wsgi.input"].read(int(length) if length else -1)
        start_response("200 OK", [("Content-Type", "application/octet-stream"),
                                  ("Content-Length", str(len(body)))])
        return [body]
    if path == "/echo-lines":
        lines = list(environ["wsgi.input"])
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps([l.decode("latin-1") for l in lines]).encode()]
    if path == "/environ" or path.startswith("/environ/") or path == "*":
        data = {k: v for k, v in environ.items() if isinstance(v, (str, bool, int, tuple))}
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(data, sort_keys=True).encode()]
    if path == "/environ-types":
        data = {k: type(v).__name__ for k, v in environ.items()}
        data["input_methods"] = [m for m in ("read", "readline", "readlines", "__iter__")
                                 if hasattr(environ["wsgi.input"], m)]
        data["errors_methods"] = [m for m in ("write", "writelines", "flush")
                                  if hasattr(environ["wsgi.errors"], m)]
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(data, sort_keys=True).encode()]
    if path == "/input":
        # QUERY_STRING lists operations on wsgi.input: read, read:N, readline, readline:N,
        # readlines, readlines:N, iter. Each result is reported latin-1 decoded.
        stream = environ["wsgi.input"]
        out = []
        for op in (environ.get("QUERY_STRING") or "read").split(","):
            name, _, arg = op.partition(":")
            args = (int(arg),) if arg else ()
            if name == "iter":
                value = [line.decode("latin-1") for line in stream]
            elif name == "readlines":
                value = [line.decode("latin-1") for line in stream.readlines(*args)]
            else:
                value = getattr(stream, name)(*args).decode("latin-1")
            out.append([op, value])
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(out).encode()]
    if path == "/spooled":
        # Reports the unlinked files this worker holds open while the request runs (the spooled
        # body) and a digest of the body read back three ways.
        deleted = []
        for fd in os.listdir("/proc/self/fd"):
            try:
                target = os.readlink("/proc/self/fd/" + fd)
            except OSError:
                continue
            if target.endswith("(deleted)"):
                deleted.append(target)
        stream = environ["wsgi.input"]
        first = stream.read(1000)
        line = stream.readline()
        rest = b"".join(stream)
        body = first + line + rest
        data = {"deleted": deleted, "size": len(body),
                "sha256": hashlib.sha256(body).hexdigest(),
                "content_length": environ.get("CONTENT_LENGTH")}
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(data).encode()]
    if path == "/errors":
        errors = environ["wsgi.errors"]
        errors.write("errors-marker-one\n")
        errors.writelines(["errors-marker-two\n"])
        errors.flush()
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"logged"]
    if path == "/stream":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return (b"chunk %d\n" % i for i in range(5))
    if path == "/write":
        write = start_response("200 OK", [("Content-Type", "text/plain")])
        write(b"written ")
        return [b"and returned"]
    if path == "/raise":
        raise RuntimeError("secret-internal-detail /srv/app/private.py")
    if path == "/raise-late":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return ClosingBody(path, [b"first", b"second"], fail_at=1)
    if path == "/bad-header":
        start_response("200 OK", [("X-Bad", "a\r\nInjected: yes")])
        return [b"no"]
    if path == "/bad-status":
        start_response("200OK", [])
        return [b"no"]
    if path == "/no-start":
        return [b"body without start_response"]
    if path == "/closing":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return ClosingBody(path, [b"a", b"b"])
    if path == "/closed":
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(CLOSED).encode()]
    if path == "/file":
        size = int(environ.get("QUERY_STRING") or 100000)
        f = tempfile.TemporaryFile()
        f.write(bytes(range(256)) * (size // 256) + b"x" * (size % 256))
        f.seek(0)
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return environ["wsgi.file_wrapper"](f, 8192)
    if path == "/slow":
        time.sleep(float(environ.get("QUERY_STRING") or 1))
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"slow done"]
    if path == "/status":
        code = environ.get("QUERY_STRING") or "204"
        start_response("%s Custom" % code, [])
        return [b"" if code in ("204", "304") else b"body"]
    if path == "/hop":
        start_response("200 OK", [("Connection", "close"), ("Transfer-Encoding", "chunked"),
                                  ("Content-Length", "2")])
        return [b"ok"]
    if path == "/big":
        size = int(environ.get("QUERY_STRING") or 1 << 20)
        block = b"b" * 65536
        start_response("200 OK", [("Content-Type", "application/octet-stream"),
                                  ("Content-Length", str(size))])
        return (block[:min(65536, size - off)] for off in range(0, size, 65536))
    if path == "/pattern":
        # Pieces of mixed sizes (small ones buffered, large ones written straight from the
        # app's bytes) with distinct contents, so reordering or loss shows; ?chunked drops
        # the Content-Length.
        pieces = pattern_pieces()
        headers = [("Content-Type", "application/octet-stream")]
        if environ.get("QUERY_STRING") != "chunked":
            headers.append(("Content-Length", str(sum(len(p) for p in pieces))))
        start_response("200 OK", headers)
        return iter(pieces)
    if path == "/cl-short":
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "10")])
        return [b"short"]
    if path == "/cl-long":
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "5")])
        return [b"0123456789"]
    if path.startswith("/p/"):
        text = (environ["REQUEST_METHOD"] + " " + path + "?" + environ["QUERY_STRING"]).encode()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(text)))])
        return [text]
    if path == "/exc-info-before-head":
        start_response("200 OK", [("Content-Type", "text/plain")])
        try:
            raise ValueError("failed after start_response, before any body")
        except ValueError:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")],
                           sys.exc_info())
        return [b"replaced"]
    if path == "/exc-info-after-head":
        def body():
            yield b"first"
            try:
                raise ValueError("failed after the head was sent")
            except ValueError:
                # PEP 3333: the server must re-raise: the head is already out.
                start_response("500 Internal Server Error", [("Content-Type", "text/plain")],
                               sys.exc_info())
            yield b"never"
        start_response("200 OK", [("Content-Type", "text/plain")])
        return ClosingBody(path, body())
    if path == "/start-twice":
        start_response("200 OK", [("Content-Type", "text/plain")])
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"no"]
    if path == "/write-only":
        write = start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "11")])
        write(b"hello ")
        write(b"world")
        return []
    if path == "/bad-header-name":
        start_response("200 OK", [("X Bad", "v")])
        return [b"no"]
    if path == "/bad-header-nul":
        start_response("200 OK", [("X-Bad", "a\x00b")])
        return [b"no"]
    if path == "/bad-header-unicode":
        start_response("200 OK", [("X-Bad", "\u20ac")])
        return [b"no"]
    if path == "/bad-header-lf":
        start_response("200 OK", [("X-Bad", "a\nSet-Cookie: injected=1")])
        return [b"no"]
    if path == "/str-body":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return ["text, not bytes"]
    if path == "/raise-first":
        def body():
            raise RuntimeError("secret-internal-detail /srv/app/private.py")
            yield b"never"  # noqa
        start_response("200 OK", [("Content-Type", "text/plain")])
        return ClosingBody(path, body())
    if path == "/big-closing":
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return ClosingBody(path, [b"z" * 65536] * 2048)
    if path == "/file-offset":
        f = tempfile.TemporaryFile()
        f.write(b"0123456789" * 100)
        f.seek(500)
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return environ["wsgi.file_wrapper"](f, 100)
    if path == "/file-bytesio":
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return environ["wsgi.file_wrapper"](io.BytesIO(b"in-memory " * 1000), 333)
    if path == "/file-with-length":
        f = tempfile.TemporaryFile()
        f.write(b"abcdefghij" * 10)
        f.seek(0)
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "25")])
        return environ["wsgi.file_wrapper"](f)
    if path == "/lazy-start":
        def body():
            # PEP 3333 allows start_response to be called on the first iteration.
            start_response("200 OK", [("Content-Type", "text/plain")])
            yield b""
            yield b"lazy"
        return body()
    if path == "/empty-generator":
        def body():
            start_response("200 OK", [("Content-Type", "text/plain")])
            return
            yield  # noqa
        return body()
    if path == "/blocks":
        # Memory blocks Python has allocated now (leak checks; unaffected by sanitizers).
        gc.collect()
        text = str(sys.getallocatedblocks()).encode()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(text)))])
        return [text]
    if path == "/pid":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [str(os.getpid()).encode()]
    start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "9")])
    return [b"not found"]
