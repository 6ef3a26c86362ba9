// Estimators of expected returns and covariance from prices (PyPortfolioOpt conventions).
// Equations, NaN handling and sources: see estimators.hpp.

#include "adamant/finance/estimators.hpp"

#include <Eigen/Cholesky>
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

#include "checks.hpp"

namespace adamant::finance {

namespace {

using detail::fail;
using detail::num;

// Every product that reduces over rows (time) or assets uses lazyProduct: a coefficient-based,
// single-threaded product with a fixed summation order. Eigen's blocked GEMM is parallelised
// with OpenMP and its blocking depends on the thread count, which changes the last bits of the
// result; the estimators must give the same numbers on any thread count.

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void check_frequency(const char* who, int frequency) {
  if (frequency < 1) fail(who, "frequency must be >= 1 (periods per year), got " + num(frequency));
}

void check_span(const char* who, int span) {
  if (span < 1) fail(who, "span must be >= 1, got " + num(span));
}

// Rows >= 2, columns >= 1, no ±inf, every column with >= 2 non-NaN returns.
void check_returns(const char* who, const RowMatrixXd& r) {
  if (r.cols() < 1) fail(who, "returns have no columns");
  detail::check_return_rows(who, r);
}

// (Π (1 + r))^(F / n) − 1 over the non-NaN entries (pandas prod/count skip NaN).
template <class Get>
double compound_annual(const char* who, Eigen::Index rows, Get get, int frequency,
                       const std::string& what) {
  double prod = 1;
  Eigen::Index n = 0;
  for (Eigen::Index t = 0; t < rows; ++t) {
    const double v = get(t);
    if (std::isnan(v)) continue;
    if (v < -1) fail(who, what + " has a return below -100% at row " + num(t) + ": " + num(v));
    prod *= 1 + v;
    ++n;
  }
  if (n == 0) fail(who, what + " has no non-NaN values");
  return std::pow(prod, static_cast<double>(frequency) / static_cast<double>(n)) - 1;
}

template <class Get>
double nan_mean(Eigen::Index rows, Get get) {
  double s = 0;
  Eigen::Index n = 0;
  for (Eigen::Index t = 0; t < rows; ++t) {
    const double v = get(t);
    if (std::isnan(v)) continue;
    s += v;
    ++n;
  }
  return n == 0 ? kNaN : s / static_cast<double>(n);
}

// Last value of pandas' Series.ewm(span).mean() with adjust=True, ignore_na=False: the average of
// the non-NaN x_t with weights (1 − α)^(T−1−t), α = 2 / (span + 1). Evaluated with pandas'
// weighted-average recursion (old weight decays every row once started, new weight 1), which
// never underflows. NaN when every x_t is NaN.
template <class Get>
double ewm_last(Eigen::Index rows, Get get, int span) {
  const double alpha = 2.0 / (static_cast<double>(span) + 1.0);
  const double decay = 1.0 - alpha;
  double avg = kNaN;
  double old_w = 1;
  bool started = false;
  for (Eigen::Index t = 0; t < rows; ++t) {
    const double v = get(t);
    const bool obs = !std::isnan(v);
    if (!started) {
      if (obs) {
        avg = v;
        old_w = 1;
        started = true;
      }
      continue;
    }
    old_w *= decay;
    if (obs) {
      if (avg != v) avg = (old_w * avg + v) / (old_w + 1.0);
      old_w += 1.0;
    }
  }
  return avg;
}

bool has_nan(const RowMatrixXd& m) { return m.array().isNaN().any(); }

// Sample covariance of columns a and b over the rows where both are non-NaN (divisor n − 1);
// throws when fewer than 2 rows overlap.
template <class GetA, class GetB>
double pair_cov(const char* who, Eigen::Index rows, GetA a, GetB b, const std::string& what) {
  double sa = 0, sb = 0;
  Eigen::Index n = 0;
  for (Eigen::Index t = 0; t < rows; ++t) {
    const double x = a(t), y = b(t);
    if (std::isnan(x) || std::isnan(y)) continue;
    sa += x;
    sb += y;
    ++n;
  }
  if (n < 2) fail(who, what + " overlap on " + num(n) + " rows (need at least 2)");
  const double ma = sa / static_cast<double>(n), mb = sb / static_cast<double>(n);
  double s = 0;
  for (Eigen::Index t = 0; t < rows; ++t) {
    const double x = a(t), y = b(t);
    if (std::isnan(x) || std::isnan(y)) continue;
    s += (x - ma) * (y - mb);
  }
  return s / static_cast<double>(n - 1);
}

// pandas DataFrame.cov(): pairwise-complete, divisor n_pair − 1 (unannualised).
Eigen::MatrixXd pairwise_cov(const char* who, const RowMatrixXd& r) {
  const Eigen::Index n = r.cols(), rows = r.rows();
  if (!has_nan(r)) {
    const Eigen::MatrixXd x = r;
    const Eigen::MatrixXd xc = x.rowwise() - x.colwise().mean();
    Eigen::MatrixXd s = xc.transpose().lazyProduct(xc) / static_cast<double>(rows - 1);
    return (s + s.transpose()) * 0.5;
  }
  const Eigen::MatrixXd x = r;  // column-major: contiguous columns
  Eigen::MatrixXd s(n, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = i; j < n; ++j) {
      const double* xi = x.col(i).data();
      const double* xj = x.col(j).data();
      s(i, j) = s(j, i) = pair_cov(
          who, rows, [xi](Eigen::Index t) { return xi[t]; }, [xj](Eigen::Index t) { return xj[t]; },
          "returns columns " + num(i) + " and " + num(j));
    }
  }
  return s;
}

// Rows of r that are not NaN in every column (pandas dropna(how="all")).
RowMatrixXd drop_all_nan_rows(const RowMatrixXd& r) {
  std::vector<Eigen::Index> keep;
  keep.reserve(static_cast<std::size_t>(r.rows()));
  for (Eigen::Index t = 0; t < r.rows(); ++t) {
    if (!r.row(t).array().isNaN().all()) keep.push_back(t);
  }
  if (static_cast<Eigen::Index>(keep.size()) == r.rows()) return r;
  RowMatrixXd out(static_cast<Eigen::Index>(keep.size()), r.cols());
  for (std::size_t k = 0; k < keep.size(); ++k) {
    out.row(static_cast<Eigen::Index>(k)) = r.row(keep[k]);
  }
  return out;
}

// PyPortfolioOpt's PSD test: a Cholesky factorisation of m + 1e-16·I exists.
bool cholesky_psd(const Eigen::MatrixXd& m) {
  const Eigen::MatrixXd shifted = m + 1e-16 * Eigen::MatrixXd::Identity(m.rows(), m.cols());
  Eigen::LLT<Eigen::MatrixXd> llt(shifted);
  return llt.info() == Eigen::Success;
}

void check_square_finite(const char* who, const Eigen::MatrixXd& m) {
  if (m.rows() != m.cols()) {
    fail(who, "matrix must be square, got " + num(m.rows()) + " x " + num(m.cols()));
  }
  if (m.rows() == 0) fail(who, "matrix is empty");
  if (!m.allFinite()) fail(who, "matrix has NaN or infinite entries");
}

// ---- Ledoit-Wolf, on X = returns with NaN replaced by 0 (t × n), unannualised ----

// sklearn.covariance.ledoit_wolf (Ledoit & Wolf 2004, JMVA 88): target μ·I, μ = tr(S)/n with
// S = Xcᵀ Xc / t the biased covariance of the centred data.
ShrinkageResult lw_constant_variance(const Eigen::MatrixXd& x) {
  const Eigen::Index t = x.rows(), n = x.cols();
  const double td = static_cast<double>(t), nd = static_cast<double>(n);
  const Eigen::MatrixXd xc = x.rowwise() - x.colwise().mean();
  const Eigen::MatrixXd emp = xc.transpose().lazyProduct(xc) / td;
  ShrinkageResult out;
  if (n == 1) {
    out.cov = emp;
    out.delta = 0;
    return out;
  }
  const Eigen::MatrixXd x2 = xc.array().square().matrix();
  const Eigen::VectorXd var = x2.colwise().sum().transpose() / td;  // diag of emp
  const double mu = var.sum() / nd;
  const double beta_sum = x2.transpose().lazyProduct(x2).sum();  // Σ_ij Σ_t x_ti² x_tj²
  const Eigen::MatrixXd xtx = xc.transpose().lazyProduct(xc);
  const double d_sum = xtx.array().square().sum() / (td * td);  // ||S||_F²
  double beta = (beta_sum / td - d_sum) / (nd * td);
  const double delta = (d_sum - 2.0 * mu * var.sum() + nd * mu * mu) / nd;  // ||S − μI||²/n
  beta = std::min(beta, delta);
  const double shrink = beta == 0 ? 0.0 : beta / delta;
  out.cov = (1.0 - shrink) * emp;
  out.cov.diagonal().array() += shrink * mu;
  out.delta = shrink;
  return out;
}

// Ledoit & Wolf (2003), single-index (equal-weighted market) target, as in PyPortfolioOpt.
ShrinkageResult lw_single_factor(const Eigen::MatrixXd& x) {
  const Eigen::Index t = x.rows(), n = x.cols();
  const double td = static_cast<double>(t);
  const Eigen::MatrixXd xm = x.rowwise() - x.colwise().mean();
  const Eigen::VectorXd xmkt = xm.rowwise().mean();
  // Biased covariance of [Xm, xmkt] (recentred, divisor t).
  Eigen::MatrixXd aug(t, n + 1);
  aug.leftCols(n) = xm;
  aug.col(n) = xmkt;
  const Eigen::MatrixXd augc = aug.rowwise() - aug.colwise().mean();
  const Eigen::MatrixXd all = augc.transpose().lazyProduct(augc) / td;
  const Eigen::VectorXd betas = all.col(n).head(n);
  const double varmkt = all(n, n);
  const Eigen::MatrixXd sample = all.topLeftCorner(n, n);
  Eigen::MatrixXd f = betas * betas.transpose() / varmkt;
  f.diagonal() = sample.diagonal();

  const double c = (sample - f).squaredNorm();
  const Eigen::MatrixXd y = xm.array().square().matrix();
  const double p = y.transpose().lazyProduct(y).sum() / td - sample.array().square().sum();
  const double rdiag = y.array().square().sum() / td - sample.diagonal().array().square().sum();
  const Eigen::MatrixXd z = xm.array().colwise() * xmkt.array();
  // v1_ij = (1/t) Σ_t y_ti z_tj − β_i S_ij
  const Eigen::MatrixXd v1 =
      y.transpose().lazyProduct(z) / td - (sample.array().colwise() * betas.array()).matrix();
  const double roff1 = ((v1.array().rowwise() * betas.transpose().array()).sum() -
                        (v1.diagonal().array() * betas.array()).sum()) /
                       varmkt;
  // v3 = (1/t) zᵀz − var_m S
  const Eigen::MatrixXd v3 = z.transpose().lazyProduct(z) / td - varmkt * sample;
  const Eigen::MatrixXd bb = betas * betas.transpose();
  const double roff3 =
      ((v3.array() * bb.array()).sum() - (v3.diagonal().array() * betas.array().square()).sum()) /
      (varmkt * varmkt);
  const double r = rdiag + 2.0 * roff1 - roff3;
  const double k = (p - r) / c;
  const double delta = std::max(0.0, std::min(1.0, k / td));
  ShrinkageResult out;
  out.cov = delta * f + (1.0 - delta) * sample;
  out.delta = delta;
  return out;
}

// Ledoit & Wolf (2004, "Honey, I shrunk..."), constant-correlation target, as in PyPortfolioOpt:
// s = pairwise-complete sample covariance (divisor n_pair − 1) of the returns with NaN; the π and
// ρ terms from x (NaN → 0) centred, divisor t.
ShrinkageResult lw_constant_correlation(const Eigen::MatrixXd& x, const Eigen::MatrixXd& s) {
  const Eigen::Index t = x.rows(), n = x.cols();
  const double td = static_cast<double>(t), nd = static_cast<double>(n);
  const Eigen::VectorXd var = s.diagonal();
  const Eigen::VectorXd sd = var.array().sqrt();
  const Eigen::MatrixXd sdsd = sd * sd.transpose();
  const double r_bar = n > 1 ? ((s.array() / sdsd.array()).sum() - nd) / (nd * (nd - 1.0)) : 0.0;
  Eigen::MatrixXd f = r_bar * sdsd;
  f.diagonal() = var;

  const Eigen::MatrixXd xm = x.rowwise() - x.colwise().mean();
  const Eigen::MatrixXd y = xm.array().square().matrix();
  const Eigen::MatrixXd xtx = xm.transpose().lazyProduct(xm);
  const Eigen::MatrixXd pi_mat = (y.transpose().lazyProduct(y) / td).array() -
                                 2.0 * xtx.array() * s.array() / td + s.array().square();
  const double pi_hat = pi_mat.sum();

  const Eigen::MatrixXd term1 = xm.array().cube().matrix().transpose().lazyProduct(xm) / td;
  const Eigen::MatrixXd help = xtx / td;
  const Eigen::VectorXd help_diag = help.diagonal();
  // term2_ij = help_ii S_ij, term3_ij = help_ij var_i, term4_ij = var_i S_ij
  Eigen::MatrixXd theta = term1.array() - (s.array().colwise() * help_diag.array()) -
                          (help.array().colwise() * var.array()) +
                          (s.array().colwise() * var.array());
  theta.diagonal().setZero();
  // Σ_ij (sd_j / sd_i) θ_ij
  const Eigen::MatrixXd ratio = sd.cwiseInverse() * sd.transpose();
  const double rho_hat = pi_mat.diagonal().sum() + r_bar * (ratio.array() * theta.array()).sum();
  const double gamma_hat = (s - f).squaredNorm();
  const double kappa = (pi_hat - rho_hat) / gamma_hat;
  const double delta = std::max(0.0, std::min(1.0, kappa / td));
  ShrinkageResult out;
  out.cov = delta * f + (1.0 - delta) * s;
  out.delta = delta;
  return out;
}

}  // namespace

