// The rolling out-of-sample backtest, its HDF5 file and its figure (backtest.hpp).

#include "adamant/finance/backtest.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "adamant/datasets/h5.hpp"
#include "adamant/datasets/schema.hpp"
#include "adamant/finance/estimators.hpp"
#include "adamant/plot/plot.hpp"
#include "checks.hpp"
#include "plot_helpers.hpp"

namespace adamant::finance {
namespace {

namespace ds = adamant::datasets;
namespace plt = adamant::plot;
using detail::fixed;
using detail::percent;
using detail::percent_ticks;
using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr const char* kSchema = "backtest";
constexpr double kYear = kTradingDaysPerYear;

const std::vector<std::string>& objectives() {
  static const std::vector<std::string> names = {"min_volatility", "max_sharpe",
                                                 "max_quadratic_utility"};
  return names;
}

bool known(const std::vector<std::string>& names, const std::string& s) {
  return std::find(names.begin(), names.end(), s) != names.end();
}

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& s : names) out += (out.empty() ? "\"" : ", \"") + s + "\"";
  return out;
}

// One book: weights after the last close, a cost due on the next day, and its records.
struct Book {
  VectorXd w;
  double pending_cost = 0;
  std::vector<double> daily;
  std::vector<VectorXd> targets;
  std::vector<double> turnover;
};

// Moves the book to `target` at today's close (turnover one-way, cost charged tomorrow).
void rebalance(Book& b, const VectorXd& target, double cost) {
  const double tau = 0.5 * (target - b.w).cwiseAbs().sum();
  b.pending_cost = cost * 2 * tau;
  b.turnover.push_back(tau);
  b.targets.push_back(target);
  b.w = target;
}

// One day of buy and hold: the return, then the drifted weights w_i (1 + r_i) / (1 + Σ w r)
// (∝ w_i (1 + r_i) when fully invested; a cash remainder earns 0).
void hold(Book& b, const VectorXd& r) {
  const double gross = b.w.dot(r);
  b.daily.push_back(gross - b.pending_cost);
  b.pending_cost = 0;
  if (1 + gross > 0) b.w = (b.w.array() * (1 + r.array())).matrix() / (1 + gross);
}

StrategyPath finish(const std::string& name, const Book& b, Index n, double rf) {
  StrategyPath p;
  p.name = name;
  const auto D = static_cast<Index>(b.daily.size());
  p.daily_returns = Eigen::Map<const VectorXd>(b.daily.data(), D);
  p.wealth.resize(D + 1);
  p.drawdown.resize(D + 1);
  p.wealth[0] = 1;
  p.drawdown[0] = 0;
  double peak = 1;
  for (Index s = 0; s < D; ++s) {
    p.wealth[s + 1] = p.wealth[s] * (1 + p.daily_returns[s]);
    peak = std::max(peak, p.wealth[s + 1]);
    p.drawdown[s + 1] = 1 - p.wealth[s + 1] / peak;
  }
  const auto R = static_cast<Index>(b.targets.size());
  p.weights.resize(R, n);
  for (Index k = 0; k < R; ++k) p.weights.row(k) = b.targets[static_cast<std::size_t>(k)];
  p.turnover = Eigen::Map<const VectorXd>(b.turnover.data(), R);

  BacktestSummary& s = p.summary;
  const double days = static_cast<double>(D), years = days / kYear;
  s.final_wealth = p.wealth[D];
  s.annual_return = std::pow(s.final_wealth, kYear / days) - 1;
  const double mean = p.daily_returns.mean();
  double var = 0;
  if (D > 1) var = (p.daily_returns.array() - mean).square().sum() / (days - 1);
  s.annual_volatility = std::sqrt(var * kYear);
  s.sharpe = s.annual_volatility > 0 ? (kYear * mean - rf) / s.annual_volatility : 0.0;
  s.max_drawdown = p.drawdown.maxCoeff();
  s.turnover = R > 0 ? p.turnover.mean() : 0.0;
  s.annual_turnover = p.turnover.sum() / years;
  return p;
}

