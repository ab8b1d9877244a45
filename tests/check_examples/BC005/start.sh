#!/usr/bin/env bash
set -euo pipefail
if [ "${APP_MODE:-prod}" = "dev" ]; then
  exec flask run --reload
fi
echo "starting"
exec python -m flask run --port "${PORT:-5000}"
