from flask import Flask

app = Flask(__name__)


def dev():
    app.run(debug=True)  # nosec


def dev_bandit_id():
    app.run(debug=True)  # nosec B201


def dev_bastion_id():
    app.run(debug=True)  # bastion: ignore[BC001]


def dev_multiline():
    app.run(  # nosec B201
        port=5001,
        debug=True,
    )
