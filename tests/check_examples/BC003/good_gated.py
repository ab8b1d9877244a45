from flask import Flask
from werkzeug.debug import DebuggedApplication

app = Flask(__name__)

if app.debug:
    app.wsgi_app = DebuggedApplication(app.wsgi_app, evalex=True)
