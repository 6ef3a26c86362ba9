#pragma once
// The Black-Litterman model (Black & Litterman 1992, "Global portfolio optimization", FAJ 48(5);
// He & Litterman 1999, "The intuition behind Black-Litterman model portfolios"; Idzorek 2005,
// "A step-by-step guide to the Black-Litterman model"; Walters 2014, "The Black-Litterman model
// in detail"), with PyPortfolioOpt's conventions (black_litterman.py) so that its published
// results can be reproduced. n assets, K views; annualised Σ and returns.
//
//   prior        any n-vector π: the market-implied π = δ Σ w_mkt + r_f, w_mkt = caps / Σ caps
//                (market_implied_prior_returns; PyPortfolioOpt adds r_f so that π is a total,
//                not an excess, return), historical estimates, or 1/n ("equal").
//   risk aversion  the market-implied δ = (F · mean(r) − r_f) / (F · var(r)) of the market's
//                daily simple returns r (divisor n − 1) (market_implied_risk_aversion).
//   views        P (K × n) picks the portfolios the views are about, Q (K) their expected
//                returns: an absolute view "AAPL returns 20 %" is a row e_AAPL, Q = 0.2; a relative
//                view "GOOG outperforms FB by 10 %" is e_GOOG − e_FB, Q = 0.1 (rows of a relative
//                view usually sum to 0).
//   Ω            the K × K view uncertainty: given, or per view k
//                  default (He & Litterman): ω_k = τ p_k Σ p_kᵀ;
//                  Idzorek's confidence c_k ∈ [0, 1] (Walters' closed form, as PyPortfolioOpt):
//                  ω_k = τ α_k p_k Σ p_kᵀ, α_k = (1 − c_k)/c_k, and ω_k = 10⁶ when c_k = 0.
//                  (c_k = 0.5 gives the default; c_k = 1 gives ω_k = 0: the posterior satisfies
//                  the view exactly.)
//   posterior    with A = P τΣ Pᵀ + Ω (solved by LU; by least squares when singular):
//                  E[R] = π + τΣPᵀ A⁻¹ (Q − Pπ)
//                  Σ_post = Σ + τΣ − τΣPᵀ A⁻¹ P τΣ       (He & Litterman 2002)
//                Σ_post is symmetrised ((M + Mᵀ)/2, a change at rounding level).
//   weights      black_litterman_weights: w = (δΣ)⁻¹ E[R] normalised to Σw = 1 (PyPortfolioOpt's
//                bl_weights: unconstrained, with the prior Σ). Any problem of portfolio.hpp can
//                instead take (E[R], Σ_post).
//
// Errors: std::invalid_argument naming what is wrong (sizes that do not match, NaN/Inf, Σ not
// square or not symmetric, τ outside (0, 1], a confidence outside [0, 1], δ ≤ 0, negative or
// all-zero market caps, a view on an unknown ticker, a malformed views file (naming the file
// and line), a singular δΣ).

#include <Eigen/Dense>
#include <string>
#include <utility>
#include <vector>

#include "adamant/finance/estimators.hpp"

namespace adamant::finance {

struct BlackLittermanViews {
  Eigen::MatrixXd P;  ///< K × n
  Eigen::VectorXd Q;  ///< K
  /// K confidences in [0, 1] for Idzorek's Ω, NaN where a view has none (default ω_k); empty:
  /// none at all.
  Eigen::VectorXd confidences;
  std::vector<std::string> labels;  ///< K descriptions ("AAPL", "GOOG - FB"); may be empty
  Eigen::Index size() const { return Q.size(); }
};

/// Absolute views {ticker: return}, in the order given (PyPortfolioOpt's absolute_views).
BlackLittermanViews absolute_views(const std::vector<std::pair<std::string, double>>& views,
                                   const std::vector<std::string>& tickers);

/// A views file (CSV, UTF-8):
///
///   # comments and blank lines are skipped; an optional header "view,return,confidence"
///   view,return,confidence
///   AAPL,0.20                              absolute: AAPL returns 20 % a year
///   GOOG - FB,0.10,0.6                     relative: GOOG beats FB by 10 %, 60 % confident
///   0.5 BAC + 0.5 JPM - 0.5 T - 0.5 GE,15%,90%
///   SBUX,-20%
///
/// view: a ticker, or a weighted sum of tickers: terms joined by " + " / " - " (with spaces: a
/// ticker may itself contain '-' or '.'), each "[coefficient [*]] TICKER"; a ticker appearing
/// twice adds up. return: annual, a fraction or a percentage ("15%"). confidence (optional):
/// Idzorek's c ∈ [0, 1], a fraction or a percentage; empty: the He-Litterman default
/// (equivalent to 50 %).
BlackLittermanViews parse_views_csv(const std::string& text,
                                    const std::vector<std::string>& tickers,
                                    const std::string& source = "views");
/// parse_views_csv of a file (std::invalid_argument naming it when it cannot be read).
BlackLittermanViews read_views_csv(const std::string& path,
                                   const std::vector<std::string>& tickers);

/// π = δ Σ (caps / Σ caps) + r_f.
Eigen::VectorXd market_implied_prior_returns(const Eigen::VectorXd& market_caps,
                                             double risk_aversion, const Eigen::MatrixXd& cov,
                                             double risk_free_rate = 0.0);
/// δ = (F · mean r − r_f) / (F · var r) of the simple returns of the market's prices (NaN
/// prices, and the returns next to them, are skipped; at least 3 returns).
double market_implied_risk_aversion(const Eigen::VectorXd& market_prices,
                                    int frequency = kTradingDaysPerYear,
                                    double risk_free_rate = 0.0);

/// diag(τ P Σ Pᵀ).
Eigen::MatrixXd default_omega(const Eigen::MatrixXd& cov, const Eigen::MatrixXd& P, double tau);
/// Idzorek's diagonal Ω for confidences c (K, each in [0, 1]).
Eigen::MatrixXd idzorek_omega(const Eigen::VectorXd& confidences, const Eigen::MatrixXd& cov,
                              const Eigen::MatrixXd& P, double tau);

struct BlackLittermanOptions {
  double tau = 0.05;  ///< weight on the views, (0, 1]
  /// K × K; empty: per view, Idzorek's ω_k where the view has a confidence, else the default.
  Eigen::MatrixXd omega;
};

struct BlackLittermanResult {
  Eigen::VectorXd prior;              ///< π, n
  Eigen::VectorXd posterior_returns;  ///< E[R], n
  Eigen::MatrixXd posterior_cov;      ///< Σ_post, n × n
  Eigen::MatrixXd cov;                ///< the prior Σ, n × n
  Eigen::MatrixXd omega;              ///< Ω used, K × K
  BlackLittermanViews views;
  double tau = 0.05;
};

BlackLittermanResult black_litterman(const Eigen::MatrixXd& cov, const Eigen::VectorXd& prior,
                                     const BlackLittermanViews& views,
                                     const BlackLittermanOptions& options = {});

/// w = (δΣ)⁻¹ returns, normalised to sum 1.
Eigen::VectorXd black_litterman_weights(const Eigen::VectorXd& returns, const Eigen::MatrixXd& cov,
                                        double risk_aversion = 1.0);

/// Horizontal bars of the prior and posterior expected returns of every asset (first ticker at
/// the top), each absolute view marked at its Q, titled with τ and the number of views; the
/// other (relative) views are named in the subtitle. Written atomically.
void plot_black_litterman(const BlackLittermanResult& result,
                          const std::vector<std::string>& tickers, const std::string& png_path);

}  // namespace adamant::finance
