"""BG001: a debug app hidden in a function middleware's closure."""
from flask import Flask

inner = Flask(__name__)
inner.debug = True


def add_header(wrapped):
    def middleware(environ, start_response):
        def sr(status, headers, exc_info=None):
            return start_response(status, headers + [("X-Wrapped", "1")], exc_info)
        return wrapped(environ, sr)
    return middleware


application = add_header(inner)
