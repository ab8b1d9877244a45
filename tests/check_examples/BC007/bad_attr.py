from flask import Flask

app = Flask(__name__)
app.secret_key = "super secret key"
app.config["SECRET_KEY"] = b"\x8f\x1a\x92"
