"""Mean-variance portfolio optimization on price panels (the C++ ``adamant::finance``).

Estimators follow PyPortfolioOpt's conventions (``returns`` arrays are ``(T, N)`` float64 with
``NaN`` before a listing; results are annualised with ``frequency`` periods per year)::

    import adamant
    p = adamant.data.load_prices(adamant.data.bundled("stock_prices_20"))
    r = adamant.finance.returns_from_prices(p.prices)
    mu = adamant.finance.mean_historical_return(r)
    S = adamant.finance.sample_cov(r)
    w = adamant.finance.max_sharpe(mu, S, risk_free_rate=0.02)
    w.weights, w.expected_return, w.volatility, w.sharpe

Problems (each returns a :class:`PortfolioResult`)::

    min_volatility(mu, cov, **constraints)
    max_sharpe(mu, cov, risk_free_rate=0.02, **constraints)
    max_quadratic_utility(mu, cov, risk_aversion=1.0, **constraints)
    efficient_return(mu, cov, target_return, **constraints)
    efficient_risk(mu, cov, target_volatility, **constraints)

Keyword arguments shared by the problems, the frontier and the backtest:

``bounds``
    ``(lower, upper)`` for every weight (default ``(0, 1)``: long-only), scalars or arrays of
    ``N``; ``None`` for no bound, e.g. ``(None, None)``.
``market_neutral``
    weights sum to 0 instead of 1.
``sectors``
    ``[(name, assets, lower, upper), ...]``: ``lower <= sum(w[assets]) <= upper``; ``assets``
    are indices (or tickers when ``tickers`` is given).
``gamma``
    L2 regularisation ``gamma * |w|^2``; ``kappa`` and ``w_prev``: transaction costs
    ``kappa * |w - w_prev|_1``.
``solver``
    ``"active_set"`` (exact QP, the default) or ``"adam"`` (projected / proximal Adam).
``risk_free_rate``
    for the reported Sharpe ratio (and the objective of ``max_sharpe``), default 0.02.
``max_assets``, ``min_weight``
    at most ``max_assets`` non-zero weights, each ``|w_i| >= min_weight`` (0: no limit), solved
    exactly by branch and bound (exact solver only; not for the frontier). ``time_limit``
    (seconds, default 60) and ``max_nodes`` stop the search with the best portfolio found: the
    result's ``optimal``, ``gap`` (proven, relative), ``bound`` and ``nodes`` say how far it got.
``start``
    weights to warm-start the exact solver from (used when they satisfy the bounds and budget).

Infeasible problems (bounds that cannot sum to the budget, a target return nobody reaches, no
asset beating the risk-free rate for ``max_sharpe``) raise :class:`InfeasibleError`, a
``ValueError``; other bad input raises ``ValueError`` naming the problem.

Also: :func:`efficient_frontier` (+ :func:`save_frontier`, :func:`load_frontier`,
:func:`plot_frontier`), :func:`backtest` (+ :func:`save_backtest`, :func:`load_backtest`,
:func:`plot_backtest`), :func:`save_portfolio` / :func:`load_portfolio`, :func:`plot_weights`.
The HDF5 files are described in docs/schema.md.

Hierarchical risk parity and Black-Litterman (PyPortfolioOpt's HRPOpt and
BlackLittermanModel)::

    h = adamant.finance.hrp(p, linkage="single")      # prices -> simple returns, or returns
    h.weights, h.linkage, h.order                     # scipy's linkage matrix, leaf order
    adamant.finance.plot_dendrogram(h, "hrp.png", tickers=p.tickers)
    bl = adamant.finance.black_litterman(S, pi="market", market_caps=caps,
                                         views={"AAPL": 0.2}, tickers=p.tickers)
    w = adamant.finance.max_sharpe(bl.posterior_returns, bl.posterior_cov)
"""

import os
from typing import Callable, Optional, Sequence, Tuple, Union

import numpy as np

from ._core import finance as _f

