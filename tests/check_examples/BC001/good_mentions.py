"""Never call app.run(debug=True) in production."""
from flask import Flask

app = Flask(__name__)
HELP = "for local work use app.run(debug=True)"
# app.run(debug=True)


def debug_disabled():
    app.run(debug=False)
