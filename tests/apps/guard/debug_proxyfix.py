"""BG001 behind ProxyFix, both ways: app.wsgi_app wrapped, and the served object a wrapper."""
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

app = Flask(__name__)
app.config["DEBUG"] = True
app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)

# Served as debug_proxyfix:application: the Flask app is application.app.
application = ProxyFix(app)


@app.get("/")
def index():
    return "behind a proxy"