__all__ = [
    "InfeasibleError", "PortfolioResult", "Frontier", "BacktestResult",
    "returns_from_prices", "mean_historical_return", "ema_historical_return", "capm_return",
    "sample_cov", "exp_cov", "ledoit_wolf", "expected_returns", "risk_matrix",
    "is_positive_semidefinite", "fix_nonpositive_semidefinite", "annualisation_factor",
    "portfolio_performance", "min_volatility", "max_sharpe", "max_quadratic_utility",
    "efficient_return", "efficient_risk", "efficient_frontier", "backtest",
    "save_portfolio", "load_portfolio", "save_frontier", "load_frontier", "save_backtest",
    "load_backtest", "plot_frontier", "plot_weights", "plot_backtest",
    "HrpResult", "hrp", "linkage", "leaf_order", "linkage_methods", "plot_dendrogram",
    "pairwise_correlation", "pairwise_covariance", "cluster_variance",
    "BlackLittermanViews", "BlackLittermanResult", "black_litterman", "black_litterman_views",
    "black_litterman_weights", "market_implied_prior_returns", "market_implied_risk_aversion",
    "plot_black_litterman",
]

InfeasibleError = _f.InfeasibleError
InfeasibleError.__module__ = __name__
InfeasibleError.__doc__ = "The problem has no feasible (or no meaningful) portfolio."
PortfolioResult = _f.PortfolioResult
Frontier = _f.Frontier
BacktestResult = _f.BacktestResult

PathLike = Union[str, "os.PathLike[str]"]

mean_historical_return = _f.mean_historical_return
ema_historical_return = _f.ema_historical_return
sample_cov = _f.sample_cov
exp_cov = _f.exp_cov
is_positive_semidefinite = _f.is_positive_semidefinite
fix_nonpositive_semidefinite = _f.fix_nonpositive_semidefinite
portfolio_performance = _f.portfolio_performance


def _returns(returns) -> np.ndarray:
    r = np.asarray(returns, dtype=np.float64)
    if r.ndim != 2:
        raise ValueError(f"returns must be a 2-D array (dates x assets), got shape {r.shape}")
    return r


def returns_from_prices(prices, kind: str = "simple") -> np.ndarray:
    """Simple (``p_t/p_{t-1} - 1``) or ``"log"`` returns of a ``(T, N)`` price array (or a
    :class:`adamant.data.Prices`); NaN where either price is missing, all-NaN rows dropped."""
    if hasattr(prices, "prices"):
        prices = prices.prices
    return _f.returns_from_prices(np.asarray(prices, dtype=np.float64), kind)


def capm_return(returns, risk_free_rate: float = 0.0, market_returns=None,
                compounding: bool = True, frequency: int = 252) -> np.ndarray:
    """CAPM expected returns ``r_f + beta_j (E[r_m] - r_f)``; the market is the equal-weighted
    row mean of ``returns`` unless ``market_returns`` (one per row) is given."""
    m = None if market_returns is None else np.asarray(market_returns, dtype=np.float64)
    return _f.capm_return(_returns(returns), risk_free_rate, m, compounding, frequency)


def ledoit_wolf(returns, target: str = "constant_variance",
                frequency: int = 252) -> Tuple[np.ndarray, float]:
    """Ledoit-Wolf shrinkage: ``(cov, delta)`` for target ``"constant_variance"``,
    ``"single_factor"`` or ``"constant_correlation"``."""
    return _f.ledoit_wolf(_returns(returns), target, frequency)


def expected_returns(returns, method: str = "mean_historical", frequency: int = 252,
                     risk_free_rate: float = 0.0) -> np.ndarray:
    """Expected returns by name: ``mean_historical``, ``ema`` or ``capm``."""
    return _f.expected_returns(_returns(returns), method, frequency, risk_free_rate)


def risk_matrix(returns, method: str = "sample", frequency: int = 252) -> np.ndarray:
    """Covariance by name: ``sample``, ``exp``, ``ledoit_wolf``, ``ledoit_wolf_single_factor``,
    ``ledoit_wolf_constant_correlation``."""
    return _f.risk_matrix(_returns(returns), method, frequency)


def annualisation_factor(dates: Sequence[str]) -> int:
    """Periods per year for these ISO dates: 252 for NYSE daily data (QuantLib's NYSE calendar),
    365 for calendar-daily, 52 / 12 / 4 / 1 for weekly / monthly / quarterly / annual."""
    return _f.annualisation_factor([str(d) for d in dates])


def _bound(value, n: int, default: float) -> np.ndarray:
    if value is None:
        return np.full(n, default)
    return np.broadcast_to(np.asarray(value, dtype=np.float64), (n,)).copy()