// `adamant data info`'s summary of a backtest file (datasets/schema.hpp).
[[maybe_unused]] const bool kSummaryRegistered =
    ds::register_schema_summary("backtest", [](const std::string&, const ds::Reader& r) {
      std::ostringstream os;
      const std::vector<std::string> dates = r.read_strings("dates");
      const std::vector<std::string> reb = r.read_strings("rebalance_dates");
      if (dates.empty()) r.fail("dates", "expected at least one date");
      os << "backtest: " << r.read_strings("tickers").size() << " tickers, " << reb.size()
         << " rebalances, " << dates.front() << " … " << dates.back() << ", "
         << r.attr_string("/", "objective") << " / " << r.attr_string("/", "risk_model");
      for (const char* g : {"strategy", "equal_weight"})
        os << "\n  " << g << ": annual return "
           << ds::summary_number(r.attr_double(g, "annual_return")) << ", volatility "
           << ds::summary_number(r.attr_double(g, "annual_volatility")) << ", Sharpe "
           << ds::summary_number(r.attr_double(g, "sharpe")) << ", max drawdown "
           << ds::summary_number(r.attr_double(g, "max_drawdown"));
      return os.str();
    });
}  // namespace

std::string BacktestOptions::validate() const {
  if (lookback < 20)
    return "BacktestOptions: lookback must be >= 20 trading days, got " + std::to_string(lookback);
  if (!known(objectives(), objective))
    return "BacktestOptions: unknown objective \"" + objective +
           "\" (known: " + join(objectives()) + ")";
  if (!(risk_aversion > 0) || !std::isfinite(risk_aversion))
    return "BacktestOptions: risk_aversion must be finite and > 0, got " +
           detail::num12(risk_aversion);
  if (!known(expected_returns_methods(), expected_returns))
    return "BacktestOptions: unknown expected_returns \"" + expected_returns +
           "\" (known: " + join(expected_returns_methods()) + ")";
  if (!known(risk_matrix_methods(), risk_model))
    return "BacktestOptions: unknown risk_model \"" + risk_model +
           "\" (known: " + join(risk_matrix_methods()) + ")";
  if (!(transaction_cost >= 0) || !std::isfinite(transaction_cost))
    return "BacktestOptions: transaction_cost must be finite and >= 0, got " +
           detail::num12(transaction_cost);
  const PortfolioConstraints& c = portfolio.constraints;
  if (c.lower_bounds.size() != 0 || c.upper_bounds.size() != 0)
    return "BacktestOptions: per-asset lower_bounds / upper_bounds are not allowed (the eligible "
           "assets change over time); use the scalar lower / upper";
  if (!c.sectors.empty())
    return "BacktestOptions: sector constraints are not allowed (the eligible assets change over "
           "time)";
  if (portfolio.w_prev.size() != 0)
    return "BacktestOptions: portfolio.w_prev must be empty (the backtest sets it to the drifted "
           "weights)";
  if (auto m = portfolio.validate(2); !m.empty()) return "BacktestOptions: " + m;
  if (objective == "max_sharpe") {
    if (portfolio.l1_kappa > 0 || portfolio.l2_gamma > 0)
      return "BacktestOptions: max_sharpe does not support l1_kappa or l2_gamma (set them to 0)";
    if (c.market_neutral || !(c.budget > 0))
      return "BacktestOptions: max_sharpe needs a positive budget (not market-neutral)";
  }
  return "";
}

