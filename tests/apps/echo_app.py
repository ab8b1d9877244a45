"""Echo fixture for the conformance tests: answers every request with what the application saw
(method, target, path, query, headers, body) as JSON, and records each request so a test can
prove that a rejected or smuggled message never reached the application.

Routes under /__ are for the tests themselves and are not recorded:
  /__seen   the recorded requests, [[method, RAW_URI], ...]
  /__reset  forget them
Run it with one worker so the record is complete.
"""
import json

SEEN = []


def _json(start_response, obj, status="200 OK"):
    data = json.dumps(obj, sort_keys=True).encode()
    start_response(status, [("Content-Type", "application/json"),
                            ("Content-Length", str(len(data)))])
    return [data]


def app(environ, start_response):
    path = environ["PATH_INFO"]
    if path == "/__seen":
        return _json(start_response, SEEN)
    if path == "/__reset":
        SEEN.clear()
        return _json(start_response, [])
    SEEN.append([environ["REQUEST_METHOD"], environ.get("RAW_URI", "")])
    body = environ["wsgi.input"].read()
    headers = {k: v for k, v in environ.items()
               if k.startswith("HTTP_") or k in ("CONTENT_TYPE", "CONTENT_LENGTH")}
    return _json(start_response, {
        "method": environ["REQUEST_METHOD"],
        "raw_uri": environ.get("RAW_URI"),
        "path_info": path,
        "query": environ.get("QUERY_STRING", ""),
        "protocol": environ.get("SERVER_PROTOCOL"),
        "headers": headers,
        "body": body.decode("latin-1"),
        "server_name": environ.get("SERVER_NAME"),
        "server_port": environ.get("SERVER_PORT"),
    })