def _options(n: int, bounds=(0.0, 1.0), market_neutral: bool = False, budget: float = 1.0,
             sectors=None, gamma: float = 0.0, kappa: float = 0.0, w_prev=None,
             solver: str = "active_set", risk_free_rate: float = 0.02, tickers=None,
             max_iterations: Optional[int] = None, tolerance: Optional[float] = None,
             adam_lr: Optional[float] = None, max_assets: int = 0, min_weight: float = 0.0,
             time_limit: float = 60.0, max_nodes: int = 0,
             start=None) -> "_f.PortfolioOptions":
    o = _f.PortfolioOptions()
    c = o.constraints
    if bounds is None:
        bounds = (None, None)
    if len(bounds) != 2:
        raise ValueError(f"bounds must be (lower, upper), got {bounds!r}")
    lo, hi = bounds
    if np.ndim(lo) == 0 and np.ndim(hi) == 0:
        c.lower = -np.inf if lo is None else float(lo)
        c.upper = np.inf if hi is None else float(hi)
    else:
        c.lower_bounds = _bound(lo, n, -np.inf)
        c.upper_bounds = _bound(hi, n, np.inf)
    c.market_neutral = bool(market_neutral)
    c.budget = float(budget)
    if sectors:
        names = list(tickers) if tickers is not None else None
        out = []
        for name, assets, lower, upper in sectors:
            idx = []
            for a in assets:
                if isinstance(a, str):
                    if names is None or a not in names:
                        raise ValueError(f"sector {name!r}: unknown ticker {a!r}")
                    idx.append(names.index(a))
                else:
                    idx.append(int(a))
            lo_s = -np.inf if lower is None else float(lower)
            hi_s = np.inf if upper is None else float(upper)
            out.append(_f.SectorConstraint(str(name), idx, lo_s, hi_s))
        c.sectors = out
    o.constraints = c
    o.l2_gamma = float(gamma)
    o.l1_kappa = float(kappa)
    if w_prev is not None:
        o.w_prev = np.asarray(w_prev, dtype=np.float64)
    o.solver = solver
    o.risk_free_rate = float(risk_free_rate)
    if max_iterations is not None:
        o.max_iterations = int(max_iterations)
    if tolerance is not None:
        o.tolerance = float(tolerance)
    if adam_lr is not None:
        o.adam_lr = float(adam_lr)
    o.max_assets = int(max_assets)
    o.min_weight = float(min_weight)
    o.time_limit = float(time_limit)
    o.max_nodes = int(max_nodes)
    if start is not None:
        o.start = np.asarray(start, dtype=np.float64)
    return o


def _mu_cov(mu, cov):
    mu = np.asarray(mu, dtype=np.float64)
    cov = np.asarray(cov, dtype=np.float64)
    if mu.ndim != 1 or cov.shape != (mu.size, mu.size):
        raise ValueError(f"mu must be (N,) and cov (N, N), got {mu.shape} and {cov.shape}")
    return mu, cov


def min_volatility(mu, cov, **constraints) -> PortfolioResult:
    """The portfolio of least volatility (``mu`` only for the reported return and Sharpe)."""
    mu, cov = _mu_cov(mu, cov)
    return _f.min_volatility(mu, cov, _options(mu.size, **constraints))


def max_sharpe(mu, cov, **constraints) -> PortfolioResult:
    """The tangency portfolio: maximum ``(mu'w - r_f) / sqrt(w' cov w)``."""
    mu, cov = _mu_cov(mu, cov)
    return _f.max_sharpe(mu, cov, _options(mu.size, **constraints))


def max_quadratic_utility(mu, cov, risk_aversion: float = 1.0, **constraints) -> PortfolioResult:
    """Maximum ``mu'w - (risk_aversion / 2) w' cov w``."""
    mu, cov = _mu_cov(mu, cov)
    return _f.max_quadratic_utility(mu, cov, float(risk_aversion), _options(mu.size, **constraints))


def efficient_return(mu, cov, target_return: float, **constraints) -> PortfolioResult:
    """Least volatility with expected return ``target_return``."""
    mu, cov = _mu_cov(mu, cov)
    return _f.efficient_return(mu, cov, float(target_return), _options(mu.size, **constraints))


def efficient_risk(mu, cov, target_volatility: float, **constraints) -> PortfolioResult:
    """Greatest expected return with volatility at most ``target_volatility``."""
    mu, cov = _mu_cov(mu, cov)
    return _f.efficient_risk(mu, cov, float(target_volatility), _options(mu.size, **constraints))


