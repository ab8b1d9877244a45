"""A plain WSGI app (no Flask): clean unless the environment says otherwise (BG003 tests)."""


def application(environ, start_response):
    body = b"plain"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