BacktestResult backtest(const ds::PricePanel& panel, const BacktestOptions& options,
                        const std::function<void(int, int)>& progress) {
  if (auto m = panel.validate(); !m.empty())
    throw std::invalid_argument("backtest: invalid price panel: " + m);
  if (auto m = options.validate(); !m.empty()) throw std::invalid_argument("backtest: " + m);
  const ds::RowMatrixXd& P = panel.prices;
  const Index T = P.rows(), n = P.cols();
  const int L = options.lookback;
  const double rf = options.portfolio.risk_free_rate;

  // Rebalance candidates: first row of a calendar month, lookback ≤ t ≤ T − 2 (a book set on the
  // last row is never held).
  std::vector<Index> candidates;
  for (Index t = std::max<Index>(L, 1); t + 1 < T; ++t)
    if (panel.dates[static_cast<std::size_t>(t)].compare(
            0, 7, panel.dates[static_cast<std::size_t>(t - 1)], 0, 7) != 0)
      candidates.push_back(t);
  if (candidates.empty())
    throw std::invalid_argument(
        "backtest: no rebalance day: the panel has " + std::to_string(T) +
        " rows; a first trading day of a month at row >= lookback (" + std::to_string(L) +
        ") before the last row is needed (at least lookback + 2 rows spanning a month start)");

  // missing(t, i) = number of NaN prices in rows 0 … t − 1 of column i (window checks in O(1)).
  Eigen::Matrix<int, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> missing(T + 1, n);
  missing.row(0).setZero();
  for (Index t = 0; t < T; ++t)
    for (Index i = 0; i < n; ++i) missing(t + 1, i) = missing(t, i) + (std::isnan(P(t, i)) ? 1 : 0);
  auto eligible_at = [&](Index t) {
    std::vector<Index> e;
    for (Index i = 0; i < n; ++i)
      if (missing(t + 1, i) - missing(t - L, i) == 0) e.push_back(i);
    return e;
  };

  // Holding-period returns: last known prices (a NaN inside a holding period is a zero return).
  ds::RowMatrixXd last = P;
  for (Index t = 1; t < T; ++t)
    for (Index i = 0; i < n; ++i)
      if (std::isnan(last(t, i))) last(t, i) = last(t - 1, i);
  auto day_returns = [&](Index s) {
    VectorXd r(n);
    for (Index i = 0; i < n; ++i) {
      const double a = last(s - 1, i), b = last(s, i);
      r[i] = std::isfinite(a) && std::isfinite(b) ? b / a - 1 : 0.0;
    }
    return r;
  };

  BacktestResult out;
  out.tickers = panel.tickers;
  out.options = options;
  Book strat, equal;
  strat.w = VectorXd::Zero(n);
  equal.w = VectorXd::Zero(n);
  Index start = -1;
  const int total = static_cast<int>(candidates.size());
  std::size_t next = 0;  // next candidate
  for (Index t = candidates.front(); t < T; ++t) {
    if (start >= 0) {
      const VectorXd r = day_returns(t);
      hold(strat, r);
      hold(equal, r);
    }
    if (next >= candidates.size() || candidates[next] != t) continue;
    ++next;
    const std::vector<Index> e = eligible_at(t);
    const auto m = static_cast<Index>(e.size());
    if (m >= 2) {
      const std::string& date = panel.dates[static_cast<std::size_t>(t)];
      ds::RowMatrixXd window(L + 1, m);
      for (Index j = 0; j < m; ++j) window.col(j) = P.block(t - L, e[j], L + 1, 1);
      VectorXd target = VectorXd::Zero(n);
      try {
        const RowMatrixXd ret = returns_from_prices(window, ReturnKind::kSimple);
        const VectorXd mu =
            expected_returns_by_name(ret, options.expected_returns, kTradingDaysPerYear, rf);
        const MatrixXd cov = risk_matrix(ret, options.risk_model, kTradingDaysPerYear);
        PortfolioOptions po = options.portfolio;
        if (po.l1_kappa > 0) {
          po.w_prev.resize(m);
          for (Index j = 0; j < m; ++j) po.w_prev[j] = strat.w[e[j]];
        }
        PortfolioResult res;
        if (options.objective == "min_volatility") {
          res = min_volatility(mu, cov, po);
        } else if (options.objective == "max_quadratic_utility") {
          res = max_quadratic_utility(mu, cov, options.risk_aversion, po);
        } else {
          bool fallback = mu.maxCoeff() <= rf;
          if (!fallback) {
            try {
              res = max_sharpe(mu, cov, po);
            } catch (const InfeasibleError&) {
              fallback = true;  // no feasible portfolio beats r_f
            }
          }
          if (fallback) {
            res = min_volatility(mu, cov, po);
            ++out.fallbacks;
          }
        }
        for (Index j = 0; j < m; ++j) target[e[j]] = res.weights[j];
      } catch (const InfeasibleError& ex) {
        throw InfeasibleError("backtest: rebalance on " + date + ": " + ex.what());
      } catch (const std::invalid_argument& ex) {
        throw std::invalid_argument("backtest: rebalance on " + date + ": " + ex.what());
      }
      VectorXd ew = VectorXd::Zero(n);
      for (Index j = 0; j < m; ++j) ew[e[j]] = 1.0 / static_cast<double>(m);
      if (start < 0) start = t;
      rebalance(strat, target, options.transaction_cost);
      rebalance(equal, ew, options.transaction_cost);
      out.rebalance_dates.push_back(date);
    }
    if (progress) progress(static_cast<int>(next), total);
  }
  if (start < 0)
    throw std::invalid_argument(
        "backtest: no rebalance day has at least 2 assets listed over the whole trailing window "
        "of " +
        std::to_string(L) + " days");
  for (Index t = start; t < T; ++t) out.dates.push_back(panel.dates[static_cast<std::size_t>(t)]);
  out.strategy = finish("strategy", strat, n, rf);
  out.equal_weight = finish("equal_weight", equal, n, rf);
  return out;
}

