import os

from flask import Flask

HOST = os.environ.get("FLASK_HOST", "0.0.0.0")
PORT = int(os.environ.get("PORT", "5000"))

app = Flask(__name__)

if __name__ == "__main__":
    app.run(HOST, PORT)
