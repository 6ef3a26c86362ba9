#!/usr/bin/env bash
# README command 1: install, build, run the main demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh release
./build/release/apps/adamant demo "$@"