def efficient_frontier(mu, cov, points: int = 50, tickers: Optional[Sequence[str]] = None,
                       **constraints) -> Frontier:
    """``points`` efficient portfolios from the minimum-volatility return to the largest
    attainable, plus the maximum-Sharpe portfolio (``frontier.max_sharpe``, ``None`` when no asset
    beats the risk-free rate). ``frontier.weights`` is ``(points, N)``."""
    mu, cov = _mu_cov(mu, cov)
    names = [str(t) for t in tickers] if tickers is not None else []
    return _f.efficient_frontier(mu, cov, int(points),
                                 _options(mu.size, tickers=tickers, **constraints), names)


def backtest(prices, lookback: int = 252, objective: str = "min_volatility",
             expected_returns: str = "mean_historical", risk_model: str = "ledoit_wolf",
             risk_aversion: float = 1.0, transaction_cost: float = 0.0,
             progress: Optional[Callable[[int, int], None]] = None,
             **constraints) -> BacktestResult:
    """Rolling monthly out-of-sample backtest of ``objective`` on a :class:`adamant.data.Prices`
    against equal weights (rules: finance/include/adamant/finance/backtest.hpp). The result has
    ``strategy`` and ``equal_weight`` paths (``daily_returns``, ``wealth``, ``drawdown``,
    ``weights``, ``turnover``, ``summary``), ``dates`` and ``rebalance_dates``."""
    o = _f.BacktestOptions()
    o.lookback = int(lookback)
    o.objective = objective
    o.expected_returns = expected_returns
    o.risk_model = risk_model
    o.risk_aversion = float(risk_aversion)
    o.transaction_cost = float(transaction_cost)
    o.portfolio = _options(len(prices.tickers), **constraints)
    return _f.backtest([str(d) for d in prices.dates], [str(t) for t in prices.tickers],
                       np.asarray(prices.prices, dtype=np.float64), o, progress)


def save_portfolio(path: PathLike, result: PortfolioResult, tickers: Sequence[str], mu, cov,
                   risk_free_rate: float = 0.02) -> None:
    """Writes one portfolio (weights, performance, ``mu``, ``cov``) atomically."""
    mu, cov = _mu_cov(mu, cov)
    _f.write_portfolio(os.fspath(path), [str(t) for t in tickers], result, mu, cov,
                       float(risk_free_rate))


def load_portfolio(path: PathLike):
    """``(tickers, result, mu, cov, risk_free_rate)`` of a portfolio file."""
    return _f.read_portfolio(os.fspath(path))


def save_frontier(path: PathLike, frontier: Frontier) -> None:
    _f.write_frontier(os.fspath(path), frontier)


def load_frontier(path: PathLike) -> Frontier:
    return _f.read_frontier(os.fspath(path))


def save_backtest(path: PathLike, result: BacktestResult) -> None:
    _f.write_backtest(os.fspath(path), result)


def load_backtest(path: PathLike) -> BacktestResult:
    return _f.read_backtest(os.fspath(path))


def plot_frontier(frontier: Frontier, png_path: PathLike) -> None:
    """The frontier with the assets, min-volatility and max-Sharpe marked, and the weights."""
    _f.plot_frontier(frontier, os.fspath(png_path))


def plot_weights(result: PortfolioResult, tickers: Sequence[str], png_path: PathLike) -> None:
    _f.plot_weights(result, [str(t) for t in tickers], os.fspath(png_path))


def plot_backtest(result: BacktestResult, png_path: PathLike) -> None:
    """Wealth (log scale), drawdowns and the strategy's weights over time."""
    _f.plot_backtest(result, os.fspath(png_path))


# ---- hierarchical risk parity ----

HrpResult = _f.HrpResult
linkage_methods = _f.linkage_methods
leaf_order = _f.leaf_order
pairwise_correlation = _f.pairwise_correlation
pairwise_covariance = _f.pairwise_covariance
cluster_variance = _f.cluster_variance


