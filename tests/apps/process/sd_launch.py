"""A tiny systemd-style socket-activation launcher for tests.

usage: sd_launch.py SPEC[,SPEC...] BASTION [ARGS...]
SPEC is NAME=tcp:HOST:PORT or NAME=unix:PATH. The launcher binds and listens on each socket,
moves them to fds 3, 4, ..., sets LISTEN_FDS, LISTEN_PID (its own pid, which exec keeps) and
LISTEN_FDNAMES, then execs bastion, as systemd does for a .socket unit with Accept=no.
"""
import os
import socket
import sys


def main():
    specs, argv = sys.argv[1].split(","), sys.argv[2:]
    socks, names = [], []
    for spec in specs:
        name, _, where = spec.partition("=")
        kind, _, addr = where.partition(":")
        if kind == "tcp":
            host, _, port = addr.rpartition(":")
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, int(port)))
        else:
            if os.path.exists(addr):
                os.unlink(addr)
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind(addr)
        s.listen(128)
        socks.append(s)
        names.append(name)
    # Move out of the way first, then into place: 3, 4, ...
    high = [os.dup(s.fileno()) for s in socks]
    for s in socks:
        s.close()
    for i, fd in enumerate(high):
        os.dup2(fd, 3 + i, inheritable=True)
        os.close(fd)
    os.environ["LISTEN_FDS"] = str(len(high))
    os.environ["LISTEN_PID"] = str(os.getpid())
    os.environ["LISTEN_FDNAMES"] = ":".join(names)
    os.execv(argv[0], argv)


if __name__ == "__main__":
    main()
