"""The fixture apps wrapped in wsgiref.validate.validator, with its warnings turned into errors:
any PEP 3333 violation by the server (environ, wsgi.input, wsgi.errors, start_response) raises
inside the app and shows up as a 500 and an AssertionError/WSGIWarning in the error log."""
import warnings
from wsgiref.validate import WSGIWarning, validator

import wsgi_basic

warnings.simplefilter("error", WSGIWarning)

app = validator(wsgi_basic.app)


def make_flask():
    import flask_app
    return validator(flask_app.app)


flask = make_flask()
