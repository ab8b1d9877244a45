"""Served with a BG006 warning: SECRET_KEY is the placeholder 'dev' (a warning, not a refusal)."""
from flask import Flask

app = Flask(__name__)
app.config["SECRET_KEY"] = "dev"


@app.get("/")
def index():
    return "placeholder"
