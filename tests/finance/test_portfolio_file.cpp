// The portfolio file (finance/portfolio_file.hpp): exact round trip, the `adamant data info`
// summary, and the validating reader's errors on malformed files.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <unistd.h>
#include <Eigen/Dense>
#include <cmath>
#include <filesystem>
#include <string>

#include "adamant/datasets/h5.hpp"
#include "adamant/datasets/schema.hpp"
#include "adamant/finance/estimators.hpp"
#include "adamant/finance/portfolio_file.hpp"

#include "finance_test_util.hpp"

namespace {

using adamant::finance::test::replace_dataset;

using namespace adamant::finance;
using adamant::datasets::DataError;
namespace fs = std::filesystem;

std::string temp_path(const std::string& name) {
  return (fs::temp_directory_path() /
          ("adamant_portfolio_" + std::to_string(::getpid()) + "_" + name))
      .string();
}

PortfolioFile bundled_max_sharpe() {
  const auto panel = adamant::datasets::read_prices(ADAMANT_DATA_DIR "/stock_prices_20.h5");
  const auto r = returns_from_prices(panel.prices, ReturnKind::kSimple);
  PortfolioFile f;
  f.tickers = panel.tickers;
  f.mu = mean_historical_return(r, true, 252);
  f.cov = sample_cov(r, 252);
  PortfolioOptions o;
  o.risk_free_rate = 0.02;
  f.result = max_sharpe(f.mu, f.cov, o);
  f.risk_free_rate = 0.02;
  adamant::datasets::AttrValue prices;
  prices.s = "stock_prices_20.h5";
  f.config["prices"] = prices;
  return f;
}

TEST(PortfolioFile, RoundTripIsExactAndDescribed) {
  const PortfolioFile f = bundled_max_sharpe();
  const std::string path = temp_path("rt.h5");
  write_portfolio(path, f);
  const PortfolioFile g = read_portfolio(path);
  EXPECT_EQ(g.tickers, f.tickers);
  EXPECT_EQ(g.result.weights, f.result.weights);
  EXPECT_EQ(g.mu, f.mu);
  EXPECT_EQ(g.cov, f.cov);
  EXPECT_EQ(g.result.problem, "max_sharpe");
  EXPECT_EQ(g.result.solver, f.result.solver);
  EXPECT_EQ(g.result.expected_return, f.result.expected_return);
  EXPECT_EQ(g.result.volatility, f.result.volatility);
  EXPECT_EQ(g.result.sharpe, f.result.sharpe);
  EXPECT_EQ(g.result.iterations, f.result.iterations);
  EXPECT_EQ(g.result.converged, f.result.converged);
  EXPECT_EQ(g.risk_free_rate, 0.02);
  ASSERT_EQ(g.config.count("prices"), 1u);
  EXPECT_EQ(g.config.at("prices").s, "stock_prices_20.h5");
  const std::string info = adamant::datasets::describe(path);
  EXPECT_NE(info.find("summary: portfolio: max_sharpe (active_set), 9 of 20 assets held"),
            std::string::npos)
      << info;
  fs::remove(path);
}

TEST(PortfolioFile, ReaderRejectsMalformedFiles) {
  const PortfolioFile f = bundled_max_sharpe();
  const std::string path = temp_path("bad.h5");
  auto expect_error = [&](const std::string& object, const std::string& what) {
    try {
      read_portfolio(path);
      ADD_FAILURE() << "expected DataError about " << object << " (" << what << ")";
    } catch (const DataError& e) {
      EXPECT_EQ(e.file(), path);
      EXPECT_NE(e.object().find(object), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  write_portfolio(path, f);
  replace_dataset(path, "weights", std::vector<double>(19, 0.05), {19});
  expect_error("weights", "shape");

  write_portfolio(path, f);
  std::vector<double> mu(f.mu.data(), f.mu.data() + 20);
  mu[4] = std::nan("");
  replace_dataset(path, "mu", mu, {20});
  expect_error("mu", "non-finite");

  write_portfolio(path, f);
  std::vector<double> cov(400, 0.0);
  cov[1] = 0.5;  // (0, 1) without (1, 0)
  replace_dataset(path, "cov", cov, {20, 20});
  expect_error("cov", "symmetric");

  write_portfolio(path, f);
  replace_dataset(path, "weights", {}, {});
  expect_error("weights", "missing");

  adamant::datasets::Table t;
  t.add("a", Eigen::VectorXd::Ones(3));
  adamant::datasets::write_table(path, t);
  expect_error("/", "not a portfolio file");
  fs::remove(path);

  // Nothing is written when the input is inconsistent.
  PortfolioFile wrong = f;
  wrong.mu.conservativeResize(19);
  EXPECT_THROW(write_portfolio(path, wrong), std::invalid_argument);
  EXPECT_FALSE(fs::exists(path));
  wrong = f;
  wrong.config["problem"] = adamant::datasets::AttrValue{};
  EXPECT_THROW(write_portfolio(path, wrong), std::invalid_argument);
  EXPECT_FALSE(fs::exists(path));
}

}  // namespace