// ---- HDF5 ----

namespace {

const char* summary_keys[] = {"annual_return", "annual_volatility", "sharpe",      "max_drawdown",
                              "turnover",      "annual_turnover",   "final_wealth"};

double* summary_field(BacktestSummary& s, const std::string& k) {
  if (k == "annual_return") return &s.annual_return;
  if (k == "annual_volatility") return &s.annual_volatility;
  if (k == "sharpe") return &s.sharpe;
  if (k == "max_drawdown") return &s.max_drawdown;
  if (k == "turnover") return &s.turnover;
  if (k == "annual_turnover") return &s.annual_turnover;
  return &s.final_wealth;
}

std::string path_problem(const StrategyPath& p, Index D, Index R, Index n) {
  if (p.daily_returns.size() != D) return "daily_returns does not have D entries";
  if (p.wealth.size() != D + 1 || p.drawdown.size() != D + 1)
    return "wealth / drawdown do not have D + 1 entries";
  if (p.weights.rows() != R || p.weights.cols() != n) return "weights is not R × n";
  if (p.turnover.size() != R) return "turnover does not have R entries";
  if (!p.daily_returns.allFinite() || !p.wealth.allFinite() || !p.drawdown.allFinite() ||
      !p.weights.allFinite() || !p.turnover.allFinite())
    return "non-finite values";
  return "";
}

void write_path(ds::Writer& w, const std::string& g, const StrategyPath& p) {
  const Index D = p.daily_returns.size(), R = p.turnover.size(), n = p.weights.cols();
  w.group(g);
  w.attr(g, "name", p.name);
  w.write(g + "/daily_returns", p.daily_returns.data(), {D});
  w.write(g + "/wealth", p.wealth.data(), {D + 1});
  w.write(g + "/drawdown", p.drawdown.data(), {D + 1});
  w.write(g + "/weights", p.weights.data(), {R, n});
  w.write(g + "/turnover", p.turnover.data(), {R});
  BacktestSummary s = p.summary;
  for (const char* k : summary_keys) w.attr(g, k, *summary_field(s, k));
}

StrategyPath read_path(const ds::Reader& r, const std::string& g, std::int64_t D, std::int64_t R,
                       std::int64_t n) {
  if (!r.has(g) || !r.is_group(g))
    r.fail(g, "missing (expected a group with daily_returns, wealth, drawdown, weights, turnover)");
  StrategyPath p;
  p.name = r.attr_string(g, "name");
  const std::vector<double> d = r.read_f64(g + "/daily_returns", {D});
  const std::vector<double> w = r.read_f64(g + "/wealth", {D + 1});
  const std::vector<double> dd = r.read_f64(g + "/drawdown", {D + 1});
  const std::vector<double> wt = r.read_f64(g + "/weights", {R, n});
  const std::vector<double> to = r.read_f64(g + "/turnover", {R});
  p.daily_returns = Eigen::Map<const VectorXd>(d.data(), D);
  p.wealth = Eigen::Map<const VectorXd>(w.data(), D + 1);
  p.drawdown = Eigen::Map<const VectorXd>(dd.data(), D + 1);
  p.weights = Eigen::Map<const ds::RowMatrixXd>(wt.data(), R, n);
  p.turnover = Eigen::Map<const VectorXd>(to.data(), R);
  if (p.wealth[0] != 1) r.fail(g + "/wealth", "expected wealth 1 on the first date");
  for (std::int64_t k = 0; k < R; ++k)
    if (p.turnover[k] < 0)
      r.fail(g + "/turnover", "negative turnover " + detail::num12(p.turnover[k]) +
                                  " at rebalance " + std::to_string(k));
  for (std::int64_t k = 0; k <= D; ++k)
    if (p.drawdown[k] < 0)
      r.fail(g + "/drawdown", "negative drawdown " + detail::num12(p.drawdown[k]) + " at index " +
                                  std::to_string(k) + " (expected >= 0)");
  for (const char* k : summary_keys) *summary_field(p.summary, k) = r.attr_double(g, k);
  return p;
}

}  // namespace

