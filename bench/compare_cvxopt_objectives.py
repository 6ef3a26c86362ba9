#!/usr/bin/python3
"""Every portfolio objective × the main constraint kinds: adamant.finance (exact active set,
through the Python bindings) against cvxopt (Debian's python3-cvxopt), in the same run, on the
same matrices; prints the time ratio and the objective agreement of each cell.

Problems: real_20 (sample covariance ×252 and mean returns ×252 of the bundled 20-stock panel) and
seeded factor models of N = 100, 500, 1000 assets (--sizes): Σ = B F Bᵀ + D with 8 factors
(market exposure N(1, 0.3²), styles N(0, 0.5²); market vol 16 %, styles U(3 %, 8 %), idiosyncratic
U(10 %, 45 %)), μ = 0.02 + B·premia + N(0, 0.02²) (numpy default_rng(--seed)).

Objectives: min_volatility, max_sharpe (r_f 0.02), max_quadratic_utility (δ = 2), efficient_return
(target halfway between the min-volatility and the largest return), efficient_risk (target 1.25×
the minimum volatility; 10 % for market-neutral, whose minimum volatility is 0); constraints: long_only (0 ≤ w ≤ 1), bounds (−5 % ≤ w ≤ 10 %; n ≥ 20),
sectors (long-only, w ≤ 10 %, 10 sectors of consecutive assets each 0–30 %), market_neutral
(Σw = 0, |w| ≤ 10 %; utility and efficient_return only), l2 (γ = 0.1), l1 (κ = 0.001 against
equal previous weights). Not every cell exists: max Sharpe has no L1/L2 or market-neutral form.

cvxopt formulations (its solvers.qp; cone solver for efficient_risk), each solved cold:
  QPs: P = 2Σ (δΣ for utility, + 2γI), q, G = sparse bound/sector rows, A = budget (and μᵀ).
  max_sharpe: the homogenised QP min yᵀΣy s.t. (μ − r_f)ᵀy = 1, Σy = κ, bounds·κ (as PyPortfolioOpt).
  l1: variables (w, t) with t ≥ ±(w − w_prev), cost κ·Σt.
  efficient_risk: solvers.conelp: max μᵀw s.t. ‖Lᵀw‖ ≤ σ*, linear rows (L = chol(Σ)).
Tolerances: cvxopt abstol = reltol = feastol = 1e-9 (tighter than its defaults; looser settings
miss 1e-8 objective agreement on several cells). adamant: default options (exact).
Timing: median of --reps calls (1 call for n ≥ 500), after one warm-up; OMP/BLAS single-threaded.
The last column is (f_adamant − f_cvxopt)/|f_cvxopt| on the problem's own objective (negative:
adamant lower, i.e. better).

Also: the efficient frontier of --frontier-points points at --frontier-n assets (long-only):
adamant.finance.efficient_frontier (warm-started along the path) against cvxopt solving each
point's efficient_return cold.

Usage: PYTHONPATH=build/release/python /usr/bin/python3 bench/compare_cvxopt_objectives.py
       [--sizes 100,500,1000] [--reps 5] [--constraints long_only,...] [--objectives ...]
       [--no-frontier] [--json out.json]
A cvxopt call that raises (its cone solver fails on some market-neutral targets) is printed as
such and the cell skipped.
"""

import os

os.environ["OMP_NUM_THREADS"] = "1"
os.environ["OPENBLAS_NUM_THREADS"] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import pathlib  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import cvxopt  # noqa: E402
from cvxopt import solvers  # noqa: E402

import adamant  # noqa: E402
import adamant.finance as af  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
RF = 0.02


def factor_model(n, seed, k=8):
    rng = np.random.default_rng(seed)
    B = np.empty((n, k))
    B[:, 0] = rng.normal(1.0, 0.3, n)
    B[:, 1:] = rng.normal(0.0, 0.5, (n, k - 1))
    fvol = np.concatenate([[0.16], rng.uniform(0.03, 0.08, k - 1)])
    S = B @ np.diag(fvol**2) @ B.T + np.diag(rng.uniform(0.10, 0.45, n) ** 2)
    S = 0.5 * (S + S.T)
    premia = np.concatenate([[0.05], rng.normal(0.0, 0.01, k - 1)])
    mu = 0.02 + B @ premia + rng.normal(0.0, 0.02, n)
    return mu, S


def real_20():
    import h5py

    with h5py.File(ROOT / "datasets/data/stock_prices_20.h5", "r") as f:
        prices = np.asarray(f["prices"], dtype=np.float64)
    r = prices[1:] / prices[:-1] - 1
    r = r[~np.isnan(r).any(axis=1)]
    return r.mean(axis=0) * 252, np.cov(r, rowvar=False) * 252


