"""Clean: a wrapper whose __getattr__ invents a new callable for every attribute name (like a
mock); the guard must not loop, and the app must serve."""


class Anything:
    def __init__(self, depth=0):
        self.depth = depth

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Anything(self.depth + 1)

    def __call__(self, environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "5")])
        return [b"weird"]


application = Anything()
