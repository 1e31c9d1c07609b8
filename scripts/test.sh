#!/usr/bin/env bash
# The README's test command: install what is missing, build build/ and
# build/tsan/, run every test (ctest in build/ also runs the TSan tree).
# Extra arguments go to ctest, e.g. scripts/test.sh -L kern
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/configure.sh
ctest --test-dir build --output-on-failure -j "${JOBS:-$(nproc)}" "$@"
