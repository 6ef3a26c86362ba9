#pragma once
// Internal: what every experiment of adamant::lab uses — formatted table lines, Eigen/std
// conversions, checks, Adam's options, a run of a rule with its iterates, a seeded normal.

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "adamant/core/optimizer.hpp"
#include "adamant/core/rules.hpp"
#include "adamant/lab/lab.hpp"

namespace adamant::lab::detail {

using Vec = Eigen::VectorXd;
namespace ds = adamant::datasets;

inline std::string line(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
inline std::string line(const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return buf;
}

inline Vec col(const std::vector<double>& v) {
  return Eigen::Map<const Vec>(v.data(), static_cast<Eigen::Index>(v.size()));
}
inline std::vector<double> vec(const Vec& v) {
  return std::vector<double>(v.data(), v.data() + v.size());
}

inline Check at_most(std::string what, double value, double bound) {
  return {std::move(what), value, "<=", bound};
}
inline Check at_least(std::string what, double value, double bound) {
  return {std::move(what), value, ">=", bound};
}

inline core::AdamOptions adam(double lr, double beta1 = 0.9, double beta2 = 0.999,
                              double eps = 1e-8) {
  core::AdamOptions o;
  o.lr = lr;
  o.beta1 = beta1;
  o.beta2 = beta2;
  o.eps = eps;
  return o;
}

/// Runs `steps` updates of `rule` from theta with gradients grad(theta, t) (t = 1, 2, ...);
/// after(opt, theta, t) sees each step's result. Returns the iterates, theta_0 first.
inline std::vector<Vec> run_rule(
    const core::RuleOptions& rule, Vec theta, int steps,
    const std::function<Vec(const Vec&, int)>& grad,
    const std::function<void(const core::Optimizer<double>&, const Vec&, int)>& after = {}) {
  core::Optimizer<double> opt(rule, static_cast<std::size_t>(theta.size()));
  std::vector<Vec> path{theta};
  for (int t = 1; t <= steps; ++t) {
    const Vec g = grad(theta, t);
    opt.step(theta, g);
    path.push_back(theta);
    if (after) after(opt, theta, t);
  }
  return path;
}

/// The first iterate index t with done(path[t]), or -1 when none is.
inline int first_step(const std::vector<Vec>& path, const std::function<bool(const Vec&)>& done) {
  const auto it = std::find_if(path.begin(), path.end(), done);
  return it == path.end() ? -1 : static_cast<int>(it - path.begin());
}

inline double normal(std::mt19937_64& rng) {
  const double u1 = std::max(static_cast<double>(rng() >> 11) * 0x1.0p-53, 1e-300);
  const double u2 = static_cast<double>(rng() >> 11) * 0x1.0p-53;
  return std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
}

}  // namespace adamant::lab::detail
