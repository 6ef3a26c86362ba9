#!/usr/bin/env bash
# Configures and builds one preset (default: release) with every core of the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"
# ccache keys on paths relative to the repository root, so every clone shares one cache.
export CCACHE_BASEDIR="$PWD"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
