import os

from flask import Flask

app = Flask(__name__)
NAME = "quirks"
BANNER = f"{NAME} starting, debug={'debug=True'}"
PATTERN = rf"^{NAME}\d+$"
MESSAGE = f"""
app.run(debug=True) is mentioned in a triple-quoted f-string: {BANNER!r:>{40}}
"""
app.secret_key = f"{os.environ['SECRET_PREFIX']}-key"


def show():
    return f"{'nested \"quotes\"'} and {MESSAGE}"
