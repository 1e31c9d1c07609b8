#!/usr/bin/env bash
# The main job on the bundled reference stack: scan it, check the plan,
# rewrite it, build the MP stack, run the workload under witness, check the
# lock graphs against the declared order, and write the report.  Progress
# goes to stderr; at the end the report's path and a five-line summary.
#
#   scripts/pipeline.sh            # uses build/ (configured if missing)
#   BUILD=build-x scripts/pipeline.sh
#   RUNS=5 scripts/pipeline.sh     # demo runs under witness (default 3)
#   STRESS_SECONDS=5 scripts/pipeline.sh   # stress load length (default 3)
#   STRESS_THREADS=4 scripts/pipeline.sh   # its application threads (default 4)
#
# The stress load is bench_scaling_mp (testsuite/bench/bench_scaling_worker.c):
# two MP stacks on a virtual wire, STRESS_THREADS application threads per
# side, each with one TCP stream and one UDP flow, beside the interface
# interrupt threads and the netisr threads, with witness in fail mode.
#
# Exit status: 0 when every step passed, 1 when the workload or
# witness-check failed (the report is still written), 2 when a step could
# not run at all.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build}
RUNS=${RUNS:-3}
STRESS_SECONDS=${STRESS_SECONDS:-3}
STRESS_THREADS=${STRESS_THREADS:-4}
JOBS=${JOBS:-$(nproc)}
OUT=$BUILD/mpsafe-report
STEPS=7
START=$(date +%s)
status=0
failed=()

step() { printf '[%d/%d %3ds] %s\n' "$1" "$STEPS" $(( $(date +%s) - START )) "$2" >&2; }
die() { printf 'pipeline: %s\n' "$*" >&2; exit 2; }

mkdir -p "$OUT" "$OUT/graphs" || die "cannot create $OUT"
rm -f "$OUT"/graphs/*.graph "$OUT/witness.jsonl"

step 1 "build the tools and the stack ($BUILD)"
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_C_COMPILER=clang-14 \
    -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    >"$OUT/configure.log" 2>&1 || die "configure failed: see $OUT/configure.log"
fi
targets=$(cmake --build "$BUILD" --target help 2>/dev/null | sed -n 's/^\([A-Za-z0-9_.-]*\): .*/\1/p')
have() { grep -qx "$1" <<<"$targets"; }
want=()
for t in mpsafe-scan mpsafe-rewrite mpsafe-report witness-check mpsafe_stack; do
  have "$t" || die "target $t is not in $BUILD (Clang 14 dev files missing? run scripts/deps.sh)"
  want+=("$t")
done
mp=0
if have mpsafe_stack_mp && have stackdemo-mp; then
  mp=1
fi
stress=()
if have bench_scaling_mp; then
  stress=(bench_scaling_mp)
fi
cmake --build "$BUILD" -j "$JOBS" --target "${want[@]}" >"$OUT/build.log" 2>&1 ||
  die "build failed: see $OUT/build.log"
BIN=$BUILD/bin

# The stack's sources: what the compile database builds into mpsafe_stack.
mapfile -t SOURCES < <(grep -o 'mpsafe_stack\.dir/[^ ]*\.o -c [^"]*' \
  "$BUILD/compile_commands.json" | sed 's/.* -c //' | sort -u)
