#!/usr/bin/env python3
"""Generates a large synthetic Flask monorepo for benchmarking `bastion check` against Bandit.

usage: gen_tree.py OUT_DIR [--projects N] [--modules M] [--seed S]

Each project is a realistic Flask service: a package with models, views, forms, services and
utils modules (a few hundred lines each), a config module, a wsgi entry point, a Dockerfile,
docker-compose.yml, Procfile, .env and a shell entrypoint. A few files in each project carry
debug leftovers so both tools have something to report. Deterministic for a given seed.
"""
import argparse
import os
import random

VIEW = '''
@bp.route("/{name}/<int:item_id>", methods=["GET", "POST"])
@login_required
def {name}_detail(item_id):
    """Show or update one {name}."""
    item = {model}.query.get_or_404(item_id)
    form = {model}Form(obj=item)
    if form.validate_on_submit():
        form.populate_obj(item)
        db.session.commit()
        flash(f"{{item.name}} saved", "success")
        return redirect(url_for(".{name}_detail", item_id=item.id))
    stats = {{"views": item.views + 1, "owner": current_user.id, "tags": [t.name for t in item.tags]}}
    if current_app.config.get("FEATURE_{upper}"):
        stats["extra"] = compute_{name}_extra(item, limit=int(request.args.get("limit", 10)))
    return render_template("{name}/detail.html", item=item, form=form, stats=stats)

'''

MODEL = '''
class {model}(db.Model):
    __tablename__ = "{name}s"
    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(128), nullable=False, index=True)
    views = db.Column(db.Integer, default=0)
    created = db.Column(db.DateTime, default=datetime.utcnow)

    def to_dict(self):
        return {{"id": self.id, "name": self.name, "views": self.views,
                "created": self.created.isoformat() if self.created else None}}

    def __repr__(self):
        return "<{model} %r>" % self.name

'''

SERVICE = '''
def compute_{name}_extra(item, limit=10):
    """Aggregate related records for {name}."""
    result = []
    for index, other in enumerate(item.related[:limit]):
        score = (other.views * 3 + index) / max(1, len(item.related))
        if score > THRESHOLD and other.name not in SKIP:
            result.append({{"id": other.id, "score": round(score, 3), "label": other.name.title()}})
    result.sort(key=lambda r: (-r["score"], r["id"]))
    log.debug("computed %d extras for %s", len(result), item)
    return result

'''


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def project(root, idx, modules, rnd):
    pkg = f"svc{idx}"
    base = os.path.join(root, f"project{idx:03d}")
    names = [f"item{k}" for k in range(12)]
    for m in range(modules):
        kind = m % 4
        head = ("import logging\nfrom datetime import datetime\n"
                "from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for\n"
                "from flask_login import current_user, login_required\n\n"
                f"from {pkg} import db\n\nlog = logging.getLogger(__name__)\nbp = Blueprint('m{m}', __name__)\n"
                "THRESHOLD = 0.5\nSKIP = {'draft', 'deleted'}\n")
        body = []
        for name in names:
            model = name.title()
            tpl = [VIEW, MODEL, SERVICE, SERVICE][kind]
            body.append(tpl.format(name=name, model=model, upper=name.upper()))
        write(os.path.join(base, pkg, f"module{m:03d}.py"), head + "".join(body))
    debug = "True" if idx % 5 == 0 else 'os.environ.get("FLASK_DEBUG", "0") == "1"'
    write(os.path.join(base, pkg, "__init__.py"),
          "import os\nfrom flask import Flask\nfrom flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n\n\n"
          "def create_app():\n    app = Flask(__name__)\n    app.config.from_object('config.Config')\n"
          f"    app.config['DEBUG'] = {debug}\n    db.init_app(app)\n    return app\n")
    secret = "'dev-secret'" if idx % 3 == 0 else "os.environ['SECRET_KEY']"
    write(os.path.join(base, "config.py"),
          f"import os\n\n\nclass Config:\n    SECRET_KEY = {secret}\n    SQLALCHEMY_DATABASE_URI = os.environ.get('DATABASE_URL', 'sqlite://')\n")
    host = '"0.0.0.0"' if idx % 4 == 0 else '"127.0.0.1"'
    write(os.path.join(base, "wsgi.py"),
          f"from {pkg} import create_app\n\napp = create_app()\n\nif __name__ == '__main__':\n    app.run(host={host})\n")
    cmd = '["flask", "run", "--host=0.0.0.0"]' if idx % 7 == 0 else '["gunicorn", "-b", "0.0.0.0:8000", "wsgi:app"]'
    write(os.path.join(base, "Dockerfile"),
          f"FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nENV PYTHONUNBUFFERED=1\nCMD {cmd}\n")
    write(os.path.join(base, "docker-compose.yml"),
          "services:\n  web:\n    build: .\n    environment:\n"
          f"      - FLASK_DEBUG={'1' if idx % 6 == 0 else '0'}\n      - DATABASE_URL=postgresql://db/app\n"
          "    ports:\n      - \"8000:8000\"\n  db:\n    image: postgres:16\n")
    write(os.path.join(base, "Procfile"), "web: gunicorn wsgi:app\nrelease: flask db upgrade\n")
    write(os.path.join(base, ".env"), f"FLASK_APP=wsgi.py\nFLASK_DEBUG={rnd.choice(['0', '1', 'false'])}\n")
    write(os.path.join(base, "entrypoint.sh"), "#!/bin/sh\nset -e\nflask db upgrade\nexec gunicorn -b 0.0.0.0:8000 wsgi:app\n")
    write(os.path.join(base, "tests", "test_app.py"), "def test_ok():\n    assert True\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--projects", type=int, default=100)
    ap.add_argument("--modules", type=int, default=44)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    for idx in range(args.projects):
        project(args.out, idx, args.modules, rnd)


if __name__ == "__main__":
    main()
