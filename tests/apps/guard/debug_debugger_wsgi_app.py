"""BG002: the debugger slipped in as app.wsgi_app, without the console (evalex=False)."""
from flask import Flask
from werkzeug.debug import DebuggedApplication

app = Flask(__name__)
app.wsgi_app = DebuggedApplication(app.wsgi_app, evalex=False)


@app.get("/")
def index():
    return "debugger"
