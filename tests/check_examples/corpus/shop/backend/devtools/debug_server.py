"""Developer helper: serve the shop with the interactive debugger."""
from werkzeug.debug import DebuggedApplication
from werkzeug.serving import run_simple

from shop import create_app


def main():
    app = create_app("development")
    run_simple("127.0.0.1", 5000, DebuggedApplication(app, evalex=True), use_reloader=True)


if __name__ == "__main__":
    main()
