// QuantLib adapter: Adam as a QuantLib::OptimizationMethod; ISO dates and the NYSE calendar.
// Equations, constraint handling and end criteria: see quantlib.hpp.

#include "adamant/finance/quantlib.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ql/errors.hpp>
#include <ql/math/array.hpp>
#include <ql/math/optimization/constraint.hpp>
#include <ql/math/optimization/problem.hpp>
#include <ql/time/calendars/unitedstates.hpp>
#include <sstream>
#include <stdexcept>

#include "adamant/core/optimizer.hpp"
#include "adamant/finance/estimators.hpp"

namespace adamant::finance {

namespace {

std::string fmt(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

Eigen::VectorXd to_eigen(const QuantLib::Array& a) {
  Eigen::VectorXd v(static_cast<Eigen::Index>(a.size()));
  for (QuantLib::Size i = 0; i < a.size(); ++i) v[static_cast<Eigen::Index>(i)] = a[i];
  return v;
}

void to_array(const Eigen::VectorXd& v, QuantLib::Array& a) {
  if (a.size() != static_cast<QuantLib::Size>(v.size())) a = QuantLib::Array(v.size());
  for (Eigen::Index i = 0; i < v.size(); ++i) a[static_cast<QuantLib::Size>(i)] = v[i];
}

bool all_finite(const QuantLib::Array& a) {
  return std::all_of(a.begin(), a.end(), [](double x) { return std::isfinite(x); });
}

double norm2(const QuantLib::Array& a) {
  double s = 0;
  for (double x : a) s += x * x;
  return std::sqrt(s);
}

}  // namespace

// ------------------------------------------------------------------------------ AdamMethod --

std::string AdamMethodOptions::validate() const {
  const std::string p = "AdamMethodOptions: ";
  if (!(adam.lr > 0) || !std::isfinite(adam.lr))
    return p + "adam.lr must be finite and > 0, got " + fmt(adam.lr);
  if (!(adam.beta1 >= 0 && adam.beta1 < 1))
    return p + "adam.beta1 must be in [0, 1), got " + fmt(adam.beta1);
  if (!(adam.beta2 >= 0 && adam.beta2 < 1))
    return p + "adam.beta2 must be in [0, 1), got " + fmt(adam.beta2);
  if (!(adam.eps >= 0) || !std::isfinite(adam.eps))
    return p + "adam.eps must be finite and >= 0, got " + fmt(adam.eps);
  if (!(adam.weight_decay >= 0) || !std::isfinite(adam.weight_decay))
    return p + "adam.weight_decay must be finite and >= 0, got " + fmt(adam.weight_decay);
  if (adam.maximize) return p + "adam.maximize must be false: a QuantLib Problem is minimized";
  if (!(clip_grad_norm >= 0) || !std::isfinite(clip_grad_norm))
    return p + "clip_grad_norm must be finite and >= 0 (0 = off), got " + fmt(clip_grad_norm);
  if (!(boundary_fraction >= 0 && boundary_fraction <= 1))
    return p + "boundary_fraction must be in [0, 1], got " + fmt(boundary_fraction);
  if (max_backtracks < 0)
    return p + "max_backtracks must be >= 0, got " + std::to_string(max_backtracks);
  if (schedule) {
    const std::string s = schedule->validate();
    if (!s.empty()) return p + "schedule: " + s;
  }
  return "";
}

AdamMethod::AdamMethod(AdamMethodOptions options) : options_(std::move(options)) {
  const std::string err = options_.validate();
  if (!err.empty()) throw std::invalid_argument(err);
}

QuantLib::EndCriteria::Type AdamMethod::minimize(QuantLib::Problem& P,
                                                 const QuantLib::EndCriteria& endCriteria) {
  using QuantLib::Array;
  using QuantLib::EndCriteria;
  summary_ = AdamMethodSummary{};

  P.reset();
  const Array start = P.currentValue();
  const std::size_t n = start.size();
  if (n == 0) throw std::invalid_argument("AdamMethod::minimize: the problem has no start point");
  if (!all_finite(start))
    throw std::invalid_argument("AdamMethod::minimize: the start point is not finite");
  const QuantLib::Constraint& constraint = P.constraint();
  if (!constraint.test(start))
    throw std::invalid_argument(
        "AdamMethod::minimize: the start point does not satisfy the problem's constraint");

  core::OptimizerOptions oo;
  oo.clip_grad_norm = options_.clip_grad_norm;
  oo.schedule = options_.schedule;
  core::Optimizer<double> opt(options_.adam, n, oo);

  // Current point (x, f, g), best point, and scratch for the trial point.
  Array x = start, g(n, 0.0), xt(n), gt(n, 0.0);
  double f = P.valueAndGradient(g, x);
  if (!std::isfinite(f) || !all_finite(g))
    throw std::invalid_argument(
        "AdamMethod::minimize: the cost or its gradient at the start "
        "point is not finite (f = " +
        fmt(f) + ")");
  Array best_x = x;
  double best_f = f, best_g2 = QuantLib::DotProduct(g, g);
  std::int64_t best_iter = 0;
  summary_.initial_value = f;
  P.setFunctionValue(f);
  P.setGradientNormValue(best_g2);

  Eigen::VectorXd xe = to_eigen(x), ge(n), trial(n), d(n);
  EndCriteria::Type ec = EndCriteria::None;
  QuantLib::Size stat_x = 0, stat_f = 0;
  std::int64_t iter = 0;

  auto finish = [&]() {
    if (options_.return_best) {
      P.setCurrentValue(best_x);
      P.setFunctionValue(best_f);
      P.setGradientNormValue(best_g2);
      summary_.final_value = best_f;
      summary_.final_gradient_norm = std::sqrt(best_g2);
      summary_.best_iteration = best_iter;
    } else {
      P.setCurrentValue(x);
      P.setFunctionValue(f);
      P.setGradientNormValue(QuantLib::DotProduct(g, g));
      summary_.final_value = f;
      summary_.final_gradient_norm = norm2(g);
      summary_.best_iteration = iter;
    }
    summary_.iterations = iter;
    summary_.end_type = ec;
    return ec;
  };

  if (endCriteria.checkZeroGradientNorm(norm2(g), ec)) return finish();

  while (true) {
    if (endCriteria.checkMaxIterations(static_cast<QuantLib::Size>(iter), ec)) break;

    // Adam step from x on a copy; d is the proposed displacement.
    for (std::size_t i = 0; i < n; ++i) ge[static_cast<Eigen::Index>(i)] = g[i];
    trial = xe;
    opt.step(trial, ge);
    d = trial - xe;
    ++iter;

    // A trial point outside the constraint's box: coordinates that cross a bound move only
    // boundary_fraction of the way to it (the others keep their full step).
    if (options_.boundary_fraction > 0) {
      to_array(trial, xt);
      if (!constraint.test(xt)) {
        const Array lo = constraint.lowerBound(x), hi = constraint.upperBound(x);
        bool changed = false;
        for (std::size_t i = 0; i < n; ++i) {
          const auto k = static_cast<Eigen::Index>(i);
          if (trial[k] < lo[i]) {
            d[k] = x[i] >= lo[i] ? options_.boundary_fraction * (lo[i] - x[i]) : 0.0;
            changed = true;
          } else if (trial[k] > hi[i]) {
            d[k] = x[i] <= hi[i] ? options_.boundary_fraction * (hi[i] - x[i]) : 0.0;
            changed = true;
          }
        }
        if (changed) ++summary_.boundary_truncations;
      }
    }

    // Backtrack by halves until the trial point is feasible with a finite cost and gradient.
    bool accepted = false;
    double ft = 0;
    double scale = 1.0;
    for (int j = 0; j <= options_.max_backtracks; ++j) {
      if (j > 0) {
        scale *= 0.5;
        ++summary_.backtracks;
      }
      trial = xe + scale * d;
      to_array(trial, xt);
      if (!constraint.test(xt)) continue;
      ft = P.valueAndGradient(gt, xt);
      if (std::isfinite(ft) && all_finite(gt)) {
        accepted = true;
        break;
      }
    }

    const double f_old = f;
    double step_norm = 0;
    if (accepted) {
      step_norm = (trial - xe).norm();
      xe = trial;
      std::swap(x, xt);
      std::swap(g, gt);
      f = ft;
    } else {
      ++summary_.rejected_steps;
    }
    P.setCurrentValue(x);
    P.setFunctionValue(f);
    P.setGradientNormValue(QuantLib::DotProduct(g, g));
    if (f < best_f) {
      best_f = f;
      best_x = x;
      best_g2 = QuantLib::DotProduct(g, g);
      best_iter = iter;
    }

    if (endCriteria.checkStationaryPoint(0.0, step_norm, stat_x, ec)) break;
    if (endCriteria.checkStationaryFunctionValue(f_old, f, stat_f, ec)) break;
    if (endCriteria.checkStationaryFunctionAccuracy(f, options_.positive_optimization, ec)) break;
    if (endCriteria.checkZeroGradientNorm(norm2(g), ec)) break;
  }
  return finish();
}

// ------------------------------------------------------------------ dates and NYSE calendar --

namespace {

const QuantLib::Calendar& nyse() {
  static const QuantLib::UnitedStates cal(QuantLib::UnitedStates::NYSE);
  return cal;
}

std::vector<QuantLib::Date> parse_all(const std::vector<std::string>& iso_dates, const char* who) {
  if (iso_dates.size() < 2)
    throw std::invalid_argument(std::string(who) + ": needs at least 2 dates, got " +
                                std::to_string(iso_dates.size()));
  std::vector<QuantLib::Date> out;
  out.reserve(iso_dates.size());
  for (std::size_t i = 0; i < iso_dates.size(); ++i) {
    out.push_back(parse_iso_date(iso_dates[i]));
    if (i > 0 && !(out[i - 1] < out[i]))
      throw std::invalid_argument(std::string(who) + ": dates must be strictly increasing, but " +
                                  iso_dates[i] + " (index " + std::to_string(i) + ") follows " +
                                  iso_dates[i - 1]);
  }
  return out;
}

}  // namespace

QuantLib::Date parse_iso_date(const std::string& iso) {
  auto bad = [&](const std::string& why) {
    return std::invalid_argument("parse_iso_date: \"" + iso +
                                 "\" is not a valid YYYY-MM-DD date (" + why + ")");
  };
  if (iso.size() != 10 || iso[4] != '-' || iso[7] != '-') throw bad("expected YYYY-MM-DD");
  auto digits = [&](std::size_t pos, std::size_t len) {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (iso[i] < '0' || iso[i] > '9') throw bad("non-digit character");
      v = v * 10 + (iso[i] - '0');
    }
    return v;
  };
  const int y = digits(0, 4), m = digits(5, 2), d = digits(8, 2);
  if (y < 1901 || y > 2199) throw bad("year outside QuantLib's range 1901-2199");
  if (m < 1 || m > 12) throw bad("month must be 01-12");
  const QuantLib::Month month = static_cast<QuantLib::Month>(m);
  const int dim = QuantLib::Date::endOfMonth(QuantLib::Date(1, month, y)).dayOfMonth();
  if (d < 1 || d > dim) throw bad("day must be 01-" + std::to_string(dim) + " in that month");
  return QuantLib::Date(d, month, y);
}

std::string to_iso_date(const QuantLib::Date& date) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", static_cast<int>(date.year()),
                static_cast<int>(date.month()), static_cast<int>(date.dayOfMonth()));
  return buf;
}

