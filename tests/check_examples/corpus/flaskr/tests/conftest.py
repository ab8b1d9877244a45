import pytest

from flaskr import create_app


@pytest.fixture
def app():
    app = create_app({"TESTING": True, "DATABASE": ":memory:", "SECRET_KEY": "test"})
    app.debug = True
    yield app
