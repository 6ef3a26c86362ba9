"""The exact solver against cvxopt on every objective × constraint kind, on random factor models
of two sizes and on degenerate ones (singular Σ, duplicated assets, a target return at the edge of
the attainable range). The cvxopt formulations are bench/compare_cvxopt_objectives.py's."""

import os
import pathlib
import sys

import numpy as np
import pytest

cvxopt = pytest.importorskip("cvxopt")
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "bench"))
_saved_env = {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
import compare_cvxopt_objectives as cc  # noqa: E402  (sets single-threaded BLAS for the bench)

for _k, _v in _saved_env.items():  # not for the rest of the test session
    if _v is None:
        os.environ.pop(_k, None)
    else:
        os.environ[_k] = _v

from adamant import finance as fin  # noqa: E402

OBJECTIVES = ["min_volatility", "max_sharpe", "max_quadratic_utility", "efficient_return",
              "efficient_risk"]


@pytest.fixture(autouse=True)
def cvxopt_tolerances():
    saved = dict(cc.solvers.options)
    for k in ("abstol", "reltol", "feastol"):
        cc.solvers.options[k] = 1e-10
    cc.solvers.options["show_progress"] = False
    cc.solvers.options["maxiters"] = 300
    yield
    cc.solvers.options.clear()
    cc.solvers.options.update(saved)


def singular(n, seed):
    """Rank-4 covariance (no idiosyncratic risk): singular for n > 4."""
    rng = np.random.default_rng(seed)
    B = rng.normal(0.0, 0.2, (n, 4))
    return 0.05 + B @ rng.normal(0.0, 0.05, 4) + rng.normal(0.0, 0.01, n), B @ B.T


def duplicated(n, seed):
    """Assets n/2 … n−1 repeat assets 0 … n/2−1 exactly: ties between optimal supports."""
    mu, S = cc.factor_model(n // 2, seed)
    return np.concatenate([mu, mu]), np.block([[S, S], [S, S]])


PROBLEMS = {
    "factor_20": lambda: cc.factor_model(20, 3),
    "factor_40": lambda: cc.factor_model(40, 4),
    "singular_20": lambda: singular(20, 5),
    "duplicated_20": lambda: duplicated(20, 6),
}


def cells():
    for pname in PROBLEMS:
        for cname in cc.constraint_sets(20):
            for obj in OBJECTIVES:
                yield pname, cname, obj


def exists(c, obj):
    if obj == "min_volatility" and c.get("market_neutral"):
        return False
    if obj == "max_sharpe" and (c.get("market_neutral") or c.get("gamma") or c.get("kappa")):
        return False
    if obj == "efficient_risk" and (c.get("gamma") or c.get("kappa")):
        return False
    return True


@pytest.mark.parametrize("pname,cname,obj", list(cells()))
def test_matches_cvxopt(pname, cname, obj):
    mu, S = PROBLEMS[pname]()
    n = len(mu)
    c = cc.constraint_sets(n)[cname]
    if not exists(c, obj):
        pytest.skip("no such problem")
    if pname.startswith("singular") and obj == "max_sharpe":
        # rank 4 < 20 can leave a feasible zero-variance portfolio with a positive excess return
        # (long-only here; the tighter bounds exclude it): then the Sharpe ratio is unbounded,
        # which cvxopt's homogenised QP confirms with a variance of rounding size.
        try:
            cc.ad_solve(mu, S, c, obj)
        except fin.InfeasibleError as e:
            assert "unbounded" in str(e)
            wc, _ = cc.cvx_sharpe(mu, S, c)
            assert np.sqrt(wc @ S @ wc) < 1e-4 * np.sqrt(S.diagonal().max())
            return
    target = None
    if obj == "efficient_return":
        lo = 0.0 if c.get("market_neutral") else fin.min_volatility(mu, S, **c).expected_return
        hi = fin.max_quadratic_utility(mu, S, 1e-4, **c).expected_return
        target = lo + 0.5 * (hi - lo)
    if obj == "efficient_risk":
        target = 0.10 if c.get("market_neutral") else \
            1.25 * max(fin.min_volatility(mu, S, **c).volatility, 1e-3)
    r = cc.ad_solve(mu, S, c, obj, target)
    if obj == "max_sharpe":
        wc, status = cc.cvx_sharpe(mu, S, c)
    elif obj == "efficient_risk":
        wc, status = cc.cvx_risk(mu, S, c, target)
    else:
        wc, status = cc.cvx_qp(mu, S, c, obj, target)
    w = np.asarray(r.weights)
    if status != "optimal" and pname in ("singular_20", "duplicated_20"):
        # cvxopt's interior point does not converge on some degenerate cells: adamant's answer is
        # then checked by its own KKT residual (a KKT point is the optimum: convex, or
        # pseudoconvex for max Sharpe) and against whatever point cvxopt stopped at.
        assert r.kkt_residual <= 1e-8
        lo, hi = c["bounds"]
        if wc.min() >= lo - 1e-9 and wc.max() <= hi + 1e-9:
            fa, fc = (cc.objective_value(obj, x, mu, S, c) for x in (w, wc))
            assert fa <= fc + 1e-9 * max(abs(fc), 1e-3)
        return
    assert status == "optimal", f"cvxopt: {status}"
    fa = cc.objective_value(obj, w, mu, S, c)
    fc = cc.objective_value(obj, wc, mu, S, c)
    scale = max(abs(fc), 1e-3)
    # exact: never worse than the interior-point answer beyond rounding, and the same optimum
    assert fa <= fc + 1e-9 * scale, (fa, fc)
    assert fa == pytest.approx(fc, rel=1e-6, abs=1e-9)
    # feasible
    lo, hi = c["bounds"]
    assert w.min() >= lo - 1e-10 and w.max() <= hi + 1e-10
    assert w.sum() == pytest.approx(0.0 if c.get("market_neutral") else 1.0, abs=1e-10)
    for _, assets, slo, shi in c.get("sectors", []):
        assert slo - 1e-10 <= w[assets].sum() <= shi + 1e-10
    if target is not None and obj == "efficient_return":
        assert mu @ w == pytest.approx(target, abs=1e-10)
    if target is not None and obj == "efficient_risk":
        assert np.sqrt(w @ S @ w) <= target * (1 + 1e-10)


def test_target_return_at_the_edge():
    """A target equal to the largest attainable return (a vertex: the best assets at their upper
    bounds) is met exactly; just past it is an InfeasibleError naming the range."""
    mu, S = cc.factor_model(20, 8)
    top = np.sort(mu)[::-1]
    edge = top[:10].sum() * 0.1  # long-only, w <= 10 %: the ten best assets at 10 % each
    r = fin.efficient_return(mu, S, edge, bounds=(0.0, 0.1))
    assert mu @ r.weights == pytest.approx(edge, abs=1e-12)
    wc, status = cc.cvx_qp(mu, S, dict(bounds=(0.0, 0.1)), "efficient_return", edge)
    if status == "optimal":  # cvxopt may fail at a vertex target; adamant is the exact one
        assert r.weights @ S @ r.weights <= wc @ S @ wc + 1e-9
    with pytest.raises(fin.InfeasibleError, match="achievable range"):
        fin.efficient_return(mu, S, edge + 1e-6, bounds=(0.0, 0.1))
