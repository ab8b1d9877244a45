#!/usr/bin/env bash
# Installs the Debian packages Bastion needs to build and test (idempotent; root or sudo).
#   scripts/install-deps.sh          build + test dependencies
#   scripts/install-deps.sh --bench  also the peer servers and load tools for bench/
set -euo pipefail

BUILD_PKGS=(cmake g++ make pkg-config libgtest-dev libgmock-dev libbenchmark-dev
            nlohmann-json3-dev libssl-dev openssl clang libclang-rt-14-dev curl)
BENCH_PKGS=(wrk nghttp2-client nginx gunicorn python3-waitress uwsgi-core
            uwsgi-plugin-python3 bandit python3-flask)

want=("${BUILD_PKGS[@]}")
if [[ "${1:-}" == "--bench" ]]; then want+=("${BENCH_PKGS[@]}"); fi

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#want[@]} packages present"
  exit 0
fi
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
