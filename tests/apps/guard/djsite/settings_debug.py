DEBUG = True
SECRET_KEY = "django-insecure-$x9!k2@q0w8r7t6y5u4i3o2p1"
ALLOWED_HOSTS = ["*"]
