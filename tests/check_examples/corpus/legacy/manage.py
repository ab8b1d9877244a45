#!/usr/bin/env python
from flask_script import Manager, Server, Shell

from app import app

manager = Manager(app)
manager.add_command("runserver", Server(host="127.0.0.1", port=5000))
manager.add_command("shell", Shell())


@manager.command
def routes():
    for rule in app.url_map.iter_rules():
        print rule


if __name__ == "__main__":
    manager.run()
