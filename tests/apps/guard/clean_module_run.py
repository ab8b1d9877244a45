"""Served with a BG004 warning: a module-level app.run() without debug. Bastion intercepts the
call (no development server, no port 5000), and nothing asks for debug mode."""
from flask import Flask

app = Flask(__name__)
app.config["SECRET_KEY"] = "a1b2c3d4e5f60718293a4b5c6d7e8f90"


@app.get("/")
def index():
    return "run intercepted"


app.run(host="127.0.0.1", port=5000)
