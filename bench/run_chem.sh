#!/usr/bin/env bash
# Builds bench_chem and compares Behler-Parrinello training throughput (energy + force loss,
# minibatch Adam) with the same model written in PyTorch autograd, in the same run, both on one
# thread. Extra arguments go to compare_torch_chem.py, e.g.  bash bench/run_chem.sh --frames 512
# ADAMANT_BUILD_DIR=path uses an existing build tree instead of the release preset.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -n "${ADAMANT_BUILD_DIR:-}" ]]; then
  build="$ADAMANT_BUILD_DIR"
  cmake --build "$build" --target bench_chem
else
  build=build/release
  cmake --preset release >/dev/null
  cmake --build --preset release --target bench_chem
fi
exec /usr/bin/python3 bench/compare_torch_chem.py --exe "$build/bench/bench_chem" "$@"
