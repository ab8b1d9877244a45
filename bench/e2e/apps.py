"""Benchmark applications, shared by every server in bench/e2e (one module, same code for all).

Entry points (MODULE:ATTR = apps:<name>):
  raw          PEP 3333 hello world, 13 bytes, Content-Length set
  flask_hello  Flask route returning "Hello, World!"
  flask_json   Flask route returning {"message": "Hello, World!"}
  upload       raw WSGI: reads the whole wsgi.input and echoes it back (Content-Length set)
  download     raw WSGI: a 1 MiB file through wsgi.file_wrapper (Content-Length set)
  stream       raw WSGI: a generator of 64 chunks of 1 KiB, no Content-Length

Imports nothing outside the standard library, and Flask only when a Flask app is looked up;
the download file path comes from $BENCH_DOWNLOAD_FILE (created here if missing).
"""
import os
import tempfile

HELLO = b"Hello, World!"
DOWNLOAD_SIZE = 1 << 20
STREAM_CHUNK = b"x" * 1024
STREAM_COUNT = 64


def raw(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "13")])
    return [HELLO]


def upload(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    start_response("200 OK", [("Content-Type", "application/octet-stream"),
                              ("Content-Length", str(len(body)))])
    return [body]


def _download_path():
    path = os.environ.get("BENCH_DOWNLOAD_FILE") or os.path.join(
        tempfile.gettempdir(), "bastion-bench-download.bin")
    if not os.path.exists(path) or os.path.getsize(path) != DOWNLOAD_SIZE:
        tmp = "%s.%d.tmp" % (path, os.getpid())
        with open(tmp, "wb") as f:
            f.write(bytes(range(256)) * (DOWNLOAD_SIZE // 256))
        os.replace(tmp, path)
    return path


DOWNLOAD_PATH = _download_path()


def download(environ, start_response):
    f = open(DOWNLOAD_PATH, "rb")
    start_response("200 OK", [("Content-Type", "application/octet-stream"),
                              ("Content-Length", str(DOWNLOAD_SIZE))])
    wrapper = environ.get("wsgi.file_wrapper")
    if wrapper is not None:
        return wrapper(f, 65536)
    return _iter_file(f)


def _iter_file(f):
    with f:
        while True:
            block = f.read(65536)
            if not block:
                return
            yield block


def _chunks():
    for _ in range(STREAM_COUNT):
        yield STREAM_CHUNK


def stream(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return _chunks()


def _make_flask_apps():
    from flask import Flask, jsonify

    hello = Flask("bench_hello")

    @hello.route("/")
    def _hello():
        return "Hello, World!"

    as_json = Flask("bench_json")

    @as_json.route("/")
    def _json():
        return jsonify(message="Hello, World!")

    return {"flask_hello": hello, "flask_json": as_json}


def __getattr__(name):
    """Flask is imported only when a Flask app is asked for, so the raw apps' processes stay
    raw WSGI (their RSS is the server's plus bare Python)."""
    if name in ("flask_hello", "flask_json"):
        globals().update(_make_flask_apps())
        return globals()[name]
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
