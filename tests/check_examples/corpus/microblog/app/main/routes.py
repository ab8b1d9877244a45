from flask import render_template, flash, redirect, url_for, request, current_app
from flask_login import current_user, login_required
from app.main import bp


@bp.route('/', methods=['GET', 'POST'])
@bp.route('/index', methods=['GET', 'POST'])
@login_required
def index():
    page = request.args.get('page', 1, type=int)
    per_page = current_app.config['POSTS_PER_PAGE']
    return render_template('index.html', title='Home', page=page, per_page=per_page)
