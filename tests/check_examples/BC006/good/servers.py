import socket

import uvicorn
from flask import Flask
from waitress import serve

app = Flask(__name__)


def production():
    serve(app, host="0.0.0.0", port=8080)


def asgi():
    uvicorn.run("asgi:app", host="0.0.0.0", port=8000)


def raw_socket():
    sock = socket.socket()
    sock.bind(("0.0.0.0", 9000))


if __name__ == "__main__":
    app.run(host="127.0.0.1")
