#!/usr/bin/env bash
# Rebuilds the bundled data files (datasets/data/README.md) from their sources with the adamant
# CLI, so the conversion is reproducible:
#
#   bash datasets/data/convert.sh [ADAMANT] [SOURCES]
#
# ADAMANT: the adamant executable (default build/release/apps/adamant); SOURCES: the directory
# holding stock_prices_20.csv and the GFN2-xTB ethanol files (default ../shared/datasets beside
# the repository). Each file is validated on the way in and written atomically, compressed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
adamant=${1:-$repo/build/release/apps/adamant}
src=${2:-$repo/../shared/datasets}
[ -x "$adamant" ] || { echo "convert.sh: no adamant executable at $adamant (build first)" >&2; exit 1; }
[ -d "$src" ] || { echo "convert.sh: no source directory $src" >&2; exit 1; }

# Daily adjusted close prices of 20 US stocks (PyPortfolioOpt's tests/resources/stock_prices.csv).
"$adamant" data import-prices "$src/stock_prices_20.csv" -o "$here/stock_prices_20.h5" \
  --source "PyPortfolioOpt tests/resources/stock_prices.csv (https://github.com/robertmartin8/PyPortfolioOpt)" \
  --licence "MIT License, Copyright (c) 2018 Robert Andrew Martin"

# Ethanol GFN2-xTB energies and forces (generated with Debian's xtb and ASE): rewritten in the
# molecules schema, all root attributes (method, sampler, temperature_K, seed, units) kept.
"$adamant" data convert "$src/ethanol_gfn2xtb.h5" -o "$here/ethanol_md_gfn2xtb.h5" \
  --schema molecules --source "GFN2-xTB (Debian xtb / libxtb) with ASE Langevin MD, generated for adamant"
"$adamant" data convert "$src/ethanol_close_contacts_gfn2xtb.h5" \
  -o "$here/ethanol_close_contacts_gfn2xtb.h5" --schema molecules \
  --source "GFN2-xTB (Debian xtb / libxtb) with ASE: MD frames with noise and one close atom pair, generated for adamant"

for f in "$here"/*.h5; do "$adamant" data info "$f" | grep '^summary' | sed "s|^|$(basename "$f"): |"; done
du -ch "$here"/*.h5 | tail -1
