import logging
import os

from flask import Flask, jsonify
from werkzeug.middleware.proxy_fix import ProxyFix

from api.settings import Settings

log = logging.getLogger(__name__)


def create_app(settings=None):
    settings = settings or Settings()
    app = Flask(__name__)
    app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    app.config["DEBUG"] = settings.DEBUG
    app.config["SQLALCHEMY_DATABASE_URI"] = settings.DATABASE_URL
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @app.get("/items")
    def items():
        return jsonify([])

    if app.debug:
        log.warning("debug mode is on")
    return app


app = create_app()
