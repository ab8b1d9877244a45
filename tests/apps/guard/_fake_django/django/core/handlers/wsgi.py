from django.conf import settings


class WSGIHandler:
    def __call__(self, environ, start_response):
        body = b"django debug" if settings.DEBUG else b"django"
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]
