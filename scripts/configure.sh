#!/usr/bin/env bash
# Configure and build the two trees every command uses:
#   build/       the whole project (tools, witness, stack, tests, benchmarks)
#   build/tsan/  kern, witness and stack with their tests under ThreadSanitizer
# Both use clang-14 (the TSan tree and the libFuzzer targets need it) and ccache.
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
common=(-G Ninja -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14)
if [ ! -f build/CMakeCache.txt ]; then
  cmake -S . -B build "${common[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build build -j "$JOBS"
if [ "${MPSAFE_SKIP_TSAN:-0}" != 1 ]; then
  if [ ! -f build/tsan/CMakeCache.txt ]; then
    cmake -S . -B build/tsan "${common[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMPSAFE_TSAN=ON >/dev/null
  fi
  cmake --build build/tsan -j "$JOBS"
fi