bool is_nyse_business_day(const QuantLib::Date& date) { return nyse().isBusinessDay(date); }

bool is_nyse_business_day(const std::string& iso) {
  return is_nyse_business_day(parse_iso_date(iso));
}

std::vector<std::string> non_nyse_days(const std::vector<std::string>& iso_dates) {
  std::vector<std::string> out;
  for (const auto& s : iso_dates)
    if (!is_nyse_business_day(parse_iso_date(s))) out.push_back(s);
  return out;
}

int nyse_business_days_per_year(int year) {
  if (year < 1901 || year > 2199)
    throw std::invalid_argument("nyse_business_days_per_year: year " + std::to_string(year) +
                                " outside QuantLib's range 1901-2199");
  const QuantLib::Date first(1, QuantLib::January, year), last(31, QuantLib::December, year);
  return static_cast<int>(nyse().businessDaysBetween(first, last, true, true));
}

double periods_per_year(const std::vector<std::string>& iso_dates) {
  const auto dates = parse_all(iso_dates, "periods_per_year");
  const double days = static_cast<double>(dates.back() - dates.front());
  return static_cast<double>(dates.size() - 1) * 365.25 / days;
}

std::string AnnualisationOptions::validate() const {
  if (!(max_non_business_fraction >= 0 && max_non_business_fraction <= 1))
    return "AnnualisationOptions: max_non_business_fraction must be in [0, 1], got " +
           fmt(max_non_business_fraction);
  return "";
}

