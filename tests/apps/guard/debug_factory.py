"""BG001: debug switched on inside an application factory (served as debug_factory:create_app())."""
from flask import Flask


def create_app(debug=True):
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
    if debug:
        app.config["DEBUG"] = True

    @app.get("/")
    def index():
        return "factory"

    return app
