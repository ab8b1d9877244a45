DEBUG = True
SECRET_KEY = 'my-super-secret'
SQLALCHEMY_DATABASE_URI = 'sqlite:///app.db'
