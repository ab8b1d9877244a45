"""BG001: a development config class loaded with from_object."""
from flask import Flask


class DevelopmentConfig:
    DEBUG = True
    SECRET_KEY = "dev"


app = Flask(__name__)
app.config.from_object(DevelopmentConfig)


@app.get("/")
def index():
    return "debug on"
