"""BG001: the classic `app.debug = True` on the served Flask app."""
from flask import Flask

app = Flask(__name__)
app.debug = True


@app.get("/")
def index():
    return "debug on"
