import click
from flask.cli import FlaskGroup

from wsgi import app

cli = FlaskGroup(app)


@cli.command()
def serve():
    """Local development server."""
    app.run(port=5001)


if __name__ == "__main__":
    cli()
