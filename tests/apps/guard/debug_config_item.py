"""BG001: DEBUG set through the config mapping."""
from flask import Flask

app = Flask(__name__)
app.config["DEBUG"] = True


@app.get("/")
def index():
    return "debug on"
