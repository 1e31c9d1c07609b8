#!/usr/bin/env bash
# The README's main command: install what is missing, build everything into
# build/, then run the whole migration pipeline on the bundled reference
# stack (scripts/pipeline.sh: scan, plan check, rewrite, build the MP
# stack, stress it under witness, check the lock graphs, write the report).
# It ends with the report's path and a five-line summary.
#
# Extra arguments are not used; the pipeline's knobs are environment
# variables (RUNS, STRESS_SECONDS, JOBS: see scripts/pipeline.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
START=$(date +%s)
say() { printf '[main %4ds] %s\n' $(( $(date +%s) - START )) "$*" >&2; }

say "dependencies (scripts/deps.sh)"
scripts/deps.sh
say "build build/ (scripts/configure.sh; the first build takes a while)"
MPSAFE_SKIP_TSAN=1 scripts/configure.sh
say "the migration pipeline (scripts/pipeline.sh)"
BUILD=build exec scripts/pipeline.sh
