from flask import Flask

from .settings import Settings


def create_app(env="production"):
    app = Flask(__name__)
    app.config.from_object(f"shop.config.{env.capitalize()}Config")
    settings = Settings()
    app.config["SECRET_KEY"] = settings.SECRET_KEY
    if settings.ENABLE_PROFILER:
        from werkzeug.middleware.profiler import ProfilerMiddleware

        app.wsgi_app = ProfilerMiddleware(app.wsgi_app)

    from .views import bp

    app.register_blueprint(bp)
    return app
