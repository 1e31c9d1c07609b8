#!/usr/bin/env bash
# Install what the build and the tests need, from Debian 12 packages only.
# Idempotent and quiet: when nothing is missing it prints nothing.
set -euo pipefail

PKGS=(
  cmake ninja-build ccache pkg-config
  clang-14 llvm-14-dev libclang-14-dev libclang-rt-14-dev clang-tools-14
  libgtest-dev libgmock-dev libbenchmark-dev
  iproute2 iputils-ping curl socat tshark netcat-openbsd
  graphviz chromium
)

missing=()
for p in "${PKGS[@]}"; do
  st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$st" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "deps: missing packages: ${missing[*]}" >&2
  echo "deps: run as root (or install them with apt-get) and retry" >&2
  exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
