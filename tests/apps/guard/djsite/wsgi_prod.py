"""Clean: the same Django project with production settings (DEBUG = False)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "djsite.settings_prod")
application = get_wsgi_application()
