from flask import Flask
from werkzeug.debug import DebuggedApplication

app = Flask(__name__)
app.config["DEBUG"] = True

if app.debug:
    app.wsgi_app = DebuggedApplication(app.wsgi_app, evalex=True)
