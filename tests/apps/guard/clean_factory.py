"""Clean: an application factory with blueprints, ProxyFix and an explicit DEBUG=False."""
from flask import Blueprint, Flask
from werkzeug.middleware.proxy_fix import ProxyFix

bp = Blueprint("pages", __name__)


@bp.get("/")
def index():
    return "factory"


def create_app(config=None):
    app = Flask(__name__)
    app.config.from_mapping(SECRET_KEY="5e884898da28047151d0e56f8dc62927", DEBUG=False)
    app.config.update(config or {})
    app.register_blueprint(bp)
    app.wsgi_app = ProxyFix(app.wsgi_app)
    return app
