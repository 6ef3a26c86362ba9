// The rolling backtest (finance/backtest.hpp): the equal-weight path recomputed by hand on a small
// synthetic panel, no look-ahead, accounting identities and summary statistics on the bundled
// panel, costs, determinism, option errors, the HDF5 file and its validating reader, the figure.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <Eigen/Dense>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "adamant/datasets/h5.hpp"
#include "adamant/datasets/png.hpp"
#include "adamant/datasets/schema.hpp"
#include "adamant/finance/backtest.hpp"

#include "finance_test_util.hpp"

namespace {

using adamant::finance::test::replace_dataset;

using namespace adamant::finance;
using adamant::datasets::DataError;
using adamant::datasets::PricePanel;
using Eigen::Index;
using Eigen::VectorXd;
namespace fs = std::filesystem;

std::string temp_path(const std::string& name) {
  return (fs::temp_directory_path() /
          ("adamant_backtest_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

// Weekdays from 2021-01-04 (a Monday), `rows` of them, as ISO dates.
std::vector<std::string> weekdays(int rows) {
  static const int month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  std::vector<std::string> out;
  int y = 2021, m = 1, d = 4, dow = 0;  // 0 = Monday
  while (static_cast<int>(out.size()) < rows) {
    if (dow < 5) {
      char buf[48];
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
      out.push_back(buf);
    }
    dow = (dow + 1) % 7;
    const bool leap = y % 4 == 0;
    if (++d > month_days[m - 1] + (m == 2 && leap ? 1 : 0)) {
      d = 1;
      if (++m > 12) {
        m = 1;
        ++y;
      }
    }
  }
  return out;
}

// A random-walk panel; column `late` (if ≥ 0) is NaN for its first `late_rows` rows.
PricePanel synthetic(int rows, int n, unsigned seed, int late = -1, int late_rows = 0,
                     double drift = 0.0004) {
  PricePanel p;
  p.dates = weekdays(rows);
  for (int i = 0; i < n; ++i) p.tickers.push_back("S" + std::to_string(i));
  p.prices.resize(rows, n);
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> z(0.0, 1.0);
  for (int i = 0; i < n; ++i) {
    double price = 50.0 + 10 * i;
    for (int t = 0; t < rows; ++t) {
      price *= std::exp(drift + (0.01 + 0.004 * i) * z(rng));
      p.prices(t, i) = price;
    }
  }
  if (late >= 0)
    for (int t = 0; t < late_rows; ++t) p.prices(t, late) = std::nan("");
  return p;
}

const BacktestResult& bundled() {
  static const BacktestResult r = [] {
    const PricePanel panel = adamant::datasets::read_prices(ADAMANT_DATA_DIR "/stock_prices_20.h5");
    return backtest(panel);
  }();
  return r;
}

TEST(BacktestEqualWeight, MatchesAPathRecomputedFromThePrices) {
  // 3 assets, ~5 months of weekdays; asset 2 lists on row 30. lookback 20, 10 bp costs.
  const int T = 105, L = 20;
  const double c = 0.001;
  const PricePanel p = synthetic(T, 3, 7, 2, 30);
  BacktestOptions o;
  o.lookback = L;
  o.transaction_cost = c;
  const BacktestResult r = backtest(p, o);

  // Independent recomputation: rebalance on the first weekday of each month with t ≥ L.
  std::vector<int> reb;
  for (int t = L; t + 1 < T; ++t)
    if (p.dates[t].substr(0, 7) != p.dates[t - 1].substr(0, 7)) reb.push_back(t);
  ASSERT_EQ(reb.size(), 4u);  // Feb, Mar, Apr, May 2021
  ASSERT_EQ(r.rebalance_dates.size(), 4u);
  for (std::size_t k = 0; k < reb.size(); ++k) EXPECT_EQ(r.rebalance_dates[k], p.dates[reb[k]]);
  const int start = reb[0];
  ASSERT_EQ(r.dates.size(), static_cast<std::size_t>(T - start));
  EXPECT_EQ(r.dates.front(), p.dates[start]);

  double w[3] = {0, 0, 0};
  double wealth = 1, pending = 0;
  std::size_t k = 0;
  std::vector<double> turnover;
  for (int t = start; t < T; ++t) {
    if (t > start) {
      double rr[3], gross = 0;
      for (int i = 0; i < 3; ++i) {
        rr[i] = std::isnan(p.prices(t - 1, i)) ? 0.0 : p.prices(t, i) / p.prices(t - 1, i) - 1;
        gross += w[i] * rr[i];
      }
      const double net = gross - pending;
      pending = 0;
      wealth *= 1 + net;
      const auto s = static_cast<Index>(t - start - 1);
      EXPECT_NEAR(r.equal_weight.daily_returns[s], net, 1e-12) << p.dates[t];
      EXPECT_NEAR(r.equal_weight.wealth[s + 1], wealth, 1e-12 * wealth) << p.dates[t];
      for (int i = 0; i < 3; ++i) w[i] = w[i] * (1 + rr[i]) / (1 + gross);
    }
    if (k < reb.size() && reb[k] == t) {
      // Asset 2 is eligible once its whole window t − L … t has prices (row 30 on).
      const int m = t - L >= 30 ? 3 : 2;
      double target[3] = {1.0 / m, 1.0 / m, m == 3 ? 1.0 / 3 : 0.0};
      double tau = 0;
      for (int i = 0; i < 3; ++i) tau += 0.5 * std::abs(target[i] - w[i]);
      turnover.push_back(tau);
      pending = c * 2 * tau;
      for (int i = 0; i < 3; ++i) {
        EXPECT_NEAR(r.equal_weight.weights(static_cast<Index>(k), i), target[i], 1e-15);
        w[i] = target[i];
      }
      ++k;
    }
  }
  EXPECT_EQ(k, reb.size());
  for (std::size_t j = 0; j < turnover.size(); ++j)
    EXPECT_NEAR(r.equal_weight.turnover[static_cast<Index>(j)], turnover[j], 1e-12) << j;
  EXPECT_NEAR(turnover[0], 0.5, 1e-15);  // bought from cash
  EXPECT_NEAR(r.equal_weight.summary.final_wealth, wealth, 1e-12 * wealth);
  // The strategy holds no unlisted asset.
  for (Index j = 0; j < r.strategy.weights.rows(); ++j) {
    if (reb[static_cast<std::size_t>(j)] - L < 30) {
      EXPECT_EQ(r.strategy.weights(j, 2), 0.0);
    }
  }
}

TEST(BacktestNoLookAhead, LaterPricesDoNotChangeEarlierWeights) {
  const PricePanel p = synthetic(260, 5, 11);
  BacktestOptions o;
  o.lookback = 60;
  o.objective = "max_quadratic_utility";
  o.risk_aversion = 2.0;
  o.risk_model = "sample";
  const BacktestResult a = backtest(p, o);
  ASSERT_GE(a.rebalance_dates.size(), 6u);
  // Perturb every price after the third rebalance day.
  const std::string cut = a.rebalance_dates[2];
  PricePanel q = p;
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(0.8, 1.25);
  for (Index t = 0; t < q.prices.rows(); ++t)
    if (q.dates[static_cast<std::size_t>(t)] > cut)
      for (Index i = 0; i < q.prices.cols(); ++i) q.prices(t, i) *= u(rng);
  const BacktestResult b = backtest(q, o);
  ASSERT_EQ(a.rebalance_dates, b.rebalance_dates);
  for (Index k = 0; k <= 2; ++k) {
    EXPECT_EQ(a.strategy.weights.row(k), b.strategy.weights.row(k)) << k;
    EXPECT_EQ(a.strategy.turnover[k], b.strategy.turnover[k]) << k;
  }
  EXPECT_NE(a.strategy.weights.row(3), b.strategy.weights.row(3));  // the data did change
}

TEST(BacktestBundled, AccountingIdentitiesAndSummary) {
  const BacktestResult& r = bundled();
  const auto D = static_cast<Index>(r.dates.size()) - 1;
  const auto R = static_cast<Index>(r.rebalance_dates.size());
  EXPECT_EQ(r.tickers.size(), 20u);
  EXPECT_EQ(r.dates.back(), "2018-04-11");
  EXPECT_GT(R, 300);
  EXPECT_LT(R, 345);
  EXPECT_EQ(r.fallbacks, 0);
  for (const StrategyPath* p : {&r.strategy, &r.equal_weight}) {
    ASSERT_EQ(p->daily_returns.size(), D);
    ASSERT_EQ(p->wealth.size(), D + 1);
    ASSERT_EQ(p->weights.rows(), R);
    EXPECT_EQ(p->wealth[0], 1.0);
    double w = 1, peak = 1, mdd = 0;
    for (Index s = 0; s < D; ++s) {
      w *= 1 + p->daily_returns[s];
      EXPECT_NEAR(p->wealth[s + 1], w, 1e-12 * w) << p->name << " " << s;
      peak = std::max(peak, w);
      mdd = std::max(mdd, 1 - w / peak);
    }
    for (Index s = 0; s <= D; ++s) {
      EXPECT_GE(p->drawdown[s], 0.0);
      EXPECT_LE(p->drawdown[s], 1.0);
    }
    EXPECT_NEAR(p->summary.max_drawdown, mdd, 1e-12);
    for (Index k = 0; k < R; ++k) {
      EXPECT_GE(p->turnover[k], 0.0);
      EXPECT_NEAR(p->weights.row(k).sum(), 1.0, 1e-9) << p->name << " " << k;
      EXPECT_GE(p->weights.row(k).minCoeff(), -1e-10) << p->name << " " << k;
    }
    const BacktestSummary& s = p->summary;
    const double days = static_cast<double>(D);
    EXPECT_NEAR(s.annual_return, std::pow(p->wealth[D], 252.0 / days) - 1, 1e-12);
    const double mean = p->daily_returns.mean();
    const double sd =
        std::sqrt((p->daily_returns.array() - mean).square().sum() / (days - 1) * 252.0);
    EXPECT_NEAR(s.annual_volatility, sd, 1e-12);
    EXPECT_NEAR(s.sharpe, (252.0 * mean - 0.02) / sd, 1e-10);
    EXPECT_NEAR(s.turnover, p->turnover.mean(), 1e-15);
    EXPECT_NEAR(s.annual_turnover, p->turnover.sum() / (days / 252.0), 1e-12);
  }
  // Minimum variance does what it says out of sample: less volatile than equal weights.
  EXPECT_LT(r.strategy.summary.annual_volatility, r.equal_weight.summary.annual_volatility);
}

TEST(BacktestCosts, TransactionCostsReduceWealth) {
  const PricePanel p = synthetic(300, 4, 5);
  BacktestOptions o;
  o.lookback = 40;
  const BacktestResult free = backtest(p, o);
  o.transaction_cost = 0.002;
  const BacktestResult paid = backtest(p, o);
  EXPECT_EQ(free.strategy.weights, paid.strategy.weights);  // costs do not change the targets
  EXPECT_LT(paid.strategy.summary.final_wealth, free.strategy.summary.final_wealth);
  EXPECT_LT(paid.equal_weight.summary.final_wealth, free.equal_weight.summary.final_wealth);
  // The first day's cost: 0.2 % of the whole book bought from cash.
  EXPECT_NEAR(free.strategy.daily_returns[0] - paid.strategy.daily_returns[0], 0.002, 1e-15);
}

TEST(BacktestDeterminism, TwoRunsAreIdentical) {
  const PricePanel p = synthetic(200, 6, 9, 4, 60);
  BacktestOptions o;
  o.lookback = 30;
  o.objective = "max_sharpe";
  o.risk_model = "ledoit_wolf_constant_correlation";
  const BacktestResult a = backtest(p, o), b = backtest(p, o);
  EXPECT_EQ(a.strategy.daily_returns, b.strategy.daily_returns);
  EXPECT_EQ(a.strategy.weights, b.strategy.weights);
  EXPECT_EQ(a.equal_weight.wealth, b.equal_weight.wealth);
  EXPECT_EQ(a.fallbacks, b.fallbacks);
}

TEST(BacktestMaxSharpe, FallsBackToMinVolatilityWhenNothingBeatsTheRiskFreeRate) {
  const PricePanel p = synthetic(160, 4, 13);
  BacktestOptions o;
  o.lookback = 30;
  o.objective = "max_sharpe";
  o.portfolio.risk_free_rate = 50.0;  // 5000 % a year: no asset beats it in any window
  const BacktestResult a = backtest(p, o);
  EXPECT_EQ(a.fallbacks, static_cast<int>(a.rebalance_dates.size()));
  o.objective = "min_volatility";
  const BacktestResult b = backtest(p, o);
  EXPECT_EQ(a.strategy.weights, b.strategy.weights);
}

TEST(BacktestErrors, BadOptionsAndPanels) {
  const PricePanel p = synthetic(80, 3, 1);
  auto expect_invalid = [&](const BacktestOptions& o, const std::string& what) {
    try {
      backtest(p, o);
      ADD_FAILURE() << "expected std::invalid_argument about " << what;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  BacktestOptions o;
  o.lookback = 10;
  expect_invalid(o, "lookback");
  o = {};
  o.lookback = 100;  // longer than the panel
  expect_invalid(o, "no rebalance day");
  o = {};
  o.lookback = 20;
  o.objective = "max_return";
  expect_invalid(o, "unknown objective \"max_return\"");
  o.objective = "min_volatility";
  o.risk_model = "shrunk";
  expect_invalid(o, "unknown risk_model");
  o.risk_model = "sample";
  o.expected_returns = "median";
  expect_invalid(o, "unknown expected_returns");
  o.expected_returns = "ema";
  o.transaction_cost = -0.001;
  expect_invalid(o, "transaction_cost");
  o.transaction_cost = 0;
  o.portfolio.constraints.sectors.push_back({"all", {0, 1}, 0.0, 0.5});
  expect_invalid(o, "sector");
  o.portfolio.constraints.sectors.clear();
  o.portfolio.constraints.upper_bounds = VectorXd::Ones(3);
  expect_invalid(o, "upper_bounds");
  o.portfolio.constraints.upper_bounds.resize(0);
  o.objective = "max_sharpe";
  o.portfolio.l2_gamma = 0.1;
  expect_invalid(o, "l2_gamma");
  o = {};
  o.lookback = 20;
  o.portfolio.constraints.upper = 0.2;  // 3 assets × 0.2 < 1
  try {
    backtest(p, o);
    ADD_FAILURE() << "expected InfeasibleError";
  } catch (const InfeasibleError& e) {
    EXPECT_NE(std::string(e.what()).find("rebalance on"), std::string::npos) << e.what();
  }
  PricePanel bad = p;
  bad.prices(5, 1) = -1;
  try {
    backtest(bad, BacktestOptions{});
    ADD_FAILURE() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("invalid price panel"), std::string::npos) << e.what();
  }
}

TEST(BacktestFile, RoundTripIsExactAndReaderRejectsMalformedFiles) {
  const PricePanel p = synthetic(150, 4, 21, 3, 25);
  BacktestOptions o;
  o.lookback = 30;
  o.transaction_cost = 0.0005;
  o.portfolio.constraints.upper = 0.6;
  const BacktestResult r = backtest(p, o);
  const std::string path = temp_path("rt.h5");
  write_backtest(path, r);
  const BacktestResult g = read_backtest(path);
  EXPECT_EQ(g.tickers, r.tickers);
  EXPECT_EQ(g.dates, r.dates);
  EXPECT_EQ(g.rebalance_dates, r.rebalance_dates);
  EXPECT_EQ(g.fallbacks, r.fallbacks);
  EXPECT_EQ(g.options.lookback, 30);
  EXPECT_EQ(g.options.objective, o.objective);
  EXPECT_EQ(g.options.risk_model, o.risk_model);
  EXPECT_EQ(g.options.transaction_cost, 0.0005);
  EXPECT_EQ(g.options.portfolio.constraints.upper, 0.6);
  for (auto [x, y] : {std::make_pair(&g.strategy, &r.strategy),
                      std::make_pair(&g.equal_weight, &r.equal_weight)}) {
    EXPECT_EQ(x->name, y->name);
    EXPECT_EQ(x->daily_returns, y->daily_returns);
    EXPECT_EQ(x->wealth, y->wealth);
    EXPECT_EQ(x->drawdown, y->drawdown);
    EXPECT_EQ(x->weights, y->weights);
    EXPECT_EQ(x->turnover, y->turnover);
    EXPECT_EQ(x->summary.sharpe, y->summary.sharpe);
    EXPECT_EQ(x->summary.annual_return, y->summary.annual_return);
    EXPECT_EQ(x->summary.max_drawdown, y->summary.max_drawdown);
    EXPECT_EQ(x->summary.annual_turnover, y->summary.annual_turnover);
  }
  EXPECT_NE(adamant::datasets::describe(path).find("summary: backtest"), std::string::npos)
      << adamant::datasets::describe(path);

  const auto D = static_cast<hsize_t>(r.dates.size() - 1);
  const auto R = static_cast<hsize_t>(r.rebalance_dates.size());
  auto expect_error = [&](const std::string& object, const std::string& what) {
    try {
      read_backtest(path);
      ADD_FAILURE() << "expected DataError about " << object << " (" << what << ")";
    } catch (const DataError& e) {
      EXPECT_EQ(e.file(), path);
      EXPECT_NE(e.object().find(object), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  replace_dataset(path, "strategy/wealth", {}, {});
  expect_error("strategy/wealth", "missing");

  write_backtest(path, r);
  replace_dataset(path, "equal_weight/weights", std::vector<double>(R * 3, 0.25), {R, 3});
  expect_error("equal_weight/weights", "shape");

  write_backtest(path, r);
  std::vector<double> d(r.strategy.daily_returns.data(), r.strategy.daily_returns.data() + D);
  d[7] = std::nan("");
  replace_dataset(path, "strategy/daily_returns", d, {D});
  expect_error("strategy/daily_returns", "non-finite");

  write_backtest(path, r);  // one return fewer than the dates say
  d.pop_back();
  d[7] = 0;
  replace_dataset(path, "strategy/daily_returns", d, {D - 1});
  expect_error("strategy/daily_returns", "shape");

  write_backtest(path, r);
  std::vector<double> to(r.strategy.turnover.data(), r.strategy.turnover.data() + R);
  to[1] = -0.1;
  replace_dataset(path, "strategy/turnover", to, {R});
  expect_error("strategy/turnover", "negative");
  fs::remove(path);

  BacktestResult wrong = r;
  wrong.strategy.turnover.conservativeResize(static_cast<Index>(R) - 1);
  EXPECT_THROW(write_backtest(path, wrong), std::invalid_argument);
  EXPECT_FALSE(fs::exists(path));
}

TEST(BacktestPlot, WritesPng) {
  const std::string path = temp_path("bt.png");
  plot_backtest(bundled(), path);
  const adamant::datasets::Image img = adamant::datasets::read_png(path);
  EXPECT_EQ(img.width, 1300);
  EXPECT_EQ(img.height, 1060);
  fs::remove(path);
}

}  // namespace
