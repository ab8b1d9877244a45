"""Benchmark applications, shared by every server in bench/e2e (one module, same code for all).

Entry points (MODULE:ATTR = apps:<name>):
  raw          PEP 3333 hello world, 13 bytes, Content-Length set
  flask_hello  Flask route returning "Hello, World!"
  flask_json   Flask route returning {"message": "Hello, World!"}
  upload       raw WSGI: reads the whole wsgi.input and echoes it back (Content-Length set)
  download     raw WSGI: a 1 MiB file through wsgi.file_wrapper (Content-Length set)
  stream       raw WSGI: a generator of 64 chunks of 1 KiB, no Content-Length

  <app>_c      the same app, plus one reserved path: `GET /__bench_ceiling?seconds=S` times
               the plain app called in a loop inside this very process (ceiling.py's
               measure(): wrk's `GET /` environ, no-op start_response, thread CPU time, median
               of 7 repeats) and answers JSON {"us_per_call": ...}. flask_hello_c and
               flask_json_c answer it from their 404 handler: `GET /` runs the very same code
               as the plain app. raw_c costs one dict lookup and one string compare more than
               raw (see wrapper_cost.py); upload_c, download_c and stream_c wrap the app in
               one more Python call.

Imports nothing outside the standard library, and Flask only when a Flask app is looked up;
the download file path comes from $BENCH_DOWNLOAD_FILE (created here if missing).
"""
import json
import os
import sys
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


CEILING_PATH = "/__bench_ceiling"
CEILING_APPS = ("raw", "flask_hello", "flask_json")  # run.py queries these in the worker
_CEILING_MAX_S = 10.0  # well under every server's default worker timeout (30 s)


def raw_c(environ, start_response):
    """raw plus CEILING_PATH: the same frame, one dict lookup and one compare more."""
    if environ["PATH_INFO"] == CEILING_PATH:
        return _ceiling_response("raw", raw, environ, start_response)
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "13")])
    return [HELLO]


def _with_ceiling(name, app):
    """Any other app plus CEILING_PATH: costs one extra Python call per request."""
    def served(environ, start_response):
        if environ["PATH_INFO"] != CEILING_PATH:
            return app(environ, start_response)
        return _ceiling_response(name, app, environ, start_response)
    served.__name__ = served.__qualname__ = name + "_c"
    return served


def _add_ceiling_404(app, name):
    """flask_*_c: the reserved path is answered by the app's own 404 handler, which Flask
    consults only when a request matched no route, so `GET /` runs exactly as in the plain
    app (the same code, no wrapper, no compare)."""
    from flask import request

    def on_404(error):
        if request.path != CEILING_PATH:
            return error.get_response(request.environ)
        return app.response_class(_ceiling_json(name, app, request.environ),
                                  mimetype="application/json")

    app.register_error_handler(404, on_404)
    return app


def _make_flask_apps(suffix=""):
    """{"flask_hello" + suffix: app, "flask_json" + suffix: app}; suffix "_c" adds the
    ceiling path (separate instances from the plain ones, the same routes)."""
    from flask import Flask, jsonify

    hello = Flask("bench_hello")

    @hello.route("/")
    def _hello():
        return "Hello, World!"

    as_json = Flask("bench_json")

    @as_json.route("/")
    def _json():
        return jsonify(message="Hello, World!")

    if suffix:
        _add_ceiling_404(hello, "flask_hello")
        _add_ceiling_404(as_json, "flask_json")
    return {"flask_hello" + suffix: hello, "flask_json" + suffix: as_json}


def _ceiling_response(name, app, environ, start_response):
    body = _ceiling_json(name, app, environ)
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(body)))])
    return [body]


def _ceiling_json(name, app, environ):
    """Times `app` in a loop (ceiling.measure) in this process and thread; the JSON bytes.

    The loop runs in an empty contextvars.Context, so that a Flask app called from inside its
    own 404 handler pushes and pops its contexts exactly as for an outside request.
    """
    import contextvars
    from urllib.parse import parse_qs
    here = os.path.dirname(os.path.abspath(__file__))
    if here not in sys.path:
        sys.path.append(here)
    import ceiling  # the same timing code as the separate ceiling.py process
    try:
        seconds = float(parse_qs(environ.get("QUERY_STRING", "")).get("seconds", ["1"])[0])
    except ValueError:
        seconds = 1.0
    seconds = min(max(seconds, 0.05), _CEILING_MAX_S)
    out = contextvars.Context().run(ceiling.measure, app, seconds)
    out.update({"app": name, "seconds": seconds, "pid": os.getpid(),
                "python": "%d.%d.%d" % sys.version_info[:3], "flask": _flask_version()})
    return json.dumps(out).encode()


def _flask_version():
    if "flask" not in sys.modules:
        return None
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("flask")
    except PackageNotFoundError:
        return "?"


upload_c = _with_ceiling("upload", upload)
download_c = _with_ceiling("download", download)
stream_c = _with_ceiling("stream", stream)


def __getattr__(name):
    """Flask is imported only when a Flask app is asked for, so the raw apps' processes stay
    raw WSGI (their RSS is the server's plus bare Python)."""
    if name in ("flask_hello", "flask_json", "flask_hello_c", "flask_json_c"):
        globals().update(_make_flask_apps("_c" if name.endswith("_c") else ""))
        return globals()[name]
    raise AttributeError("module %r has no attribute %r" % (__name__, name))
