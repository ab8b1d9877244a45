from flask import render_template, request

from app import app


@app.route('/')
@app.route('/index')
def index():
    user = {'nickname': request.args.get('name', 'Miguel')}
    return render_template('index.html', title='Home', user=user)
