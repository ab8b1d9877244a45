"""Raw PEP 3333 fixture application: one route per behaviour the tests need."""
import json
import os
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


def app(environ, start_response):
    path = environ["PATH_INFO"]
    method = environ["REQUEST_METHOD"]
    if path == "/":
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "13")])
        return [b"Hello, World!"]
    if path == "/echo":
        body = environ["wsgi.input"].read()
        start_response("200 OK", [("Content-Type", "application/octet-stream"),
                                  ("Content-Length", str(len(body)))])
        return [body]
    if path == "/echo-lines":
        lines = list(environ["wsgi.input"])
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps([l.decode("latin-1") for l in lines]).encode()]
    if path == "/environ":
        data = {k: v for k, v in environ.items() if isinstance(v, (str, bool, int, tuple))}
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(data, sort_keys=True).encode()]
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
    if path == "/pid":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [str(os.getpid()).encode()]
    start_response("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "9")])
    return [b"not found"]