[ ${#SOURCES[@]} -gt 0 ] || die "no mpsafe_stack sources in $BUILD/compile_commands.json"

step 2 "scan ${#SOURCES[@]} files (mpsafe-scan)"
"$BIN/mpsafe-scan" -p "$BUILD" --root "$ROOT/stack" --format json \
  -o "$OUT/scan.json" --emit-plan "$OUT/draft-plan.yaml" "${SOURCES[@]}" \
  2>"$OUT/scan.log"
rc=$?
[ $rc -eq 0 ] || die "mpsafe-scan exited $rc: see $OUT/scan.log"
sed 's/^/    /' "$OUT/scan.log" >&2

step 3 "check the plan (mpsafe-rewrite --dry-run)"
"$BIN/mpsafe-rewrite" -p "$BUILD" --plan stack/mpsafe-plan.yaml \
  --stage "$(sed -n '/^stages:/,/^[a-z]/s/^  - name: *//p' stack/mpsafe-plan.yaml | tail -1)" \
  --dry-run --format json -o "$OUT/rewrite.json" "${SOURCES[@]}" \
  >"$OUT/rewrite.diff" 2>"$OUT/rewrite.log"
rc=$?
[ $rc -eq 0 ] || die "the plan does not apply (exit $rc): see $OUT/rewrite.log"
printf '    %s lines in the rewrite diff\n' "$(grep -c '^[-+][^-+]' "$OUT/rewrite.diff")" >&2

step 4 "rewrite and build the MP stack"
if [ $mp -eq 1 ]; then
  cmake --build "$BUILD" -j "$JOBS" --target mpsafe_stack_mp stackdemo-mp "${stress[@]}" \
    >>"$OUT/build.log" 2>&1 || die "MP build failed: see $OUT/build.log"
  printf '    %s\n' "$BUILD/stack-mp (patches: $(wc -l <"$BUILD/stack-mp/patches-applied.txt" | tr -d ' '))" >&2
else
  printf '    mpsafe_stack_mp is not in this build (stack/mp/mp.cmake not included); skipped\n' >&2
fi

step 5 "stress the MP stack under witness ($RUNS demo runs, ${STRESS_THREADS}x TCP+UDP for ${STRESS_SECONDS}s)"
# Under witness in fail mode: a reversal, a sleep with a lock held or a
# panic fails the run; every process dumps its lock graph.
under_witness() {
  local tag=$1 log=$2
  shift 2
  WITNESS_GRAPH="$ROOT/$OUT/graphs/$tag-%p.graph" \
  WITNESS_JSON="$ROOT/$OUT/witness.jsonl" \
  WITNESS_ORDER="$ROOT/stack/lock-order" \
  WITNESS_FAIL=1 \
    timeout 120 "$@" >"$log" 2>&1
}
if [ $mp -eq 1 ]; then
  fails=0
  for i in $(seq "$RUNS"); do
    (under_witness stackdemo-mp "$OUT/stackdemo-mp.$i.log" "$BIN/stackdemo-mp") 2>/dev/null ||
      fails=$((fails + 1))
  done
  printf '    demo: %d of %d runs passed\n' $((RUNS - fails)) "$RUNS" >&2
  if [ ${#stress[@]} -gt 0 ]; then
    for proto in udp both; do
      if (under_witness "stress-$proto" "$OUT/stress-$proto.log" \
          "$BUILD/bench/bench_scaling_mp" -t "$STRESS_THREADS" -s "$STRESS_SECONDS" -p "$proto") 2>/dev/null; then
        printf '    stress (%s): %s\n' "$proto" "$(grep -m1 '^threads=' "$OUT/stress-$proto.log")" >&2
      else
        fails=$((fails + 1))
        printf '    stress (%s) FAILED: %s\n' "$proto" \
          "$(grep -m1 -E 'panic|witness: .*report|ThreadSanitizer|bench_scaling:' "$OUT/stress-$proto.log" || tail -n 1 "$OUT/stress-$proto.log")" >&2
        printf '      log: %s\n' "$OUT/stress-$proto.log" >&2
      fi
    done
  fi
  printf '    witness reports: %d\n' \
    "$( [ -f "$OUT/witness.jsonl" ] && wc -l <"$OUT/witness.jsonl" || echo 0)" >&2
  [ $fails -eq 0 ] || { status=1; failed+=("stress: $fails run(s), logs in $OUT"); }
else
  printf '    no MP stack: skipped\n' >&2
fi

step 6 "check the lock graphs against stack/lock-order (witness-check)"
graphs=("$OUT"/graphs/*.graph)
if [ -e "${graphs[0]}" ]; then
  "$BIN/witness-check" --order stack/lock-order --dot "$OUT/locks.dot" \
    "${graphs[@]}" >"$OUT/witness-check.txt" 2>&1
  rc=$?
  tail -n 1 "$OUT/witness-check.txt" | sed 's/^/    /' >&2
  [ $rc -eq 0 ] || { status=1; failed+=("witness-check: see $OUT/witness-check.txt"); }
else
  graphs=()
  printf '    no graphs: skipped\n' >&2
fi

step 7 "write the report (mpsafe-report)"
"$BIN/mpsafe-report" --scan "$OUT/scan.json" --rewrite "$OUT/rewrite.json" \
  --plan stack/mpsafe-plan.yaml --rewrite-diff "$OUT/rewrite.diff" \
  --patches stack/mp/patches --order stack/lock-order \
  --title "mpsafe: the reference stack's migration" \
  -o "$OUT/report.html" --markdown "$OUT/report.md" --summary \
  "${graphs[@]}" >"$OUT/summary.txt" 2>"$OUT/report.log" ||
  die "mpsafe-report failed: see $OUT/report.log"

printf '\nreport: %s\n' "$ROOT/$OUT/report.html"
cat "$OUT/summary.txt"
for f in "${failed[@]}"; do
  printf 'pipeline: FAILED %s\n' "$f" >&2
done
exit $status
