"""Slow-client load for bench/e2e/run.py: N connections that trickle header bytes forever.

    slow_clients.py PORT COUNT MAX_SECONDS [INTERVAL]

Opens COUNT non-blocking connections to 127.0.0.1:PORT, sends a request line and then one
header byte per connection every INTERVAL seconds (default 1), never finishing the head.
A connection the server closes is counted and reopened, so the pressure stays constant.
Prints "READY <open>" once every connection is open (or after 10 s), runs until SIGTERM or
MAX_SECONDS, then prints one line "SLOW_JSON {...}" and exits. Single thread, bounded in time.
"""
import errno
import json
import selectors
import signal
import socket
import sys
import time

HEAD = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
TRICKLE = b"X-Slow-Client: " + b"a" * 4000  # at 1 byte/s this never ends within a run


class Conn:
    __slots__ = ("sock", "sent", "next_at", "connected")

    def __init__(self, sock, next_at):
        self.sock = sock
        self.sent = 0
        self.next_at = next_at
        self.connected = False


def main():
    port, count, max_seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    interval = float(sys.argv[4]) if len(sys.argv) > 4 else 1.0
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    sel = selectors.DefaultSelector()
    stats = {"opened": 0, "closed_by_server": 0, "connect_failed": 0, "bytes_sent": 0}
    start = time.monotonic()
    deadline = start + max_seconds

    def open_one(now):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        err = s.connect_ex(("127.0.0.1", port))
        if err not in (0, errno.EINPROGRESS):
            s.close()
            stats["connect_failed"] += 1
            return
        c = Conn(s, now + interval * (stats["opened"] % 1000) / 1000.0)
        stats["opened"] += 1
        sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE, c)

    def drop(c):
        sel.unregister(c.sock)
        c.sock.close()

    ready_printed = False
    while not stop and time.monotonic() < deadline:
        now = time.monotonic()
        live = len(sel.get_map())
        for _ in range(min(count - live, 100)):  # ramp: at most 100 new per tick
            open_one(now)
        for key, events in sel.select(timeout=0.05):
            c = key.data
            if events & selectors.EVENT_WRITE and not c.connected:
                if c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) != 0:
                    stats["connect_failed"] += 1
                    drop(c)
                    continue
                c.connected = True
                sel.modify(c.sock, selectors.EVENT_READ, c)
                try:
                    c.sock.send(HEAD)
                    stats["bytes_sent"] += len(HEAD)
                except OSError:
                    pass
            elif events & selectors.EVENT_READ:
                try:
                    data = c.sock.recv(4096)
                except OSError:
                    data = b""
                if not data:  # closed (a response to a half-sent head also ends with close)
                    stats["closed_by_server"] += 1
                    drop(c)
        now = time.monotonic()
        for key in list(sel.get_map().values()):
            c = key.data
            if c.connected and now >= c.next_at:
                c.next_at = now + interval
                try:
                    c.sock.send(TRICKLE[c.sent % len(TRICKLE):][:1])
                    c.sent += 1
                    stats["bytes_sent"] += 1
                except OSError:
                    stats["closed_by_server"] += 1
                    drop(c)
        if not ready_printed:
            connected = sum(1 for k in sel.get_map().values() if k.data.connected)
            if connected >= count or now - start > 10:
                print("READY %d" % connected, flush=True)
                ready_printed = True
    stats["open_at_end"] = sum(1 for k in sel.get_map().values() if k.data.connected)
    stats["seconds"] = round(time.monotonic() - start, 2)
    for key in list(sel.get_map().values()):
        key.fileobj.close()
    print("SLOW_JSON " + json.dumps(stats), flush=True)


if __name__ == "__main__":
    main()
