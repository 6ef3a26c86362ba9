// `adamant portfolio`: mean-variance portfolios from a price panel (adamant::finance).
//
//   adamant portfolio optimize --prices FILE.h5 --objective max-sharpe --rf 0.02 --long-only
//   adamant portfolio frontier --prices FILE.h5 [--points 50] [-o FILE.h5 | --out DIR]
//   adamant portfolio backtest --prices FILE.h5 [--objective min-volatility] [--lookback 252]
//   adamant portfolio hrp --prices FILE.h5 [--linkage single] [-o FILE.h5 | --out DIR]
//   adamant portfolio optimize ... --black-litterman views.csv [--market-caps caps.csv]
//
// optimize prints the weights and the portfolio's performance (and writes them with -o);
// frontier, backtest and hrp write FILE.h5 and FILE.png (by default ./frontier.h5,
// ./backtest.h5, ./hrp.h5). --black-litterman replaces mu and cov by the posterior of the views.
// Files are written atomically; progress goes to stderr, results to stdout.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <numeric>
#include <string>
#include <vector>

#include "adamant/datasets/schema.hpp"
#include "adamant/finance/backtest.hpp"
#include "adamant/finance/black_litterman.hpp"
#include "adamant/finance/estimators.hpp"
#include "adamant/finance/frontier.hpp"
#include "adamant/finance/hrp.hpp"
#include "adamant/finance/portfolio.hpp"
#include "adamant/finance/portfolio_file.hpp"
#include "adamant/finance/quantlib.hpp"
#include "cli.hpp"