RowMatrixXd returns_from_prices(const RowMatrixXd& prices, ReturnKind kind) {
  const char* who = "returns_from_prices";
  const Eigen::Index rows = prices.rows(), n = prices.cols();
  if (n < 1) fail(who, "prices have no columns");
  if (rows < 2) fail(who, "need at least 2 rows of prices, got " + num(rows));
  for (Eigen::Index j = 0; j < n; ++j) {
    Eigen::Index valid = 0;
    for (Eigen::Index t = 0; t < rows; ++t) {
      const double p = prices(t, j);
      if (std::isnan(p)) continue;
      if (!(p > 0) || std::isinf(p)) {
        fail(who, "price at row " + num(t) + ", column " + num(j) +
                      " must be positive and finite (or NaN where missing), got " + num(p));
      }
      ++valid;
    }
    if (valid < 2) {
      fail(who, "price column " + num(j) + " has " + num(valid) +
                    " non-NaN prices (need at least 2; is the column all NaN?)");
    }
  }
  RowMatrixXd r(rows - 1, n);
  Eigen::Index kept = 0;
  for (Eigen::Index t = 1; t < rows; ++t) {
    bool any = false;
    for (Eigen::Index j = 0; j < n; ++j) {
      const double p0 = prices(t - 1, j), p1 = prices(t, j);
      double v = kNaN;
      if (!std::isnan(p0) && !std::isnan(p1)) {
        v = p1 / p0 - 1.0;                                    // pandas pct_change(fill_method=None)
        if (kind == ReturnKind::kLog) v = std::log(1.0 + v);  // np.log(1 + pct_change)
        any = true;
      }
      r(kept, j) = v;
    }
    if (any) ++kept;  // rows NaN in every column are dropped (the row is overwritten)
  }
  r.conservativeResize(kept, n);
  return r;
}

