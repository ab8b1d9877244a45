"""Shared helpers for the test_60_guard_* tests: run a refused app and prove that no request
was ever answered; run the dry run."""
import json
import os
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from bastion_test import APPS, BIN, free_port  # noqa: E402

GUARD_APPS = os.path.join(APPS, "guard")
FAKE_DJANGO = os.path.join(GUARD_APPS, "_fake_django")
DEBUG_VARS = ("FLASK_DEBUG", "FLASK_ENV", "WERKZEUG_DEBUG_PIN", "MYAPP_DEBUG",
              "DJANGO_SETTINGS_MODULE")
EXIT_DEBUG_REFUSED = 9

# The tests decide the debug variables themselves; an outer shell must not leak them in.
for _name in DEBUG_VARS:
    os.environ.pop(_name, None)


def env_with(extra=None):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env.update(extra or {})
    return env


def listening(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class Refusal:
    """Starts bastion on a fresh loopback port and, while it boots, connects and sends a request.
    After it exits: its status, its output, and every byte the server ever sent back."""

    def __init__(self, app, *args, env=None, cwd=GUARD_APPS, workers=2, bind=None, timeout=60):
        self.port = free_port()
        self.bind = bind or "127.0.0.1:%d" % self.port
        cmd = [BIN, "-w", str(workers), "-b", self.bind, *args, app]
        proc = subprocess.Popen(cmd, cwd=cwd, env=env_with(env), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        client = None
        deadline = time.monotonic() + timeout
        # The master binds before the first worker boots: a client can connect (the kernel
        # queues it) and must never get an answer.
        while client is None and proc.poll() is None and time.monotonic() < deadline:
            try:
                client = socket.create_connection(("127.0.0.1", self.port), timeout=1)
                client.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            except OSError:
                client = None
                time.sleep(0.01)
        try:
            out, _ = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate(timeout=10)
            raise AssertionError("bastion did not exit for a refused app:\n%s"
                                 % out.decode("utf-8", "replace"))
        self.code = proc.returncode
        self.output = out.decode("utf-8", "replace")
        self.answered = b""
        if client is not None:
            client.settimeout(5)
            try:
                while True:
                    data = client.recv(65536)
                    if not data:
                        break
                    self.answered += data
            except OSError:
                pass
            client.close()
        self.connected = client is not None
        self.still_listening = listening(self.port)


def run_check(*args, cwd=GUARD_APPS, env=None, timeout=60):
    proc = subprocess.run([BIN, "check", *args], cwd=cwd, env=env_with(env), capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    return proc


def check_json(*args, **kwargs):
    proc = run_check("--format", "json", *args, **kwargs)
    try:
        return proc, json.loads(proc.stdout)
    except ValueError:
        raise AssertionError("stdout is not JSON (status %d):\n%s\n--- stderr\n%s"
                             % (proc.returncode, proc.stdout, proc.stderr))
