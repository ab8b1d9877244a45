"""Fixture for the TLS tests (test_45_tls.py): reports what the application sees of the
connection, digests uploads and serves a deterministic file through wsgi.file_wrapper.

  /scheme   JSON: wsgi.url_scheme, REMOTE_ADDR, REMOTE_PORT, HTTPS-related keys
  /upload   JSON: length and sha256 of the request body
  /file     FILE_SIZE bytes of pattern(), via wsgi.file_wrapper (sendfile on plain HTTP)
  /stream   the same bytes as a generator without Content-Length (chunked)
"""
import hashlib
import json
import os
import tempfile

FILE_SIZE = 1 << 20


def pattern(n=FILE_SIZE):
    block = bytes(range(256)) * 16 + b"bastion-tls-test"  # 4112 bytes: not a power of two
    return (block * (n // len(block) + 1))[:n]


# An unlinked temporary file (nothing left behind however the worker exits); each request
# re-opens it through /proc for a file object with its own offset.
_FILE = tempfile.TemporaryFile(prefix="bastion-tls-app-")
_FILE.write(pattern())
_FILE.flush()
_PATH = "/proc/self/fd/%d" % _FILE.fileno()


def _json(start_response, obj):
    data = json.dumps(obj, sort_keys=True).encode()
    start_response("200 OK", [("Content-Type", "application/json"),
                              ("Content-Length", str(len(data)))])
    return [data]


def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/upload":
        body = environ["wsgi.input"].read()
        return _json(start_response, {"length": len(body),
                                      "sha256": hashlib.sha256(body).hexdigest()})
    if path == "/file":
        start_response("200 OK", [("Content-Type", "application/octet-stream"),
                                  ("Content-Length", str(FILE_SIZE))])
        return environ["wsgi.file_wrapper"](open(_PATH, "rb"), 65536)
    if path == "/stream":
        data = pattern()
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return (data[i:i + 50000] for i in range(0, len(data), 50000))
    return _json(start_response, {
        "url_scheme": environ["wsgi.url_scheme"],
        "remote_addr": environ.get("REMOTE_ADDR"),
        "remote_port": environ.get("REMOTE_PORT"),
        "server_port": environ.get("SERVER_PORT"),
        "https": environ.get("HTTPS"),
    })
