#pragma once
// One optimized portfolio as an HDF5 file (docs/schema.md, "Portfolio"): what
// `adamant portfolio optimize -o FILE.h5` and adamant.finance write.
//
//   /  attributes adamant_schema = "portfolio", adamant_schema_version = 1, problem, solver,
//      expected_return, volatility, sharpe, risk_free_rate, objective, iterations, kkt_residual,
//      and the configuration (free-form string / number attributes: prices file, date range,
//      estimators, frequency, bounds, ...)
//   /tickers  n strings
//   /weights  n float64, finite
//   /mu       n float64, finite (annualised expected returns used)
//   /cov      n × n float64, finite, symmetric (annualised covariance used)

#include <Eigen/Dense>
#include <map>
#include <string>
#include <vector>

#include "adamant/datasets/h5.hpp"
#include "adamant/finance/portfolio.hpp"

namespace adamant::finance {

struct PortfolioFile {
  std::vector<std::string> tickers;
  PortfolioResult result;
  Eigen::VectorXd mu;
  Eigen::MatrixXd cov;
  double risk_free_rate = 0.02;
  std::map<std::string, datasets::AttrValue> config;
};

/// Atomic (temporary file, then rename). std::invalid_argument when sizes disagree.
void write_portfolio(const std::string& path, const PortfolioFile& file);
/// Validating reader (datasets::DataError naming the file, the object and what was expected).
PortfolioFile read_portfolio(const std::string& path);

}  // namespace adamant::finance
