#pragma once
// Does Adam reduce the variance of policy-gradient steps? A controlled study on REINFORCE.
//
// The claim examined: in policy-gradient methods Adam acts as an implicit variance reduction —
// its first moment averages the noisy gradient estimates over ~1/(1 − β₁) updates and its
// second moment rescales each coordinate by its recent root-mean-square, so the step it takes
// is less noisy, relative to its mean, than an SGD step from the same estimator; a learned
// baseline reduces the estimator's own variance (Williams 1992; Greensmith, Bartlett & Baxter
// 2004). The study trains REINFORCE (agents.hpp, reward-to-go Ψ_t = G_t or G_t − V(s_t), no
// advantage normalisation, no gradient clipping, one update per batch of B episodes) with
// {SGD, Adam} × {no baseline, learned baseline} over several seeds and measures, besides the
// returns, the noise of the gradient and of the update at fixed parameters.
//
// Measurements, every probe_every updates (after the update) of every run, at the frozen
// parameters θ and optimizer state S:
//   draw K = probe_batches independent batches of B episodes (a separate VecEnv and Generator,
//   so probing does not perturb training), and for each
//     ĝ_k = ∇_θ_actor L_π  (the REINFORCE policy-gradient estimate, actor parameters only:
//                           L_π = −(1/N) Σ log π(a|s) Ψ over the batch's N transitions)
//     d_k = the change of the actor parameters made by one optimizer step from (θ, S) with the
//           batch's full gradient (policy and value loss, as in training)
//   ḡ = mean_k ĝ_k,  d̄ = mean_k d_k,
//   grad_variance       V_g = 1/(K − 1) Σ_k ‖ĝ_k − ḡ‖²   (trace of the estimator's covariance)
//   relative_grad_var   V_g / ‖ḡ‖²                        (noise-to-signal of the estimator)
//   relative_update_var V_d / ‖d̄‖²,  V_d = 1/(K − 1) Σ_k ‖d_k − d̄‖²
//                                                         (noise-to-signal of the step taken)
// Each is averaged over a run's probes, then reported as mean over seeds. ‖ḡ‖² includes a
// V_g / K share of noise, so the relative variances are biased low by at most a factor
// 1/(1 + 1/K); the bias is the same for every configuration.
// Final return: the mean return of a run's last 20 training episodes (sampled actions), mean ±
// std over seeds. Return curves: per run, the mean of the last 20 episodes finished by each of
// curve_points env-step marks, then mean and std over seeds.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "adamant/datasets/schema.hpp"

namespace adamant::rl {

struct StudyConfig {
  std::string env_id = "CartPole-v1";
  int seeds = 5;  ///< runs per configuration: seeds first_seed, first_seed + 1, ...
  std::uint64_t first_seed = 0;
  std::int64_t total_steps = 60000;  ///< environment transitions per run
  int episodes_per_update = 8;       ///< B
  double gamma = 0.99;
  double sgd_lr = 1e-3;            ///< SGD's learning rate (no momentum)
  double adam_lr = 1e-2;           ///< Adam's learning rate (β = 0.9, 0.999, ε = 1e-8)
  double vf_coef = 0.5;            ///< weight of the baseline's value loss
  std::vector<int> hidden = {32};  ///< actor and critic hidden widths (tanh)
  int probe_every = 10;            ///< updates between probes
  int probe_batches = 8;           ///< K (>= 2)
  int curve_points = 40;
  int num_threads = 1;
  std::string validate() const;
};

struct StudyRow {
  std::string name;       ///< "sgd", "sgd+baseline", "adam", "adam+baseline"
  std::string optimizer;  ///< "sgd" or "adam"
  bool baseline = false;
  double lr = 0;
  std::vector<double> final_returns;  ///< per seed
  double final_mean = 0, final_std = 0;
  double grad_variance = 0, relative_grad_variance = 0, relative_update_variance = 0;
  std::vector<double> curve_mean, curve_std;  ///< return curve (curve_points values)
};

struct StudyResult {
  StudyConfig config;
  std::vector<StudyRow> rows;
  std::vector<double> curve_steps;  ///< env-step marks of the curves
  double wall_seconds = 0;
  /// One row per configuration: optimizer_adam (0/1), baseline (0/1), lr, final_return_mean,
  /// final_return_std, grad_variance, relative_grad_variance, relative_update_variance,
  /// final_return_seed_<i>; metadata `configurations` lists the row names.
  datasets::Table table() const;
  /// env_steps, then <name>_mean and <name>_std per configuration.
  datasets::Table curves() const;
  /// The table as aligned text.
  std::string format() const;
};

/// Runs the four configurations × seeds. progress (optional) is told each finished run.
StudyResult run_variance_study(const StudyConfig& config,
                               const std::function<void(const std::string&)>& progress = {});

// ---- the study file (schema "rl_study", docs/schema.md) ----

/// What write_study puts in a file: the table (/study), the return curves (/curves) and the
/// configuration (attributes of /config, hidden widths in /config/hidden).
struct StudyFile {
  datasets::Table study, curves;
  StudyConfig config;  ///< num_threads is not stored (it does not change the numbers)
  std::vector<std::string> configurations;  ///< the row names, in the table's order
};
/// Writes `result` atomically (datasets::Writer); `adamant data info` summarises it.
void write_study(const std::string& path, const StudyResult& result);
/// Reads a file write_study wrote; datasets::DataError naming the file and the object otherwise.
StudyFile read_study(const std::string& path);

}  // namespace adamant::rl