def constraint_sets(n):
    sets = {"long_only": dict(bounds=(0.0, 1.0))}
    if n >= 20:
        sets["bounds"] = dict(bounds=(-0.05, 0.10))
        size = max(1, n // 10)
        sectors = [(f"s{g}", list(range(g * size, min(n, (g + 1) * size))), 0.0, 0.3)
                   for g in range(10) if g * size < n]
        sets["sectors"] = dict(bounds=(0.0, 0.10 if n >= 20 else 1.0), sectors=sectors)
    sets["market_neutral"] = dict(bounds=(-0.10, 0.10), market_neutral=True)
    sets["l2"] = dict(bounds=(0.0, 1.0), gamma=0.1)
    sets["l1"] = dict(bounds=(0.0, 1.0), kappa=0.001, w_prev=np.full(n, 1.0 / n))
    return sets


# ---- cvxopt ----

def lin_rows(n, c, nvar=None):
    """G, h (sparse) for bounds and sector rows over the first n of nvar variables."""
    nvar = nvar or n
    lo, hi = c.get("bounds", (0.0, 1.0))
    I, J, V, h = [], [], [], []
    r = 0
    for i in range(n):
        if np.isfinite(lo):
            I.append(r), J.append(i), V.append(-1.0), h.append(-lo)
            r += 1
        if np.isfinite(hi):
            I.append(r), J.append(i), V.append(1.0), h.append(hi)
            r += 1
    for _, assets, slo, shi in c.get("sectors", []):
        for sign, bound in ((-1.0, slo), (1.0, shi)):
            if np.isfinite(bound):
                for i in assets:
                    I.append(r), J.append(i), V.append(sign)
                h.append(sign * bound)
                r += 1
    return cvxopt.spmatrix(V, I, J, (r, nvar)), cvxopt.matrix(np.asarray(h, dtype=float))


def cvx_qp(mu, S, c, objective, target=None):
    n = len(mu)
    budget = 0.0 if c.get("market_neutral") else 1.0
    gamma, kappa = c.get("gamma", 0.0), c.get("kappa", 0.0)
    if objective == "max_quadratic_utility":
        P, q = 2.0 * S, -mu
    else:
        P, q = 2.0 * S, np.zeros(n)
    P = P + 2 * gamma * np.eye(n)
    Aeq, beq = [np.ones(n)], [budget]
    if objective == "efficient_return":
        Aeq.append(mu), beq.append(target)
    if kappa > 0:  # variables (w, t): t ≥ ±(w − w_prev)
        wp = c["w_prev"]
        Pn = np.zeros((2 * n, 2 * n))
        Pn[:n, :n] = P
        qn = np.concatenate([q, np.full(n, kappa)])
        G1, h1 = lin_rows(n, c, 2 * n)
        E = cvxopt.spmatrix(1.0, range(n), range(n), (n, 2 * n))
        T = cvxopt.spmatrix(1.0, range(n), range(n, 2 * n), (n, 2 * n))
        G = cvxopt.sparse([G1, E - T, -E - T])
        h = cvxopt.matrix([h1, cvxopt.matrix(wp), cvxopt.matrix(-wp)])
        A = cvxopt.matrix(np.hstack([np.array(Aeq), np.zeros((len(Aeq), n))]))
        sol = solvers.qp(cvxopt.matrix(Pn), cvxopt.matrix(qn), G, h, A, cvxopt.matrix(beq))
        return np.array(sol["x"]).ravel()[:n], sol["status"]
    G, h = lin_rows(n, c)
    sol = solvers.qp(cvxopt.matrix(P), cvxopt.matrix(q), G, h, cvxopt.matrix(np.array(Aeq)),
                     cvxopt.matrix(beq))
    return np.array(sol["x"]).ravel(), sol["status"]


def cvx_sharpe(mu, S, c):
    n = len(mu)
    lo, hi = c.get("bounds", (0.0, 1.0))
    P = np.zeros((n + 1, n + 1))
    P[:n, :n] = 2 * S
    I, J, V, h = [], [], [], []
    r = 0
    for i in range(n):  # lo·κ − y ≤ 0, y − hi·κ ≤ 0
        if np.isfinite(lo):
            I += [r, r]
            J += [i, n]
            V += [-1.0, lo]
            h.append(0.0)
            r += 1
        if np.isfinite(hi):
            I += [r, r]
            J += [i, n]
            V += [1.0, -hi]
            h.append(0.0)
            r += 1
    for _, assets, slo, shi in c.get("sectors", []):
        for sign, bound in ((-1.0, slo), (1.0, shi)):
            I += [r] * (len(assets) + 1)
            J += list(assets) + [n]
            V += [sign] * len(assets) + [-sign * bound]
            h.append(0.0)
            r += 1
    I.append(r), J.append(n), V.append(-1.0), h.append(0.0)
    r += 1
    G = cvxopt.spmatrix(V, I, J, (r, n + 1))
    A = np.zeros((2, n + 1))
    A[0, :n] = mu - RF
    A[1, :n] = 1.0
    A[1, n] = -1.0
    sol = solvers.qp(cvxopt.matrix(P), cvxopt.matrix(np.zeros(n + 1)), G,
                     cvxopt.matrix(np.asarray(h, dtype=float)), cvxopt.matrix(A),
                     cvxopt.matrix([1.0, 0.0]))
    x = np.array(sol["x"]).ravel()
    return x[:n] / x[n], sol["status"]


def cvx_risk(mu, S, c, sigma):
    n = len(mu)
    gamma, kappa = c.get("gamma", 0.0), c.get("kappa", 0.0)
    if gamma > 0 or kappa > 0:
        return None, "n/a"
    try:
        L = np.linalg.cholesky(S)
    except np.linalg.LinAlgError:  # singular Σ (tests): any L with L Lᵀ = Σ serves the cone
        lam, V = np.linalg.eigh(S)
        L = V * np.sqrt(np.maximum(lam, 0.0))
    G1, h1 = lin_rows(n, c)
    Gs = cvxopt.matrix(np.vstack([np.zeros((1, n)), -L.T]))
    G = cvxopt.sparse([G1, cvxopt.sparse(Gs)])
    h = cvxopt.matrix([h1, cvxopt.matrix([sigma] + [0.0] * n)])
    dims = {"l": G1.size[0], "q": [n + 1], "s": []}
    budget = 0.0 if c.get("market_neutral") else 1.0
    sol = solvers.conelp(cvxopt.matrix(-mu), G, h, dims, cvxopt.matrix(np.ones((1, n))),
                         cvxopt.matrix([budget]))
    return np.array(sol["x"]).ravel(), sol["status"]


# ---- adamant ----

def ad_solve(mu, S, c, objective, target=None):
    if objective == "min_volatility":
        return af.min_volatility(mu, S, **c)
    if objective == "max_sharpe":
        return af.max_sharpe(mu, S, risk_free_rate=RF, **c)
    if objective == "max_quadratic_utility":
        return af.max_quadratic_utility(mu, S, 2.0, **c)
    if objective == "efficient_return":
        return af.efficient_return(mu, S, target, **c)
    return af.efficient_risk(mu, S, target, **c)


def objective_value(objective, w, mu, S, c):
    gamma, kappa = c.get("gamma", 0.0), c.get("kappa", 0.0)
    reg = gamma * w @ w + (kappa * np.abs(w - c["w_prev"]).sum() if kappa > 0 else 0.0)
    if objective in ("min_volatility", "efficient_return"):
        return w @ S @ w + reg
    if objective == "max_quadratic_utility":
        return -mu @ w + w @ S @ w + reg  # δ/2 = 1
    if objective == "max_sharpe":
        return -(mu @ w - RF) / np.sqrt(w @ S @ w)
    return -mu @ w + reg  # efficient_risk: maximise return


def timed(fn, reps):
    fn()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        out = fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100,500,1000")
    ap.add_argument("--seed", type=int, default=20240611)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--frontier-n", type=int, default=500)
    ap.add_argument("--frontier-points", type=int, default=100)
    ap.add_argument("--constraints", default="",
                    help="comma-separated constraint sets to run (default: all)")
    ap.add_argument("--objectives", default="", help="comma-separated objectives (default: all)")
    ap.add_argument("--no-frontier", action="store_true")
    ap.add_argument("--json", default="")
    args = ap.parse_args()
    for k in ("abstol", "reltol", "feastol"):
        solvers.options[k] = 1e-9
    solvers.options["show_progress"] = False
    solvers.options["maxiters"] = 200
    problems = [("real_20",) + real_20()]
    for n in [int(s) for s in args.sizes.split(",") if s]:
        problems.append((f"factor_{n}",) + factor_model(n, args.seed + n))
    objectives = ["min_volatility", "max_sharpe", "max_quadratic_utility", "efficient_return",
                  "efficient_risk"]
    rows = []
    print(f"adamant {adamant.__version__ if hasattr(adamant, '__version__') else ''} vs cvxopt "
          f"{cvxopt.__version__}; times in ms (median), ratio = cvxopt / adamant")
    print(f"{'problem':<12} {'constraints':<15} {'objective':<22} {'adamant':>10} {'cvxopt':>10} "
          f"{'ratio':>8} {'rel. obj diff':>14}")
    for name, mu, S in problems:
        n = len(mu)
        reps = args.reps if n < 500 else 1
        for cname, c in constraint_sets(n).items():
            if args.constraints and cname not in args.constraints.split(","):
                continue
            for obj in objectives:
                if args.objectives and obj not in args.objectives.split(","):
                    continue
                if obj == "min_volatility" and c.get("market_neutral"):
                    continue
                if obj == "max_sharpe" and (c.get("market_neutral") or c.get("gamma") or
                                            c.get("kappa")):
                    continue
                if obj == "efficient_risk" and (c.get("gamma") or c.get("kappa")):
                    continue  # no cone form here for the regularised variants (cvxopt column)
                target = None
                if obj == "efficient_return":
                    lo = af.min_volatility(mu, S, **c).expected_return if not \
                        c.get("market_neutral") else 0.0
                    hi = af.max_quadratic_utility(mu, S, 1e-4, **c).expected_return
                    target = lo + 0.5 * (hi - lo)
                if obj == "efficient_risk":  # market-neutral: min volatility 0 (w = 0)
                    target = 0.10 if c.get("market_neutral") else \
                        1.25 * af.min_volatility(mu, S, **c).volatility
                try:
                    ta, ra = timed(lambda: ad_solve(mu, S, c, obj, target), reps)
                except Exception as e:  # noqa: BLE001
                    print(f"{name:<12} {cname:<15} {obj:<22} adamant failed: {e}")
                    continue
                try:
                    if obj == "max_sharpe":
                        tc, (wc, st) = timed(lambda: cvx_sharpe(mu, S, c), reps)
                    elif obj == "efficient_risk":
                        tc, (wc, st) = timed(lambda: cvx_risk(mu, S, c, target), reps)
                    else:
                        tc, (wc, st) = timed(lambda: cvx_qp(mu, S, c, obj, target), reps)
                except Exception as e:  # noqa: BLE001
                    print(f"{name:<12} {cname:<15} {obj:<22} {1e3 * ta:>10.3f}  cvxopt failed: "
                          f"{type(e).__name__}: {e}", flush=True)
                    continue
                wa = np.asarray(ra.weights)
                fa = objective_value(obj, wa, mu, S, c)
                fc = objective_value(obj, wc, mu, S, c)
                diff = (fa - fc) / max(abs(fc), 1e-300)
                ratio = tc / ta
                rows.append(dict(problem=name, n=n, constraints=cname, objective=obj,
                                 adamant_ms=1e3 * ta, cvxopt_ms=1e3 * tc, ratio=ratio,
                                 rel_obj_diff=diff, cvxopt_status=st, kkt=ra.kkt_residual))
                print(f"{name:<12} {cname:<15} {obj:<22} {1e3 * ta:>10.3f} {1e3 * tc:>10.2f} "
                      f"{ratio:>8.1f} {diff:>14.2e}  ({st})", flush=True)
    if args.no_frontier:
        if args.json:
            pathlib.Path(args.json).write_text(json.dumps(rows, indent=1))
        return 0
    # Frontier.
    n = args.frontier_n
    mu, S = factor_model(n, args.seed + n)
    K = args.frontier_points
    t0 = time.perf_counter()
    fr = af.efficient_frontier(mu, S, points=K)
    ta = time.perf_counter() - t0
    targets = np.asarray(fr.returns)
    t0 = time.perf_counter()
    worst = 0.0
    for k, r in enumerate(targets):
        w, _ = cvx_qp(mu, S, {"bounds": (0.0, 1.0)}, "efficient_return", r)
        va, vc = np.asarray(fr.weights)[k] @ S @ np.asarray(fr.weights)[k], w @ S @ w
        worst = max(worst, (va - vc) / vc)
    tc = time.perf_counter() - t0
    print(f"\nfrontier: {K} points, factor_{n}, long-only: adamant {1e3 * ta:.1f} ms, cvxopt "
          f"(each point cold) {1e3 * tc:.1f} ms, ratio {tc / ta:.1f}; worst relative variance "
          f"difference (adamant − cvxopt) {worst:.2e}")
    rows.append(dict(problem=f"frontier_{n}", points=K, adamant_ms=1e3 * ta, cvxopt_ms=1e3 * tc,
                     ratio=tc / ta, rel_obj_diff=worst))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
