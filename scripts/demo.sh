#!/usr/bin/env bash
# README command 1: install, build, run the main demo: the optimizer table on the test problems,
# then PPO solving CartPole-v1, the max-Sharpe portfolio and efficient frontier of the bundled
# 20-stock panel, a neural potential fitted to the bundled ethanol data and run for 10 ps of MD,
# and the Dirac-GAN under six game optimizers (files and plots written to build/demo/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh release
./build/release/apps/adamant demo "$@"
echo
./build/release/apps/adamant rl train --env CartPole-v1 --algo ppo --seed 0 --out build/demo
echo
./build/release/apps/adamant portfolio optimize --prices datasets/data/stock_prices_20.h5 \
  --objective max-sharpe --rf 0.02 --long-only -o build/demo/max_sharpe.h5
echo
./build/release/apps/adamant portfolio frontier --prices datasets/data/stock_prices_20.h5 \
  --out build/demo
echo
./build/release/apps/adamant chem fit --data datasets/data/ethanol_md_gfn2xtb.h5 --out build/demo
echo
./build/release/apps/adamant chem md --model build/demo/chem_ethanol_md_gfn2xtb_seed0.h5 \
  --out build/demo
echo
./build/release/apps/adamant gan study --game dirac \
  --methods simgd,altgd,adam,optimistic,extragradient,consensus --steps 500 --out build/demo
