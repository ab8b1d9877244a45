"""Clean: wrappers that refer to each other (a cycle) and a 40-deep chain: the walk must stay
bounded and still serve."""
from flask import Flask

core = Flask(__name__)
core.config["SECRET_KEY"] = "eccbc87e4b5ce2fe28308fd9f2a7baf3"


@core.get("/")
def index():
    return "cycle"


class Layer:
    def __init__(self, app):
        self.app = app
        self.parent = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


top = core
for _ in range(40):
    layer = Layer(top)
    if isinstance(top, Layer):
        top.parent = layer
    top = layer
application = top
