"""The pure-Python cost of the benchmark apps: each app called in a loop, no server at all.

    ceiling.py [APP ...] [--seconds S]      (default apps: raw flask_hello flask_json)

The same timing also runs inside a served worker: apps.py's `<app>_c` entry points answer
`GET /__bench_ceiling?seconds=S` with measure(app, S) on the unwrapped app of that process
(see bench/README.md). This module therefore imports nothing at load time but the standard
library (it must not re-import apps.py when a worker loads it).

The environ is built once (what a server would pass for wrk's `GET /`), start_response is a
no-op, the body is iterated and closed. Prints one line "CEILING_JSON {app: us_per_call}"
(thread CPU time, so that other load on the
machine does not inflate it): 1e6/us_per_call is the req/s one core could reach if the server
cost nothing (the "Flask ceiling" for flask_hello). The value is the median of 7 timed
repeats: the host's speed drifts by +-20% over seconds, and the median matches a server's
sustained average better than the best repeat would.
"""
import io
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def environ():
    return {
        "REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": "/", "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "REMOTE_PORT": "40000", "HTTP_HOST": "127.0.0.1:8000",
        "wsgi.version": (1, 0), "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr, "wsgi.multithread": False, "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def _start_response(status, headers, exc_info=None):
    return None


def per_call_us(app, seconds):
    """Median µs of thread CPU time per call of `app` over 7 repeats (~seconds in all)."""
    return measure(app, seconds)["us_per_call"]


def measure(app, seconds):
    """{us_per_call: median, repeats_us: [7 values], calls_per_repeat}: see per_call_us."""
    env = environ()

    def loop(n):
        t0 = time.thread_time()
        for _ in range(n):
            body = app(env, _start_response)
            for _chunk in body:
                pass
            close = getattr(body, "close", None)
            if close is not None:
                close()
        return time.thread_time() - t0

    n = 100
    while loop(n) < seconds / 14:  # calibrate: one repeat takes ~seconds/7
        n *= 2
    n *= 2
    repeats = [loop(n) / n * 1e6 for _ in range(7)]
    return {"us_per_call": statistics.median(repeats),
            "repeats_us": [round(r, 3) for r in repeats], "calls_per_repeat": n}


def main():
    args = sys.argv[1:]
    seconds = 1.0
    if "--seconds" in args:
        i = args.index("--seconds")
        seconds = float(args[i + 1])
        del args[i:i + 2]
    names = args or ["raw", "flask_hello", "flask_json"]
    sys.path.insert(0, HERE)
    import apps
    out = {name: round(per_call_us(getattr(apps, name), seconds), 3) for name in names}
    print("CEILING_JSON " + json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
