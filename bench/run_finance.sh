#!/usr/bin/env bash
# Builds bench_finance and runs the long-only minimum-volatility comparison against cvxopt's QP
# solver (Debian's python3-cvxopt) with /usr/bin/python3: 20 real assets, 100 and 500 from seeded
# factor models, time to a 1e-8 relative objective gap, both single-threaded.
# Extra arguments go to compare_cvxopt.py, e.g.  bash bench/run_finance.sh --adam --json out.json
# ADAMANT_BUILD_DIR=path uses an existing build tree instead of the release preset.
# Run it on an otherwise idle machine: the timings share the cores.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -n "${ADAMANT_BUILD_DIR:-}" ]]; then
  build="$ADAMANT_BUILD_DIR"
  cmake --build "$build" --target bench_finance
else
  build=build/release
  cmake --preset release >/dev/null
  cmake --build --preset release --target bench_finance
fi
exec /usr/bin/python3 bench/compare_cvxopt.py --exe "$build/bench/bench_finance" "$@"
