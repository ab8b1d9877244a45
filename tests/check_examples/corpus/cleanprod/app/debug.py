"""Opt-in debugging helpers: nothing here is active unless the app runs in debug mode."""
from werkzeug.debug import DebuggedApplication


def init_debugger(app):
    if app.debug:
        app.wsgi_app = DebuggedApplication(app.wsgi_app, evalex=True)
