import os

DEBUG = os.environ.get("PKG_DEBUG", "1") != "0"
HOST = "::"
