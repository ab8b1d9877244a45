from werkzeug.serving import run_simple

from bad_literal import app

if __name__ == "__main__":
    run_simple(hostname="::", port=8080, application=app)
