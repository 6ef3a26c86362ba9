"""adamant.finance: hierarchical risk parity and Black-Litterman against PyPortfolioOpt's
published numbers (its tests/test_hrp.py, tests/resources/weights_hrp.csv and
tests/test_black_litterman.py), the clustering against scipy, and the `adamant portfolio hrp` /
`optimize --black-litterman` command line."""

import os
import warnings

import h5py
import numpy as np
import pytest

import adamant
from adamant import finance as fin
from helpers import HAVE_CLI, cli, is_png

PRICES = adamant.data.bundled("stock_prices_20")
EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "finance", "examples")

# PyPortfolioOpt tests/resources/weights_hrp.csv (HRPOpt(returns).optimize("single")).
HRP_WEIGHTS = {
    "AAPL": 0.022258941278778387, "AMD": 0.022294021796692116, "AMZN": 0.016086842079874982,
    "BABA": 0.07963382071794088, "BAC": 0.014409222455552267, "BBY": 0.03406419438245041,
    "FB": 0.06272994714663536, "GE": 0.05519063444162851, "GM": 0.055576660241857236,
    "GOOG": 0.04956008428992926, "JPM": 0.017675709092515715, "MA": 0.038127373497320226,
    "PFE": 0.07786528342813452, "RRC": 0.03161528695094598, "SBUX": 0.039844436656239136,
    "SHLD": 0.027113184241298872, "T": 0.11138956508836473, "UAA": 0.027115909570750083,
    "WMT": 0.10569551148587902, "XOM": 0.11175337115721229,
}

# PyPortfolioOpt tests/utilities_for_tests.py::get_market_caps.
MCAPS = {
    "GOOG": 927e9, "AAPL": 1.19e12, "FB": 574e9, "BABA": 533e9, "AMZN": 867e9, "GE": 96e9,
    "AMD": 43e9, "WMT": 339e9, "BAC": 301e9, "GM": 51e9, "T": 61e9, "UAA": 78e9, "SHLD": 0,
    "XOM": 295e9, "RRC": 1e9, "BBY": 22e9, "MA": 288e9, "PFE": 212e9, "JPM": 422e9,
    "SBUX": 102e9,
}

FIVE_VIEWS = {"AAPL": 0.20, "BBY": -0.30, "BAC": 0, "SBUX": -0.2, "T": 0.131321}


@pytest.fixture(scope="module")
def panel():
    return adamant.data.load_prices(PRICES)


@pytest.fixture(scope="module")
def returns(panel):
    return fin.returns_from_prices(panel)


@pytest.fixture(scope="module")
def sample(returns):
    return fin.sample_cov(returns)


# ---- HRP ----


def test_hrp_reproduces_pypfopt(panel, returns):
    h = fin.hrp(panel, linkage="single")
    perf = fin.portfolio_performance(h.weights, h.mu, h.cov, 0.02)
    np.testing.assert_allclose(perf, (0.21353402380950973, 0.17844159743748936, 1.084579081272277),
                               rtol=1e-12)
    want = np.array([HRP_WEIGHTS[t] for t in panel.tickers])
    np.testing.assert_allclose(h.weights, want, rtol=1e-12)
    assert h.order[:5] == [12, 6, 15, 14, 2]
    assert h.method == "single" and h.distance == "correlation"
    # Returns in, the same portfolio.
    np.testing.assert_array_equal(fin.hrp(returns).weights, h.weights)
    names = ["SHLD", "AMD", "BBY", "RRC", "FB", "WMT", "T", "BABA", "PFE", "UAA"]
    var = fin.cluster_variance(fin.pairwise_covariance(returns),
                                  [panel.tickers.index(t) for t in names])
    np.testing.assert_allclose(var, 0.00012842967106653283, rtol=1e-12)


def test_hrp_from_ledoit_wolf_cov(returns):
    S, _ = fin.ledoit_wolf(returns)
    h = fin.hrp(cov=S)
    assert h.mu is None
    np.testing.assert_allclose(np.sqrt(h.weights @ S @ h.weights), 0.10002783894982334,
                               rtol=1e-12)


