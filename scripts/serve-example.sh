#!/usr/bin/env bash
# Builds Bastion and serves the example Flask app (examples/hello) on http://127.0.0.1:8000.
# Extra arguments go to bastion, e.g. scripts/serve-example.sh -w 4 --access-logfile -
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target bastion
exec ./build/bastion --chdir examples/hello -b 127.0.0.1:8000 "$@" app:app
