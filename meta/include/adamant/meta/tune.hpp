#pragma once
// Learning the optimizer: gradient-based tuning of an inner optimizer's hyper-parameters over a
// family of tasks, with the hyper-gradients of core/hyper.hpp, beside a grid search given the
// same number of inner runs, both judged on held-out tasks.
//
// Tasks: Finn et al. 2017's sine regression family — y = A sin(x − φ), A ~ U[0.1, 5],
// φ ~ U[0, π], x ~ U[−5, 5] — each task with its own training and validation points. An inner
// run is `inner_steps` full-batch steps of the rule on a task's training MSE from one fixed θ₀
// (the network's PyTorch initialisation from the seed); its meta-loss is ln of the task's
// validation MSE at θ_T (the log, so that tasks of every amplitude — whose MSEs differ by A² —
// count alike: the mean over tasks is the log of the geometric-mean MSE).
//
// Tuning: the tuned hyper-parameters in unconstrained coordinates φ (log lr, log ε, log weight
// decay; logit β₁, β₂, momentum, α), an outer Adam on φ, each outer step the mean meta-loss of
// `tasks_per_step` fresh tasks and its exact gradient dF/dφ = Σ dF/dh · dh/dφ (reverse mode).
// Grid search: `outer_steps` points (lr log-spaced over [1e-4, 1], × β₁ ∈ {0.5, 0.8, 0.9, 0.99}
// when β₁ is tuned), each the mean meta-loss over the same `tasks_per_step` tasks — as many inner
// runs as the tuning made. Evaluation: the start, the grid's best and the tuned hyper-parameters
// on `eval_tasks` held-out tasks (mean and standard error).
//
// Tasks are drawn from the seed alone (task i: std::mt19937_64 seeded by splitmix64(seed, i), u =
// (r >> 11)·2⁻⁵³), so a seed gives the same study everywhere.

#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "adamant/core/mlp.hpp"
#include "adamant/core/rules.hpp"

namespace adamant::meta {

/// Finn et al.'s sine-wave regression family.
struct SineFamily {
  double amplitude_lo = 0.1, amplitude_hi = 5.0;
  double phase_lo = 0.0, phase_hi = 3.141592653589793;
  double x_lo = -5.0, x_hi = 5.0;
  int train_points = 20;  ///< K, the shots an inner run trains on
  int val_points = 20;    ///< points of the same task the meta-loss is measured on
  std::string validate() const;
};

struct SineTask {
  double amplitude = 0, phase = 0;
  Eigen::MatrixXd x_train, y_train, x_val, y_val;  ///< K × 1 each
};
/// Task `index` of the family under `seed`.
SineTask draw_task(const SineFamily& f, std::uint64_t seed, std::uint64_t index);
/// Held-out tasks are indices kHeldOutTasks + i, far from every training stream's.
inline constexpr std::uint64_t kHeldOutTasks = std::uint64_t{1} << 40;
/// The inner run: `steps` full-batch steps of `rule` (the fused optimizer) on the task's
/// training MSE from theta0. Throws core::NonFiniteGradientError when it diverges.
Eigen::VectorXd adapt(const core::MlpSpec& net, const core::RuleOptions& rule, std::int64_t steps,
                      const Eigen::VectorXd& theta0, const SineTask& t);
/// The mean of v and its standard error (0 for one value).
struct MeanStderr {
  double mean = 0, stderr_mean = 0;
};
MeanStderr mean_and_stderr(const std::vector<double>& v);

struct TuneOptions {
  /// The inner rule and the hyper-parameters tuning starts from.
  core::RuleOptions start = core::AdamOptions{};
  /// Tuned fields of the rule: any of lr, eps, weight_decay (log), beta1, beta2, momentum, alpha
  /// (logit).
  std::vector<std::string> tuned = {"lr", "beta1", "beta2", "eps"};
  core::MlpSpec net = default_net();
  SineFamily tasks;
  std::int64_t inner_steps = 50;
  int outer_steps = 40;
  int tasks_per_step = 4;
  double outer_lr = 0.1;  ///< the outer Adam's learning rate in φ
  int eval_tasks = 100;
  std::uint64_t seed = 0;

  static core::MlpSpec default_net();  ///< 1-32-32-1, tanh
  std::string validate() const;
};

struct TuneEval {
  std::string name;  ///< "start", "grid", "tuned"
  core::RuleOptions rule;
  double mean = 0, stderr_mean = 0;  ///< held-out meta-loss (mean ln MSE) and its standard error
};

struct TuneResult {
  TuneOptions options;
  Eigen::VectorXd theta0;
  /// Per outer step (outer_steps + 1 rows: the last is after the final update, not trained on):
  /// the batch's mean meta-loss and the tuned hyper-parameters at that step (columns in
  /// options.tuned order).
  Eigen::VectorXd meta_loss;
  Eigen::MatrixXd path;
  /// The grid: lr, beta1 (NaN when not searched) and mean meta-loss (inf when a run diverged).
  Eigen::VectorXd grid_lr, grid_beta1, grid_loss;
  std::vector<TuneEval> evals;  ///< start, grid, tuned
  std::int64_t inner_runs_tuning = 0, inner_runs_grid = 0;
  double seconds_tuning = 0, seconds_grid = 0;
};

/// Runs the study; `progress` (optional) receives a line per outer step. Throws
/// std::invalid_argument naming a bad option, std::domain_error when an inner run of the tuning
/// diverges (lower outer_lr).
TuneResult tune(const TuneOptions& o, const std::function<void(const std::string&)>& progress = {});

/// The study's file (schema "hyper_tune"): options, θ₀, the path, the grid and the evaluation.
void write_tune(const std::string& path, const TuneResult& r);
TuneResult read_tune(const std::string& path);
/// Two panels: the outer steps' meta-loss with the grid's best and the start, and the tuned
/// hyper-parameters' paths (lr, 1 − β, ε on log axes).
void plot_tune(const TuneResult& r, const std::string& png);

}  // namespace adamant::meta
