from flask import Flask

app = Flask(__name__)
SERVER = dict(host="0.0.0.0", port=8000)

if __name__ == "__main__":
    app.run(**SERVER)
