from flask import Flask

app = Flask(__name__)
app.config["DEBUG"] = 1
app.config['TESTING'] = True
