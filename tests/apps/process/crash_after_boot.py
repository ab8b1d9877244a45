"""Fixture: boots fine, then the worker dies half a second later, every time (a crash loop
after boot: the master must respawn it with growing delays, not halt and not spin)."""
import os
import threading
import time


def _die_soon():
    time.sleep(0.5)
    os._exit(70)


threading.Thread(target=_die_soon, daemon=True).start()


def app(environ, start_response):
    start_response("200 OK", [("Content-Length", "2")])
    return [b"ok"]
