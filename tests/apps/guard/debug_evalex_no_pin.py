"""BG002: the debugger console with its PIN switched off."""
from werkzeug.debug import DebuggedApplication


def plain(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"plain"]


application = DebuggedApplication(plain, evalex=True, pin_security=False)