void write_backtest(const std::string& path, const BacktestResult& b) {
  const auto n = static_cast<Index>(b.tickers.size());
  const auto D = static_cast<Index>(b.dates.size()) - 1;
  const auto R = static_cast<Index>(b.rebalance_dates.size());
  auto bad = [&](const std::string& what) {
    throw std::invalid_argument("write_backtest: " + path + ": " + what);
  };
  if (n == 0) bad("no tickers");
  if (D < 1) bad("fewer than 2 evaluation dates");
  if (R < 1) bad("no rebalance dates");
  for (const StrategyPath* p : {&b.strategy, &b.equal_weight})
    if (auto m = path_problem(*p, D, R, n); !m.empty()) bad(p->name + ": " + m);
  const BacktestOptions& o = b.options;
  const PortfolioConstraints& c = o.portfolio.constraints;

  ds::Writer w(path);
  ds::write_schema(w, kSchema);
  w.attr("/", "lookback", std::int64_t{o.lookback});
  w.attr("/", "objective", o.objective);
  w.attr("/", "risk_aversion", o.risk_aversion);
  w.attr("/", "expected_returns", o.expected_returns);
  w.attr("/", "risk_model", o.risk_model);
  w.attr("/", "transaction_cost", o.transaction_cost);
  w.attr("/", "risk_free_rate", o.portfolio.risk_free_rate);
  w.attr("/", "solver", o.portfolio.solver == PortfolioSolver::kAdam ? "adam" : "active_set");
  w.attr("/", "lower", c.lower);
  w.attr("/", "upper", c.upper);
  w.attr("/", "budget", c.budget);
  w.attr("/", "market_neutral", std::int64_t{c.market_neutral ? 1 : 0});
  w.attr("/", "l2_gamma", o.portfolio.l2_gamma);
  w.attr("/", "l1_kappa", o.portfolio.l1_kappa);
  w.attr("/", "fallbacks", std::int64_t{b.fallbacks});
  w.write_strings("tickers", b.tickers);
  w.write_strings("dates", b.dates);
  w.write_strings("rebalance_dates", b.rebalance_dates);
  write_path(w, "strategy", b.strategy);
  write_path(w, "equal_weight", b.equal_weight);
  w.commit();
}

