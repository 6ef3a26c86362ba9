// `adamant demo`: every optimizer on every standard test problem, as a convergence table.

#include <cstdio>
#include <iostream>

#include "adamant/core/convergence.hpp"
#include "cli.hpp"

namespace adamant::cli {
namespace {

template <typename T>
int table(const core::ConvergenceOptions& o, const std::vector<std::string>& optimizers) {
  const auto problems = core::standard_problems<T>();
  std::printf("%-16s", "optimizer");
  for (const auto& p : problems) std::printf(" %24s", p->name().c_str());
  std::printf("\n%-16s", "");
  for (std::size_t i = 0; i < problems.size(); ++i) std::printf(" %24s", "best lr  rel. gap  hit");
  std::printf("\n");
  int converged = 0, cells = 0;
  for (const auto& name : optimizers) {
    std::printf("%-16s", name.c_str());
    for (const auto& p : problems) {
      const core::ConvergenceResult r = core::run_convergence<T>(name, *p, o);
      ++cells;
      if (r.diverged) {
        std::printf(" %24s", "diverged");
        continue;
      }
      converged += r.steps_to_tolerance >= 0;
      char hit[16];
      if (r.steps_to_tolerance >= 0)
        std::snprintf(hit, sizeof hit, "%d", r.steps_to_tolerance);
      else
        std::snprintf(hit, sizeof hit, "-");
      std::printf("  %7.0e %9.2e %5s", r.lr, r.gap, hit);
    }
    std::printf("\n");
    std::fflush(stdout);
  }
  std::printf("\n%d of %d cells reached a relative gap of %.0e within %d steps.\n", converged,
              cells, o.tolerance, o.steps);
  return 0;
}

}  // namespace

int run_demo(Args& args) {
  core::ConvergenceOptions o;
  o.steps = static_cast<int>(args.integer("steps", o.steps, "updates per run"));
  o.tolerance = args.num("tolerance", o.tolerance, "relative gap that counts as converged");
  const std::string precision = args.str("precision", "float64", "float32 or float64");
  const std::string only = args.str("optimizer", "all", "one optimizer name, or all");
  if (args.help()) {
    std::cout << args.usage(
        "Runs every optimizer (best learning rate on a grid, cosine decay) on the anisotropic\n"
        "quadratic, Rosenbrock, a strict saddle, ridge and Huber regression, and prints the\n"
        "relative optimality gap (f - f*) / max(1, f(x0) - f*) reached and the step it first\n"
        "fell below the tolerance.");
    return 0;
  }
  args.finish();
  if (o.steps < 1) throw UsageError("--steps must be >= 1");
  std::vector<std::string> optimizers = core::rule_names();
  if (only != "all") {
    (void)core::make_rule_by_name<double>(only, 1e-3);  // validates the name
    optimizers = {only};
  }
  std::printf("adamant demo: %s, %d steps per run, lr grid", precision.c_str(), o.steps);
  for (double lr : o.lrs) std::printf(" %g", lr);
  std::printf(", cosine decay to lr/1000\n\n");
  if (precision == "float32") return table<float>(o, optimizers);
  if (precision == "float64") return table<double>(o, optimizers);
  throw UsageError("--precision must be float32 or float64, got '" + precision + "'");
}

}  // namespace adamant::cli