def hrp(data=None, linkage: str = "single", cov=None, distance: str = "correlation",
        frequency: int = 252) -> HrpResult:
    """Hierarchical risk parity (López de Prado 2016) as PyPortfolioOpt's ``HRPOpt``.

    ``data`` is an :class:`adamant.data.Prices` (its simple returns are used) or a ``(T, N)``
    array of returns (NaN before a listing): clustering on the pairwise-complete correlation,
    bisection on the pairwise-complete covariance, and ``result.mu`` / ``result.cov`` the
    annualised (``frequency``) mean and covariance for :func:`portfolio_performance`. Or give
    ``cov`` instead (``HRPOpt(cov_matrix=...)``): its correlation rounded to 6 decimals is
    clustered and ``result.mu`` is ``None``.

    ``linkage``: ``"single"``, ``"complete"``, ``"average"``, ``"weighted"`` or ``"ward"``;
    ``distance``: ``"correlation"`` (``sqrt((1 - rho) / 2)``, PyPortfolioOpt) or
    ``"distance_of_distances"`` (the paper's Euclidean distance between its columns).
    The result has ``weights``, ``linkage`` (scipy's ``(N-1, 4)`` matrix), ``order`` (the
    leaves, quasi-diagonal), ``corr``, ``dist``, ``cov``, ``mu``."""
    if (data is None) == (cov is None):
        raise ValueError("give either prices / returns or cov")
    if cov is not None:
        c = np.asarray(cov, dtype=np.float64)
        return _f.hrp_from_cov(c, linkage, distance)
    if hasattr(data, "prices"):
        r = returns_from_prices(data)
    else:
        r = _returns(data)
    return _f.hrp(r, linkage, distance, int(frequency))


def linkage(dist, method: str = "single") -> np.ndarray:
    """scipy.cluster.hierarchy.linkage of a condensed distance vector (or of a square distance
    matrix, whose upper triangle is used): ``(N-1, 4)``."""
    d = np.asarray(dist, dtype=np.float64)
    if d.ndim == 2:
        d = _f.condensed_distances(d)
    elif d.ndim != 1:
        raise ValueError(f"dist must be condensed (1-D) or square (2-D), got shape {d.shape}")
    return _f.linkage(d, method)


def plot_dendrogram(result: HrpResult, png_path: PathLike,
                    tickers: Optional[Sequence[str]] = None) -> None:
    """The dendrogram (leaves in quasi-diagonal order) above the HRP weights."""
    names = [str(t) for t in tickers] if tickers is not None else []
    _f.plot_dendrogram(result, names, os.fspath(png_path))


# ---- Black-Litterman ----

BlackLittermanViews = _f.BlackLittermanViews
BlackLittermanResult = _f.BlackLittermanResult
market_implied_risk_aversion = _f.market_implied_risk_aversion


def _names(n: int, tickers) -> list:
    return [str(t) for t in tickers] if tickers is not None else [str(i) for i in range(n)]


def market_implied_prior_returns(market_caps, risk_aversion: float, cov,
                                 risk_free_rate: float = 0.0,
                                 tickers: Optional[Sequence[str]] = None) -> np.ndarray:
    """``risk_aversion * cov @ (caps / caps.sum()) + risk_free_rate``; ``market_caps`` an array
    in asset order or a ``{ticker: cap}`` dict (with ``tickers``; missing tickers count 0)."""
    c = np.asarray(cov, dtype=np.float64)
    if isinstance(market_caps, dict):
        names = _names(c.shape[0], tickers)
        unknown = [k for k in market_caps if str(k) not in names]
        if unknown:
            raise ValueError(f"market caps for tickers not in the universe: {unknown}")
        caps = np.array([float(market_caps.get(t, market_caps.get(_maybe_int(t), 0.0)))
                         for t in names])
    else:
        caps = np.asarray(market_caps, dtype=np.float64)
    return _f.market_implied_prior_returns(caps, float(risk_aversion), c, float(risk_free_rate))


def _maybe_int(t: str):
    try:
        return int(t)
    except ValueError:
        return t


def black_litterman_views(views=None, P=None, Q=None, confidences=None, n: Optional[int] = None,
                          tickers: Optional[Sequence[str]] = None) -> BlackLittermanViews:
    """Views as :class:`BlackLittermanViews`: ``views`` a ``{ticker: return}`` dict (absolute
    views), a path to a views CSV (format: finance/include/adamant/finance/black_litterman.hpp,
    README), or ``P`` (``(K, N)``; the identity when omitted and ``len(Q) == N``) and ``Q``.
    ``confidences``: ``K`` values in [0, 1] (``None`` entries: the default uncertainty) for
    Idzorek's method."""
    names = _names(n if n is not None else 0, tickers) if (tickers is not None or n) else None
    if isinstance(views, BlackLittermanViews):
        v = views
    elif isinstance(views, dict):
        if names is None:
            raise ValueError("absolute views by ticker need tickers (or n)")
        v = _f.absolute_views([(str(k), float(q)) for k, q in views.items()], names)
    elif isinstance(views, (str, os.PathLike)):
        if names is None:
            raise ValueError("a views file needs tickers")
        v = _f.read_views_csv(os.fspath(views), names)
    elif views is None:
        if Q is None:
            raise ValueError("give views (a dict or a CSV path) or Q (and P)")
        q = np.asarray(Q, dtype=np.float64).reshape(-1)
        if P is None:
            if n is None or q.size != n:
                raise ValueError("P is needed unless Q has one view per asset")
            p = np.eye(n)
        else:
            p = np.asarray(P, dtype=np.float64)
        v = BlackLittermanViews()
        v.P = np.atleast_2d(p)
        v.Q = q
    else:
        raise TypeError("views must be a dict, a path to a views CSV or BlackLittermanViews")
    if confidences is not None:
        c = np.array([np.nan if x is None else float(x) for x in np.ravel(confidences)])
        v.confidences = c
    return v


