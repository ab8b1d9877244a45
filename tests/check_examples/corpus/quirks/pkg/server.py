from flask import Flask

from . import DEBUG, HOST

app = Flask(__name__)


def main():
    app.run(host=HOST, debug=DEBUG)
