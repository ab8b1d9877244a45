from flask import Flask
from werkzeug.debug import DebuggedApplication as DA

app = Flask(__name__)
app.wsgi_app = DA(app.wsgi_app, evalex=True)
