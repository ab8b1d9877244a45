import os

from flask import Flask

CONFIGS = {"dev": "config.DevConfig", "prod": "config.ProdConfig"}

app = Flask(__name__)
app.config.from_object(CONFIGS[os.environ.get("APP_ENV", "prod")])
if os.environ.get("APP_ENV") == "dev":
    app.config.from_object("config.DevConfig")
app.config["DEBUG"] = os.environ.get("FLASK_DEBUG", "0") == "1"
