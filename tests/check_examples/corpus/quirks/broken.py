from flask import Flask

app = Flask(__name__
def index():
    return "never closed the call above"

app.debug = True
