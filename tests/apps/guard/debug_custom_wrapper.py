"""BG001: a home-made wrapper keeping the app under an unusual attribute name."""
from flask import Flask

flask_app = Flask(__name__)
flask_app.config.from_mapping(DEBUG=True)


class Timing:
    def __init__(self, target):
        self._target_wsgi = target

    def __call__(self, environ, start_response):
        return self._target_wsgi(environ, start_response)


application = Timing(flask_app)
