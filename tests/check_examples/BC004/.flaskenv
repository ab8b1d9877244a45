FLASK_APP=wsgi.py
export FLASK_DEBUG="yes"  # verbose errors
