"""A minimal stand-in for Django, used by the guard tests when Django is not installed: the same
names the guard reads (django.conf.settings with .configured and .DEBUG, and
django.core.handlers.wsgi.WSGIHandler). Not a Django replacement."""
VERSION = (0, 0, 0, "fake", 0)


def setup(set_prefix=True):
    from django.conf import settings

    settings._setup()
