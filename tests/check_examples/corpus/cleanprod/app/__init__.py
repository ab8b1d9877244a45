import logging

from flask import Flask

from app.debug import init_debugger


def create_app():
    app = Flask(__name__)
    app.config.from_object("app.settings")
    init_debugger(app)
    if not app.debug:
        logging.basicConfig(level=logging.INFO)

    @app.get("/")
    def index():
        return {"ok": True}

    return app
