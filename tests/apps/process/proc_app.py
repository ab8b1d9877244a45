"""Fixture application for the process-management tests (tests/integration/test_20_process_*).

Routes:
  /            "ok <pid>" (which worker answered)
  /slow?s=N    sleeps N seconds (default 2), then answers
  /hang        never returns: blocks inside hang_here_forever() (for --timeout tests)
  /segv        crashes the worker with a segmentation fault (a broken C extension)
  /kill        the worker SIGKILLs itself (what the OOM killer does)
  /ids         "uid gid groups" of the worker
  /env?k=NAME  the value of environment variable NAME
  /umask       the worker's umask, octal
"""
import ctypes
import os
import resource
import signal
import time
from urllib.parse import parse_qs

# /segv and /hang kill this worker on purpose: no core dumps in the source tree.
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def hang_here_forever():
    while True:
        time.sleep(0.05)


def _text(start_response, body, status="200 OK"):
    data = body.encode()
    start_response(status, [("Content-Type", "text/plain"), ("Content-Length", str(len(data)))])
    return [data]


def app(environ, start_response):
    path = environ["PATH_INFO"]
    query = parse_qs(environ.get("QUERY_STRING", ""))
    if path == "/":
        return _text(start_response, "ok %d" % os.getpid())
    if path == "/slow":
        time.sleep(float(query.get("s", ["2"])[0]))
        return _text(start_response, "slow done %d" % os.getpid())
    if path == "/hang":
        hang_here_forever()
    if path == "/segv":
        ctypes.string_at(0)
    if path == "/kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if path == "/ids":
        return _text(start_response, "%d %d %s" % (os.getuid(), os.getgid(),
                                                   ",".join(map(str, os.getgroups()))))
    if path == "/env":
        return _text(start_response, os.environ.get(query.get("k", [""])[0], "<unset>"))
    if path == "/umask":
        old = os.umask(0)
        os.umask(old)
        return _text(start_response, "%03o" % old)
    return _text(start_response, "not found", "404 Not Found")
