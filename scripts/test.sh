#!/usr/bin/env bash
# Builds Bastion and runs the whole test suite (unit, corpus, fuzz-corpus replay, integration)
# through ctest. Usage: scripts/test.sh [extra ctest args]. BUILD_DIR defaults to ./build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc)"
cd "$BUILD_DIR"
ctest --output-on-failure --timeout 600 -j "$(nproc)" "$@"
