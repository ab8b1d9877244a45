import os
import unittest
from flask import current_app
from app import create_app, db

os.environ["FLASK_DEBUG"] = "1"


class BasicsTestCase(unittest.TestCase):
    def setUp(self):
        self.app = create_app('testing')
        self.app.config["SECRET_KEY"] = "test-key"
        self.app_context = self.app.app_context()
        self.app_context.push()
        db.create_all()

    def test_app_exists(self):
        self.assertFalse(current_app is None)
