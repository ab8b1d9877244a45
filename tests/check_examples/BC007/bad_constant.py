from flask import Flask

KEY = "hard-coded-" + "key"
app = Flask(__name__)
app.secret_key = KEY
