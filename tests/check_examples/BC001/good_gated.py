import os

from flask import Flask

app = Flask(__name__)

if __name__ == "__main__":
    if os.getenv("FLASK_ENV") == "development":
        app.run(debug=True)
    else:
        app.run()
