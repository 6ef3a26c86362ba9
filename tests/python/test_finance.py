"""adamant.finance: estimators against numpy, the portfolio problems against PyPortfolioOpt's
published numbers and against cvxopt's QP solver, the frontier, the backtest, the files and the
`adamant portfolio` command line."""

import h5py
import numpy as np
import pytest

import adamant
from adamant import finance as fin
from helpers import HAVE_CLI, cli, is_png

PRICES = adamant.data.bundled("stock_prices_20")

# PyPortfolioOpt's expectations on its 20-stock test panel (mean_historical_return, sample_cov,
# r_f = 0.02): (expected return, volatility, Sharpe).
GOLDEN = {
    ("min_volatility", (0, 1)): (0.15056821399482578, 0.15915084514118694, 0.8204054077060996),
    ("min_volatility", (None, None)): (0.1516319319875544, 0.1555915367269669, 0.8460095886741129),
    ("max_sharpe", (0, 1)): (0.3047768672819914, 0.22165566922402932, 1.2847714127003216),
    ("max_sharpe", (None, None)): (0.4937195216716211, 0.29516576454651955, 1.6049270564945908),
}


@pytest.fixture(scope="module")
def panel():
    return adamant.data.load_prices(PRICES)


@pytest.fixture(scope="module")
def mu_cov(panel):
    r = fin.returns_from_prices(panel)
    return fin.mean_historical_return(r), fin.sample_cov(r)


def test_estimators_match_numpy(panel):
    r = fin.returns_from_prices(panel.prices)
    p = panel.prices
    expected = p[1:] / p[:-1] - 1
    expected = expected[~np.isnan(expected).all(axis=1)]
    np.testing.assert_allclose(r, expected, rtol=1e-15, equal_nan=True)
    full = r[~np.isnan(r).any(axis=1)]  # rows where every asset is listed
    np.testing.assert_allclose(fin.sample_cov(full), np.cov(full, rowvar=False) * 252, rtol=1e-12)
    growth = np.nanprod(1 + r, axis=0) ** (252 / np.sum(~np.isnan(r), axis=0)) - 1
    np.testing.assert_allclose(fin.mean_historical_return(r), growth, rtol=1e-12)
    cov, delta = fin.ledoit_wolf(r, "constant_correlation")
    assert 0 <= delta <= 1 and fin.is_positive_semidefinite(cov)
    np.testing.assert_array_equal(fin.risk_matrix(r, "exp"), fin.exp_cov(r))
    assert fin.annualisation_factor(panel.dates) == 252


@pytest.mark.parametrize("problem,bounds", list(GOLDEN))
def test_pypfopt_expectations(mu_cov, problem, bounds):
    mu, cov = mu_cov
    for solver, rel in (("active_set", 1e-10), ("adam", 1e-7)):
        w = getattr(fin, problem)(mu, cov, bounds=bounds, solver=solver, risk_free_rate=0.02)
        np.testing.assert_allclose((w.expected_return, w.volatility, w.sharpe),
                                   GOLDEN[(problem, bounds)], rtol=rel, err_msg=solver)
        assert w.solver == solver and abs(w.weights.sum() - 1) < 1e-10
        perf = fin.portfolio_performance(w.weights, mu, cov, 0.02)
        np.testing.assert_allclose(perf, (w.expected_return, w.volatility, w.sharpe), rtol=1e-12)


def test_matches_cvxopt_with_sectors(panel, mu_cov):
    cvxopt = pytest.importorskip("cvxopt")
    mu, cov = mu_cov
    n = mu.size
    tech = ["GOOG", "AAPL", "FB", "AMZN"]
    tech = [t for t in tech if t in panel.tickers]
    idx = [panel.tickers.index(t) for t in tech]
    ours = fin.max_quadratic_utility(mu, cov, risk_aversion=2.0, bounds=(0, 0.3),
                                     sectors=[("tech", tech, None, 0.2)], tickers=panel.tickers)
    # The same QP for cvxopt: min ½ w'(δΣ)w − μ'w, 0 ≤ w ≤ 0.3, Σ_tech w ≤ 0.2, Σw = 1.
    G = np.vstack([-np.eye(n), np.eye(n), np.isin(np.arange(n), idx).astype(float)[None, :]])
    h = np.concatenate([np.zeros(n), np.full(n, 0.3), [0.2]])
    opts = {"show_progress": False, "abstol": 1e-12, "reltol": 1e-12, "feastol": 1e-12}
    sol = cvxopt.solvers.qp(cvxopt.matrix(2.0 * cov), cvxopt.matrix(-mu), cvxopt.matrix(G),
                            cvxopt.matrix(h), cvxopt.matrix(np.ones((1, n))), cvxopt.matrix(1.0),
                            options=opts)
    assert sol["status"] == "optimal"
    ref = np.array(sol["x"]).ravel()
    np.testing.assert_allclose(ours.weights, ref, atol=1e-6)
    obj = lambda w: w @ cov @ w - mu @ w  # noqa: E731
    assert obj(ours.weights) <= obj(ref) + 1e-10  # exact: never worse than the interior point
    assert ours.weights[idx].sum() <= 0.2 + 1e-12 and ours.weights.max() <= 0.3 + 1e-12


