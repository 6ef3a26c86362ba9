#include "adamant/core/convergence.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

#include "adamant/core/optimizer.hpp"

namespace adamant::core {

template <typename T>
std::unique_ptr<UpdateRule<T>> make_rule_by_name(const std::string& name, double lr) {
  if (!is_rule_name(name))
    throw std::invalid_argument("unknown optimizer '" + name + "'; known: " + known_rules_text());
  RuleOptions o = rule_options(name);
  set_field(o, "lr", lr);
  return make_rule<T>(o);
}

template <typename T>
ConvergenceResult run_convergence(const std::string& optimizer, const Problem<T>& problem,
                                  const ConvergenceOptions& options) {
  using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;
  ConvergenceResult best;
  best.optimizer = optimizer;
  best.problem = problem.name();
  best.precision = sizeof(T) == 4 ? "float32" : "float64";
  best.gap = std::numeric_limits<double>::infinity();
  best.diverged = true;
  const Vector x0 = problem.x0();
  const double f_star = problem.f_star();
  const double scale = std::max(1.0, static_cast<double>(problem.value(x0)) - f_star);
  for (double lr : options.lrs) {
    OptimizerOptions o;
    o.schedule = Schedule::cosine(lr, options.steps, lr * 1e-3);
    Optimizer<T> opt(*make_rule_by_name<T>(optimizer, lr), x0.size(), o);
    Vector x = x0, g(x0.size());
    int hit = -1;
    bool finite = true;
    double gap = 0;
    for (int t = 0; t < options.steps && finite; ++t) {
      const double f = static_cast<double>(problem.value_and_gradient(x, g));
      gap = (f - f_star) / scale;
      if (!std::isfinite(f) || !g.allFinite()) {
        finite = false;
        break;
      }
      if (hit < 0 && gap <= options.tolerance) hit = t;
      opt.step(x, g);
    }
    if (finite) {
      gap = (static_cast<double>(problem.value(x)) - f_star) / scale;
      finite = std::isfinite(gap);
      if (hit < 0 && gap <= options.tolerance) hit = options.steps;
    }
    if (!finite) continue;
    best.diverged = false;
    if (gap < best.gap) {
      best.gap = gap;
      best.lr = lr;
      best.steps_to_tolerance = hit;
      best.distance = problem.distance_to_solution(x.template cast<double>());
    }
  }
  return best;
}

template std::unique_ptr<UpdateRule<float>> make_rule_by_name(const std::string&, double);
template std::unique_ptr<UpdateRule<double>> make_rule_by_name(const std::string&, double);
template ConvergenceResult run_convergence(const std::string&, const Problem<float>&,
                                           const ConvergenceOptions&);
template ConvergenceResult run_convergence(const std::string&, const Problem<double>&,
                                           const ConvergenceOptions&);

}  // namespace adamant::core
