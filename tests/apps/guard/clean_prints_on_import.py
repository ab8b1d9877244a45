"""Clean: prints while it is imported (the dry run's JSON on stdout must stay parseable)."""
import sys

print("hello from the application's import")
sys.stdout.flush()


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "6")])
    return [b"prints"]