BacktestResult read_backtest(const std::string& path) {
  return ds::guarded_read(path, [&]() -> BacktestResult {
    ds::Reader r(path);
    detail::check_file_schema(r, kSchema);
    BacktestResult b;
    b.tickers = r.read_strings("tickers");
    b.dates = r.read_strings("dates");
    b.rebalance_dates = r.read_strings("rebalance_dates");
    const auto n = static_cast<std::int64_t>(b.tickers.size());
    const auto D = static_cast<std::int64_t>(b.dates.size()) - 1;
    const auto R = static_cast<std::int64_t>(b.rebalance_dates.size());
    if (n == 0) r.fail("tickers", "expected at least one ticker");
    if (D < 1) r.fail("dates", "expected at least 2 evaluation dates");
    if (R < 1) r.fail("rebalance_dates", "expected at least one rebalance date");
    for (std::int64_t t = 1; t <= D; ++t)
      if (!(b.dates[static_cast<std::size_t>(t - 1)] < b.dates[static_cast<std::size_t>(t)]))
        r.fail("dates", "dates must be strictly increasing (date " + std::to_string(t) + ")");
    if (b.rebalance_dates.front() != b.dates.front())
      r.fail("rebalance_dates", "the first rebalance date must be the first evaluation date");
    for (std::int64_t k = 0; k < R; ++k) {
      const std::string& d = b.rebalance_dates[static_cast<std::size_t>(k)];
      if (!std::binary_search(b.dates.begin(), b.dates.end(), d) ||
          (k > 0 && !(b.rebalance_dates[static_cast<std::size_t>(k - 1)] < d)))
        r.fail("rebalance_dates", "rebalance date " + std::to_string(k) + " (" + d +
                                      ") is not an increasing evaluation date");
    }
    BacktestOptions& o = b.options;
    o.lookback = static_cast<int>(r.attr_int("/", "lookback"));
    o.objective = r.attr_string("/", "objective");
    o.risk_aversion = r.attr_double("/", "risk_aversion");
    o.expected_returns = r.attr_string("/", "expected_returns");
    o.risk_model = r.attr_string("/", "risk_model");
    o.transaction_cost = r.attr_double("/", "transaction_cost");
    o.portfolio.risk_free_rate = r.attr_double("/", "risk_free_rate");
    const std::string solver = r.attr_string("/", "solver");
    if (solver != "active_set" && solver != "adam")
      r.fail("/", "attribute solver must be \"active_set\" or \"adam\", got \"" + solver + "\"");
    o.portfolio.solver = solver == "adam" ? PortfolioSolver::kAdam : PortfolioSolver::kActiveSet;
    o.portfolio.constraints.lower = r.attr_double("/", "lower");
    o.portfolio.constraints.upper = r.attr_double("/", "upper");
    o.portfolio.constraints.budget = r.attr_double("/", "budget");
    o.portfolio.constraints.market_neutral = r.attr_int("/", "market_neutral") != 0;
    o.portfolio.l2_gamma = r.attr_double("/", "l2_gamma");
    o.portfolio.l1_kappa = r.attr_double("/", "l1_kappa");
    b.fallbacks = static_cast<int>(r.attr_int("/", "fallbacks"));
    b.strategy = read_path(r, "strategy", D, R, n);
    b.equal_weight = read_path(r, "equal_weight", D, R, n);
    return b;
  });
}

// ---- figure ----

