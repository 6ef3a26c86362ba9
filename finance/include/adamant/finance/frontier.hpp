#pragma once
// The efficient frontier of a mean-variance problem (Markowitz 1952): the portfolios of least
// volatility for each attainable expected return, over the feasible set of the constraints.
//
// Points: N target returns r_k evenly spaced from the minimum-volatility portfolio's return
// r_min = μᵀw_mv to the largest attainable return r_max = max_{w ∈ C} μᵀw (an LP, solved exactly
// by attainable_return_range), k = 0 … N−1 (r_0 = r_min, r_{N−1} = r_max); each point is
// efficient_return(μ, Σ, r_k) with the given options, warm-started from the previous point (the
// first point is w_mv itself). Below
// r_min the frontier is inefficient and is not traced. When r_max − r_min ≤ 1e-12·max(1, |r_max|)
// (e.g. a single feasible portfolio) every point is w_mv.
// The tangency (maximum-Sharpe) portfolio for options.risk_free_rate is computed too when some
// feasible portfolio beats r_f (r_max > r_f; for long-only: some asset does) and the Sharpe
// problem is defined (l1_kappa = l2_gamma = 0, a positive budget, not market-neutral); else
// has_max_sharpe = false and max_sharpe is left empty. The capital market line is
// r_f + Sharpe_max · σ.
// r_max: the LP max μᵀw s.t. Σw = b, lo ≤ w ≤ hi, sector bounds (portfolio.hpp,
// attainable_return_range: a greedy fill without sectors, else the dense solve_qp).
//
// Errors: as the portfolio problems (std::invalid_argument, InfeasibleError), points < 2, tickers
// not matching μ, and InfeasibleError when μᵀw is unbounded over C (e.g. no weight bounds: no
// finite r_max to trace to).

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "adamant/datasets/schema.hpp"
#include "adamant/finance/portfolio.hpp"

namespace adamant::finance {

struct FrontierOptions {
  int points = 50;                    ///< N ≥ 2
  PortfolioOptions portfolio;         ///< constraints, regularisation, solver, risk-free rate
  std::string validate(int n) const;  ///< "" when valid for n assets
};

struct Frontier {
  std::vector<std::string> tickers;  ///< n (may be empty: then "asset0", ... in outputs)
  Eigen::VectorXd mu;                ///< n, annualised expected returns used
  Eigen::MatrixXd cov;               ///< n × n, annualised covariance used
  double risk_free_rate = 0.02;
  Eigen::VectorXd returns;        ///< N, μᵀw_k
  Eigen::VectorXd volatilities;   ///< N, √(w_kᵀΣw_k), non-decreasing
  Eigen::VectorXd sharpes;        ///< N
  datasets::RowMatrixXd weights;  ///< N × n
  PortfolioResult min_volatility;
  bool has_max_sharpe = false;
  PortfolioResult max_sharpe;
};

Frontier efficient_frontier(const Eigen::VectorXd& mu, const Eigen::MatrixXd& cov,
                            const FrontierOptions& options = {},
                            const std::vector<std::string>& tickers = {});

/// HDF5 (docs/schema.md, "Efficient frontier"): attributes adamant_schema = "frontier",
/// risk_free_rate, solver; datasets tickers (n strings), mu (n), cov (n × n), returns,
/// volatilities, sharpes (N), weights (N × n), and groups min_volatility / max_sharpe (when
/// present) with weights (n) and attributes expected_return, volatility, sharpe (and problem,
/// solver, objective, iterations, converged, kkt_residual, duality_gap). Atomic.
void write_frontier(const std::string& path, const Frontier& frontier);
/// Validating reader of write_frontier's files (datasets::DataError naming what is wrong).
Frontier read_frontier(const std::string& path);

/// Two panels, written atomically: left, the frontier in (volatility, return) with every asset
/// as a labelled point (√Σ_ii, μ_i), the minimum-volatility and maximum-Sharpe portfolios marked
/// and the capital market line dashed; right, the weights along the frontier as stacked areas
/// against volatility (a weights chart), assets that never exceed 1% grouped as "other".
void plot_frontier(const Frontier& frontier, const std::string& png_path);

/// Horizontal bars of one portfolio's weights (largest |w| first, zero weights omitted), titled
/// with its return, volatility and Sharpe ratio. Written atomically.
void plot_weights(const PortfolioResult& result, const std::vector<std::string>& tickers,
                  const std::string& png_path);

}  // namespace adamant::finance
