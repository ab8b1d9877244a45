from flask import Flask

app = Flask(__name__)

RUN_OPTIONS = {
    "host": "127.0.0.1",
    "port": 8080,
    "debug": True,
}

if __name__ == "__main__":
    app.run(**RUN_OPTIONS)
