import os

SECRET_KEY = os.environ["FLASKR_SECRET_KEY"]
DATABASE = "/var/lib/flaskr/flaskr.sqlite"
