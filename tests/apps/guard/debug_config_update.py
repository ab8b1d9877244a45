"""BG001: app.config.update(DEBUG=True) (dict.update, not __setitem__)."""
from flask import Flask

app = Flask(__name__)
app.config.update(DEBUG=True, SECRET_KEY="d41d8cd98f00b204e9800998ecf8427e")


@app.get("/")
def index():
    return "debug on"
