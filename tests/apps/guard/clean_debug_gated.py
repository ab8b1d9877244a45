"""Clean: debug gated by an environment variable that production leaves unset."""
import os

from flask import Flask

app = Flask(__name__)
app.config["SECRET_KEY"] = "7f3a9c2e4b6d8f1a3c5e7b9d2f4a6c8e"
app.debug = os.environ.get("MYAPP_DEBUG") == "1"
if os.environ.get("MYAPP_DEBUG"):
    app.config.update(DEBUG=True)


@app.get("/")
def index():
    return "gated"
