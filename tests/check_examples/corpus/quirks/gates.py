import os
import sys

from flask import Flask
from werkzeug.debug import DebuggedApplication

app = Flask(__name__)
app.config["ENV"] = os.environ.get("APP_ENV", "production")

if app.config["ENV"] == "development" or "--debug" in sys.argv:
    app.wsgi_app = DebuggedApplication(app.wsgi_app, evalex=True)

if app.testing:
    app.run(debug=True)

if os.environ.get("ENABLE_DEV_SERVER"):
    app.run(host="0.0.0.0")

debug_mode = os.environ.get("DEBUG", "off") in ("1", "on", "yes")
if not debug_mode:
    app.config["DEBUG"] = False
else:
    app.config["DEBUG"] = True