int annualisation_factor(const std::vector<std::string>& iso_dates,
                         const AnnualisationOptions& options) {
  const std::string err = options.validate();
  if (!err.empty()) throw std::invalid_argument(err);
  const auto dates = parse_all(iso_dates, "annualisation_factor");
  std::vector<QuantLib::Date::serial_type> gaps(dates.size() - 1);
  for (std::size_t i = 1; i < dates.size(); ++i) gaps[i - 1] = dates[i] - dates[i - 1];
  // Lower median (the middle element, or the lower of the two middle ones).
  const std::size_t mid = (gaps.size() - 1) / 2;
  std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(mid), gaps.end());
  const auto median = gaps[mid];
  if (median <= 4) {
    std::size_t off = 0;
    for (const auto& dt : dates) off += nyse().isBusinessDay(dt) ? 0 : 1;
    const double frac = static_cast<double>(off) / static_cast<double>(dates.size());
    return frac <= options.max_non_business_fraction ? kTradingDaysPerYear : 365;
  }
  if (median >= 5 && median <= 10) return 52;
  if (median >= 26 && median <= 35) return 12;
  if (median >= 85 && median <= 95) return 4;
  if (median >= 360 && median <= 370) return 1;
  const double ppy = static_cast<double>(dates.size() - 1) * 365.25 /
                     static_cast<double>(dates.back() - dates.front());
  return std::max(1, static_cast<int>(std::lround(ppy)));
}

}  // namespace adamant::finance
