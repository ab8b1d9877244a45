"""A plain WSGI app whose handler raises with sensitive text: the 500 must not show it."""


def application(environ, start_response):
    if environ.get("PATH_INFO") == "/ok":
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [environ.get("bastion.request_id", "").encode()]
    raise RuntimeError("db password=hunter2 at /srv/secret/settings.py line 12")
