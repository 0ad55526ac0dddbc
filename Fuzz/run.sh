#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/ (with ASan) and runs each of them.
#
#   Fuzz/run.sh                     # both targets, 1,000,000 runs each
#   RUNS=200000 Fuzz/run.sh csv     # one target, fewer runs
#   MAX_TIME=600 Fuzz/run.sh        # stop each target after 10 minutes at most
#   BUILD_ONLY=1 Fuzz/run.sh        # build only
#   Fuzz/run.sh safetensors -- -jobs=2 -workers=2   # extra libFuzzer flags after --
#
# New inputs that reach new code go to Fuzz/.build/corpus/<target>/ (ignored by git), with
# Fuzz/Corpus/<target>/ as read-only seeds. A crash, timeout, leak or out-of-memory input is
# written to Fuzz/.build/artifacts/ and the script exits non-zero. See Fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${RUNS:-1000000}"
MAX_TIME="${MAX_TIME:-3600}"
CONFIG="${CONFIG:-release}"

targets=()
while [[ $# -gt 0 && "$1" != "--" ]]; do
  case "$1" in
    safetensors) targets+=(FuzzSafetensors) ;;
    csv) targets+=(FuzzCSV) ;;
    *) echo "unknown target $1 (safetensors, csv)" >&2; exit 2 ;;
  esac
  shift
done
[[ "${1:-}" == "--" ]] && shift
extra=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=(FuzzSafetensors FuzzCSV)

swift build -c "$CONFIG" --package-path Fuzz --scratch-path Fuzz/.build \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
[[ -n "${BUILD_ONLY:-}" ]] && exit 0

bin="Fuzz/.build/$CONFIG"
mkdir -p Fuzz/.build/artifacts
status=0
for target in "${targets[@]}"; do
  case "$target" in
    FuzzSafetensors) corpus=safetensors ;;
    FuzzCSV) corpus=csv ;;
  esac
  work="Fuzz/.build/corpus/$corpus"
  mkdir -p "$work"
  echo "== $target: $RUNS runs (at most ${MAX_TIME}s)"
  # The first corpus directory receives new inputs; the seeds stay as they are.
  if ! SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=no}" ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" "$bin/$target" \
    "$work" "Fuzz/Corpus/$corpus" \
    -dict="Fuzz/$corpus.dict" \
    -runs="$RUNS" -max_total_time="$MAX_TIME" -timeout=5 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
    -max_len=65536 -detect_leaks=1 -print_final_stats=1 \
    -artifact_prefix="Fuzz/.build/artifacts/$target-" \
    "${extra[@]}"; then
    echo "== $target: FAILED (see Fuzz/.build/artifacts/)" >&2
    status=1
  fi
done
exit $status
