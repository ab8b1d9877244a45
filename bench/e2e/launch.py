"""Starts a pure-Python peer server on the benchmark's own Python (the one Bastion embeds).

Debian installs Gunicorn and Waitress under /usr/lib/python3/dist-packages; that folder is
appended AFTER this interpreter's site-packages, so Flask and Werkzeug still come from this
interpreter (same Python, same Flask as Bastion).

  launch.py gunicorn GUNICORN_ARGS...          (exec'd in this process: the PID is the master)
  launch.py waitress HOST PORT MODULE:APP THREADS
  launch.py werkzeug HOST PORT MODULE:APP      (run_simple, threaded like Flask's app.run())
"""
import importlib
import os
import sys

DEBIAN_DIST = "/usr/lib/python3/dist-packages"


def _load(uri):
    module, _, attr = uri.partition(":")
    return getattr(importlib.import_module(module), attr or "application")


def main():
    if DEBIAN_DIST not in sys.path:
        sys.path.append(DEBIAN_DIST)
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    kind, args = sys.argv[1], sys.argv[2:]
    if kind == "gunicorn":
        from gunicorn.app.wsgiapp import run
        sys.argv = ["gunicorn"] + args
        run()
    elif kind == "waitress":
        import waitress
        host, port, uri, threads = args
        waitress.serve(_load(uri), host=host, port=int(port), threads=int(threads),
                       _quiet=True)
    elif kind == "werkzeug":
        from werkzeug.serving import run_simple
        host, port, uri = args
        run_simple(host, int(port), _load(uri), threaded=True)
    else:
        sys.exit("launch.py: unknown server %r" % kind)


if __name__ == "__main__":
    main()
