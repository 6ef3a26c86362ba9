#!/usr/bin/env python3
"""Reference values for adamant::finance estimators (tests/finance/test_estimators.cpp).

Reads PyPortfolioOpt's test price panel (stock_prices_20.csv: a `date` column, then one column
per ticker, empty cells before a stock lists) and writes finance_estimators.h5 with the
expected returns, covariance matrices and Ledoit-Wolf shrinkages that PyPortfolioOpt's
definitions give, computed here with plain numpy (masks and explicit weights), independently of
the C++ code:

  returns       pct_change without forward fill; rows NaN in every column dropped
  mu            (prod(1 + r))^(252 / count) - 1, and 252 * mean(r)
  ema_mu        pandas ewm(span=500, adjust=True).mean() at the last row, (1 + e)^252 - 1
  capm_mu       r_f + beta (E[r_m] - r_f), market = row mean of the available returns
  sample_cov    pairwise-complete covariance (divisor n_pair - 1) * 252
  exp_cov       ewm(span=180) of (r_i - mean_i)(r_j - mean_j) at the last row, * 252
  lw_*          Ledoit-Wolf shrinkage on the returns with NaN set to 0 (PyPortfolioOpt's
                CovarianceShrinkage): constant variance (sklearn's formula), single factor,
                constant correlation; * 252, with the shrinkage intensities.

Usage: make_finance_estimators.py PATH/TO/stock_prices_20.csv [OUT.h5]
"""
import sys

import h5py
import numpy as np

F = 252


def load_prices(path):
    with open(path) as f:
        header = f.readline().strip().split(",")
    data = np.genfromtxt(path, delimiter=",", skip_header=1, dtype=float)
    return header[1:], data[:, 1:]


def returns_from_prices(prices, log=False):
    prev, cur = prices[:-1], prices[1:]
    r = cur / prev - 1.0  # NaN propagates where either price is NaN
    if log:
        r = np.log(1.0 + r)
    keep = ~np.all(np.isnan(r), axis=1)
    return r[keep]


def mean_hist(r, compounding=True):
    ok = ~np.isnan(r)
    if compounding:
        growth = np.prod(np.where(ok, 1.0 + r, 1.0), axis=0)
        return growth ** (F / ok.sum(axis=0)) - 1.0
    return F * np.nansum(r, axis=0) / ok.sum(axis=0)


def ewm_last(x, span):
    """Weighted mean of the non-NaN x with weights (1 - alpha)^(age), age from the last row."""
    alpha = 2.0 / (span + 1.0)
    age = np.arange(len(x) - 1, -1, -1, dtype=float)
    ok = ~np.isnan(x)
    # normalise by the youngest observation to keep the weights representable
    w = (1.0 - alpha) ** (age[ok] - age[ok].min())
    return np.sum(w * x[ok]) / np.sum(w)


def pair_cov(x, y):
    ok = ~np.isnan(x) & ~np.isnan(y)
    a, b = x[ok], y[ok]
    return np.sum((a - a.mean()) * (b - b.mean())) / (ok.sum() - 1)


def pairwise_cov(r):
    n = r.shape[1]
    s = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            s[i, j] = pair_cov(r[:, i], r[:, j])
    return s


def capm(r, rf):
    mkt = np.nanmean(r, axis=1)
    var_m = pair_cov(mkt, mkt)
    betas = np.array([pair_cov(r[:, j], mkt) / var_m for j in range(r.shape[1])])
    ok = ~np.isnan(mkt)
    e_m = np.prod(1.0 + mkt[ok]) ** (F / ok.sum()) - 1.0
    return rf + betas * (e_m - rf)


def exp_cov(r, span):
    n = r.shape[1]
    dev = r - np.nanmean(r, axis=0)
    s = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            s[i, j] = ewm_last(dev[:, i] * dev[:, j], span)
    return s * F


def lw_constant_variance(x):
    """Ledoit & Wolf (2004, JMVA): target mu*I, intensity as in sklearn's ledoit_wolf_shrinkage."""
    t, n = x.shape
    xc = x - x.mean(axis=0)
    s = np.einsum("ti,tj->ij", xc, xc) / t
    mu = np.trace(s) / n
    d2 = np.sum((s - mu * np.eye(n)) ** 2) / n
    # mean over t of ||x_t x_t' - S||^2 / n, the estimator b-bar^2 of the paper, divided by t
    fourth = np.einsum("ti,tj->ij", xc**2, xc**2).sum()
    b2 = (fourth / t - np.sum(s**2)) / (n * t)
    b2 = min(b2, d2)
    delta = 0.0 if b2 == 0 else b2 / d2
    return (1 - delta) * s + delta * mu * np.eye(n), delta


