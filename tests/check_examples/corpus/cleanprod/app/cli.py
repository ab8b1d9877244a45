import click

from wsgi import app


@click.command()
@click.option("--debug", is_flag=True, help="Run with the Werkzeug debugger.")
@click.option("--host", default="127.0.0.1")
def serve(debug, host):
    """Local development server."""
    app.run(host=host, debug=debug)
