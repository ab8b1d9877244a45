from werkzeug import debug

from bad_alias import app as flask_app


def make_app():
    return debug.DebuggedApplication(
        flask_app,
        evalex=True,
    )


application = make_app()
