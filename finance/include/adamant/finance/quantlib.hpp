#pragma once
// QuantLib adapter: the core's Adam as a QuantLib::OptimizationMethod, and QuantLib dates and
// the NYSE calendar for the returns pipeline.
//
// 1. AdamMethod — minimize(Problem&, EndCriteria&) runs adamant::core::Optimizer<double> with an
//    Adam-family rule (Kingma & Ba 2015, "Adam: A Method for Stochastic Optimization"; AMSGrad:
//    Reddi, Kale & Kumar 2018; AdamW: Loshchilov & Hutter 2019) on the problem's cost f(x):
//
//      g_k = ∇f(x_k)                         P.gradient / P.valueAndGradient: the cost
//                                            function's analytic gradient when it overrides
//                                            CostFunction::gradient, else QuantLib's central
//                                            differences with finiteDifferenceEpsilon()
//      g_k ← g_k · min(1, c / (‖g_k‖₂ + 1e-6))   optional clipping by global norm (PyTorch)
//      m_k = β₁ m_{k−1} + (1 − β₁) g_k,  v_k = β₂ v_{k−1} + (1 − β₂) g_k²
//      d_k = −η_k (m_k / (1 − β₁^k)) / (√(v_k / (1 − β₂^k)) + ε)   (PyTorch numerics; AMSGrad
//                                            uses the running max of v; AdamW adds −η λ x_k)
//      η_k = schedule(k − 1) when a schedule is given, else lr.
//
//    Constraint. When the trial point x_k + d_k fails P.constraint().test, first every
//    coordinate that crosses the constraint's box (Constraint::lowerBound / upperBound at x_k;
//    ±max for constraints without a box) moves only boundary_fraction of its distance to that
//    bound, d_i = θ (bound_i − x_i) — the fraction-to-the-boundary rule of interior-point
//    methods, so the free coordinates keep their full Adam step and a strict bound (x > 0 of
//    PositiveConstraint) is approached geometrically but never touched. If the point still fails
//    the test (a constraint that is not a box), the whole step is backtracked by halves,
//    x_k + 2^−j d_k for j = 1 … max_backtracks, as QuantLib's Constraint::update does; a trial
//    point whose cost or gradient is not finite is backtracked the same way. If no halving is
//    accepted the step is rejected (x stays, the Adam moments keep the update) and counted in
//    the summary. The starting point must satisfy the constraint (std::invalid_argument if not).
//
//    End criteria (QuantLib::EndCriteria, checked after every step, in this order):
//      MaxIterations             k = maxIterations Adam steps were taken;
//      StationaryPoint           ‖x_k − x_{k−1}‖₂ < rootEpsilon for more than
//                                maxStationaryStateIterations consecutive steps;
//      StationaryFunctionValue   |f_k − f_{k−1}| < functionEpsilon for more than
//                                maxStationaryStateIterations consecutive steps;
//      StationaryFunctionAccuracy f_k < functionEpsilon, only when positive_optimization (a cost
//                                that is ≥ 0, e.g. a sum of squares, as EndCriteria's flag);
//      ZeroGradientNorm          ‖g_k‖₂ < gradientNormEpsilon (also tested at the start).
//    The two stationarity counters are separate (QuantLib's helpers each take one).
//    On return, like QuantLib's own methods, P.currentValue() / P.functionValue() /
//    P.gradientNormValue() (the SQUARED gradient norm, as QuantLib stores it) describe the
//    returned point: the best point seen (lowest cost, the default — Adam is not monotone) or
//    the last one (return_best = false). P.reset() is called first, so P.functionEvaluation()
//    and P.gradientEvaluation() count this run.
//
// 2. Dates and the NYSE calendar (QuantLib::UnitedStates(UnitedStates::NYSE), which includes
//    special closings such as 2001-09-11…14 and national days of mourning):
//      parse_iso_date            strict YYYY-MM-DD within QuantLib's range 1901-01-01…2199-12-31;
//      periods_per_year(dates)   (n − 1) / τ with τ = (last − first in days) / 365.25, the
//                                Actual/365.25 year fraction between the first and last date —
//                                observations per calendar year measured from the panel itself;
//      nyse_business_days_per_year(y)  NYSE business days from Jan 1 to Dec 31 of year y;
//      annualisation_factor(dates)  the frequency F the estimators (estimators.hpp) should use,
//                                from the median gap between consecutive dates:
//                                  median gap ≤ 4 days (daily): 252 when at most
//                                    max_non_business_fraction of the dates are not NYSE
//                                    business days (NYSE daily data), else 365 (calendar daily);
//                                  5…10 days: 52 (weekly); 26…35: 12 (monthly);
//                                  85…95: 4 (quarterly); 360…370: 1 (annual);
//                                  otherwise round(periods_per_year(dates)).
//
// Every function throws std::invalid_argument naming what is wrong.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <ql/math/optimization/endcriteria.hpp>
#include <ql/math/optimization/method.hpp>
#include <ql/time/date.hpp>
#include <string>
#include <vector>

#include "adamant/core/rules.hpp"
#include "adamant/core/schedule.hpp"

namespace QuantLib {
class Problem;
}

