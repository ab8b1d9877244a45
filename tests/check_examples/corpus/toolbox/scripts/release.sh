#!/bin/sh
set -e
VERSION="${1:-dev}"
docker build -t toolbox:"$VERSION" .
docker run --rm -e FLASK_DEBUG=0 -e APP_VERSION="$VERSION" toolbox:"$VERSION" flask routes
