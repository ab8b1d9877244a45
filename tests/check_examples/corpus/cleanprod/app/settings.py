from decouple import config

SECRET_KEY = config("SECRET_KEY")
DEBUG = config("FLASK_DEBUG", default=False, cast=bool)
SQLALCHEMY_DATABASE_URI = config("DATABASE_URL", default="sqlite:///local.db")
SESSION_COOKIE_SECURE = True
