from flask import Flask

app = Flask(__name__)


@app.route("/")
def index():
    return "hello"


if __name__ == "__main__":
    # The __main__ guard does not help: `python app.py` runs this in the container.
    app.run(debug=True)
