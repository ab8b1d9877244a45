"""Clean: DispatcherMiddleware of two Flask apps behind ProxyFix; werkzeug.debug imported but
never used."""
from flask import Flask
from werkzeug.debug import DebuggedApplication  # noqa: F401  (imported, not used)
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.middleware.proxy_fix import ProxyFix

main = Flask("main")
main.config["SECRET_KEY"] = "c4ca4238a0b923820dcc509a6f75849b"
api = Flask("api")
api.config["SECRET_KEY"] = "c81e728d9d4c2f636f067f89cc14862c"


@main.get("/")
def index():
    return "main"


@api.get("/")
def api_index():
    return "api"


application = ProxyFix(DispatcherMiddleware(main, {"/api": api}))