Eigen::VectorXd mean_historical_return(const RowMatrixXd& returns, bool compounding,
                                       int frequency) {
  const char* who = "mean_historical_return";
  check_frequency(who, frequency);
  check_returns(who, returns);
  const Eigen::Index n = returns.cols(), rows = returns.rows();
  Eigen::VectorXd mu(n);
  for (Eigen::Index j = 0; j < n; ++j) {
    auto get = [&returns, j](Eigen::Index t) { return returns(t, j); };
    mu(j) = compounding ? compound_annual(who, rows, get, frequency, "returns column " + num(j))
                        : nan_mean(rows, get) * frequency;
  }
  return mu;
}

Eigen::VectorXd ema_historical_return(const RowMatrixXd& returns, int span, bool compounding,
                                      int frequency) {
  const char* who = "ema_historical_return";
  check_span(who, span);
  check_frequency(who, frequency);
  check_returns(who, returns);
  const Eigen::Index n = returns.cols(), rows = returns.rows();
  Eigen::VectorXd mu(n);
  for (Eigen::Index j = 0; j < n; ++j) {
    const double ema = ewm_last(
        rows, [&returns, j](Eigen::Index t) { return returns(t, j); }, span);
    if (compounding) {
      if (ema < -1) fail(who, "returns column " + num(j) + " has an EMA return below -100%");
      mu(j) = std::pow(1.0 + ema, frequency) - 1.0;
    } else {
      mu(j) = ema * frequency;
    }
  }
  return mu;
}

