import os
os.environ['DATABASE_URL'] = 'sqlite://'

from app import create_app, db
from config import Config


class TestConfig(Config):
    TESTING = True
    DEBUG = True
    SECRET_KEY = 'testing-only'