namespace {

// "YYYY-MM-DD" → year + fraction of the year elapsed (for time axes).
double decimal_year(const std::string& d) {
  const int y = std::stoi(d.substr(0, 4)), m = std::stoi(d.substr(5, 2)),
            day = std::stoi(d.substr(8, 2));
  static const int cum[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  const int doy = cum[m - 1] + day - 1 + (leap && m > 2 ? 1 : 0);
  return y + (doy + 0.5) / (leap ? 366.0 : 365.0);
}

std::string label_of(const StrategyPath& p, const std::string& name) {
  return name + ": " + percent(p.summary.annual_return) + "/yr, vol " +
         percent(p.summary.annual_volatility) + ", Sharpe " + fixed(p.summary.sharpe, 2);
}

}  // namespace

void plot_backtest(const BacktestResult& b, const std::string& png_path) {
  const auto n = static_cast<Index>(b.tickers.size());
  const auto D = static_cast<Index>(b.dates.size()) - 1;
  const auto R = static_cast<Index>(b.rebalance_dates.size());
  if (n == 0 || D < 1 || R < 1 || !path_problem(b.strategy, D, R, n).empty() ||
      !path_problem(b.equal_weight, D, R, n).empty())
    throw std::invalid_argument("plot_backtest: " + png_path + ": inconsistent backtest sizes");
  std::vector<double> x, xr;
  for (const std::string& d : b.dates) x.push_back(decimal_year(d));
  for (const std::string& d : b.rebalance_dates) xr.push_back(decimal_year(d));
  const double x0 = x.front(), x1 = x.back();
  const BacktestOptions& o = b.options;

  plt::Figure fig(1300, 1060, 3, 1);
  std::string title = "Backtest " + b.dates.front() + " to " + b.dates.back() + ": " + o.objective +
                      " (" + o.expected_returns + " / " + o.risk_model + ", lookback " +
                      std::to_string(o.lookback) + " d, monthly) vs equal weight, " +
                      std::to_string(n) + " assets";
  if (o.transaction_cost > 0) title += ", costs " + fixed(1e4 * o.transaction_cost, 0) + " bp";
  fig.set_title(title);
  const double pad_left = 78, pad_right = 150;

  // ---- wealth (log scale)
  plt::Axes& a = fig.axes(0, 0);
  const std::vector<double> ws(b.strategy.wealth.data(), b.strategy.wealth.data() + D + 1);
  const std::vector<double> we(b.equal_weight.wealth.data(), b.equal_weight.wealth.data() + D + 1);
  plt::LineSeries& ls = a.plot(x, ws, label_of(b.strategy, o.objective));
  ls.color = plt::colors::kBlue;
  ls.width = 1.6;
  plt::LineSeries& le = a.plot(x, we, label_of(b.equal_weight, "equal weight"));
  le.color = plt::colors::kOrange;
  le.width = 1.6;
  a.set_ylog();
  double lo = 1, hi = 1;
  for (Index s = 0; s <= D; ++s)
    for (double v : {ws[static_cast<std::size_t>(s)], we[static_cast<std::size_t>(s)]})
      if (v > 0 && std::isfinite(v)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
  lo /= 1.15;
  hi *= 1.15;
  a.set_ylim(lo, hi);
  std::vector<double> yt;
  std::vector<std::string> yl;
  for (double dec = std::pow(10.0, std::floor(std::log10(lo))); dec <= hi; dec *= 10)
    for (double m : {1.0, 2.0, 5.0})
      if (m * dec >= lo && m * dec <= hi) {
        yt.push_back(m * dec);
        yl.push_back(m * dec >= 1 ? fixed(m * dec, 0) : fixed(m * dec, 2));
      }
  if (yt.size() >= 2) a.set_yticks(yt, yl);
  a.axhline(1.0).label = "";
  a.set_xlim(x0, x1);
  a.set_ylabel("wealth (log scale)");
  a.set_title("growth of 1 invested on " + b.dates.front());
  a.set_legend(plt::Legend::kUpperLeft);
  a.set_frame_padding(pad_left, pad_right);

  // ---- drawdowns
  plt::Axes& d = fig.axes(1, 0);
  std::vector<double> ds_(static_cast<std::size_t>(D + 1)), de(ds_.size()), zero(ds_.size(), 0.0);
  for (Index s = 0; s <= D; ++s) {
    ds_[static_cast<std::size_t>(s)] = -b.strategy.drawdown[s];
    de[static_cast<std::size_t>(s)] = -b.equal_weight.drawdown[s];
  }
  d.fill_between(x, de, zero, plt::colors::kOrange).alpha = 0.18;
  d.fill_between(x, ds_, zero, plt::colors::kBlue).alpha = 0.18;
  plt::LineSeries& dl =
      d.plot(x, ds_, o.objective + " (max " + percent(b.strategy.summary.max_drawdown) + ")");
  dl.color = plt::colors::kBlue;
  dl.width = 1.2;
  plt::LineSeries& dle =
      d.plot(x, de, "equal weight (max " + percent(b.equal_weight.summary.max_drawdown) + ")");
  dle.color = plt::colors::kOrange;
  dle.width = 1.2;
  const double dmin =
      -std::max({b.strategy.summary.max_drawdown, b.equal_weight.summary.max_drawdown, 1e-4}) *
      1.08;
  d.set_xlim(x0, x1);
  d.set_ylim(dmin, 0.0);
  percent_ticks(d, false, dmin, 0.0, 6);
  d.set_ylabel("drawdown");
  d.set_title("drawdown from the running peak");
  d.set_legend(plt::Legend::kLowerLeft);
  d.set_frame_padding(pad_left, pad_right);

  // ---- strategy weights at the rebalances
  plt::Axes& w = fig.axes(2, 0);
  detail::stacked_areas(w, xr, b.strategy.weights, b.tickers, 0.01, 14);
  double top = 0, bottom = 0;
  for (Index k = 0; k < R; ++k) {
    double p = 0, q = 0;
    for (Index i = 0; i < n; ++i)
      (b.strategy.weights(k, i) > 0 ? p : q) += b.strategy.weights(k, i);
    top = std::max(top, p);
    bottom = std::min(bottom, q);
  }
  top = std::max(top, 1e-9);
  w.set_xlim(x0, x1);
  w.set_ylim(bottom, top);
  percent_ticks(w, false, bottom, top, 6);
  w.set_ylabel("weight");
  w.set_title(o.objective + " weights at each of the " + std::to_string(R) +
              " rebalances (mean one-way turnover " + percent(b.strategy.summary.turnover) + ")");
  w.set_legend(plt::Legend::kOutsideRight);
  w.set_frame_padding(pad_left, pad_right);
  fig.save_png(png_path);
}

}  // namespace adamant::finance
