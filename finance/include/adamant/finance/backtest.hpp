#pragma once
// A rolling out-of-sample backtest of a mean-variance strategy on a price panel, against the
// equal-weighted portfolio over the same assets and days.
//
// Timeline (no look-ahead). Prices p_t (rows of the panel, t = 0 … T−1, NaN before a listing).
// Rebalance days are the first trading day of each calendar month (from the panel's ISO dates)
// with t ≥ lookback, before the last row (a book set on the last row would never be held). At a
// rebalance day t:
//   * eligible assets: those with a price on every row t − lookback … t (listed for the whole
//     trailing window); fewer than 2 eligible: the day is skipped (the book is held);
//   * estimation: simple returns of rows t − lookback … t (lookback returns, through day t's close)
//     of the eligible assets → μ (expected_returns) and Σ (risk_model), frequency 252 ("capm"
//     uses options.portfolio.risk_free_rate);
//   * target weights from the objective over the eligible assets (others get 0), with the
//     constraints of options.portfolio (per-asset bounds vectors and sectors are not allowed here:
//     the eligible set changes; use lower / upper); max_sharpe when no eligible asset beats r_f in
//     the window (or no feasible portfolio does) falls back to min_volatility for that day and is
//     counted in `fallbacks`; with l1_kappa > 0, w_prev is the drifted book of the eligible assets;
//   * the book moves from its drifted weights to the target at day t's close; turnover
//     τ = ½Σ|w_target − w_drifted| (one-way), a cost c·2τ (c = transaction_cost per unit traded)
//     is charged to the next day's return. The book starts in cash: the first rebalance buys
//     the whole target (τ = ½Σ|w_target| = ½ when fully invested, a cost of c).
// Between rebalances the weights drift with prices (buy and hold): the portfolio's return on day
// s is Σ_i w_i,s−1 r_i,s, then w_i,s = w_i,s−1 (1 + r_i,s) / (1 + Σ_j w_j,s−1 r_j,s) (∝ w_i,s−1
// (1 + r_i,s) when fully invested; a cash remainder earns 0). A NaN price inside a holding period
// (a gap after listing) counts as a zero return for that asset on that day (returns are taken
// against the last known price). The equal-weighted benchmark is rebalanced to 1/n_eligible on
// the same days by the same rules (same costs).
// The evaluation period runs from the first rebalance day (the first one with ≥ 2 eligible
// assets; rebalance_dates lists only days that traded) to the last row.
//
// Summary statistics (per strategy), from the daily returns r_s of the evaluation period:
//   annual_return = W_end^(252/days) − 1 (compounded, W the wealth from 1), annual_volatility =
//   std(r_s, ddof 1)·√252 (0 for a single day), sharpe = (252·mean(r_s) − r_f)/annual_volatility
//   (0 when the volatility is 0), max_drawdown =
//   max_s (1 − W_s / max_{u≤s} W_u), turnover = mean one-way turnover per rebalance,
//   annual_turnover = total one-way turnover / years.
//
// Errors (std::invalid_argument naming the problem): an invalid panel, lookback < 20, no
// rebalance day (the panel is shorter than lookback + 2 rows, or no month starts in range; or no
// rebalance day has 2 eligible assets), an unknown name, invalid portfolio options (per-asset
// bound vectors, sectors, a preset w_prev; l1/l2 terms or a non-positive budget with
// max_sharpe), risk_aversion ≤ 0, transaction_cost < 0. A failing optimisation (e.g. bounds
// that cannot sum to the budget) is rethrown naming the rebalance date (InfeasibleError stays
// InfeasibleError).

#include <Eigen/Dense>
#include <functional>
#include <string>
#include <vector>

#include "adamant/datasets/schema.hpp"
#include "adamant/finance/portfolio.hpp"

namespace adamant::finance {

struct BacktestOptions {
  /// Trailing estimation window in trading days (rows of returns).
  int lookback = 252;
  /// "min_volatility", "max_sharpe" or "max_quadratic_utility".
  std::string objective = "min_volatility";
  double risk_aversion = 1.0;  ///< δ of max_quadratic_utility
  /// "mean_historical", "ema" or "capm" (estimators.hpp defaults).
  std::string expected_returns = "mean_historical";
  /// "sample", "exp", "ledoit_wolf" (constant variance), "ledoit_wolf_single_factor",
  /// "ledoit_wolf_constant_correlation".
  std::string risk_model = "ledoit_wolf";
  double transaction_cost = 0.0;  ///< c per unit of value traded (0.001 = 10 bp)
  PortfolioOptions portfolio;     ///< constraints (scalar bounds), solver, r_f, L2, L1 costs
  std::string validate() const;   ///< "" when valid
};

struct BacktestSummary {
  double annual_return = 0;
  double annual_volatility = 0;
  double sharpe = 0;
  double max_drawdown = 0;
  double turnover = 0;
  double annual_turnover = 0;
  double final_wealth = 1;
};

struct StrategyPath {
  std::string name;               ///< "strategy" or "equal_weight"
  Eigen::VectorXd daily_returns;  ///< D (evaluation days after the first rebalance)
  Eigen::VectorXd wealth;         ///< D + 1, starting at 1 on the first rebalance day
  Eigen::VectorXd drawdown;       ///< D + 1
  datasets::RowMatrixXd weights;  ///< R × n target weights at each rebalance
  Eigen::VectorXd turnover;       ///< R, one-way
  BacktestSummary summary;
};

struct BacktestResult {
  std::vector<std::string> tickers;          ///< n
  std::vector<std::string> dates;            ///< D + 1 evaluation dates (first = first rebalance)
  std::vector<std::string> rebalance_dates;  ///< R
  StrategyPath strategy, equal_weight;
  int fallbacks = 0;  ///< max_sharpe days that fell back to min_volatility
  BacktestOptions options;
};

/// progress(done, total) is called after each rebalance when given.
BacktestResult backtest(const datasets::PricePanel& panel, const BacktestOptions& options = {},
                        const std::function<void(int, int)>& progress = {});

/// HDF5 (docs/schema.md, "Backtest"): attributes adamant_schema = "backtest" and the options;
/// datasets tickers, dates, rebalance_dates; groups strategy / equal_weight with daily_returns,
/// wealth, drawdown, weights, turnover and the summary as attributes. Atomic.
void write_backtest(const std::string& path, const BacktestResult& result);
BacktestResult read_backtest(const std::string& path);

/// Three panels, written atomically: wealth of both strategies (log scale), drawdowns, and the
/// strategy's weights at each rebalance as stacked areas.
void plot_backtest(const BacktestResult& result, const std::string& png_path);

}  // namespace adamant::finance
