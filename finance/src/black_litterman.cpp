// The Black-Litterman model: market-implied prior and risk aversion, views (and the views
// file), Ω, the posterior, its weights and the prior-vs-posterior figure. Equations and
// sources: see black_litterman.hpp.

#include "adamant/finance/black_litterman.hpp"

#include <Eigen/LU>
#include <Eigen/QR>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "adamant/plot/plot.hpp"
#include "checks.hpp"
#include "plot_helpers.hpp"

namespace adamant::finance {

namespace {

using detail::fail;
using detail::num;

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void check_cov(const char* who, const MatrixXd& cov) {
  if (cov.rows() != cov.cols() || cov.rows() == 0)
    fail(who, "cov must be square and non-empty, got " + num(cov.rows()) + " x " + num(cov.cols()));
  if (!cov.allFinite()) fail(who, "cov has NaN or infinite entries");
  if ((cov - cov.transpose()).cwiseAbs().maxCoeff() >
      1e-12 * std::max(1.0, cov.cwiseAbs().maxCoeff()))
    fail(who, "cov is not symmetric");
}

void check_tau(const char* who, double tau) {
  if (!(tau > 0 && tau <= 1)) fail(who, "tau must be in (0, 1], got " + num(tau));
}

void check_picking(const char* who, const MatrixXd& P, Index n) {
  if (P.rows() == 0) fail(who, "there are no views (P has no rows)");
  if (P.cols() != n)
    fail(who, "P has " + num(P.cols()) + " columns, expected one per asset (" + num(n) + ")");
  if (!P.allFinite()) fail(who, "P has NaN or infinite entries");
}

// A x = B by LU with partial pivoting; by least squares (minimum norm) when A is singular, as
// PyPortfolioOpt falls back from np.linalg.solve to lstsq.
MatrixXd solve(const MatrixXd& a, const MatrixXd& b) {
  Eigen::PartialPivLU<MatrixXd> lu(a);
  bool singular = false;
  for (Index i = 0; i < a.rows(); ++i) singular = singular || lu.matrixLU()(i, i) == 0.0;
  if (!singular) {
    MatrixXd x = lu.solve(b);
    if (x.allFinite()) return x;
  }
  return Eigen::CompleteOrthogonalDecomposition<MatrixXd>(a).solve(b);
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// "0.15", "-2e-1", "15%"; false when not a number.
bool parse_number(const std::string& text, double* out) {
  std::string s = trim(text);
  double scale = 1;
  if (!s.empty() && s.back() == '%') {
    s = trim(s.substr(0, s.size() - 1));
    scale = 0.01;
  }
  if (s.empty()) return false;
  try {
    std::size_t used = 0;
    const double v = std::stod(s, &used);
    if (used != s.size() || !std::isfinite(v)) return false;
    *out = v * scale;
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    out.push_back(
        trim(line.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

int ticker_index(const std::vector<std::string>& tickers, const std::string& t) {
  const auto it = std::find(tickers.begin(), tickers.end(), t);
  return it == tickers.end() ? -1 : static_cast<int>(it - tickers.begin());
}

std::string join_tickers(const std::vector<std::string>& tickers) {
  std::string s;
  for (std::size_t i = 0; i < tickers.size() && i < 30; ++i) s += (i ? ", " : "") + tickers[i];
  if (tickers.size() > 30) s += ", ...";
  return s;
}

// "[coef [*]] TICKER { (+|-) [coef [*]] TICKER }" → a row of P.
VectorXd parse_view_expression(const std::string& expr, const std::vector<std::string>& tickers,
                               const std::string& where) {
  const char* who = "parse_views_csv";
  // Tokens: whitespace-separated, with '*' split off.
  std::vector<std::string> tokens;
  {
    std::istringstream in(expr);
    std::string word;
    while (in >> word) {
      std::size_t start = 0;
      while (start <= word.size()) {
        const std::size_t star = word.find('*', start);
        const std::string piece =
            word.substr(start, star == std::string::npos ? std::string::npos : star - start);
        if (!piece.empty()) tokens.push_back(piece);
        if (star == std::string::npos) break;
        tokens.push_back("*");
        start = star + 1;
      }
    }
  }
  if (tokens.empty()) fail(who, where + ": the view is empty");
  VectorXd row = VectorXd::Zero(static_cast<Index>(tickers.size()));
  std::size_t k = 0;
  bool first = true;
  while (k < tokens.size()) {
    double sign = 1;
    if (tokens[k] == "+" || tokens[k] == "-") {
      sign = tokens[k] == "-" ? -1 : 1;
      ++k;
    } else if (!first) {
      fail(who, where + ": expected ' + ' or ' - ' before '" + tokens[k] +
                    "' (separate the terms of a view by + or - with spaces around them)");
    }
    first = false;
    if (k >= tokens.size()) fail(who, where + ": the view ends with an operator");
    double coef = 1;
    // A leading sign glued to a ticker or number ("-SBUX", "-0.5"), when it is not a ticker.
    std::string tok = tokens[k];
    if ((tok[0] == '-' || tok[0] == '+') && tok.size() > 1 && ticker_index(tickers, tok) < 0) {
      if (tok[0] == '-') sign = -sign;
      tok = tok.substr(1);
    }
    double c = 0;
    if (ticker_index(tickers, tok) < 0 && parse_number(tok, &c)) {
      coef = c;
      ++k;
      if (k < tokens.size() && tokens[k] == "*") ++k;
      if (k >= tokens.size()) fail(who, where + ": coefficient " + tok + " has no ticker after it");
      tok = tokens[k];
    }
    const int i = ticker_index(tickers, tok);
    if (i < 0)
      fail(who, where + ": '" + tok + "' is not a ticker of the universe (" +
                    join_tickers(tickers) + ")");
    row[i] += sign * coef;
    ++k;
  }
  if (row.cwiseAbs().maxCoeff() == 0) fail(who, where + ": the view's coefficients are all zero");
  return row;
}

}  // namespace

// ---- views ----

BlackLittermanViews absolute_views(const std::vector<std::pair<std::string, double>>& views,
                                   const std::vector<std::string>& tickers) {
  const char* who = "absolute_views";
  if (views.empty()) fail(who, "there are no views");
  const auto k = static_cast<Index>(views.size());
  BlackLittermanViews v;
  v.P = MatrixXd::Zero(k, static_cast<Index>(tickers.size()));
  v.Q.resize(k);
  for (Index r = 0; r < k; ++r) {
    const auto& [ticker, q] = views[static_cast<std::size_t>(r)];
    const int i = ticker_index(tickers, ticker);
    if (i < 0)
      fail(who, "a view on '" + ticker + "', which is not in the universe (" +
                    join_tickers(tickers) + ")");
    if (!std::isfinite(q)) fail(who, "the view on " + ticker + " is not finite");
    v.P(r, i) = 1;
    v.Q[r] = q;
    v.labels.push_back(ticker);
  }
  return v;
}

BlackLittermanViews parse_views_csv(const std::string& text,
                                    const std::vector<std::string>& tickers,
                                    const std::string& source) {
  const char* who = "parse_views_csv";
  if (tickers.empty()) fail(who, source + ": no tickers to take views on");
  std::vector<VectorXd> rows;
  std::vector<double> q, conf;
  std::vector<std::string> labels;
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  bool any_conf = false, seen_data = false;
  while (std::getline(in, line)) {
    ++line_no;
    if (line_no == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line = line.substr(3);  // BOM
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    const std::vector<std::string> f = split_csv(t);
    const std::string where = source + " line " + std::to_string(line_no);
    if (!seen_data) {
      seen_data = true;
      std::string head = f[0];
      std::transform(head.begin(), head.end(), head.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      if (head == "view" && ticker_index(tickers, f[0]) < 0) continue;  // header
    }
    if (f.size() < 2 || f.size() > 3)
      fail(who, where + ": expected 'view,return[,confidence]', got " + std::to_string(f.size()) +
                    " fields");
    rows.push_back(parse_view_expression(f[0], tickers, where));
    double value = 0;
    if (!parse_number(f[1], &value))
      fail(who, where + ": return '" + f[1] + "' is not a number (e.g. 0.1 or 10%)");
    q.push_back(value);
    double c = kNaN;
    if (f.size() == 3 && !f[2].empty()) {
      if (!parse_number(f[2], &c))
        fail(who, where + ": confidence '" + f[2] + "' is not a number (e.g. 0.6 or 60%)");
      if (!(c >= 0 && c <= 1))
        fail(who, where + ": confidence must be in [0, 1] (0% .. 100%), got " + num(c));
      any_conf = true;
    }
    conf.push_back(c);
    labels.push_back(f[0]);
  }
  if (rows.empty()) fail(who, source + ": no views (expected lines 'view,return[,confidence]')");
  BlackLittermanViews v;
  const auto k = static_cast<Index>(rows.size());
  v.P.resize(k, static_cast<Index>(tickers.size()));
  v.Q.resize(k);
  for (Index r = 0; r < k; ++r) {
    v.P.row(r) = rows[static_cast<std::size_t>(r)].transpose();
    v.Q[r] = q[static_cast<std::size_t>(r)];
  }
  if (any_conf) v.confidences = Eigen::Map<const VectorXd>(conf.data(), k);
  v.labels = std::move(labels);
  return v;
}

BlackLittermanViews read_views_csv(const std::string& path,
                                   const std::vector<std::string>& tickers) {
  std::ifstream f(path, std::ios::binary);
  if (!f) fail("read_views_csv", "cannot read the views file " + path);
  std::ostringstream s;
  s << f.rdbuf();
  return parse_views_csv(s.str(), tickers, path);
}

// ---- prior and risk aversion ----

VectorXd market_implied_prior_returns(const VectorXd& caps, double risk_aversion,
                                      const MatrixXd& cov, double risk_free_rate) {
  const char* who = "market_implied_prior_returns";
  check_cov(who, cov);
  if (caps.size() != cov.rows())
    fail(who, "market_caps has " + num(caps.size()) + " entries, cov covers " + num(cov.rows()) +
                  " assets");
  if (!caps.allFinite() || (caps.array() < 0).any())
    fail(who, "market caps must be finite and >= 0");
  const double total = caps.sum();
  if (!(total > 0)) fail(who, "market caps sum to 0");
  if (!(risk_aversion > 0) || std::isinf(risk_aversion))
    fail(who, "risk_aversion must be positive and finite, got " + num(risk_aversion));
  if (!std::isfinite(risk_free_rate)) fail(who, "risk_free_rate must be finite");
  const VectorXd w = caps / total;
  return (risk_aversion * (cov * w)).array() + risk_free_rate;
}

double market_implied_risk_aversion(const VectorXd& prices, int frequency, double risk_free_rate) {
  const char* who = "market_implied_risk_aversion";
  if (frequency < 1) fail(who, "frequency must be >= 1, got " + num(frequency));
  if (!std::isfinite(risk_free_rate)) fail(who, "risk_free_rate must be finite");
  std::vector<double> r;
  for (Index t = 1; t < prices.size(); ++t) {
    const double p0 = prices[t - 1], p1 = prices[t];
    if (std::isinf(p0) || std::isinf(p1) || (!std::isnan(p1) && !(p1 > 0)))
      fail(who, "price " + num(t) + " must be positive and finite (or NaN), got " + num(p1));
    if (std::isnan(p0) || std::isnan(p1)) continue;
    r.push_back(p1 / p0 - 1);
  }
  if (r.size() < 3) fail(who, "need at least 3 returns, got " + num(static_cast<double>(r.size())));
  double mean = 0;
  for (double v : r) mean += v;
  mean /= static_cast<double>(r.size());
  double var = 0;
  for (double v : r) var += (v - mean) * (v - mean);
  var /= static_cast<double>(r.size() - 1);
  if (!(var > 0)) fail(who, "the market returns have zero variance");
  return (mean * frequency - risk_free_rate) / (var * frequency);
}

// ---- Ω ----

MatrixXd default_omega(const MatrixXd& cov, const MatrixXd& P, double tau) {
  const char* who = "default_omega";
  check_cov(who, cov);
  check_picking(who, P, cov.rows());
  check_tau(who, tau);
  const MatrixXd m = tau * P * cov * P.transpose();
  return m.diagonal().asDiagonal();
}

MatrixXd idzorek_omega(const VectorXd& conf, const MatrixXd& cov, const MatrixXd& P, double tau) {
  const char* who = "idzorek_omega";
  check_cov(who, cov);
  check_picking(who, P, cov.rows());
  check_tau(who, tau);
  if (conf.size() != P.rows())
    fail(who, "there are " + num(conf.size()) + " confidences for " + num(P.rows()) + " views");
  VectorXd w(P.rows());
  for (Index k = 0; k < P.rows(); ++k) {
    const double c = conf[k];
    if (!(c >= 0 && c <= 1))
      fail(who, "confidence " + num(k) + " must be in [0, 1], got " + num(c));
    if (c == 0) {
      w[k] = 1e6;  // no confidence: a very large uncertainty (PyPortfolioOpt)
      continue;
    }
    const double alpha = (1 - c) / c;
    const VectorXd p = P.row(k).transpose();
    w[k] = tau * alpha * p.dot(cov * p);
  }
  return w.asDiagonal();
}

// ---- posterior ----

BlackLittermanResult black_litterman(const MatrixXd& cov, const VectorXd& prior,
                                     const BlackLittermanViews& views,
                                     const BlackLittermanOptions& options) {
  const char* who = "black_litterman";
  check_cov(who, cov);
  const Index n = cov.rows();
  if (prior.size() != n)
    fail(who, "the prior has " + num(prior.size()) + " entries, cov covers " + num(n) + " assets");
  if (!prior.allFinite()) fail(who, "the prior has NaN or infinite entries");
  check_picking(who, views.P, n);
  const Index k = views.P.rows();
  if (views.Q.size() != k)
    fail(who, "Q has " + num(views.Q.size()) + " entries for " + num(k) + " views (rows of P)");
  if (!views.Q.allFinite()) fail(who, "Q has NaN or infinite entries");
  if (views.confidences.size() != 0 && views.confidences.size() != k)
    fail(who,
         "there are " + num(views.confidences.size()) + " confidences for " + num(k) + " views");
  check_tau(who, options.tau);

  BlackLittermanResult r;
  r.prior = prior;
  r.cov = cov;
  r.views = views;
  r.tau = options.tau;
  if (options.omega.size() != 0) {
    if (options.omega.rows() != k || options.omega.cols() != k)
      fail(who, "omega must be " + num(k) + " x " + num(k) + " (K x K), got " +
                    num(options.omega.rows()) + " x " + num(options.omega.cols()));
    if (!options.omega.allFinite()) fail(who, "omega has NaN or infinite entries");
    r.omega = options.omega;
  } else {
    r.omega = default_omega(cov, views.P, options.tau);
    if (views.confidences.size() != 0) {
      VectorXd c = views.confidences;
      for (Index j = 0; j < k; ++j)
        if (!std::isnan(c[j]) && !(c[j] >= 0 && c[j] <= 1))
          fail(who, "confidence " + num(j) + " must be in [0, 1] (or NaN: none), got " + num(c[j]));
      // Idzorek's ω where a confidence is given.
      for (Index j = 0; j < k; ++j)
        if (!std::isnan(c[j]))
          r.omega(j, j) = idzorek_omega(c.segment(j, 1), cov, views.P.row(j), options.tau)(0, 0);
    }
  }
  const MatrixXd tau_sigma_pt = (options.tau * cov) * views.P.transpose();  // n × K
  const MatrixXd a = views.P * tau_sigma_pt + r.omega;                      // K × K
  const VectorXd b = views.Q - views.P * prior;
  r.posterior_returns = prior + tau_sigma_pt * solve(a, b);
  const MatrixXd m = options.tau * cov - tau_sigma_pt * solve(a, tau_sigma_pt.transpose());
  r.posterior_cov = cov + 0.5 * (m + m.transpose());
  if (!r.posterior_returns.allFinite() || !r.posterior_cov.allFinite())
    fail(who, "the posterior is not finite (check omega and the views)");
  return r;
}

VectorXd black_litterman_weights(const VectorXd& returns, const MatrixXd& cov,
                                 double risk_aversion) {
  const char* who = "black_litterman_weights";
  check_cov(who, cov);
  if (returns.size() != cov.rows())
    fail(who, "returns has " + num(returns.size()) + " entries, cov covers " + num(cov.rows()) +
                  " assets");
  if (!returns.allFinite()) fail(who, "returns has NaN or infinite entries");
  if (!(risk_aversion > 0) || std::isinf(risk_aversion))
    fail(who, "risk_aversion must be positive and finite, got " + num(risk_aversion));
  const MatrixXd a = risk_aversion * cov;
  Eigen::PartialPivLU<MatrixXd> lu(a);
  for (Index i = 0; i < a.rows(); ++i)
    if (lu.matrixLU()(i, i) == 0.0) fail(who, "risk_aversion * cov is singular");
  const VectorXd raw = lu.solve(returns);
  const double s = raw.sum();
  if (!raw.allFinite() || s == 0 || !std::isfinite(s))
    fail(who, "the weights (delta cov)^-1 returns sum to " + num(s) + " and cannot be normalised");
  return raw / s;
}

// ---- figure ----

void plot_black_litterman(const BlackLittermanResult& r, const std::vector<std::string>& tickers,
                          const std::string& png_path) {
  namespace plt = adamant::plot;
  using detail::percent;
  const Index n = r.prior.size();
  auto bad = [&](const std::string& what) {
    throw std::invalid_argument("plot_black_litterman: " + png_path + ": " + what);
  };
  if (n == 0 || r.posterior_returns.size() != n || r.views.P.cols() != n ||
      r.views.Q.size() != r.views.P.rows())
    bad("inconsistent Black-Litterman result sizes");
  if (!tickers.empty() && static_cast<Index>(tickers.size()) != n)
    bad(std::to_string(tickers.size()) + " tickers for " + std::to_string(n) + " assets");
  std::vector<std::string> names;
  for (Index i = 0; i < n; ++i)
    names.push_back(tickers.empty() ? "asset" + std::to_string(i)
                                    : tickers[static_cast<std::size_t>(i)]);
  // Asset i at y = n − 1 − i (the first ticker on top); prior above the centre, posterior below.
  std::vector<double> y_prior, y_post, at, prior, post;
  std::vector<std::string> labels;
  for (Index k = 0; k < n; ++k) {
    const Index i = n - 1 - k;  // bottom to top
    at.push_back(static_cast<double>(k));
    labels.push_back(names[static_cast<std::size_t>(i)]);
    y_prior.push_back(static_cast<double>(k) + 0.19);
    y_post.push_back(static_cast<double>(k) - 0.19);
    prior.push_back(r.prior[i]);
    post.push_back(r.posterior_returns[i]);
  }
  std::vector<double> vx, vy;
  std::vector<std::string> relative;
  for (Index v = 0; v < r.views.P.rows(); ++v) {
    Index hit = -1, nonzero = 0;
    for (Index i = 0; i < n; ++i)
      if (r.views.P(v, i) != 0) {
        ++nonzero;
        hit = i;
      }
    const std::string label = static_cast<std::size_t>(v) < r.views.labels.size()
                                  ? r.views.labels[static_cast<std::size_t>(v)]
                                  : "view " + std::to_string(v);
    if (nonzero == 1 && r.views.P(v, hit) == 1.0) {
      vx.push_back(r.views.Q[v]);
      vy.push_back(static_cast<double>(n - 1 - hit));
    } else {
      relative.push_back(label + ": " + percent(r.views.Q[v]));
    }
  }
  const int height = std::max(360, 150 + 30 * static_cast<int>(n));
  plt::Figure fig(980, height);
  char tau[32];
  std::snprintf(tau, sizeof tau, "%g", r.tau);
  fig.set_title("Black-Litterman: prior vs posterior expected returns (tau = " + std::string(tau) +
                ", " + std::to_string(r.views.P.rows()) + " view" +
                (r.views.P.rows() == 1 ? "" : "s") + ")");
  plt::Axes& ax = fig.axes();
  plt::BarSeries& bp = ax.barh(y_prior, prior, "prior");
  bp.color = plt::Color{160, 160, 160};
  bp.width = 0.38;
  plt::BarSeries& bq = ax.barh(y_post, post, "posterior");
  bq.color = plt::colors::kBlue;
  bq.width = 0.38;
  if (!vx.empty()) {
    plt::ScatterSeries& s = ax.scatter(vx, vy, "absolute view");
    s.color = plt::colors::kRed;
    s.marker = plt::Marker::kDiamond;
    s.size = 11;
    s.alpha = 1;
    s.edge_width = 1;
    s.edge_color = plt::colors::kBlack;
  }
  double lo = 0, hi = 0;
  for (const auto* v : {&prior, &post, &vx})
    for (double x : *v) {
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
  const double span = std::max(hi - lo, 1e-9);
  lo -= lo < 0 ? 0.06 * span : 0.0;
  hi += 0.06 * span;
  ax.set_xlim(lo, hi);
  ax.set_ylim(-0.6, static_cast<double>(n) - 0.4);
  detail::percent_ticks(ax, true, lo, hi, 7);
  ax.set_yticks(at, labels);
  ax.axvline(0.0, plt::colors::kDarkGray).dashed = false;
  ax.set_xlabel("expected annual return");
  if (!relative.empty()) {
    std::string sub = "relative views: ";
    std::size_t shown = 0;
    for (; shown < relative.size(); ++shown) {
      const std::string next = (shown ? "; " : "") + relative[shown];
      if (sub.size() + next.size() > 110) break;
      sub += next;
    }
    if (shown < relative.size()) sub += "; +" + std::to_string(relative.size() - shown) + " more";
    ax.set_title(sub);
  }
  ax.set_legend(plt::Legend::kOutsideRight);
  fig.save_png(png_path);
}

}  // namespace adamant::finance
