// The efficient frontier (finance/frontier.hpp): shape of the curve, every point against
// efficient_return, the tangency portfolio, the HDF5 file and its validating reader, the figures.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <unistd.h>
#include <Eigen/Dense>
#include <cmath>
#include <filesystem>
#include <limits>
#include <string>

#include "adamant/datasets/h5.hpp"
#include "adamant/datasets/png.hpp"
#include "adamant/datasets/schema.hpp"
#include "adamant/finance/estimators.hpp"
#include "adamant/finance/frontier.hpp"

#include "finance_test_util.hpp"

namespace {

using adamant::finance::test::expect_feasible;
using adamant::finance::test::replace_dataset;

using namespace adamant::finance;
using adamant::datasets::DataError;
using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;
namespace fs = std::filesystem;

constexpr double kInf = std::numeric_limits<double>::infinity();

struct Market {
  std::vector<std::string> tickers;
  VectorXd mu;
  MatrixXd cov;
};

// PyPortfolioOpt's defaults on the bundled panel: mean_historical_return, sample_cov.
const Market& market() {
  static const Market m = [] {
    const auto panel = adamant::datasets::read_prices(ADAMANT_DATA_DIR "/stock_prices_20.h5");
    const auto r = returns_from_prices(panel.prices, ReturnKind::kSimple);
    return Market{panel.tickers, mean_historical_return(r, true, 252), sample_cov(r, 252)};
  }();
  return m;
}

const Frontier& bundled_frontier() {
  static const Frontier f = [] {
    FrontierOptions o;
    o.points = 30;
    return efficient_frontier(market().mu, market().cov, o, market().tickers);
  }();
  return f;
}

std::string temp_path(const std::string& name) {
  return (fs::temp_directory_path() /
          ("adamant_frontier_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

TEST(FrontierShape, BundledPanelIsIncreasingAndStartsAtMinVolatility) {
  const Frontier& f = bundled_frontier();
  const Index N = f.returns.size();
  ASSERT_EQ(N, 30);
  ASSERT_EQ(f.weights.rows(), 30);
  ASSERT_EQ(f.weights.cols(), 20);
  for (Index k = 1; k < N; ++k) {
    EXPECT_GT(f.returns[k], f.returns[k - 1]) << k;
    EXPECT_GE(f.volatilities[k], f.volatilities[k - 1] - 1e-12) << k;
  }
  // Point 0 is the minimum-volatility portfolio (PyPortfolioOpt's published numbers).
  EXPECT_EQ(f.weights.row(0).transpose(), f.min_volatility.weights);
  EXPECT_NEAR(f.volatilities[0], 0.15915084514118694, 1e-7);
  EXPECT_NEAR(f.returns[0], 0.15056821399482578, 1e-7);
  // Long-only: the largest attainable return is the best single asset.
  EXPECT_NEAR(f.returns[N - 1], f.mu.maxCoeff(), 1e-12);
  Index best = 0;
  f.mu.maxCoeff(&best);
  EXPECT_NEAR(f.weights(N - 1, best), 1.0, 1e-9);
  // Targets evenly spaced.
  const double step = (f.returns[N - 1] - f.returns[0]) / (N - 1);
  for (Index k = 0; k < N; ++k) EXPECT_NEAR(f.returns[k], f.returns[0] + k * step, 1e-10) << k;
}

TEST(FrontierPoints, EachPointIsFeasibleAndEqualsEfficientReturn) {
  const Frontier& f = bundled_frontier();
  const PortfolioOptions o;
  for (Index k = 0; k < f.returns.size(); ++k) {
    const VectorXd w = f.weights.row(k).transpose();
    expect_feasible(w, o.constraints);
    EXPECT_NEAR(f.mu.dot(w), f.returns[k], 1e-12);
    EXPECT_NEAR(std::sqrt(w.dot(f.cov * w)), f.volatilities[k], 1e-12);
    EXPECT_NEAR((f.returns[k] - 0.02) / f.volatilities[k], f.sharpes[k], 1e-12);
    const PortfolioResult r = efficient_return(f.mu, f.cov, f.returns[k], o);
    EXPECT_LE((r.weights - w).cwiseAbs().maxCoeff(), 1e-9) << "point " << k;
  }
}

TEST(FrontierSharpe, TangencyDominatesEveryPointAndTouchesTheLine) {
  const Frontier& f = bundled_frontier();
  ASSERT_TRUE(f.has_max_sharpe);
  EXPECT_NEAR(f.max_sharpe.sharpe, 1.2847714127003216, 1e-6);  // PyPortfolioOpt
  for (Index k = 0; k < f.returns.size(); ++k)
    EXPECT_GE(f.max_sharpe.sharpe, f.sharpes[k] - 1e-12) << k;
  // The tangency portfolio lies on the frontier: efficient_return at its return has its risk.
  const PortfolioResult r = efficient_return(f.mu, f.cov, f.max_sharpe.expected_return);
  EXPECT_NEAR(r.volatility, f.max_sharpe.volatility, 1e-9);
}

TEST(FrontierSharpe, NoAssetAboveRiskFreeMeansNoTangency) {
  FrontierOptions o;
  o.points = 5;
  o.portfolio.risk_free_rate = 10.0;  // 1000 %: no asset beats it
  const Frontier f = efficient_frontier(market().mu, market().cov, o, market().tickers);
  EXPECT_FALSE(f.has_max_sharpe);
  EXPECT_EQ(f.max_sharpe.weights.size(), 0);
  EXPECT_EQ(f.returns.size(), 5);
}

TEST(FrontierConstraints, BoundsAndSectorsGiveRmaxOfTheLp) {
  // 4 assets, each ≤ 0.5, sector {0, 1} ≤ 0.6: max return is solvable by hand.
  VectorXd mu(4);
  mu << 0.30, 0.25, 0.10, 0.05;
  MatrixXd a = MatrixXd::Random(6, 4);
  MatrixXd cov = a.transpose() * a / 6 + 0.01 * MatrixXd::Identity(4, 4);
  FrontierOptions o;
  o.points = 12;
  o.portfolio.constraints.upper = 0.5;
  o.portfolio.constraints.sectors.push_back({"tech", {0, 1}, 0.0, 0.6});
  const Frontier f = efficient_frontier(mu, cov, o);
  // r_max: 0.5 in asset 0, 0.1 in asset 1 (sector cap), 0.4 in asset 2.
  EXPECT_NEAR(f.returns[11], 0.5 * 0.30 + 0.1 * 0.25 + 0.4 * 0.10, 1e-12);
  for (Index k = 0; k < 12; ++k)
    expect_feasible(f.weights.row(k).transpose(), o.portfolio.constraints);
  EXPECT_TRUE(f.tickers.empty());
}

TEST(FrontierConstraints, SingleFeasiblePortfolioGivesAFlatFrontier) {
  VectorXd mu(2);
  mu << 0.1, 0.2;
  MatrixXd cov(2, 2);
  cov << 0.04, 0.01, 0.01, 0.09;
  FrontierOptions o;
  o.points = 4;
  o.portfolio.constraints.lower = 0.5;  // w = (0.5, 0.5) only
  const Frontier f = efficient_frontier(mu, cov, o);
  for (Index k = 0; k < 4; ++k) {
    EXPECT_NEAR(f.weights(k, 0), 0.5, 1e-12);
    EXPECT_NEAR(f.returns[k], 0.15, 1e-12);
  }
}

TEST(FrontierErrors, BadInputsThrow) {
  FrontierOptions o;
  o.points = 1;
  EXPECT_THROW(efficient_frontier(market().mu, market().cov, o), std::invalid_argument);
  o.points = 10;
  EXPECT_THROW(efficient_frontier(market().mu, market().cov, o, {"A", "B"}), std::invalid_argument);
  MatrixXd bad = market().cov;
  bad(0, 0) = std::nan("");
  EXPECT_THROW(efficient_frontier(market().mu, bad, o), std::invalid_argument);
  o.portfolio.constraints.upper = 0.01;  // 20 × 0.01 < 1
  EXPECT_THROW(efficient_frontier(market().mu, market().cov, o), InfeasibleError);
  FrontierOptions u;
  u.portfolio.constraints = PortfolioConstraints::unbounded();
  try {
    efficient_frontier(market().mu, market().cov, u);
    FAIL() << "expected InfeasibleError";
  } catch (const InfeasibleError& e) {
    EXPECT_NE(std::string(e.what()).find("unbounded"), std::string::npos) << e.what();
  }
}

TEST(FrontierFile, RoundTripIsExact) {
  const Frontier& f = bundled_frontier();
  const std::string path = temp_path("rt.h5");
  write_frontier(path, f);
  const Frontier g = read_frontier(path);
  EXPECT_EQ(g.tickers, f.tickers);
  EXPECT_EQ(g.mu, f.mu);
  EXPECT_EQ(g.cov, f.cov);
  EXPECT_EQ(g.risk_free_rate, f.risk_free_rate);
  EXPECT_EQ(g.returns, f.returns);
  EXPECT_EQ(g.volatilities, f.volatilities);
  EXPECT_EQ(g.sharpes, f.sharpes);
  EXPECT_EQ(g.weights, f.weights);
  EXPECT_EQ(g.min_volatility.weights, f.min_volatility.weights);
  EXPECT_EQ(g.min_volatility.sharpe, f.min_volatility.sharpe);
  EXPECT_EQ(g.min_volatility.problem, "min_volatility");
  ASSERT_TRUE(g.has_max_sharpe);
  EXPECT_EQ(g.max_sharpe.weights, f.max_sharpe.weights);
  EXPECT_EQ(g.max_sharpe.expected_return, f.max_sharpe.expected_return);
  EXPECT_EQ(g.max_sharpe.volatility, f.max_sharpe.volatility);
  EXPECT_EQ(g.max_sharpe.iterations, f.max_sharpe.iterations);
  adamant::datasets::Reader r(path);
  EXPECT_EQ(adamant::datasets::schema_of(r), "frontier");
  EXPECT_EQ(r.attr_int("/", "adamant_schema_version"), 1);
  EXPECT_NE(adamant::datasets::describe(path).find("summary: frontier"), std::string::npos)
      << adamant::datasets::describe(path);
  fs::remove(path);
}

TEST(FrontierFile, ReaderRejectsMalformedFiles) {
  FrontierOptions o;
  o.points = 6;
  const Frontier f = efficient_frontier(market().mu, market().cov, o, market().tickers);
  const std::string path = temp_path("bad.h5");
  auto expect_error = [&](const std::string& object, const std::string& what) {
    try {
      read_frontier(path);
      ADD_FAILURE() << "expected DataError about " << object << " (" << what << ")";
    } catch (const DataError& e) {
      EXPECT_EQ(e.file(), path);
      EXPECT_NE(e.object().find(object), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  write_frontier(path, f);
  replace_dataset(path, "volatilities", {}, {});
  expect_error("volatilities", "missing");

  write_frontier(path, f);
  replace_dataset(path, "weights", std::vector<double>(6 * 19, 0.05), {6, 19});
  expect_error("weights", "shape");

  write_frontier(path, f);
  std::vector<double> mu(f.mu.data(), f.mu.data() + 20);
  mu[3] = std::nan("");
  replace_dataset(path, "mu", mu, {20});
  expect_error("mu", "non-finite");

  write_frontier(path, f);
  replace_dataset(path, "returns", std::vector<double>(5, 0.1), {5});
  expect_error("volatilities", "shape");

  write_frontier(path, f);
  replace_dataset(path, "min_volatility/weights", {}, {});
  expect_error("min_volatility/weights", "missing");

  // Another schema.
  adamant::datasets::Table t;
  t.add("a", VectorXd::Ones(3));
  adamant::datasets::write_table(path, t);
  expect_error("/", "frontier");
  fs::remove(path);

  Frontier wrong = f;
  wrong.weights.conservativeResize(5, 20);
  EXPECT_THROW(write_frontier(path, wrong), std::invalid_argument);
  EXPECT_FALSE(fs::exists(path));
}

TEST(FrontierPlot, WritesPngs) {
  const Frontier& f = bundled_frontier();
  const std::string a = temp_path("frontier.png"), b = temp_path("weights.png");
  plot_frontier(f, a);
  plot_weights(f.max_sharpe, f.tickers, b);
  const adamant::datasets::Image ia = adamant::datasets::read_png(a);
  const adamant::datasets::Image ib = adamant::datasets::read_png(b);
  EXPECT_EQ(ia.width, 1500);
  EXPECT_EQ(ia.height, 640);
  EXPECT_EQ(ib.width, 820);
  EXPECT_GT(ib.height, 200);
  EXPECT_THROW(plot_weights(f.max_sharpe, {"A"}, b), std::invalid_argument);
  fs::remove(a);
  fs::remove(b);
}

}  // namespace
