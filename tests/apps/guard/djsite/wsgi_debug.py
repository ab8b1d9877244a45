"""BG005: a Django project whose settings have DEBUG = True (the startproject wsgi.py shape)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djsite.settings_debug")
application = get_wsgi_application()
