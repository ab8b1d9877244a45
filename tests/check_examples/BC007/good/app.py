import os
import secrets

from flask import Flask

app = Flask(__name__)
app.secret_key = os.environ["SECRET_KEY"]
app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY")
app.config["JWT_SECRET_KEY"] = "not-the-flask-key"
app.config.update(SECRET_KEY=os.urandom(32))
app.config.update(SECRET_KEY=secrets.token_hex(32))
app.config["SECRET_KEY"] = os.getenv("SECRET_KEY", "")