namespace adamant::finance {

// ---------------------------------------------------------------- Adam as a QuantLib method --

struct AdamMethodOptions {
  /// Adam hyper-parameters, PyTorch's defaults: lr = 1e-3, β = (0.9, 0.999), ε = 1e-8, no weight
  /// decay. amsgrad = true selects AMSGrad; decoupled_weight_decay = true with weight_decay > 0
  /// selects AdamW (AdamOptions::adamw()); maximize must stay false (QuantLib minimizes).
  core::AdamOptions adam;
  /// Learning rate η_k as a function of the step; unset: the constant adam.lr.
  std::optional<core::Schedule> schedule;
  /// > 0: clip the gradient by global norm to this value before each step (0: off).
  double clip_grad_norm = 0;
  /// θ of the fraction-to-the-boundary rule for coordinates crossing the constraint's box
  /// (0: off, whole-step halving only; 1: onto the bound).
  double boundary_fraction = 0.5;
  /// Halvings of a step tried when the trial point leaves the constraint (or its cost is not
  /// finite) before the step is rejected; 0 rejects such a step at once.
  int max_backtracks = 60;
  /// true: return the point with the lowest cost seen; false: the last point.
  bool return_best = true;
  /// true when the cost is known to be ≥ 0: enables EndCriteria's StationaryFunctionAccuracy.
  bool positive_optimization = false;

  /// "" when valid, else a message naming the offending option (lr > 0, 0 ≤ β₁ < 1,
  /// 0 ≤ β₂ < 1, ε ≥ 0, weight_decay ≥ 0, maximize false, clip_grad_norm ≥ 0,
  /// 0 ≤ boundary_fraction ≤ 1, max_backtracks ≥ 0, a valid schedule).
  std::string validate() const;
};

/// What the last minimize() did.
struct AdamMethodSummary {
  QuantLib::EndCriteria::Type end_type = QuantLib::EndCriteria::None;
  std::int64_t iterations = 0;            ///< Adam steps taken
  std::int64_t backtracks = 0;            ///< halvings over all steps
  std::int64_t rejected_steps = 0;        ///< steps with no feasible halving (x unchanged)
  std::int64_t boundary_truncations = 0;  ///< steps cut by the fraction-to-the-boundary rule
  double initial_value = 0;               ///< f(x₀)
  double final_value = 0;                 ///< f at the returned point
  double final_gradient_norm = 0;         ///< ‖∇f‖₂ at the returned point (not squared)
  std::int64_t best_iteration = 0;        ///< step at which the returned point was reached
};

class AdamMethod : public QuantLib::OptimizationMethod {
 public:
  /// Throws std::invalid_argument with options.validate()'s message when the options are bad.
  explicit AdamMethod(AdamMethodOptions options = {});

  /// Minimizes P from P.currentValue() (see the header comment for the algorithm, the constraint
  /// handling and the end criteria); returns the EndCriteria::Type that ended the run. Throws
  /// std::invalid_argument when the start is empty, infeasible, or its cost is not finite.
  QuantLib::EndCriteria::Type minimize(QuantLib::Problem& P,
                                       const QuantLib::EndCriteria& endCriteria) override;

  const AdamMethodOptions& options() const { return options_; }
  const AdamMethodSummary& summary() const { return summary_; }

 private:
  AdamMethodOptions options_;
  AdamMethodSummary summary_;
};

// ------------------------------------------------------------------- dates and NYSE calendar --

/// Parses "YYYY-MM-DD" (exactly 10 characters, a real calendar date, 1901…2199); throws
/// std::invalid_argument naming the string otherwise.
QuantLib::Date parse_iso_date(const std::string& iso);
/// "YYYY-MM-DD" of a date.
std::string to_iso_date(const QuantLib::Date& date);

/// True when the NYSE is open that day (UnitedStates(NYSE): weekends, holidays and special
/// closings are not business days).
bool is_nyse_business_day(const QuantLib::Date& date);
bool is_nyse_business_day(const std::string& iso);

/// The dates of a panel (ISO strings) that are not NYSE business days, in input order.
std::vector<std::string> non_nyse_days(const std::vector<std::string>& iso_dates);

/// NYSE business days from January 1 to December 31 of year (1901…2199).
int nyse_business_days_per_year(int year);

/// Observations per year measured from the dates themselves: (n − 1) · 365.25 / (last − first)
/// in calendar days (Actual/365.25). Needs n ≥ 2 strictly increasing dates.
double periods_per_year(const std::vector<std::string>& iso_dates);

struct AnnualisationOptions {
  /// Daily data with at most this fraction of non-NYSE dates counts as NYSE daily data (252).
  double max_non_business_fraction = 0.05;
  /// "" when valid (0 ≤ fraction ≤ 1), else a message.
  std::string validate() const;
};

/// The frequency F the estimators should use for a panel with these dates (see the header
/// comment): 252 for daily NYSE data, 365 for calendar-daily data, 52 / 12 / 4 / 1 for weekly /
/// monthly / quarterly / annual data, else the rounded measured periods_per_year. Needs n ≥ 2
/// strictly increasing dates.
int annualisation_factor(const std::vector<std::string>& iso_dates,
                         const AnnualisationOptions& options = {});

}  // namespace adamant::finance
