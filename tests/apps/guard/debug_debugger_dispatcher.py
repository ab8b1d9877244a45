"""BG002: Werkzeug's DebuggedApplication mounted inside a DispatcherMiddleware."""
from flask import Flask
from werkzeug.debug import DebuggedApplication
from werkzeug.middleware.dispatcher import DispatcherMiddleware

frontend = Flask("frontend")
api = Flask("api")


@frontend.get("/")
def index():
    return "front"


@api.get("/")
def api_index():
    return {"api": True}


application = DispatcherMiddleware(frontend, {"/api": DebuggedApplication(api, evalex=True)})
