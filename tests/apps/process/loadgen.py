"""A small, bounded HTTP load generator for the process tests (no external tools).

Each thread keeps one connection (keep-alive by default), sends GET requests back to back,
and reconnects when the server says Connection: close. A request counts as failed when the
connection breaks before a complete response, or the status is not 200. Connection refusals
(ECONNREFUSED: nobody listens any more) are counted apart: they never reached the server.
"""
import http.client
import socket
import threading
import time


class Load:
    def __init__(self, port, path="/", threads=8, keepalive=True, host="127.0.0.1", timeout=10.0):
        self.port = port
        self.path = path
        self.threads = threads
        self.keepalive = keepalive
        self.host = host
        self.timeout = timeout
        self.ok = 0
        self.failed = 0
        self.refused = 0
        self.errors = []       # (time, repr(exception or status))
        self.bodies = set()    # distinct response bodies (e.g. "ok <pid>")
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._workers = []

    def start(self):
        for _ in range(self.threads):
            t = threading.Thread(target=self._run, daemon=True)
            t.start()
            self._workers.append(t)
        return self

    def stop(self):
        self._stop.set()
        for t in self._workers:
            t.join(self.timeout + 5)
        return self

    def run_for(self, seconds):
        self.start()
        time.sleep(seconds)
        return self.stop()

    def _count(self, ok, what=None, body=None):
        with self._lock:
            if ok:
                self.ok += 1
                if body is not None and len(self.bodies) < 1000:
                    self.bodies.add(body)
            else:
                self.failed += 1
                if len(self.errors) < 50:
                    self.errors.append((time.monotonic(), what))

    def _run(self):
        conn = None
        headers = {} if self.keepalive else {"Connection": "close"}
        while not self._stop.is_set():
            if conn is None:
                conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
                try:
                    conn.connect()
                except ConnectionRefusedError:
                    with self._lock:
                        self.refused += 1
                    conn = None
                    time.sleep(0.01)
                    continue
                except OSError as e:
                    self._count(False, "connect: %r" % e)
                    conn = None
                    time.sleep(0.01)
                    continue
            try:
                conn.request("GET", self.path, headers=headers)
                resp = conn.getresponse()
                body = resp.read()
                if resp.status == 200:
                    self._count(True, body=body.decode("latin-1"))
                else:
                    self._count(False, "status %d" % resp.status)
                if resp.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as e:
                self._count(False, repr(e))
                conn.close()
                conn = None
        if conn is not None:
            conn.close()

    def summary(self):
        return "ok=%d failed=%d refused=%d errors=%r" % (self.ok, self.failed, self.refused,
                                                         self.errors[:5])


def wait_port(port, timeout=15.0, host="127.0.0.1"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False
