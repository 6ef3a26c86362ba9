#pragma once
// Estimators of expected returns and risk from a price panel (datasets::PricePanel), following
// the conventions of PyPortfolioOpt (expected_returns.py, risk_models.py) so its published
// results can be reproduced:
//
//   returns      simple r_t = p_t / p_{t−1} − 1 (pandas pct_change(fill_method=None), as current
//                PyPortfolioOpt calls it), or log r_t = ln(1 + r_t^simple); NaN where either
//                price is NaN (before a listing, or around a gap: no forward fill); rows that are
//                NaN in every column (always the first) are dropped.
//   mean_historical_return   compounding: μ_j = (Π_t (1 + r_tj))^(F / n_j) − 1 over the n_j
//                non-NaN returns of column j; or arithmetic: μ_j = F · mean_t r_tj (NaN skipped).
//   ema_historical_return    e_j = last value of pandas ewm(span, adjust=True, ignore_na=False)
//                .mean(): e_j = Σ_t w_t r_tj / Σ_t w_t over the non-NaN r_tj, w_t = (1 −
//                α)^(T−1−t), α = 2/(span + 1); compounding: (1 + e_j)^F − 1, else F · e_j.
//   capm_return  μ_j = r_f + β_j (E[r_m] − r_f), β_j = Cov(r_j, r_m)/Var(r_m) (pairwise-complete,
//                divisor n − 1), with r_m the equal-weighted mean of each row's non-NaN returns
//                unless given; E[r_m] annualised as in mean_historical_return.
//   sample_cov   pairwise-complete sample covariance (pandas DataFrame.cov: each pair over the
//                rows where both are non-NaN, divisor n_pair − 1) × F, then
//                fix_nonpositive_semidefinite(·, "spectral") (pairwise-complete matrices may be
//                indefinite; a PSD result is returned unchanged).
//   exp_cov      S_ij = F · ewm_last_span((r_i − r̄_i)(r_j − r̄_j)), r̄ the column mean over its own
//                non-NaN rows, the product NaN where either is NaN (PyPortfolioOpt _pair_exp_cov),
//                then fix_nonpositive_semidefinite(·, "spectral").
//   ledoit_wolf  shrinkage δ·F_target + (1 − δ)·S with the optimal δ of Ledoit & Wolf, computed
//                as PyPortfolioOpt's CovarianceShrinkage does: rows NaN in every column dropped,
//                then the remaining NaN replaced by 0 (np.nan_to_num; NOT a drop of NaN rows), t =
//                rows left, X_c = X − column means.
//                constant_variance: Ledoit & Wolf (2004, JMVA 88, "A well-conditioned estimator
//                  for large-dimensional covariance matrices") as sklearn.covariance.ledoit_wolf:
//                  S = X_cᵀX_c/t, μ = tr S / n, target μI, δ = min(b̄², d²)/d² with
//                  d² = ||S − μI||²_F / n, b̄² = (Σ_ij (X_c²ᵀX_c²)_ij / t − ||S||²_F) / (n t).
//                single_factor: Ledoit & Wolf (2003, J. Empirical Finance 10, "Improved
//                  estimation of the covariance matrix of stock returns..."), market = row mean
//                  of X_c, S and betas with divisor t, δ = clip((π̂ − ρ̂)/γ̂ / t, 0, 1).
//                constant_correlation: Ledoit & Wolf (2004, J. Portfolio Management, "Honey, I
//                  shrunk the sample covariance matrix"), S = the pairwise-complete sample
//                  covariance (divisor n_pair − 1, as PyPortfolioOpt's self.S), target
//                  r̄·σ_iσ_j off the diagonal, π̂ and ρ̂ from X_c with divisor t.
//                The result × F, then fix_nonpositive_semidefinite(·, "spectral").
//   fix_nonpositive_semidefinite  PyPortfolioOpt's test: m is left unchanged when a Cholesky
//                factorisation of m + 1e-16·I exists; otherwise, with m = V diag(λ) Vᵀ,
//                "spectral" returns V diag(max(λ, 0)) Vᵀ and "diag" returns m − 1.1·λ_min·I.
//
// F = frequency, periods per year (252 by default). Every function throws std::invalid_argument
// naming what is wrong: fewer than 2 rows, a column with fewer than 2 non-NaN values (e.g. all
// NaN), a non-positive or infinite price, an infinite return, span < 1, frequency < 1, a pair of
// columns overlapping on fewer than 2 rows (covariances), an unknown fix method, a non-square or
// non-finite matrix.
//
// Sources: PyPortfolioOpt (expected_returns.py, risk_models.py), pandas (pct_change, ewm, cov),
// scikit-learn (covariance.ledoit_wolf_shrinkage), and the three Ledoit & Wolf papers above.

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "adamant/datasets/schema.hpp"

