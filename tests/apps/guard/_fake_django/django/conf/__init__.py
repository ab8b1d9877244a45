import importlib
import os


class ImproperlyConfigured(Exception):
    pass


class Settings:
    def __init__(self, module_name):
        self.SETTINGS_MODULE = module_name
        module = importlib.import_module(module_name)
        self.DEBUG = False
        for name in dir(module):
            if name.isupper():
                setattr(self, name, getattr(module, name))


class LazySettings:
    """Like Django's: loads DJANGO_SETTINGS_MODULE on first attribute access."""

    def __init__(self):
        self._wrapped = None

    def _setup(self):
        name = os.environ.get("DJANGO_SETTINGS_MODULE")
        if not name:
            raise ImproperlyConfigured("DJANGO_SETTINGS_MODULE is not set")
        self._wrapped = Settings(name)

    @property
    def configured(self):
        return self._wrapped is not None

    def __getattr__(self, name):
        if self._wrapped is None:
            self._setup()
        return getattr(self._wrapped, name)


settings = LazySettings()
