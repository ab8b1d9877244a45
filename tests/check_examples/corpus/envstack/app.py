import os

from flask import Flask

app = Flask(__name__)
app.config.from_prefixed_env()
DEBUG_TOOLBAR = os.environ.get("DEBUG_TB_ENABLED", "0") == "1"


@app.get("/")
def index():
    return "envstack"
