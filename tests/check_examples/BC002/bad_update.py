from flask import Flask

app = Flask(__name__)
app.config.update(
    TESTING=False,
    DEBUG=True,
)
app.config.update({"PROPAGATE_EXCEPTIONS": True, "DEBUG": "yes"})
