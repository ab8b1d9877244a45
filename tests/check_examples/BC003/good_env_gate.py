import os

from flask import Flask
from werkzeug.debug import DebuggedApplication

app = Flask(__name__)
if os.environ.get("WERKZEUG_DEBUG") == "1":
    app.wsgi_app = DebuggedApplication(app.wsgi_app)

ENABLE_DEBUGGER = False
if ENABLE_DEBUGGER:
    app.wsgi_app = DebuggedApplication(app.wsgi_app)
