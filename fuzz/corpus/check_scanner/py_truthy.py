"""Flask applies bool() to debug: all of these turn the debugger on."""
import os

from flask import Flask

app = Flask(__name__)
DEBUG = os.getenv("DEBUG", "False")  # the string "False" is truthy


def run_string():
    app.run(debug="False")


def run_int():
    app.run(debug=1)


def run_env_default():
    app.run(debug=DEBUG)


def run_int_env():
    app.run(debug=int(os.environ.get("APP_DEBUG", "1")))
