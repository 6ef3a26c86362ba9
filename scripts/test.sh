#!/usr/bin/env bash
# README command 2 (and CI): install, build, run every test — C++ (ctest) and Python (pytest)
# on the release build, then the C++ tests again under AddressSanitizer + UBSan, then a short
# clang/libFuzzer run of each fuzz target (scripts/fuzz.sh), so the fuzzers cannot rot.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

echo "== release build"
bash scripts/build.sh release
echo "== ctest (release)"
ctest --preset release
echo "== pytest (release)"
PYTHONPATH="$PWD/build/release/python" /usr/bin/python3 -m pytest -q tests/python

echo "== sanitizer build (ASan + UBSan)"
bash scripts/build.sh asan
echo "== ctest (asan)"
ctest --preset asan

echo "== fuzz (clang + libFuzzer, 60 s per target)"
bash scripts/fuzz.sh 60