namespace adamant::cli {
namespace {

namespace ds = adamant::datasets;
namespace fin = adamant::finance;

/// "max-sharpe" and "max_sharpe" are the same name on the command line.
std::string snake(std::string s) {
  std::replace(s.begin(), s.end(), '-', '_');
  return s;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t end = std::min(s.find(sep, start), s.size());
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

/// The options every action shares: the data, the estimators and the constraints.
struct Common {
  std::string prices, start, end, tickers, returns, risk_model, bounds;
  long frequency = 0;
  double rf = 0.02, gamma = 0;
  bool long_only = false, market_neutral = false;
  std::string solver;
  long max_assets = 0;
  double min_weight = 0, time_limit = 60;
};

Common declare_common(Args& args) {
  Common c;
  c.prices = args.str("prices", "",
                      "price panel (HDF5, e.g. datasets/data/stock_prices_20.h5; 'adamant data "
                      "import-prices' converts a CSV)");
  c.start = args.str("start", "", "first date used, YYYY-MM-DD (default: the panel's first)");
  c.end = args.str("end", "", "last date used, YYYY-MM-DD (default: the panel's last)");
  c.tickers = args.str("tickers", "", "comma-separated subset of the tickers (default: all)");
  c.returns = args.str("returns", "mean_historical",
                       "expected returns: " + join(fin::expected_returns_methods()));
  c.risk_model =
      args.str("risk-model", "sample", "risk model: " + join(fin::risk_matrix_methods()));
  c.frequency = args.integer(
      "frequency", 0, "periods per year (0: from the dates and the NYSE calendar, 252 for daily)");
  c.rf = args.num("rf", 0.02, "risk-free rate (annual) for the Sharpe ratio and max-sharpe");
  c.long_only = args.flag("long-only", "0 <= w_i <= 1 (the default bounds)");
  c.bounds = args.str("bounds", "", "LO,HI bounds of every weight, e.g. -1,1 (inf: none)");
  c.market_neutral = args.flag("market-neutral", "sum of weights 0 instead of 1 (needs --bounds)");
  c.gamma = args.num("gamma", 0, "L2 regularisation gamma * |w|^2 (spreads the weights)");
  c.solver = args.str("solver", "active-set",
                      "active-set (exact QP) or adam (projected Adam, checked against it)");
  c.max_assets =
      args.integer("max-assets", 0, "hold at most K assets (exact branch and bound; 0: no limit)");
  c.min_weight = args.num("min-weight", 0, "every held asset at least this weight (0: none)");
  c.time_limit = args.num("time-limit", 60,
                          "seconds for the --max-assets/--min-weight search; at the limit the "
                          "best portfolio found is returned with its proven gap");
  return c;
}

double parse_bound(const std::string& s) {
  const std::string t = snake(s);
  if (t == "inf" || t == "+inf") return std::numeric_limits<double>::infinity();
  if (t == "_inf") return -std::numeric_limits<double>::infinity();
  try {
    std::size_t used = 0;
    const double v = std::stod(s, &used);
    if (used == s.size()) return v;
  } catch (const std::exception&) {
  }
  throw UsageError("--bounds: '" + s + "' is not a number");
}

fin::PortfolioOptions portfolio_options(const Common& c) {
  fin::PortfolioOptions o;
  if (c.long_only && !c.bounds.empty()) throw UsageError("give --long-only or --bounds, not both");
  if (!c.bounds.empty()) {
    const auto parts = split(c.bounds, ',');
    if (parts.size() != 2) throw UsageError("--bounds takes LO,HI, got '" + c.bounds + "'");
    o.constraints.lower = parse_bound(parts[0]);
    o.constraints.upper = parse_bound(parts[1]);
  }
  o.constraints.market_neutral = c.market_neutral;
  o.l2_gamma = c.gamma;
  o.risk_free_rate = c.rf;
  if (c.max_assets < 0) throw UsageError("--max-assets must be >= 0");
  o.cardinality.max_assets = static_cast<int>(c.max_assets);
  o.cardinality.min_weight = c.min_weight;
  o.cardinality.time_limit = c.time_limit;
  if (o.cardinality.active())
    o.cardinality.progress = [](const fin::BranchProgress& p) {
      std::fprintf(stderr,
                   "\rbranch and bound: %ld nodes, %ld open, best %.10g, bound %.10g, %.0f s ",
                   p.nodes, p.open, p.incumbent, p.bound, p.seconds);
      std::fflush(stderr);
    };
  const std::string s = snake(c.solver);
  if (s == "active_set")
    o.solver = fin::PortfolioSolver::kActiveSet;
  else if (s == "adam")
    o.solver = fin::PortfolioSolver::kAdam;
  else
    throw UsageError("--solver must be active-set or adam, got '" + c.solver + "'");
  return o;
}

/// The panel restricted to --start/--end and --tickers.
ds::PricePanel load_panel(const Common& c) {
  if (c.prices.empty())
    throw UsageError("missing --prices FILE.h5 (e.g. datasets/data/stock_prices_20.h5)");
  ds::PricePanel p = ds::read_prices(c.prices);
  for (const std::string* d : {&c.start, &c.end})
    if (!d->empty()) fin::parse_iso_date(*d);  // throws naming a malformed date
  std::vector<Eigen::Index> rows;
  for (std::size_t t = 0; t < p.dates.size(); ++t)
    if ((c.start.empty() || p.dates[t] >= c.start) && (c.end.empty() || p.dates[t] <= c.end))
      rows.push_back(static_cast<Eigen::Index>(t));
  if (rows.size() < 3)
    throw UsageError("--start/--end leave " + std::to_string(rows.size()) + " dates of " +
                     c.prices + " (" + p.dates.front() + " ... " + p.dates.back() + ")");
  std::vector<Eigen::Index> cols;
  if (c.tickers.empty()) {
    cols.resize(p.tickers.size());
    std::iota(cols.begin(), cols.end(), 0);
  } else {
    for (const std::string& t : split(c.tickers, ',')) {
      const auto it = std::find(p.tickers.begin(), p.tickers.end(), t);
      if (it == p.tickers.end())
        throw UsageError("--tickers: '" + t + "' is not in " + c.prices + " (" + join(p.tickers) +
                         ")");
      cols.push_back(it - p.tickers.begin());
    }
  }
  ds::PricePanel out;
  out.metadata = p.metadata;
  out.prices.resize(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(cols.size()));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    out.dates.push_back(p.dates[static_cast<std::size_t>(rows[i])]);
    for (std::size_t j = 0; j < cols.size(); ++j)
      out.prices(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
          p.prices(rows[i], cols[j]);
  }
  for (Eigen::Index j : cols) out.tickers.push_back(p.tickers[static_cast<std::size_t>(j)]);
  return out;
}

struct Estimates {
  ds::PricePanel panel;
  int frequency = 252;
  Eigen::VectorXd mu;
  Eigen::MatrixXd cov;
};

Estimates estimate(const Common& c) {
  Estimates e;
  e.panel = load_panel(c);
  if (c.frequency < 0) throw UsageError("--frequency must be >= 0");
  e.frequency =
      c.frequency > 0 ? static_cast<int>(c.frequency) : fin::annualisation_factor(e.panel.dates);
  const fin::RowMatrixXd r = fin::returns_from_prices(e.panel.prices);
  e.mu = fin::expected_returns_by_name(r, snake(c.returns), e.frequency, c.rf);
  e.cov = fin::risk_matrix(r, snake(c.risk_model), e.frequency);
  std::printf("%s: %zu tickers, %s ... %s (%zu dates), frequency %d; %s returns, %s covariance\n",
              c.prices.c_str(), e.panel.tickers.size(), e.panel.dates.front().c_str(),
              e.panel.dates.back().c_str(), e.panel.dates.size(), e.frequency,
              snake(c.returns).c_str(), snake(c.risk_model).c_str());
  return e;
}

void print_performance(const fin::PortfolioResult& r, double rf) {
  std::printf("Expected annual return: %.1f%%\n", 100 * r.expected_return);
  std::printf("Annual volatility: %.1f%%\n", 100 * r.volatility);
  std::printf("Sharpe Ratio: %.2f (risk-free rate %.2f%%)\n", r.sharpe, 100 * rf);
}

void print_weights(const fin::PortfolioResult& r, const std::vector<std::string>& tickers) {
  std::vector<std::size_t> order(tickers.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::abs(r.weights(static_cast<Eigen::Index>(a))) >
           std::abs(r.weights(static_cast<Eigen::Index>(b)));
  });
  std::printf("%-8s %10s\n", "ticker", "weight");
  int zero = 0;
  for (std::size_t i : order) {
    const double w = r.weights(static_cast<Eigen::Index>(i));
    if (std::abs(w) < 5e-7) {
      ++zero;
      continue;
    }
    std::printf("%-8s %10.6f\n", tickers[i].c_str(), w);
  }
  if (zero > 0) std::printf("(%d more with weight 0)\n", zero);
}

std::map<std::string, ds::AttrValue> config_attrs(const Common& c, const Estimates& e) {
  auto s = [](const std::string& v) {
    ds::AttrValue a;
    a.s = v;
    return a;
  };
  std::map<std::string, ds::AttrValue> m;
  m["prices"] = s(c.prices);
  m["first_date"] = s(e.panel.dates.front());
  m["last_date"] = s(e.panel.dates.back());
  m["expected_returns"] = s(snake(c.returns));
  m["risk_model"] = s(snake(c.risk_model));
  ds::AttrValue f;
  f.kind = ds::AttrValue::Kind::kInt;
  f.i = e.frequency;
  m["frequency"] = f;
  return m;
}

// ---- Black-Litterman for optimize (--black-litterman) ----

struct BlackLittermanArgs {
  std::string views, prior, caps, plot;
  double tau = 0.05, delta = 1.0;
};

BlackLittermanArgs declare_black_litterman(Args& args) {
  BlackLittermanArgs b;
  b.views = args.str("black-litterman", "",
                     "views CSV: replace mu and cov by the Black-Litterman posterior (lines "
                     "'view,return[,confidence]', e.g. 'AAPL,0.2' or 'GOOG - FB,10%,60%'; README)");
  b.prior = args.str("bl-prior", "",
                     "Black-Litterman prior: returns (the --returns estimate; default without "
                     "--market-caps), market (default with --market-caps), equal (1/n)");
  b.caps = args.str("market-caps", "",
                    "CSV 'ticker,cap' of market capitalisations for the market-implied prior "
                    "delta * cov * w_mkt + rf");
  b.tau = args.num("tau", 0.05, "Black-Litterman tau, the weight on the views (0 < tau <= 1)");
  b.delta = args.num("bl-risk-aversion", 1.0,
                     "Black-Litterman: risk aversion delta of the market-implied prior");
  b.plot = args.str("bl-plot", "",
                    "write the prior-vs-posterior returns plot to FILE.png (default with -o "
                    "FILE.h5: FILE-black-litterman.png)");
  return b;
}

/// 'ticker,cap' lines (an optional header, # comments); one cap per ticker of the panel.
Eigen::VectorXd read_market_caps(const std::string& path, const std::vector<std::string>& tickers) {
  std::ifstream f(path);
  if (!f) throw UsageError("--market-caps: cannot read " + path);
  Eigen::VectorXd caps = Eigen::VectorXd::Constant(static_cast<Eigen::Index>(tickers.size()), NAN);
  std::string line;
  int no = 0;
  while (std::getline(f, line)) {
    ++no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    const auto parts = split(line, ',');
    auto strip = [](std::string s) {
      const auto b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
      return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
    };
    const std::string where = path + " line " + std::to_string(no);
    if (parts.size() != 2) throw UsageError("--market-caps: " + where + ": expected 'ticker,cap'");
    const std::string t = strip(parts[0]), v = strip(parts[1]);
    double cap = 0;
    try {
      std::size_t used = 0;
      cap = std::stod(v, &used);
      if (used != v.size()) throw std::invalid_argument(v);
    } catch (const std::exception&) {
      if (no == 1 || caps.array().isNaN().all()) continue;  // a header
      throw UsageError("--market-caps: " + where + ": '" + v + "' is not a number");
    }
    const auto it = std::find(tickers.begin(), tickers.end(), t);
    if (it != tickers.end()) caps[it - tickers.begin()] = cap;
  }
  for (std::size_t i = 0; i < tickers.size(); ++i)
    if (std::isnan(caps[static_cast<Eigen::Index>(i)]))
      throw UsageError("--market-caps: " + path + " has no cap for " + tickers[i]);
  return caps;
}

/// Replaces e.mu and e.cov by the posterior; prints prior, posterior and the views.
fin::BlackLittermanResult apply_black_litterman(const BlackLittermanArgs& b, Estimates& e,
                                                double rf) {
  const std::string prior = b.prior.empty() ? (b.caps.empty() ? "returns" : "market") : b.prior;
  Eigen::VectorXd pi;
  if (prior == "returns") {
    pi = e.mu;
  } else if (prior == "equal") {
    pi = Eigen::VectorXd::Constant(e.mu.size(), 1.0 / static_cast<double>(e.mu.size()));
  } else if (prior == "market") {
    if (b.caps.empty()) throw UsageError("--bl-prior market needs --market-caps FILE.csv");
    pi = fin::market_implied_prior_returns(read_market_caps(b.caps, e.panel.tickers), b.delta,
                                           e.cov, rf);
  } else {
    throw UsageError("--bl-prior must be returns, market or equal, got '" + b.prior + "'");
  }
  fin::BlackLittermanOptions o;
  o.tau = b.tau;
  const fin::BlackLittermanResult r =
      fin::black_litterman(e.cov, pi, fin::read_views_csv(b.views, e.panel.tickers), o);
  std::printf("Black-Litterman: %ld views from %s, %s prior, tau %.3g\n",
              static_cast<long>(r.views.size()), b.views.c_str(), prior.c_str(), b.tau);
  for (Eigen::Index k = 0; k < r.views.size(); ++k) {
    const bool conf = r.views.confidences.size() > 0 && !std::isnan(r.views.confidences[k]);
    std::printf(
        "  view %-36s %8.2f%%  confidence %s\n", r.views.labels[k].c_str(), 100 * r.views.Q[k],
        conf ? (std::to_string(static_cast<int>(std::lround(100 * r.views.confidences[k]))) + "%")
                   .c_str()
             : "default");
  }
  std::printf("%-8s %10s %10s\n", "ticker", "prior", "posterior");
  for (std::size_t i = 0; i < e.panel.tickers.size(); ++i) {
    const auto j = static_cast<Eigen::Index>(i);
    std::printf("%-8s %9.2f%% %9.2f%%\n", e.panel.tickers[i].c_str(), 100 * r.prior[j],
                100 * r.posterior_returns[j]);
  }
  std::printf("\n");
  e.mu = r.posterior_returns;
  e.cov = r.posterior_cov;
  return r;
}

int optimize(Args& args) {
  const Common c = declare_common(args);
  const std::string objective =
      args.str("objective", "max-sharpe",
               "min-volatility, max-sharpe, max-utility, efficient-return or efficient-risk");
  const double target_return =
      args.num("target-return", NAN, "efficient-return: the target annual return");
  const double target_vol =
      args.num("target-volatility", NAN, "efficient-risk: the target annual volatility");
  const double delta = args.num("risk-aversion", 1.0, "max-utility: risk aversion delta");
  const std::string file = args.str(
      "output", "", "also write the portfolio to FILE.h5 and its weights to FILE.png", 'o');
  const BlackLittermanArgs bl = declare_black_litterman(args);
  if (args.help()) {
    std::cout << args.usage(
        "Estimates expected returns and covariance from a price panel and solves one\n"
        "mean-variance problem (finance/include/adamant/finance/portfolio.hpp), then prints the\n"
        "weights and the expected annual return, volatility and Sharpe ratio. By default the\n"
        "weights are long-only (0..1) and sum to 1, as in PyPortfolioOpt; the solver is the\n"
        "exact active-set QP. Example:\n"
        "  adamant portfolio optimize --prices datasets/data/stock_prices_20.h5 \\\n"
        "      --objective max-sharpe --rf 0.02 --long-only\n"
        "With --black-litterman VIEWS.csv the problem takes the Black-Litterman posterior\n"
        "returns and covariance of the views instead (finance/include/adamant/finance/\n"
        "black_litterman.hpp); the prior is the --returns estimate, or the market-implied\n"
        "returns with --market-caps.");
    return 0;
  }
  args.finish();
  const fin::PortfolioOptions o = portfolio_options(c);
  const std::string obj = snake(objective);
  if (obj == "efficient_return" && std::isnan(target_return))
    throw UsageError("--objective efficient-return needs --target-return R");
  if (obj == "efficient_risk" && std::isnan(target_vol))
    throw UsageError("--objective efficient-risk needs --target-volatility S");
  if (bl.views.empty() && (!bl.prior.empty() || !bl.caps.empty() || !bl.plot.empty()))
    throw UsageError("--bl-prior, --market-caps and --bl-plot need --black-litterman VIEWS.csv");
  Estimates e = estimate(c);
  fin::BlackLittermanResult blr;
  if (!bl.views.empty()) blr = apply_black_litterman(bl, e, o.risk_free_rate);
  const auto t0 = std::chrono::steady_clock::now();
  fin::PortfolioResult r;
  if (obj == "min_volatility")
    r = fin::min_volatility(e.mu, e.cov, o);
  else if (obj == "max_sharpe")
    r = fin::max_sharpe(e.mu, e.cov, o);
  else if (obj == "max_utility" || obj == "max_quadratic_utility")
    r = fin::max_quadratic_utility(e.mu, e.cov, delta, o);
  else if (obj == "efficient_return")
    r = fin::efficient_return(e.mu, e.cov, target_return, o);
  else if (obj == "efficient_risk")
    r = fin::efficient_risk(e.mu, e.cov, target_vol, o);
  else
    throw UsageError("unknown --objective '" + objective +
                     "' (min-volatility, max-sharpe, max-utility, efficient-return, "
                     "efficient-risk)");
  const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%s (%s solver, %d iterations, KKT residual %.1e, %.1f ms)\n", r.problem.c_str(),
              r.solver.c_str(), r.iterations, r.kkt_residual, 1e3 * dt);
  if (o.cardinality.active()) {
    std::fprintf(stderr, "\n");
    if (r.optimal)
      std::printf("branch and bound: %ld nodes, proven optimal (gap %.1e)\n", r.nodes, r.gap);
    else
      std::printf(
          "branch and bound: %ld nodes, stopped at the limit with a proven gap of %.3g%% "
          "(raise --time-limit)\n",
          r.nodes, 100 * r.gap);
  }
  std::printf("\n");
  print_weights(r, e.panel.tickers);
  std::printf("\n");
  print_performance(r, o.risk_free_rate);
  if (!file.empty()) {
    const Output out = output_paths(file, "", "", false);
    fin::PortfolioFile pf;
    pf.tickers = e.panel.tickers;
    pf.result = r;
    pf.mu = e.mu;
    pf.cov = e.cov;
    pf.risk_free_rate = o.risk_free_rate;
    pf.config = config_attrs(c, e);
    if (o.cardinality.max_assets > 0)
      pf.config["max_assets"] = ds::AttrValue::integer(o.cardinality.max_assets);
    if (o.cardinality.min_weight > 0)
      pf.config["min_weight"] = ds::AttrValue::number(o.cardinality.min_weight);
    if (!bl.views.empty()) {
      pf.config["black_litterman"] = ds::AttrValue::string(bl.views);
      pf.config["black_litterman_tau"] = ds::AttrValue::number(bl.tau);
      pf.config["black_litterman_views"] = ds::AttrValue::integer(blr.views.size());
    }
    fin::write_portfolio(out.h5, pf);
    fin::plot_weights(r, e.panel.tickers, out.png);
    std::printf("\nwrote %s and %s\n", out.h5.c_str(), out.png.c_str());
  }
  if (!bl.views.empty() && (!bl.plot.empty() || !file.empty())) {
    std::string png = bl.plot;
    if (png.empty()) {
      const Output out = output_paths(file, "", "", false);
      png = out.png.substr(0, out.png.size() - 4) + "-black-litterman.png";
    }
    fin::plot_black_litterman(blr, e.panel.tickers, png);
    std::printf("wrote %s\n", png.c_str());
  }
  return 0;
}

int frontier(Args& args) {
  const Common c = declare_common(args);
  const long points = args.integer("points", 50, "points on the frontier (>= 2)");
  const std::string file =
      args.str("output", "", "write the frontier to FILE.h5 and the plot to FILE.png", 'o');
  const std::string dir = args.str("out", "", "write DIR/frontier.h5 and .png (default DIR: .)");
  if (args.help()) {
    std::cout << args.usage(
        "Traces the efficient frontier: --points portfolios of least volatility for target\n"
        "returns from the minimum-volatility portfolio's to the largest attainable, plus the\n"
        "maximum-Sharpe (tangency) portfolio. Prints a summary table and writes frontier.h5\n"
        "(weights, returns, volatilities, Sharpe ratios; docs/schema.md) and frontier.png\n"
        "(assets as points, min-volatility and max-Sharpe marked, capital market line, and the\n"
        "weights along the frontier).");
    return 0;
  }
  args.finish();
  if (points < 2) throw UsageError("--points must be >= 2");
  fin::FrontierOptions fo;
  fo.points = static_cast<int>(points);
  fo.portfolio = portfolio_options(c);
  const Output out = output_paths(file, dir, "frontier", false);
  const Estimates e = estimate(c);
  const auto t0 = std::chrono::steady_clock::now();
  const fin::Frontier f = fin::efficient_frontier(e.mu, e.cov, fo, e.panel.tickers);
  const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("efficient frontier: %ld points in %.1f ms\n\n", points, 1e3 * dt);
  std::printf("%5s %10s %10s %8s\n", "point", "return", "volatility", "Sharpe");
  const Eigen::Index step = std::max<Eigen::Index>(1, f.returns.size() / 10);
  for (Eigen::Index k = 0; k < f.returns.size(); ++k)
    if (k % step == 0 || k + 1 == f.returns.size())
      std::printf("%5ld %9.2f%% %9.2f%% %8.3f\n", static_cast<long>(k), 100 * f.returns(k),
                  100 * f.volatilities(k), f.sharpes(k));
  std::printf("\nminimum volatility: return %.2f%%, volatility %.2f%%, Sharpe %.3f\n",
              100 * f.min_volatility.expected_return, 100 * f.min_volatility.volatility,
              f.min_volatility.sharpe);
  if (f.has_max_sharpe)
    std::printf("maximum Sharpe:     return %.2f%%, volatility %.2f%%, Sharpe %.3f\n",
                100 * f.max_sharpe.expected_return, 100 * f.max_sharpe.volatility,
                f.max_sharpe.sharpe);
  else
    std::printf("maximum Sharpe: none (no asset's expected return beats the risk-free rate)\n");
  fin::write_frontier(out.h5, f);
  fin::plot_frontier(f, out.png);
  std::printf("wrote %s and %s\n", out.h5.c_str(), out.png.c_str());
  return 0;
}

int backtest(Args& args) {
  const Common c = declare_common(args);
  const std::string objective = args.str("objective", "min-volatility",
                                         "min-volatility, max-sharpe or max-quadratic-utility");
  const double delta = args.num("risk-aversion", 1.0, "max-quadratic-utility: risk aversion");
  const long lookback = args.integer("lookback", 252, "trailing estimation window, trading days");
  const double cost_bps =
      args.num("cost-bps", 0, "transaction cost in basis points of the value traded");
  const std::string file =
      args.str("output", "", "write the backtest to FILE.h5 and the plot to FILE.png", 'o');
  const std::string dir = args.str("out", "", "write DIR/backtest.h5 and .png (default DIR: .)");
  const bool quiet = args.flag("quiet", "no progress on stderr");
  if (args.help()) {
    std::cout << args.usage(
        "Rolling out-of-sample backtest: on the first trading day of each month, estimate\n"
        "expected returns and covariance from the trailing --lookback days (assets listed for\n"
        "the whole window), solve --objective, and hold the portfolio (drifting with prices)\n"
        "until the next month; compare with equal weights rebalanced on the same days. Prints\n"
        "annual return, volatility, Sharpe ratio, maximum drawdown and turnover of both, and\n"
        "writes backtest.h5 (daily returns, wealth, drawdowns, weights; docs/schema.md) and\n"
        "backtest.png. Rules and definitions: finance/include/adamant/finance/backtest.hpp.");
    return 0;
  }
  args.finish();
  if (c.frequency != 0) throw UsageError("--frequency does not apply to backtest (daily, 252)");
  if (lookback < 1) throw UsageError("--lookback must be >= 1");
  if (cost_bps < 0) throw UsageError("--cost-bps must be >= 0");
  fin::BacktestOptions bo;
  bo.lookback = static_cast<int>(lookback);
  bo.objective = snake(objective);
  bo.risk_aversion = delta;
  bo.expected_returns = snake(c.returns);
  bo.risk_model = snake(c.risk_model);
  bo.transaction_cost = cost_bps * 1e-4;
  bo.portfolio = portfolio_options(c);
  if (const std::string why = bo.validate(); !why.empty()) throw UsageError(why);
  const Output out = output_paths(file, dir, "backtest", false);
  const ds::PricePanel panel = load_panel(c);
  std::printf("%s: %zu tickers, %s ... %s; %s, %s returns, %s covariance, lookback %ld days\n",
              c.prices.c_str(), panel.tickers.size(), panel.dates.front().c_str(),
              panel.dates.back().c_str(), bo.objective.c_str(), bo.expected_returns.c_str(),
              bo.risk_model.c_str(), lookback);
  std::fflush(stdout);
  ProgressLine line(quiet);
  const auto t0 = std::chrono::steady_clock::now();
  const fin::BacktestResult r = fin::backtest(panel, bo, [&](int done, int total) {
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    char buf[120];
    std::snprintf(buf, sizeof buf, "rebalance %d/%d  %.1f s", done, total, s);
    line.show(buf, done == total);
  });
  line.done();
  const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%zu rebalances, %s ... %s (%zu days), %.2f s", r.rebalance_dates.size(),
              r.dates.front().c_str(), r.dates.back().c_str(), r.dates.size() - 1, dt);
  if (r.fallbacks > 0) std::printf(", %d fell back to min-volatility", r.fallbacks);
  std::printf("\n\n%-14s %9s %9s %7s %9s %9s %9s\n", "", "return", "vol", "Sharpe", "max DD",
              "turnover", "wealth");
  for (const fin::StrategyPath* p : {&r.strategy, &r.equal_weight}) {
    const fin::BacktestSummary& s = p->summary;
    std::printf("%-14s %8.2f%% %8.2f%% %7.3f %8.2f%% %8.2f%% %9.3f\n", p->name.c_str(),
                100 * s.annual_return, 100 * s.annual_volatility, s.sharpe, 100 * s.max_drawdown,
                100 * s.turnover, s.final_wealth);
  }
  std::printf("(annualised; turnover = mean one-way turnover per rebalance)\n");
  fin::write_backtest(out.h5, r);
  fin::plot_backtest(r, out.png);
  std::printf("wrote %s and %s\n", out.h5.c_str(), out.png.c_str());
  return 0;
}

