#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan; fuzz/README.md) and fuzzes each one for
# SECONDS (default 60) from the committed corpus, as CI does after the tests. Findings go to
# build/fuzz/run/artifacts/; any finding fails the run (libFuzzer exits non-zero).
#   bash scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
export CCACHE_BASEDIR="$PWD"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)" --target fuzz_readers fuzz_import

# HDF5 runs uninstrumented inside the fuzzed process; fuzz/README.md explains each setting.
export ASAN_OPTIONS=allocator_may_return_null=1:max_allocation_size_mb=1024:fast_unwind_on_malloc=0
export LSAN_OPTIONS="suppressions=$PWD/fuzz/hdf5-lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# A read libhdf5 makes no progress on for 5 s is a DataError (it loops on some corrupt heaps).
export ADAMANT_HDF5_GUARD_TIMEOUT=5

run=build/fuzz/run
mkdir -p "$run/artifacts"
status=0
for t in readers import; do
  mkdir -p "$run/corpus/$t"
  echo "== fuzz_$t: ${seconds} s (log: $run/fuzz_$t.log)"
  rc=0
  build/fuzz/fuzz/fuzz_$t -seed=1 -max_total_time="$seconds" -timeout=60 -print_final_stats=1 \
    -artifact_prefix="$run/artifacts/" "$run/corpus/$t" "fuzz/corpus/$t" >"$run/fuzz_$t.log" 2>&1 ||
    rc=$?
  grep -E '^(#[0-9]+\s+(INITED|DONE)|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY|fuzz:)' \
    "$run/fuzz_$t.log" || true
  if [ "$rc" -ne 0 ]; then
    echo "fuzz_$t: failed (exit $rc); the end of its log:"
    tail -n 60 "$run/fuzz_$t.log"
    status=1
  fi
done
exit "$status"