Eigen::VectorXd capm_return(const RowMatrixXd& returns, double risk_free_rate,
                            const Eigen::VectorXd& market_returns, bool compounding,
                            int frequency) {
  const char* who = "capm_return";
  check_frequency(who, frequency);
  check_returns(who, returns);
  if (!std::isfinite(risk_free_rate)) fail(who, "risk_free_rate must be finite");
  const Eigen::Index n = returns.cols(), rows = returns.rows();
  Eigen::VectorXd mkt(rows);
  if (market_returns.size() == 0) {
    for (Eigen::Index t = 0; t < rows; ++t) {
      mkt(t) = nan_mean(n, [&returns, t](Eigen::Index j) { return returns(t, j); });
    }
  } else {
    if (market_returns.size() != rows) {
      fail(who, "market_returns has " + num(market_returns.size()) +
                    " entries, expected one per "
                    "row of returns (" +
                    num(rows) + ")");
    }
    if ((market_returns.array().isInf()).any()) fail(who, "market_returns has infinite entries");
    mkt = market_returns;
  }
  auto get_m = [&mkt](Eigen::Index t) { return mkt(t); };
  const double var_m = pair_cov(who, rows, get_m, get_m, "market returns with themselves");
  if (!(var_m > 0)) fail(who, "market returns have zero variance");
  const double mkt_mean = compounding
                              ? compound_annual(who, rows, get_m, frequency, "market returns")
                              : nan_mean(rows, get_m) * frequency;
  Eigen::VectorXd mu(n);
  for (Eigen::Index j = 0; j < n; ++j) {
    const double c = pair_cov(
        who, rows, [&returns, j](Eigen::Index t) { return returns(t, j); }, get_m,
        "returns column " + num(j) + " and the market");
    mu(j) = risk_free_rate + (c / var_m) * (mkt_mean - risk_free_rate);
  }
  return mu;
}

