"""BG001: config.from_mapping(DEBUG=True)."""
from flask import Flask

app = Flask(__name__)
app.config.from_mapping(SECRET_KEY="3c8f0e8b5f1d4c2a9e7b6a5d4c3b2a19", DEBUG=True)


@app.get("/")
def index():
    return "debug on"