def black_litterman(cov, pi=None, views=None, P=None, Q=None, confidences=None, omega=None,
                    tau: float = 0.05, market_caps=None, risk_aversion: float = 1.0,
                    risk_free_rate: float = 0.0,
                    tickers: Optional[Sequence[str]] = None) -> BlackLittermanResult:
    """Black-Litterman posterior (PyPortfolioOpt's ``BlackLittermanModel``).

    ``cov``: the prior covariance ``(N, N)`` (annualised). ``pi``: the prior returns, an array,
    ``"market"`` (``risk_aversion * cov @ w_mkt + risk_free_rate`` from ``market_caps``),
    ``"equal"`` (``1/N``) or ``None`` (zeros). Views: see :func:`black_litterman_views`.
    ``omega``: a ``(K, K)`` array, ``"idzorek"`` (needs ``confidences``), or ``None`` /
    ``"default"`` (``tau * diag(P cov P')``, with Idzorek's uncertainty for the views that have
    a confidence). The result has ``prior``, ``posterior_returns``, ``posterior_cov``,
    ``omega``, ``views``; feed ``(posterior_returns, posterior_cov)`` to any problem."""
    c = np.asarray(cov, dtype=np.float64)
    if c.ndim != 2 or c.shape[0] != c.shape[1]:
        raise ValueError(f"cov must be (N, N), got {c.shape}")
    n = c.shape[0]
    if isinstance(pi, str):
        if pi == "market":
            if market_caps is None:
                raise ValueError('pi="market" needs market_caps')
            prior = market_implied_prior_returns(market_caps, risk_aversion, c, risk_free_rate,
                                                 tickers)
        elif pi == "equal":
            prior = np.full(n, 1.0 / n)
        else:
            raise ValueError(f'pi must be an array, "market", "equal" or None, got {pi!r}')
    elif pi is None:
        prior = np.zeros(n)
    else:
        prior = np.asarray(pi, dtype=np.float64).reshape(-1)
    v = black_litterman_views(views, P, Q, confidences, n, tickers)
    om = None
    if isinstance(omega, str):
        if omega == "idzorek":
            if confidences is None and v.confidences.size == 0:
                raise ValueError('omega="idzorek" needs confidences (one per view)')
        elif omega != "default":
            raise ValueError(f'omega must be an array, "idzorek", "default" or None, got {omega!r}')
    elif omega is not None:
        om = np.asarray(omega, dtype=np.float64)
    return _f.black_litterman(c, prior, v, float(tau), om)


def black_litterman_weights(result, cov=None, risk_aversion: float = 1.0) -> np.ndarray:
    """``(risk_aversion * cov)^-1 @ returns`` normalised to sum 1 (PyPortfolioOpt's
    ``bl_weights``): ``result`` a :class:`BlackLittermanResult` (its posterior returns and prior
    covariance) or an array of returns with ``cov``."""
    if isinstance(result, BlackLittermanResult):
        ret, c = result.posterior_returns, result.cov if cov is None else cov
    else:
        if cov is None:
            raise ValueError("cov is needed with an array of returns")
        ret, c = result, cov
    return _f.black_litterman_weights(np.asarray(ret, dtype=np.float64),
                                      np.asarray(c, dtype=np.float64), float(risk_aversion))


def plot_black_litterman(result: BlackLittermanResult, png_path: PathLike,
                         tickers: Optional[Sequence[str]] = None) -> None:
    """Prior and posterior expected returns as bars, absolute views marked."""
    names = [str(t) for t in tickers] if tickers is not None else []
    _f.plot_black_litterman(result, names, os.fspath(png_path))