Eigen::MatrixXd sample_cov(const RowMatrixXd& returns, int frequency) {
  const char* who = "sample_cov";
  check_frequency(who, frequency);
  check_returns(who, returns);
  return fix_nonpositive_semidefinite(pairwise_cov(who, returns) * frequency, "spectral");
}

Eigen::MatrixXd exp_cov(const RowMatrixXd& returns, int span, int frequency) {
  const char* who = "exp_cov";
  check_span(who, span);
  check_frequency(who, frequency);
  check_returns(who, returns);
  const Eigen::Index n = returns.cols(), rows = returns.rows();
  const Eigen::MatrixXd x = returns;  // column-major
  Eigen::VectorXd mean(n);
  for (Eigen::Index j = 0; j < n; ++j) {
    const double* xj = x.col(j).data();
    mean(j) = nan_mean(rows, [xj](Eigen::Index t) { return xj[t]; });
  }
  Eigen::MatrixXd s(n, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = i; j < n; ++j) {
      const double* xi = x.col(i).data();
      const double* xj = x.col(j).data();
      const double mi = mean(i), mj = mean(j);
      const double v = ewm_last(
          rows, [=](Eigen::Index t) { return (xi[t] - mi) * (xj[t] - mj); }, span);
      if (std::isnan(v)) {
        fail(who, "returns columns " + num(i) + " and " + num(j) + " never overlap");
      }
      s(i, j) = s(j, i) = v * frequency;
    }
  }
  return fix_nonpositive_semidefinite(s, "spectral");
}

