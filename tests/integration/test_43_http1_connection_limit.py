"""worker_connections: at the limit, connections that waited longest for a request head give
way to newcomers (after 1 s), busy keep-alive connections are never evicted, and a newcomer
that finds no victim waits in the backlog instead of failing."""
import os
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from bastion_test import ServerTestCase  # noqa: E402

REQUEST = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"


def ask(sock):
    sock.sendall(REQUEST)
    data = b""
    while not data.endswith(b"Hello, World!"):
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("closed by the server")
        data += chunk
    return data


class ConnectionLimit(ServerTestCase):
    ARGS = ("--worker-connections", "10")

    def test_idle_connections_give_way_to_newcomers(self):
        idle = [self.server.connect() for _ in range(10)]
        try:
            time.sleep(1.3)  # old enough to be evicted
            newcomer = self.server.connect()
            self.assertIn(b"200 OK", ask(newcomer))
            newcomer.close()
            # At least one of the idle connections was closed to make room.
            closed = 0
            for s in idle:
                s.settimeout(0.2)
                try:
                    if s.recv(1) == b"":
                        closed += 1
                except socket.timeout:
                    pass
                except ConnectionError:
                    closed += 1
            self.assertGreaterEqual(closed, 1)
        finally:
            for s in idle:
                s.close()

    def test_busy_keep_alive_connections_are_not_evicted(self):
        busy = [self.server.connect() for _ in range(10)]
        try:
            for s in busy:
                ask(s)
            # A newcomer arrives while every connection is fresh: it waits, nobody fails.
            newcomer = self.server.connect()
            newcomer.sendall(REQUEST)
            deadline = time.monotonic() + 0.8
            while time.monotonic() < deadline:
                for s in busy:
                    ask(s)  # raises if the server closed a busy connection
            for s in busy:
                s.close()
            newcomer.settimeout(5)
            self.assertIn(b"200 OK", newcomer.recv(4096))
            newcomer.close()
        finally:
            for s in busy:
                s.close()


if __name__ == "__main__":
    unittest.main()
