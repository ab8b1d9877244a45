#!/bin/sh
set -e
export FLASK_DEBUG=1
exec gunicorn -b :8000 app:app
