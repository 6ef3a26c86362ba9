#pragma once
// MAML with an Adam inner loop (Finn, Abbeel & Levine 2017), on their sine-wave regression.
//
// Meta-parameters: the network's initialisation θ₀. An inner run adapts θ₀ to one task with
// `inner_steps` full-batch steps of the inner rule (Adam) on the task's K shots; the meta-loss is
// the MSE on the task's query points at the adapted parameters. Three ways to learn θ₀, each
// with the same outer Adam, iterations and tasks:
//   maml        the full second-order meta-gradient dF/dθ₀ through the inner run — through the
//               inner Adam's m and v, its bias corrections and square roots — by reverse mode
//               (core/hyper.hpp: checkpointed adjoint with exact Hessian-vector products)
//   fomaml      first-order MAML: the gradient of F at the adapted parameters, as if the inner
//               run's Jacobian were the identity
//   pretrained  the baseline: θ₀ trained on the query MSE of the tasks at θ₀ itself (one network
//               for the task distribution, adapted at test time like the others)
// Evaluation: `eval_tasks` held-out tasks, each adapted from each θ₀ by the same inner run on K
// shots and scored on `eval_points` query points spread over the x range: the mean MSE before
// and after adaptation, with standard errors.

#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "adamant/core/mlp.hpp"
#include "adamant/core/rules.hpp"
#include "adamant/meta/tune.hpp"

namespace adamant::meta {

struct MamlOptions {
  core::MlpSpec net = default_net();          ///< 1-40-40-1 ReLU (Finn et al.)
  SineFamily tasks = default_tasks();         ///< K = 10 shots, 10 query points per training task
  core::RuleOptions inner = default_inner();  ///< Adam, lr 0.01
  std::int64_t inner_steps = 5;
  int iterations = 1000;  ///< outer steps per method
  int meta_batch = 10;    ///< tasks per outer step
  double outer_lr = 1e-3;
  int eval_tasks = 1000;
  int eval_points = 100;
  std::uint64_t seed = 0;

  static core::MlpSpec default_net();
  static SineFamily default_tasks();
  static core::RuleOptions default_inner();
  std::string validate() const;
};

struct MamlMethod {
  std::string name;                      ///< "maml", "fomaml", "pretrained"
  Eigen::VectorXd theta0;                ///< the learned initialisation
  Eigen::VectorXd curve;                 ///< mean meta-loss of each outer step's batch
  double mse_before = 0, se_before = 0;  ///< held-out query MSE at θ₀
  double mse_after = 0, se_after = 0;    ///< after the inner run on the K shots
  double seconds = 0;
};

struct MamlResult {
  MamlOptions options;
  Eigen::VectorXd init;  ///< the shared starting θ₀ (PyTorch initialisation from the seed)
  std::vector<MamlMethod> methods;
};

/// Learns θ₀ three ways and evaluates them; `progress` gets a line now and then. Throws
/// std::invalid_argument naming a bad option.
MamlResult run_maml(const MamlOptions& o,
                    const std::function<void(const std::string&)>& progress = {});

/// The parameters after adapting θ₀ to a task's shots with the inner run.
Eigen::VectorXd adapt(const MamlOptions& o, const Eigen::VectorXd& theta0, const SineTask& t);

/// Schema "hyper_maml": options, the initialisation, each method's θ₀, curve and evaluation.
void write_maml(const std::string& path, const MamlResult& r);
MamlResult read_maml(const std::string& path);
/// Three held-out tasks side by side: the true curve, the K shots, and each method's network
/// after adaptation (and MAML's before, dashed); writes `png`.
void plot_maml(const MamlResult& r, const std::string& png);

}  // namespace adamant::meta
