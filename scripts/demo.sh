#!/usr/bin/env bash
# README command 1: install, build, run the main demo: the optimizer table on the test problems,
# then PPO solving CartPole-v1 (policy, learning curve and plot written to build/demo/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh release
./build/release/apps/adamant demo "$@"
echo
./build/release/apps/adamant rl train --env CartPole-v1 --algo ppo --seed 0 --out build/demo
