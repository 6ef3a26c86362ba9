#!/usr/bin/python3
"""Cardinality and minimum-holding limits (max_assets K, min_weight w_min): adamant.finance's
branch and bound on every objective, at 20 (the bundled panel), 100 and 500 assets; prints nodes
explored, time, the proven gap and the objective against the same problem without the limits.

There is no peer to time against: PyPortfolioOpt and cvxopt have no mixed-integer solver (a
cardinality limit needs a commercial MIQP solver there), so the table reports what the search
achieves within --time-limit seconds per problem — proven optimal (gap ≤ 1e-9), or the best
portfolio found and the gap between it and the best proven lower bound.

Problems: real_20 and the seeded factor models of compare_cvxopt_objectives.py (same generator,
same seed). Long-only (0 ≤ w ≤ 1, Σw = 1). Objectives as there: min_volatility, max_sharpe
(r_f 0.02), max_quadratic_utility (δ = 2), efficient_return (target halfway between the
min-volatility return and the largest μ), efficient_risk (1.25× the unconstrained minimum
volatility... raised to the K-asset minimum when that is higher). Limits: K = 5 at 20 assets,
K = 10 at 100 and 500, with and without w_min = 0.02.

Usage: PYTHONPATH=build/release/python /usr/bin/python3 bench/cardinality.py
       [--sizes 20,100,500] [--time-limit 10] [--json out.json]
"""

import os

os.environ["OMP_NUM_THREADS"] = "1"
os.environ["OPENBLAS_NUM_THREADS"] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_cvxopt_objectives import factor_model, real_20  # noqa: E402

import adamant.finance as af  # noqa: E402

RF = 0.02


def problems(mu, S):
    mv = af.min_volatility(mu, S)
    target_r = 0.5 * (mv.expected_return + mu.max())
    return [
        ("min_volatility", lambda **k: af.min_volatility(mu, S, **k)),
        ("max_sharpe", lambda **k: af.max_sharpe(mu, S, risk_free_rate=RF, **k)),
        ("max_utility", lambda **k: af.max_quadratic_utility(mu, S, 2.0, **k)),
        ("efficient_return", lambda **k: af.efficient_return(mu, S, target_r, **k)),
        ("efficient_risk", None),  # needs the K-asset minimum volatility, below
    ], mv


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="20,100,500")
    ap.add_argument("--time-limit", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", default="")
    a = ap.parse_args()
    rows = []
    print(f"{'n':>4} {'K':>3} {'w_min':>5} {'objective':<17} {'nodes':>8} {'time s':>7} "
          f"{'gap':>9} {'held':>4}  {'f(limits) / f(none)':>19}")
    for n in [int(s) for s in a.sizes.split(",")]:
        mu, S = real_20() if n == 20 else factor_model(n, a.seed)
        K = 5 if n == 20 else 10
        probs, mv = problems(mu, S)
        for wmin in (0.0, 0.02):
            lim = dict(max_assets=K, min_weight=wmin, time_limit=a.time_limit)
            for name, fn in probs:
                if name == "efficient_risk":
                    vmin = af.min_volatility(mu, S, **lim).volatility
                    sigma = max(1.25 * mv.volatility, 1.05 * vmin)
                    fn = (lambda s: lambda **k: af.efficient_risk(mu, S, s, **k))(sigma)
                free = fn()
                t0 = time.perf_counter()
                r = fn(**lim)
                dt = time.perf_counter() - t0
                held = int(np.count_nonzero(r.weights))
                ratio = r.objective / free.objective
                gap = "optimal" if r.optimal else f"{100 * r.gap:.2f}%"
                print(f"{n:>4} {K:>3} {wmin:>5.2f} {name:<17} {r.nodes:>8} {dt:>7.2f} {gap:>9} "
                      f"{held:>4}  {ratio:>19.4f}", flush=True)
                rows.append(dict(n=n, K=K, min_weight=wmin, objective=name, nodes=r.nodes,
                                 seconds=dt, gap=r.gap, optimal=r.optimal, held=held,
                                 value=r.objective, unconstrained=free.objective))
    if a.json:
        with open(a.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
