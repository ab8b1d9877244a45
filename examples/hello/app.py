"""The quick-start Flask application: `bastion --chdir examples/hello app:app`."""
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.get("/")
def index():
    return "Hello, World!"


@app.get("/json")
def json_view():
    return jsonify(message="Hello, World!", path=request.path)


@app.post("/echo")
def echo():
    return request.get_data(), 200, {"Content-Type": request.content_type or "application/octet-stream"}