def test_infeasible_and_bad_input(mu_cov):
    mu, cov = mu_cov
    with pytest.raises(fin.InfeasibleError, match="sum"):
        fin.min_volatility(mu, cov, bounds=(0, 0.04))
    with pytest.raises(fin.InfeasibleError):
        fin.efficient_return(mu, cov, 10.0)
    with pytest.raises(fin.InfeasibleError):
        fin.max_sharpe(mu, cov, risk_free_rate=10.0)
    assert issubclass(fin.InfeasibleError, ValueError)
    with pytest.raises(ValueError):
        fin.min_volatility(mu, cov[:3, :3])
    with pytest.raises(ValueError, match="solver"):
        fin.min_volatility(mu, cov, solver="newton")
    bad = cov.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError):
        fin.min_volatility(mu, bad)


def test_frontier_and_files(tmp_path, panel, mu_cov):
    mu, cov = mu_cov
    f = fin.efficient_frontier(mu, cov, points=12, tickers=panel.tickers)
    assert f.weights.shape == (12, 20) and f.returns.shape == (12,)
    assert np.all(np.diff(f.returns) > 0) and np.all(np.diff(f.volatilities) >= -1e-12)
    assert f.max_sharpe is not None and f.max_sharpe.sharpe >= f.sharpes.max() - 1e-12
    np.testing.assert_allclose(f.weights.sum(axis=1), 1, atol=1e-12)
    fin.save_frontier(tmp_path / "f.h5", f)
    g = fin.load_frontier(tmp_path / "f.h5")
    np.testing.assert_array_equal(g.weights, f.weights)
    assert g.tickers == panel.tickers
    fin.plot_frontier(f, tmp_path / "f.png")
    assert is_png(tmp_path / "f.png")

    w = fin.max_sharpe(mu, cov)
    fin.save_portfolio(tmp_path / "p.h5", w, panel.tickers, mu, cov, 0.02)
    tickers, back, mu2, cov2, rf = fin.load_portfolio(tmp_path / "p.h5")
    np.testing.assert_array_equal(back.weights, w.weights)
    assert tickers == panel.tickers and rf == 0.02 and back.sharpe == w.sharpe
    with h5py.File(tmp_path / "p.h5", "r") as h:  # plain HDF5 (docs/schema.md)
        assert h.attrs["adamant_schema"] == "portfolio"
        np.testing.assert_array_equal(h["weights"][...], w.weights)
    with pytest.raises(adamant.data.DataError, match="portfolio"):
        fin.load_portfolio(PRICES)


def test_backtest(panel, tmp_path):
    calls = []
    b = fin.backtest(panel, lookback=252, objective="min_volatility", risk_model="ledoit_wolf",
                     progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1][0] == calls[-1][1] == len(b.rebalance_dates)
    for path in (b.strategy, b.equal_weight):
        np.testing.assert_allclose(path.wealth[1:], np.cumprod(1 + path.daily_returns),
                                   rtol=1e-12)
        assert 0 <= path.summary.max_drawdown < 1 and np.isfinite(path.summary.sharpe)
        np.testing.assert_allclose(path.weights.sum(axis=1), 1, atol=1e-10)
    assert len(b.dates) == b.strategy.wealth.size
    # Minimum variance should be less volatile out of sample than equal weights on this panel.
    assert b.strategy.summary.annual_volatility < b.equal_weight.summary.annual_volatility
    fin.save_backtest(tmp_path / "b.h5", b)
    np.testing.assert_array_equal(fin.load_backtest(tmp_path / "b.h5").strategy.wealth,
                                  b.strategy.wealth)
    costly = fin.backtest(panel, lookback=252, transaction_cost=0.01)
    assert costly.strategy.summary.final_wealth < b.strategy.summary.final_wealth
    with pytest.raises(ValueError, match="objective"):
        fin.backtest(panel, objective="max_return")


