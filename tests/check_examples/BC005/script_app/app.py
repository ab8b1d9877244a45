from flask import Flask

app = Flask(__name__)


def main():
    app.run(port=8000)


if __name__ == "__main__":
    main()