int hrp(Args& args) {
  Common c;
  c.prices = args.str("prices", "", "price panel (HDF5, e.g. datasets/data/stock_prices_20.h5)");
  c.start = args.str("start", "", "first date used, YYYY-MM-DD (default: the panel's first)");
  c.end = args.str("end", "", "last date used, YYYY-MM-DD (default: the panel's last)");
  c.tickers = args.str("tickers", "", "comma-separated subset of the tickers (default: all)");
  c.frequency = args.integer(
      "frequency", 0, "periods per year (0: from the dates and the NYSE calendar, 252 for daily)");
  c.rf = args.num("rf", 0.02, "risk-free rate (annual) for the Sharpe ratio");
  const std::string method =
      args.str("linkage", "single", "cluster linkage: " + join(fin::linkage_methods()));
  const std::string distance = args.str(
      "distance", "correlation",
      "correlation (sqrt((1 - rho)/2), PyPortfolioOpt) or distance-of-distances (the paper's)");
  c.risk_model = args.str("risk-model", "pairwise",
                          "pairwise (PyPortfolioOpt's HRPOpt(returns): pairwise-complete "
                          "correlation and covariance) or a covariance to cluster instead: " +
                              join(fin::risk_matrix_methods()));
  const std::string file =
      args.str("output", "", "write the portfolio to FILE.h5 and the dendrogram to FILE.png", 'o');
  const std::string dir = args.str("out", "", "write DIR/hrp.h5 and .png (default DIR: .)");
  if (args.help()) {
    std::cout << args.usage(
        "Hierarchical risk parity (Lopez de Prado 2016, as PyPortfolioOpt's HRPOpt): clusters\n"
        "the assets by correlation distance, orders them along the tree and splits the budget\n"
        "top-down by inverse cluster variance (finance/include/adamant/finance/hrp.hpp). Prints\n"
        "the weights and the annual return (arithmetic mean), volatility and Sharpe ratio, and\n"
        "writes hrp.h5 (a portfolio file, docs/schema.md; the tree in its attributes) and\n"
        "hrp.png (the dendrogram above the weights). Example:\n"
        "  adamant portfolio hrp --prices datasets/data/stock_prices_20.h5 --linkage single");
    return 0;
  }
  args.finish();
  fin::HrpOptions ho;
  ho.linkage = fin::linkage_from_name(snake(method));
  ho.distance = fin::hrp_distance_from_name(snake(distance));
  if (c.frequency < 0) throw UsageError("--frequency must be >= 0");
  const Output out = output_paths(file, dir, "hrp", false);
  Estimates e;
  e.panel = load_panel(c);
  e.frequency =
      c.frequency > 0 ? static_cast<int>(c.frequency) : fin::annualisation_factor(e.panel.dates);
  ho.frequency = e.frequency;
  const fin::RowMatrixXd ret = fin::returns_from_prices(e.panel.prices);
  const std::string risk = snake(c.risk_model);
  const auto t0 = std::chrono::steady_clock::now();
  fin::HrpResult h;
  if (risk == "pairwise") {
    h = fin::hrp(ret, ho);
    e.mu = h.mu;
  } else {
    h = fin::hrp_from_cov(fin::risk_matrix(ret, risk, e.frequency), ho);
    e.mu = fin::mean_historical_return(ret, false, e.frequency);  // F · mean, as HRPOpt
  }
  e.cov = h.cov;
  const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf(
      "%s: %zu tickers, %s ... %s (%zu dates), frequency %d; %s linkage, %s distance, "
      "%s covariance (%.1f ms)\n\n",
      c.prices.c_str(), e.panel.tickers.size(), e.panel.dates.front().c_str(),
      e.panel.dates.back().c_str(), e.panel.dates.size(), e.frequency,
      fin::linkage_name(h.method).c_str(), fin::hrp_distance_name(h.distance).c_str(), risk.c_str(),
      1e3 * dt);
  fin::PortfolioResult r;
  r.problem = "hrp";
  r.solver = "hrp";
  r.weights = h.weights;
  r.converged = true;
  const fin::Performance p = fin::portfolio_performance(h.weights, e.mu, e.cov, c.rf);
  r.expected_return = p.expected_return;
  r.volatility = p.volatility;
  r.sharpe = p.sharpe;
  std::string order, tree;
  for (int i : h.order)
    order += (order.empty() ? "" : ",") + e.panel.tickers[static_cast<std::size_t>(i)];
  for (Eigen::Index k = 0; k < h.linkage.rows(); ++k) {
    char buf[128];
    std::snprintf(buf, sizeof buf, "%s%d %d %.17g %d", k ? ";" : "",
                  static_cast<int>(h.linkage(k, 0)), static_cast<int>(h.linkage(k, 1)),
                  h.linkage(k, 2), static_cast<int>(h.linkage(k, 3)));
    tree += buf;
  }
  std::printf("leaf order: %s\n\n", order.c_str());
  print_weights(r, e.panel.tickers);
  std::printf("\n");
  print_performance(r, c.rf);
  fin::PortfolioFile pf;
  pf.tickers = e.panel.tickers;
  pf.result = r;
  pf.mu = e.mu;
  pf.cov = e.cov;
  pf.risk_free_rate = c.rf;
  c.returns = "arithmetic_mean";
  pf.config = config_attrs(c, e);
  pf.config["linkage"] = ds::AttrValue::string(fin::linkage_name(h.method));
  pf.config["distance"] = ds::AttrValue::string(fin::hrp_distance_name(h.distance));
  pf.config["leaf_order"] = ds::AttrValue::string(order);
  pf.config["linkage_matrix"] = ds::AttrValue::string(tree);
  fin::write_portfolio(out.h5, pf);
  fin::plot_dendrogram(h, e.panel.tickers, out.png);
  std::printf("\nwrote %s and %s\n", out.h5.c_str(), out.png.c_str());
  return 0;
}

const std::vector<Action> kActions = {
    {"optimize", "solve one mean-variance problem, print the weights and performance", optimize},
    {"frontier", "trace the efficient frontier (HDF5 + PNG)", frontier},
    {"backtest", "rolling monthly out-of-sample backtest against equal weights (HDF5 + PNG)",
     backtest},
    {"hrp", "hierarchical risk parity portfolio and its dendrogram (HDF5 + PNG)", hrp},
};

}  // namespace

int run_portfolio(Args& args) { return run_action(args, "portfolio", kActions); }

}  // namespace adamant::cli
