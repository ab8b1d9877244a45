from flask import Blueprint, render_template

from .auth import login_required
from .db import get_db

bp = Blueprint("blog", __name__)


@bp.route("/")
def index():
    db = get_db()
    posts = db.execute("SELECT p.id, title, body, created FROM post p ORDER BY created DESC").fetchall()
    return render_template("blog/index.html", posts=posts)
