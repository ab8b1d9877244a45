#!/bin/sh
set -e
case "$1" in
  dev)
    exec flask --app wsgi run --host 0.0.0.0 --debug
    ;;
  migrate)
    flask --app wsgi db upgrade
    ;;
  *)
    exec "$@"
    ;;
esac
