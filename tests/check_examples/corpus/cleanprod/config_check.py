import os

from flask import Flask

app = Flask(__name__)
app.config["DEBUG"] = os.environ.get("FLASK_DEBUG", "0") == "1"
app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
ENV = os.environ.get("APP_ENV", "production")

if ENV == "development":
    app.debug = True
    app.run(host="0.0.0.0", debug=True)
