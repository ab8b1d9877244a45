"""Helpers shared by tests/integration/test_20_process_*.py: process-tree queries, bounded
waits, and raw HTTP exchanges. Stdlib only."""
import os
import socket
import time


def children_of(pid):
    """Pids whose parent is `pid` (from /proc; zombies excluded)."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name, "rb") as f:
                stat = f.read().decode("latin-1")
        except OSError:
            continue
        # The command may contain spaces and parentheses: fields follow the last ')'.
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) > 1 and int(fields[1]) == pid and fields[0] != "Z":
            out.append(int(name))
    return sorted(out)


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            stat = f.read().decode("latin-1")
        return stat[stat.rfind(")") + 2:].split()[0] != "Z"
    except OSError:
        return False


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode("latin-1").strip()
    except OSError:
        return ""


def wait_until(predicate, timeout=10.0, interval=0.02):
    """Polls `predicate` until it returns a true value (returned) or `timeout` passes (None)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)


def http_get(port, path="/", timeout=10.0, host="127.0.0.1"):
    """One GET with Connection: close; returns (status, body) or raises OSError."""
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path).encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    if not head:
        raise ConnectionError("no response")
    status = int(head.split(b" ", 2)[1])
    return status, body.decode("latin-1")


def try_get(port, path="/", timeout=5.0):
    try:
        return http_get(port, path, timeout)
    except (OSError, ValueError, IndexError):
        return None
