"""Clean: app.run(debug=True) only under __main__ (never runs on import)."""
from flask import Flask

app = Flask(__name__)
app.config["SECRET_KEY"] = "9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d"


@app.get("/")
def index():
    return "main guard"


if __name__ == "__main__":
    app.run(debug=True)
