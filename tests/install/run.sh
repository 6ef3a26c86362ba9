#!/usr/bin/env bash
# Installs the build tree at $1 into a temporary prefix, then configures, builds and runs the
# consumer project in this folder against it (what `find_package(adamant)` users do).
set -euo pipefail
build="$1"
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$here" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/build" >/dev/null
(cd "$work" && "$work/build/consumer")
