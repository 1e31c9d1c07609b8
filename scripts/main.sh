#!/usr/bin/env bash
# The README's main command: install what is missing, build everything, and
# run the reference stack's demo (two stack instances on a virtual wire).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
MPSAFE_SKIP_TSAN=1 scripts/configure.sh
exec build/bin/stackdemo "$@"
