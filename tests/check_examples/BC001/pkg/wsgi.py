from flask import Flask

from pkg.settings import DEBUG, PORT

application = Flask(__name__)

if __name__ == "__main__":
    application.run(port=PORT, debug=DEBUG)