def lw_single_factor(x):
    """Ledoit & Wolf (2003): single-index target, market = equal-weighted mean of the demeaned x."""
    t, n = x.shape
    xm = x - x.mean(axis=0)
    m = xm.mean(axis=1)
    z = np.column_stack([xm, m])
    zc = z - z.mean(axis=0)
    full = zc.T @ zc / t
    s = full[:n, :n]
    b = full[:n, n]
    vm = full[n, n]
    target = np.outer(b, b) / vm
    np.fill_diagonal(target, np.diag(s))
    gamma = np.sum((s - target) ** 2)
    y = xm**2
    pi = np.einsum("ti,tj->", y, y) / t - np.sum(s**2)
    rho_diag = np.sum(y**2) / t - np.sum(np.diag(s) ** 2)
    zz = xm * m[:, None]
    v1 = np.einsum("ti,tj->ij", y, zz) / t - b[:, None] * s
    r1 = (np.einsum("ij,j->", v1, b) - np.sum(np.diag(v1) * b)) / vm
    v3 = np.einsum("ti,tj->ij", zz, zz) / t - vm * s
    r3 = (np.einsum("ij,i,j->", v3, b, b) - np.sum(np.diag(v3) * b**2)) / vm**2
    rho = rho_diag + 2 * r1 - r3
    delta = max(0.0, min(1.0, (pi - rho) / gamma / t))
    return delta * target + (1 - delta) * s, delta


def lw_constant_correlation(x, s):
    """Ledoit & Wolf (2004, JPM): constant-correlation target; s is the pairwise sample cov."""
    t, n = x.shape
    sd = np.sqrt(np.diag(s))
    corr = s / np.outer(sd, sd)
    rbar = (corr.sum() - n) / (n * (n - 1))
    target = rbar * np.outer(sd, sd)
    np.fill_diagonal(target, np.diag(s))
    xm = x - x.mean(axis=0)
    y = xm**2
    xtx = xm.T @ xm
    pi_mat = y.T @ y / t - 2 * xtx * s / t + s**2
    pi = pi_mat.sum()
    h = xtx / t
    var = np.diag(s)
    theta = (xm**3).T @ xm / t - np.diag(h)[:, None] * s - h * var[:, None] + var[:, None] * s
    np.fill_diagonal(theta, 0.0)
    rho = np.trace(pi_mat) + rbar * np.sum(np.outer(1 / sd, sd) * theta)
    gamma = np.sum((s - target) ** 2)
    delta = max(0.0, min(1.0, (pi - rho) / gamma / t))
    return delta * target + (1 - delta) * s, delta


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[2] if len(sys.argv) > 2 else "finance_estimators.h5"
    tickers, prices = load_prices(sys.argv[1])
    r = returns_from_prices(prices)
    rl = returns_from_prices(prices, log=True)
    s = pairwise_cov(r)
    x0 = np.nan_to_num(r)
    res = {
        "returns_shape": np.array(r.shape, dtype=np.int64),
        "returns_colsum": np.nansum(r, axis=0),
        "returns_count": (~np.isnan(r)).sum(axis=0).astype(np.int64),
        "log_returns_colsum": np.nansum(rl, axis=0),
        "mu": mean_hist(r),
        "mu_arithmetic": mean_hist(r, compounding=False),
        "ema_mu": (1.0 + np.array([ewm_last(r[:, j], 500) for j in range(r.shape[1])])) ** F - 1,
        "capm_mu": capm(r, 0.0),
        "capm_mu_rf002": capm(r, 0.02),
        "sample_cov": s * F,
        "exp_cov": exp_cov(r, 180),
    }
    for name, (cov, delta) in {
        "lw_constant_variance": lw_constant_variance(x0),
        "lw_single_factor": lw_single_factor(x0),
        "lw_constant_correlation": lw_constant_correlation(x0, s),
    }.items():
        res[name] = cov * F
        res[name + "_delta"] = np.array([delta])
    for k in ("sample_cov", "exp_cov", "lw_constant_variance", "lw_single_factor",
              "lw_constant_correlation"):
        ev = np.linalg.eigvalsh(res[k])
        print(f"{k}: min eigenvalue {ev[0]:.3e}, max {ev[-1]:.3e}")
    with h5py.File(out, "w") as f:
        f.attrs["source"] = "stock_prices_20.csv (PyPortfolioOpt tests/resources/stock_prices.csv)"
        f.attrs["generator"] = "tests/golden/make_finance_estimators.py"
        f.attrs["frequency"] = F
        f.create_dataset("tickers", data=np.array(tickers, dtype=h5py.string_dtype()))
        for k, v in res.items():
            f.create_dataset(k, data=v)
    print("wrote", out, {k: np.shape(v) for k, v in res.items()})
    print("deltas", {k: res[k][0] for k in res if k.endswith("_delta")})


if __name__ == "__main__":
    main()
