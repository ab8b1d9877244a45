import os

os.environ.setdefault("FLASK_DEBUG", "0")
FLASK_DEBUG = os.environ["FLASK_DEBUG"]
