"""BG003 (+ BG001): the application itself sets FLASK_DEBUG before creating the app."""
import os

os.environ["FLASK_DEBUG"] = "1"

from flask import Flask  # noqa: E402

app = Flask(__name__)


@app.get("/")
def index():
    return "env"
