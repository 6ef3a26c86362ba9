#pragma once
// The convergence table: every optimizer on every standard test problem (test_problems.hpp),
// in float or double. Each cell runs `steps` updates with a cosine learning-rate decay from lr to
// lr/1000, for every lr on a grid, and keeps the best lr — the fair way to compare optimizers
// whose natural step sizes differ. Progress is the relative gap
//   (f(x) − f*) / max(1, f(x₀) − f*).

#include <memory>
#include <string>
#include <vector>

#include "adamant/core/rule.hpp"
#include "adamant/core/rules.hpp"
#include "adamant/core/test_problems.hpp"

namespace adamant::core {

/// The named rule (rules.hpp's table: rule_names() and their aliases) with PyTorch's defaults and
/// learning rate lr. Throws std::invalid_argument for an unknown name, listing the known ones.
template <typename T>
std::unique_ptr<UpdateRule<T>> make_rule_by_name(const std::string& name, double lr);

struct ConvergenceOptions {
  int steps = 3000;
  std::vector<double> lrs = {1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1};
  double tolerance = 1e-4;  ///< relative gap that counts as converged
};

struct ConvergenceResult {
  std::string optimizer, problem, precision;
  double lr = 0;                ///< best learning rate on the grid
  double gap = 0;               ///< final relative gap at that lr
  double distance = 0;          ///< final distance to the nearest minimiser
  int steps_to_tolerance = -1;  ///< first step with gap ≤ tolerance, −1 if never
  bool diverged = false;        ///< every lr on the grid produced a non-finite value
};

/// One cell: `optimizer` on `problem`.
template <typename T>
ConvergenceResult run_convergence(const std::string& optimizer, const Problem<T>& problem,
                                  const ConvergenceOptions& options = {});

}  // namespace adamant::core