ShrinkageResult ledoit_wolf(const RowMatrixXd& returns, ShrinkTarget target, int frequency) {
  const char* who = "ledoit_wolf";
  check_frequency(who, frequency);
  check_returns(who, returns);
  const RowMatrixXd kept = drop_all_nan_rows(returns);
  Eigen::MatrixXd x = kept;
  x = x.array().isNaN().select(0.0, x);  // np.nan_to_num
  ShrinkageResult out;
  switch (target) {
    case ShrinkTarget::kConstantVariance:
      out = lw_constant_variance(x);
      break;
    case ShrinkTarget::kSingleFactor:
      out = lw_single_factor(x);
      break;
    case ShrinkTarget::kConstantCorrelation:
      out = lw_constant_correlation(x, pairwise_cov(who, kept));
      break;
    default:
      fail(who, "unknown shrinkage target");
  }
  if (!out.cov.allFinite() || !std::isfinite(out.delta)) {
    fail(who, "shrinkage produced non-finite values (a constant column?)");
  }
  out.cov = fix_nonpositive_semidefinite(out.cov * frequency, "spectral");
  return out;
}

bool is_positive_semidefinite(const Eigen::MatrixXd& m, double tol) {
  check_square_finite("is_positive_semidefinite", m);
  if (!(tol >= 0)) fail("is_positive_semidefinite", "tol must be >= 0, got " + num(tol));
  const Eigen::MatrixXd sym = 0.5 * (m + m.transpose());
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(sym, Eigen::EigenvaluesOnly);
  const Eigen::VectorXd& ev = es.eigenvalues();  // ascending
  const double scale = std::max(1.0, std::abs(ev(ev.size() - 1)));
  return ev(0) >= -tol * scale;
}

Eigen::MatrixXd fix_nonpositive_semidefinite(const Eigen::MatrixXd& m, const std::string& method) {
  const char* who = "fix_nonpositive_semidefinite";
  if (method != "spectral" && method != "diag") {
    fail(who, "method must be \"spectral\" or \"diag\", got \"" + method + "\"");
  }
  check_square_finite(who, m);
  if (cholesky_psd(m)) return m;
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(m);  // reads the lower triangle, like eigh
  const Eigen::VectorXd& q = es.eigenvalues();
  if (method == "spectral") {
    const Eigen::MatrixXd& v = es.eigenvectors();
    const Eigen::VectorXd qp = q.cwiseMax(0.0);
    const Eigen::MatrixXd vq = v * qp.asDiagonal();
    return vq.lazyProduct(v.transpose());
  }
  // "diag": shift the diagonal by 1.1·|λ_min| (λ_min < 0 here).
  return m - 1.1 * q.minCoeff() * Eigen::MatrixXd::Identity(m.rows(), m.cols());
}

const std::vector<std::string>& expected_returns_methods() {
  static const std::vector<std::string> names = {"mean_historical", "ema", "capm"};
  return names;
}

const std::vector<std::string>& risk_matrix_methods() {
  static const std::vector<std::string> names = {"sample", "exp", "ledoit_wolf",
                                                 "ledoit_wolf_single_factor",
                                                 "ledoit_wolf_constant_correlation"};
  return names;
}

namespace {
[[noreturn]] void unknown_method(const char* who, const std::string& method,
                                 const std::vector<std::string>& known) {
  std::string list;
  for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
  fail(who, "unknown method \"" + method + "\" (known: " + list + ")");
}
}  // namespace

Eigen::VectorXd expected_returns_by_name(const RowMatrixXd& returns, const std::string& method,
                                         int frequency, double risk_free_rate) {
  if (method == "mean_historical") return mean_historical_return(returns, true, frequency);
  if (method == "ema") return ema_historical_return(returns, 500, true, frequency);
  if (method == "capm") return capm_return(returns, risk_free_rate, {}, true, frequency);
  unknown_method("expected_returns", method, expected_returns_methods());
}

Eigen::MatrixXd risk_matrix(const RowMatrixXd& returns, const std::string& method, int frequency) {
  if (method == "sample") return sample_cov(returns, frequency);
  if (method == "exp") return exp_cov(returns, 180, frequency);
  if (method == "ledoit_wolf")
    return ledoit_wolf(returns, ShrinkTarget::kConstantVariance, frequency).cov;
  if (method == "ledoit_wolf_single_factor")
    return ledoit_wolf(returns, ShrinkTarget::kSingleFactor, frequency).cov;
  if (method == "ledoit_wolf_constant_correlation")
    return ledoit_wolf(returns, ShrinkTarget::kConstantCorrelation, frequency).cov;
  unknown_method("risk_matrix", method, risk_matrix_methods());
}

}  // namespace adamant::finance
