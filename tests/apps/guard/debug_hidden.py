"""BG001: a debug app the chain walk cannot see (held in an opaque object); caught because the
guard remembers every Flask app created while the application loads."""
from flask import Flask

_registry = {}


def register(app):
    _registry[id(app)] = app


hidden = Flask(__name__)
hidden.debug = True
register(hidden)


class Router:
    __slots__ = ("key",)

    def __init__(self, key):
        self.key = key

    def __call__(self, environ, start_response):
        return _registry[self.key](environ, start_response)


application = Router(id(hidden))