namespace adamant::finance {

using RowMatrixXd = datasets::RowMatrixXd;

inline constexpr int kTradingDaysPerYear = 252;

enum class ReturnKind { kSimple, kLog };

/// (T − 1 − dropped) × N returns from a T × N price matrix (NaN before a listing).
RowMatrixXd returns_from_prices(const RowMatrixXd& prices, ReturnKind kind = ReturnKind::kSimple);

/// Expected annual returns, one per column of `returns` (NaN entries skipped per column).
Eigen::VectorXd mean_historical_return(const RowMatrixXd& returns, bool compounding = true,
                                       int frequency = kTradingDaysPerYear);
Eigen::VectorXd ema_historical_return(const RowMatrixXd& returns, int span = 500,
                                      bool compounding = true, int frequency = kTradingDaysPerYear);
/// market_returns: one per row of `returns`; empty: the equal-weighted row mean.
Eigen::VectorXd capm_return(const RowMatrixXd& returns, double risk_free_rate = 0.0,
                            const Eigen::VectorXd& market_returns = {}, bool compounding = true,
                            int frequency = kTradingDaysPerYear);

/// Annualised covariance matrices (N × N, symmetric).
Eigen::MatrixXd sample_cov(const RowMatrixXd& returns, int frequency = kTradingDaysPerYear);
Eigen::MatrixXd exp_cov(const RowMatrixXd& returns, int span = 180,
                        int frequency = kTradingDaysPerYear);

enum class ShrinkTarget { kConstantVariance, kSingleFactor, kConstantCorrelation };
struct ShrinkageResult {
  Eigen::MatrixXd cov;  ///< annualised shrunk covariance
  double delta = 0;     ///< shrinkage intensity in [0, 1]
};
ShrinkageResult ledoit_wolf(const RowMatrixXd& returns,
                            ShrinkTarget target = ShrinkTarget::kConstantVariance,
                            int frequency = kTradingDaysPerYear);

/// The estimators above by name, with their default parameters (span 500 / 180), as the
/// command line, the backtest and Python select them:
///   expected_returns_by_name: "mean_historical" (compounded), "ema", "capm" (r_f as given);
///   risk_matrix: "sample", "exp", "ledoit_wolf" (constant variance), "ledoit_wolf_single_factor",
///   "ledoit_wolf_constant_correlation".
/// std::invalid_argument naming the unknown method and listing the known ones.
Eigen::VectorXd expected_returns_by_name(const RowMatrixXd& returns, const std::string& method,
                                         int frequency = kTradingDaysPerYear,
                                         double risk_free_rate = 0.0);
Eigen::MatrixXd risk_matrix(const RowMatrixXd& returns, const std::string& method,
                            int frequency = kTradingDaysPerYear);
const std::vector<std::string>& expected_returns_methods();
const std::vector<std::string>& risk_matrix_methods();

/// True when the smallest eigenvalue of (m + mᵀ)/2 is ≥ −tol · max(1, |λ_max|).
bool is_positive_semidefinite(const Eigen::MatrixXd& m, double tol = 1e-12);
/// method "spectral" or "diag"; returns m unchanged when m + 1e-16·I has a Cholesky factor
/// (PyPortfolioOpt's test). The result passes is_positive_semidefinite.
Eigen::MatrixXd fix_nonpositive_semidefinite(const Eigen::MatrixXd& m,
                                             const std::string& method = "spectral");

}  // namespace adamant::finance
