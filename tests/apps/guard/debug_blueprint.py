"""BG001: an app assembled from blueprints, debug on the app."""
from flask import Blueprint, Flask

api = Blueprint("api", __name__, url_prefix="/api")


@api.get("/ping")
def ping():
    return {"pong": True}


def build():
    app = Flask(__name__)
    app.register_blueprint(api)
    app.debug = True
    return app


app = build()