def _bisection(cov, order):
    """PyPortfolioOpt's recursive bisection in numpy (list halves, inverse-variance clusters)."""
    w = np.ones(len(order))
    clusters = [list(order)]

    def var(c):
        s = cov[np.ix_(c, c)]
        iv = 1 / np.diag(s)
        iv /= iv.sum()
        return iv @ s @ iv

    while clusters:
        clusters = [c[j:k] for c in clusters for j, k in ((0, len(c) // 2), (len(c) // 2, len(c)))
                    if len(c) > 1]
        for i in range(0, len(clusters), 2):
            a, b = clusters[i], clusters[i + 1]
            alpha = 1 - var(a) / (var(a) + var(b))
            w[a] *= alpha
            w[b] *= 1 - alpha
    return w


@pytest.mark.parametrize("method", ["single", "complete", "average", "weighted", "ward"])
def test_hrp_every_linkage_matches_scipy(returns, method):
    sch = pytest.importorskip("scipy.cluster.hierarchy")
    ssd = pytest.importorskip("scipy.spatial.distance")
    for distance in ("correlation", "distance_of_distances"):
        h = fin.hrp(returns, linkage=method, distance=distance)
        d = np.sqrt(np.clip((1 - h.corr) / 2, 0, 1))
        if distance == "correlation":
            z = sch.linkage(ssd.squareform(d, checks=False), method)
        else:
            with warnings.catch_warnings():  # "looks like an uncondensed distance matrix": yes
                warnings.simplefilter("ignore", sch.ClusterWarning)
                z = sch.linkage(d, method)  # the paper's listing: rows of d as observations
        np.testing.assert_array_equal(h.linkage[:, [0, 1, 3]], z[:, [0, 1, 3]])
        np.testing.assert_allclose(h.linkage[:, 2], z[:, 2], rtol=1e-12, atol=1e-15)
        assert h.order == sch.to_tree(z).pre_order()
        assert h.order == sch.dendrogram(z, no_plot=True)["leaves"]
        cov = fin.pairwise_covariance(returns)
        np.testing.assert_allclose(h.weights, _bisection(cov, h.order), rtol=1e-12)
        assert abs(h.weights.sum() - 1) < 1e-14 and h.weights.min() > 0


@pytest.mark.parametrize("method", ["single", "complete", "average", "weighted", "ward"])
def test_linkage_matches_scipy_on_random_points(method):
    sch = pytest.importorskip("scipy.cluster.hierarchy")
    pdist = pytest.importorskip("scipy.spatial.distance").pdist
    rng = np.random.default_rng(7)
    for n in (2, 3, 9, 40, 120):
        d = pdist(rng.normal(size=(n, 4)))
        ours, theirs = fin.linkage(d, method), sch.linkage(d, method)
        np.testing.assert_array_equal(ours[:, [0, 1, 3]], theirs[:, [0, 1, 3]])
        np.testing.assert_allclose(ours[:, 2], theirs[:, 2], rtol=1e-12)
        assert fin.leaf_order(ours) == sch.to_tree(theirs).pre_order()
    # Ties on a grid of integer distances: the same tie-breaking as scipy.
    d = pdist(rng.integers(0, 3, size=(30, 2)).astype(float), "cityblock")
    np.testing.assert_array_equal(fin.linkage(d, method), sch.linkage(d, method))


def test_hrp_errors(returns):
    with pytest.raises(ValueError, match="known: single, complete, average, weighted, ward"):
        fin.hrp(returns, linkage="blah")
    with pytest.raises(ValueError, match="either prices / returns or cov"):
        fin.hrp()
    with pytest.raises(ValueError, match="unknown distance"):
        fin.hrp(returns, distance="euclid")
    with pytest.raises(ValueError, match="n\\(n-1\\)/2"):
        fin.linkage(np.ones(4))
    with pytest.raises(ValueError, match="at least 2 assets"):
        fin.hrp(cov=np.eye(1))


def test_plot_dendrogram(returns, panel, tmp_path):
    h = fin.hrp(returns, linkage="ward")
    fin.plot_dendrogram(h, tmp_path / "d.png", tickers=panel.tickers)
    assert is_png(tmp_path / "d.png")
    with pytest.raises(ValueError, match="2 tickers for 20 weights"):
        fin.plot_dendrogram(h, tmp_path / "e.png", tickers=["A", "B"])


# ---- Black-Litterman ----


def test_bl_equal_prior(sample, panel):
    bl = fin.black_litterman(sample, pi="equal", views=FIVE_VIEWS, tickers=panel.tickers)
    np.testing.assert_allclose(bl.prior, 0.05)
    w = fin.black_litterman_weights(bl)
    perf = fin.portfolio_performance(w, bl.posterior_returns, bl.posterior_cov, 0.02)
    np.testing.assert_allclose(perf, (0.1877432247395778, 0.3246889329226965, 0.5166274785827545),
                               rtol=1e-12)


def test_bl_all_views(returns):
    prior = fin.ema_historical_return(returns)
    S, _ = fin.ledoit_wolf(returns)
    bl = fin.black_litterman(S, pi=prior, Q=np.full(20, 0.1))
    want = [0.11168648, 0.16782938, 0.12516799, 0.24067997, 0.32848296, -0.22789895, 0.16311297,
            0.11928542, 0.25414308, 0.11007738, 0.06282615, -0.03140218, -0.16977172,
            0.05254821, -0.10463884, 0.32173375, 0.26399864, 0.1118594, 0.22999558, 0.08977448]
    np.testing.assert_allclose(bl.posterior_returns, want, atol=5.01e-9)
    np.testing.assert_allclose(np.diag(bl.omega), 0.05 * np.diag(S), rtol=1e-15)


def test_bl_weights_no_prior(sample, panel):
    bl = fin.black_litterman(sample, views=FIVE_VIEWS, tickers=panel.tickers)
    w = fin.black_litterman_weights(bl, risk_aversion=2.68549)
    clean = np.round(np.where(np.abs(w) < 1e-4, 0, w), 5)
    want = dict.fromkeys(panel.tickers, 0.0)
    want.update({"AAPL": 1.40675, "BAC": 0.02651, "T": 2.81117, "BBY": -1.44667,
                 "SBUX": -1.79776})
    assert dict(zip(panel.tickers, clean.tolist())) == want
    # The explicit He-Litterman inverse.
    P, Q, om = bl.views.P, bl.views.Q, bl.omega
    inv = np.linalg.inv
    explicit = inv(inv(0.05 * sample) + P.T @ inv(om) @ P) @ (P.T @ inv(om) @ Q)
    np.testing.assert_allclose(bl.posterior_returns, explicit, atol=1e-10)


def test_bl_idzorek_market_prior(sample, panel):
    views = {"GOOG": 0.40, "AAPL": -0.30, "FB": 0.30, "BABA": 0}
    bl = fin.black_litterman(sample, pi="market", market_caps=MCAPS, views=views,
                             omega="idzorek", confidences=[1, 1, 0.25, 0.25],
                             tickers=panel.tickers)
    assert bl.omega[0, 0] == 0
    assert abs(bl.posterior_returns[panel.tickers.index("AAPL")] + 0.3) < 1e-12
    w = fin.black_litterman_weights(bl)
    perf = fin.portfolio_performance(w, bl.posterior_returns, bl.posterior_cov, 0.02)
    np.testing.assert_allclose(perf, (0.943431295405105, 0.5361412623208567, 1.722365653051476),
                               rtol=1e-10)
    # The posterior feeds every problem.
    ms = fin.max_sharpe(bl.posterior_returns, bl.posterior_cov)
    assert ms.sharpe > 0 and abs(ms.weights.sum() - 1) < 1e-10


def test_bl_market_prior_with_published_delta(sample, panel):
    # test_market_implied_prior / test_bl_market_prior with delta = 2.68549, the 5 decimals
    # test_market_risk_aversion publishes for PyPortfolioOpt's SPY prices (not shipped).
    pi = fin.market_implied_prior_returns(MCAPS, 2.68549, sample, 0.02, tickers=panel.tickers)
    want = [0.14933293, 0.2168623, 0.11219185, 0.10362374, 0.28416295, 0.12196098, 0.19036819,
            0.08860159, 0.17724273, 0.08779627, 0.0791797, 0.16460474, 0.12854665, 0.08657863,
            0.11230036, 0.13875465, 0.15017163, 0.09066484, 0.1696369, 0.13270213]
    np.testing.assert_allclose(pi, want, atol=1.5e-6)
    views = {"GOOG": 0.40, "AAPL": -0.30, "FB": 0.30, "BABA": 0}
    bl = fin.black_litterman(sample, pi=pi, views=views, tickers=panel.tickers)
    w = fin.black_litterman_weights(bl, risk_aversion=2.68549)
    perf = fin.portfolio_performance(w, bl.posterior_returns, bl.posterior_cov, 0.02)
    np.testing.assert_allclose(perf, (0.2580693114409672, 0.265445955488424, 0.8968654692926723),
                               rtol=2e-7)


def test_bl_idzorek_identity():
    S = np.eye(5)
    pi = np.full(5, 0.1)
    views = {k: 0.3 for k in range(5)}
    for i, conf in enumerate(np.arange(0, 1.2, 0.2)):
        bl = fin.black_litterman(S, pi=pi, views=views, omega="idzorek", confidences=[conf] * 5)
        np.testing.assert_allclose(bl.posterior_returns[0], 0.1 + i * 0.2 / 5,
                                   atol=2e-8 if i == 0 else 1e-12)
    bl = fin.black_litterman(S, pi=pi, views=views, omega=np.zeros((5, 5)))
    np.testing.assert_allclose(bl.posterior_returns, 0.3)


def test_bl_views_file_relative(returns, panel, tmp_path):
    S, _ = fin.ledoit_wolf(returns)
    path = tmp_path / "views.csv"
    path.write_text("view,return,confidence\nSBUX,-0.20\nGOOG - FB,0.10\n"
                    "0.5 BAC + 0.5 JPM - 0.5 T - 0.5 GE,15%,0.9\n")
    bl = fin.black_litterman(S, views=path, tickers=panel.tickers)
    t = panel.tickers.index
    r = bl.posterior_returns
    assert r[t("SBUX")] < 0 and r[t("GOOG")] > r[t("FB")]
    assert r[t("BAC")] > r[t("T")] and r[t("JPM")] > r[t("GE")]
    assert list(bl.views.labels) == ["SBUX", "GOOG - FB", "0.5 BAC + 0.5 JPM - 0.5 T - 0.5 GE"]
    assert np.isnan(bl.views.confidences[0]) and bl.views.confidences[2] == 0.9
    np.testing.assert_allclose(bl.posterior_cov, bl.posterior_cov.T, rtol=0, atol=0)
    fin.plot_black_litterman(bl, tmp_path / "bl.png", tickers=panel.tickers)
    assert is_png(tmp_path / "bl.png")


def test_bl_errors(sample, panel):
    with pytest.raises(ValueError, match="not in the universe"):
        fin.black_litterman(sample, views={"AAPL": 0.2, "fail": 0.1}, tickers=panel.tickers)
    with pytest.raises(ValueError, match="tau must be in"):
        fin.black_litterman(sample, Q=np.full(20, 0.1), tau=-0.1)
    with pytest.raises(ValueError, match="P has 19 columns"):
        fin.black_litterman(sample, Q=np.full(20, 0.1), P=np.eye(20)[:, :-1])
    with pytest.raises(ValueError, match="needs confidences"):
        fin.black_litterman(sample, views=FIVE_VIEWS, omega="idzorek", tickers=panel.tickers)
    with pytest.raises(ValueError, match="must be in \\[0, 1\\]"):
        fin.black_litterman(sample, views=FIVE_VIEWS, confidences=[1.1] * 5,
                            tickers=panel.tickers)
    with pytest.raises(ValueError, match="market_caps"):
        fin.black_litterman(sample, pi="market", views=FIVE_VIEWS, tickers=panel.tickers)
    with pytest.raises(ValueError, match="risk_aversion must be positive"):
        fin.black_litterman_weights(np.zeros(20), sample, risk_aversion=-0.01)
    with pytest.raises(TypeError):
        fin.black_litterman(sample, views=["AAPL", 0.2])


# ---- command line ----


@pytest.mark.skipif(not HAVE_CLI, reason="the adamant CLI is not built")
def test_cli_hrp(tmp_path, panel):
    p = cli("portfolio", "hrp", "--prices", PRICES, "--linkage", "single", "-o",
            tmp_path / "h.h5")
    assert p.returncode == 0, p.stderr
    assert "Sharpe Ratio: 1.08" in p.stdout and "leaf order: SHLD,AMD,BBY,RRC,FB" in p.stdout
    assert is_png(tmp_path / "h.png")
    tickers, result, mu, cov, rf = fin.load_portfolio(tmp_path / "h.h5")
    assert result.problem == "hrp" and tickers == panel.tickers
    np.testing.assert_allclose(result.weights, [HRP_WEIGHTS[t] for t in tickers], rtol=1e-12)
    np.testing.assert_allclose(result.expected_return, 0.21353402380950973, rtol=1e-12)
    with h5py.File(tmp_path / "h.h5") as f:
        assert f.attrs["linkage"] == "single"
        rows = [r.split() for r in f.attrs["linkage_matrix"].split(";")]
        z = np.array(rows, dtype=float)
    np.testing.assert_array_equal(z, fin.hrp(panel).linkage)
    bad = cli("portfolio", "hrp", "--prices", PRICES, "--linkage", "centroid", "-o",
              tmp_path / "x.h5")
    assert bad.returncode != 0 and "known: single" in bad.stderr


@pytest.mark.skipif(not HAVE_CLI, reason="the adamant CLI is not built")
def test_cli_black_litterman(tmp_path, panel, returns, sample):
    views = tmp_path / "views.csv"
    views.write_text("# views\nview,return,confidence\nAAPL,0.2\nGOOG - FB,10%,60%\n")
    caps = tmp_path / "caps.csv"
    caps.write_text("ticker,cap\n" + "".join(f"{t},{c}\n" for t, c in MCAPS.items()))
    p = cli("portfolio", "optimize", "--prices", PRICES, "--objective", "max-sharpe",
            "--black-litterman", views, "--market-caps", caps, "-o", tmp_path / "o.h5")
    assert p.returncode == 0, p.stderr
    assert "Black-Litterman: 2 views" in p.stdout and "market prior" in p.stdout
    assert is_png(tmp_path / "o.png") and is_png(tmp_path / "o-black-litterman.png")
    _, result, mu, cov, _ = fin.load_portfolio(tmp_path / "o.h5")
    bl = fin.black_litterman(sample, pi="market", market_caps=MCAPS, risk_aversion=1.0,
                             risk_free_rate=0.02, views=views, tickers=panel.tickers)
    np.testing.assert_allclose(mu, bl.posterior_returns, rtol=1e-13)
    np.testing.assert_allclose(cov, bl.posterior_cov, rtol=1e-13)
    ms = fin.max_sharpe(bl.posterior_returns, bl.posterior_cov)
    np.testing.assert_allclose(result.weights, ms.weights, atol=1e-10)
    # The --returns estimate as the prior (no caps), and a bad view.
    q = cli("portfolio", "optimize", "--prices", PRICES, "--objective", "min-volatility",
            "--black-litterman", views)
    assert q.returncode == 0 and "returns prior" in q.stdout
    views.write_text("MSFT,0.1\n")
    bad = cli("portfolio", "optimize", "--prices", PRICES, "--black-litterman", views)
    assert bad.returncode != 0 and "'MSFT' is not a ticker" in bad.stderr
    lone = cli("portfolio", "optimize", "--prices", PRICES, "--market-caps", caps)
    assert lone.returncode != 0 and "need --black-litterman" in lone.stderr


@pytest.mark.skipif(not HAVE_CLI, reason="the adamant CLI is not built")
def test_cli_readme_example_files(tmp_path, panel, sample):
    views = os.path.join(EXAMPLES, "black_litterman_views.csv")
    caps = os.path.join(EXAMPLES, "market_caps_20.csv")
    p = cli("portfolio", "optimize", "--prices", PRICES, "--objective", "max-sharpe",
            "--black-litterman", views, "--market-caps", caps, "-o", tmp_path / "bl.h5")
    assert p.returncode == 0, p.stderr
    assert "Black-Litterman: 5 views" in p.stdout
    assert is_png(tmp_path / "bl-black-litterman.png")
    _, _, mu, _, _ = fin.load_portfolio(tmp_path / "bl.h5")
    bl = fin.black_litterman(sample, pi="market", market_caps=MCAPS, risk_free_rate=0.02,
                             views=views, tickers=panel.tickers)
    np.testing.assert_allclose(mu, bl.posterior_returns, rtol=1e-13)
    q = cli("portfolio", "hrp", "--prices", PRICES, "--out", tmp_path)
    assert q.returncode == 0, q.stderr
    assert is_png(tmp_path / "hrp.png") and os.path.isfile(tmp_path / "hrp.h5")
