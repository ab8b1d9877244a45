import os

DEBUG = False
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "k7#pQ2vX9mL4wR8tZ1nB6cY3hF5jD0gS")
ALLOWED_HOSTS = ["127.0.0.1"]
