"""Flask fixture: hello, JSON, upload echo and an exception."""
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"


@app.get("/json")
def json_view():
    return jsonify(message="Hello, World!", args=request.args.to_dict())


@app.post("/upload")
def upload():
    data = request.get_data()
    return jsonify(size=len(data), form=request.form.to_dict())


@app.get("/boom")
def boom():
    raise ValueError("secret-internal-detail /srv/app/private.py")
