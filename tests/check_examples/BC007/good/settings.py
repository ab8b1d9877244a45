"""Django settings (out of scope for the Flask rules)."""
SECRET_KEY = "django-insecure-abcdefghijklmnop"
DEBUG = True
INSTALLED_APPS = ["django.contrib.auth"]
WSGI_APPLICATION = "site.wsgi.application"
