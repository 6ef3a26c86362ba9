#!/usr/bin/env bash
# Builds bench_rl and the Python extension (release preset) and runs the CartPole-v1 comparison:
# adamant.rl (C++ and Python, single env and batched) against a numpy re-implementation of
# Gymnasium's CartPole measured in the same run, plus PPO's time to solve CartPole-v1 (seeds 0-9).
# Extra arguments go to compare_gym.py, e.g.  bash bench/run_rl.sh --solve-seeds 3 --json out.json
# Run it on an otherwise idle machine: the timings share the cores.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset release >/dev/null
cmake --build --preset release --target bench_rl adamant_python
PYTHONPATH=build/release/python exec /usr/bin/python3 bench/compare_gym.py \
  --exe build/release/bench/bench_rl "$@"
