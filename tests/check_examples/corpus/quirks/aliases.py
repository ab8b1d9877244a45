import flask as fl
from werkzeug import serving as srv

application = fl.Flask("quirks")
opts = dict(use_debugger=True, threaded=True)


def serve():
    srv.run_simple("127.0.0.1", 8000, application, **opts)
