"""BG004 + BG001: a module-level app.run(debug=True), the classic."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return "run"


app.run(host="127.0.0.1", port=5000, debug=True)