@pytest.mark.skipif(not HAVE_CLI, reason="the adamant CLI is not beside this build")
def test_cli_portfolio(tmp_path, mu_cov):
    r = cli("portfolio", "optimize", "--prices", PRICES, "--objective", "max-sharpe", "--rf",
            "0.02", "--long-only", "-o", tmp_path / "p.h5")
    assert r.returncode == 0, r.stderr
    assert "Sharpe Ratio: 1.28" in r.stdout and "Expected annual return: 30.5%" in r.stdout
    assert is_png(tmp_path / "p.png")
    _, w, _, _, _ = fin.load_portfolio(tmp_path / "p.h5")
    np.testing.assert_allclose(w.weights, fin.max_sharpe(*mu_cov).weights, atol=1e-12)

    out = tmp_path / "new" / "folder"  # created by the command
    r = cli("portfolio", "frontier", "--prices", PRICES, "--points", "8", "--out", out)
    assert r.returncode == 0, r.stderr
    assert fin.load_frontier(out / "frontier.h5").weights.shape == (8, 20)
    assert is_png(out / "frontier.png")

    r = cli("portfolio", "backtest", "--prices", PRICES, "--start", "2010-01-01", "--quiet",
            "-o", tmp_path / "bt.h5")
    assert r.returncode == 0, r.stderr
    assert "equal_weight" in r.stdout and is_png(tmp_path / "bt.png")

    assert cli("portfolio", "optimize").returncode == 2  # no --prices
    r = cli("portfolio", "optimize", "--prices", PRICES, "--objective", "max-return")
    assert r.returncode == 2 and "max-return" in r.stderr
    r = cli("portfolio", "optimize", "--prices", PRICES, "--bounds", "0,0.04")
    assert r.returncode == 1 and "sum" in r.stderr
    assert cli("portfolio", "frobnicate").returncode == 2
    for action in ("optimize", "frontier", "backtest"):
        assert cli("portfolio", action, "--help").returncode == 0


def test_cardinality_limits(mu_cov):
    mu, S = mu_cov
    r = fin.min_volatility(mu, S, max_assets=4, min_weight=0.05, time_limit=30)
    held = np.flatnonzero(r.weights)
    assert len(held) <= 4 and r.weights[held].min() >= 0.05 - 1e-12
    assert r.optimal and r.gap <= 1e-9 and r.nodes > 0 and r.bound <= r.objective + 1e-15
    # Brute force over every 4-asset support of the 20 (4845 QPs): the search's optimum is theirs.
    from itertools import combinations
    best = np.inf
    for s in combinations(range(len(mu)), 4):
        lo, hi = np.zeros(len(mu)), np.zeros(len(mu))
        lo[list(s)], hi[list(s)] = 0.05, 1.0
        best = min(best, fin.min_volatility(mu, S, bounds=(lo, hi)).objective)
    assert r.objective == pytest.approx(best, rel=1e-9)
    # the same keywords on every problem; a node limit reports what it proved
    s = fin.max_sharpe(mu, S, max_assets=3)
    assert np.count_nonzero(s.weights) <= 3 and s.optimal
    q = fin.efficient_return(mu, S, 0.25, max_assets=5, min_weight=0.1, max_nodes=2)
    assert q.nodes <= 2 and np.count_nonzero(q.weights) <= 5
    assert q.optimal or q.gap > 0
    # a warm start changes nothing but the work
    w0 = fin.min_volatility(mu, S).weights
    np.testing.assert_allclose(fin.min_volatility(mu, S, start=w0).weights, w0, atol=1e-12)
    with pytest.raises(fin.InfeasibleError, match="at most 2 assets"):
        fin.min_volatility(mu, S, max_assets=2, bounds=(0, 0.4))
    with pytest.raises(ValueError, match="max_assets"):
        fin.min_volatility(mu, S, max_assets=-1)
    with pytest.raises(ValueError, match="exact solver"):
        fin.min_volatility(mu, S, max_assets=3, solver="adam")


@pytest.mark.skipif(not HAVE_CLI, reason="the adamant CLI is not beside this build")
def test_cli_cardinality(tmp_path, mu_cov):
    r = cli("portfolio", "optimize", "--prices", PRICES, "--objective", "min-volatility",
            "--max-assets", "4", "--min-weight", "0.05", "-o", tmp_path / "k.h5")
    assert r.returncode == 0, r.stderr
    assert "proven optimal" in r.stdout
    _, w, _, _, _ = fin.load_portfolio(tmp_path / "k.h5")
    ref = fin.min_volatility(*mu_cov, max_assets=4, min_weight=0.05)
    np.testing.assert_allclose(w.weights, ref.weights, atol=1e-12)
    with h5py.File(tmp_path / "k.h5", "r") as f:
        assert f.attrs["max_assets"] == 4 and f.attrs["min_weight"] == 0.05
    r = cli("portfolio", "optimize", "--prices", PRICES, "--max-assets", "-2")
    assert r.returncode == 2 and "--max-assets" in r.stderr
    r = cli("portfolio", "frontier", "--prices", PRICES, "--max-assets", "3", "--out", tmp_path)
    assert r.returncode != 0 and "frontier" in r.stderr
