#!/usr/bin/env bash
# Start the service locally with auto-reload.
set -euo pipefail
cd "$(dirname "$0")/.."
export FLASK_APP=service
export FLASK_DEBUG=1
flask run
