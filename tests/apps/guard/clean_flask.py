"""Clean: debug off, SECRET_KEY from the environment (a random one otherwise)."""
import os
import secrets

from flask import Flask, jsonify, request

app = Flask(__name__)
app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY") or secrets.token_hex(32)


@app.get("/")
def index():
    return "clean"


@app.get("/rid")
def rid():
    return jsonify(request_id=request.environ.get("bastion.request_id"))


@app.get("/boom")
def boom():
    raise ValueError("secret-internal-detail /srv/app/private.py")
