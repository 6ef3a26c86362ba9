#!/usr/bin/env bash
# Builds bench_gan and compares Gaussian-mixture GAN training throughput (MLP generator and
# discriminator, non-saturating loss, simultaneous Adam) with the same GAN in PyTorch (Debian's
# python3-torch) in the same run, both on one thread, float64 and float32, after checking that the
# two compute the same gradients and Adam steps. Extra arguments go to compare_torch_gan.py, e.g.
#   bash bench/run_gan.sh --mixture grid --batch 256 --json out.json
# ADAMANT_BUILD_DIR=path uses an existing build tree instead of the release preset.
# Run it on an otherwise idle machine: the timings share the cores.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -n "${ADAMANT_BUILD_DIR:-}" ]]; then
  build="$ADAMANT_BUILD_DIR"
  cmake --build "$build" --target bench_gan
else
  build=build/release
  cmake --preset release >/dev/null
  cmake --build --preset release --target bench_gan
fi
exec /usr/bin/python3 bench/compare_torch_gan.py --exe "$build/bench/bench_gan" "$@"
