#!/usr/bin/env bash
# Builds bench_optim (release preset) and runs the full comparison: memory bandwidth (STREAM
# triad), adamant's Adam/AdamW/AMSGrad steps and PyTorch's foreach optimizers, one table.
# Extra arguments go to compare_torch.py, e.g.  bash bench/run.sh --sizes 1e4,1e6 --json out.json
# Run it on an otherwise idle machine: the timings share the cores and the memory bus.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --preset release >/dev/null
cmake --build --preset release --target bench_optim
exec /usr/bin/python3 bench/compare_torch.py "$@"
