def create_app(greeting, excited=False):
    body = (greeting + ("!" if excited else "")).encode()

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]

    return app
