#pragma once
// Internals shared by the agents' sources (training loop, evaluation, the variance study).
// Not installed; equations are in adamant/rl/agents.hpp.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "adamant/core/optimizer.hpp"
#include "adamant/rl/agents.hpp"
#include "adamant/rl/env.hpp"
#include "adamant/rl/random.hpp"

namespace adamant::rl::agent_detail {

/// Running mean / variance of observations (Chan, Golub & LeVeque's parallel update), starting
/// from mean 0, variance 1 and count 1e-4 (as Stable-Baselines3's RunningMeanStd).
struct ObsNormalizer {
  bool enabled = false;
  double clip = 10.0;
  static constexpr double kEps = 1e-8;
  Eigen::VectorXd mean, var;
  double count = 1e-4;
  Eigen::VectorXd batch_mean_, batch_var_;  // scratch

  void init(int dim, bool on, double clip_value);
  /// Merges the statistics of n rows (n × dim, row-major).
  void update(const float* obs, int n);
  /// out = clip((obs − mean)/√(var + eps), ±clip), or a plain conversion when disabled.
  template <typename T>
  void apply(const float* obs, int n, T* out) const {
    const Eigen::Index dim = mean.size();
    for (Eigen::Index k = 0; k < static_cast<Eigen::Index>(n) * dim; ++k) {
      if (!enabled) {
        out[k] = static_cast<T>(obs[k]);
        continue;
      }
      const Eigen::Index j = k % dim;
      double v = (static_cast<double>(obs[k]) - mean[j]) / std::sqrt(var[j] + kEps);
      v = v < -clip ? -clip : (v > clip ? clip : v);
      out[k] = static_cast<T>(v);
    }
  }
};

/// Splits seed into the run's independent streams: [0] network initialisation, [1] the action /
/// shuffle Generator, [2] the variance-study probes.
/// Stable-Baselines3's VecNormalize reward scaling: per environment a discounted return
/// R ← γ R + r, a running variance of R over every transition (Chan's parallel update, per
/// vector step, from mean 0, variance 1, count 1e-4), each reward replaced by
/// clip(r / √(Var R + 1e-8), −c, c), and R reset to 0 where the episode ended.
struct RewardNormalizer {
  bool enabled = false;
  double gamma = 0.99, clip = 10.0;
  static constexpr double kEps = 1e-8;
  std::vector<double> ret;  // per environment
  double mean = 0, var = 1, count = 1e-4;

  void init(int num_envs, bool on, double discount, double clip_value);
  /// One vector step of n environments: rewards of the rows with valid[i] are scaled in place;
  /// done[i] (terminated or truncated) resets that environment's return afterwards.
  void apply(double* rewards, const std::uint8_t* valid, const std::uint8_t* done, int n);
};

std::vector<std::uint64_t> derived_seeds(std::uint64_t seed);

/// The REINFORCE batch: every environment of a VecEnv runs exactly one episode from a reset.
template <typename T>
struct EpisodeBatch {
  int num_envs = 0, obs_dim = 0, act_dim = 0, capacity = 0;  // capacity: rows per env
  std::vector<T> obs;                                        // capacity × E × O (row t·E + i)
  std::vector<std::int64_t> actions;                         // capacity × E
  std::vector<T> actions_c;                                  // capacity × E × D
  std::vector<float> send;                                   // E × D clipped actions
  std::vector<double> logp, values, rewards, returns, advantages;
  std::vector<std::uint8_t> term, trunc, valid;
  std::vector<int> lengths;
  std::vector<double> episode_returns;
  std::vector<float> raw;  // E × O
  std::vector<double> step_rewards;
  std::vector<std::uint8_t> step_term, step_trunc;
  // compacted valid samples (for the loss)
  std::vector<T> c_obs, c_actions_c;
  std::vector<std::int64_t> c_actions;
  std::vector<double> c_adv, c_ret;
  int steps = 0;  // rows used (the longest episode)
  int samples = 0;

  void init(int E, int O, int D, int cap);
};

/// Runs one episode per environment (vec.reset(seed) first; nullopt continues the streams),
/// fills rewards-to-go, baseline advantages (values from the critic when baseline) and the
/// compacted sample arrays; normalises the advantages when asked. Updates norm when
/// update_norm. Returns the number of transitions.
template <typename T>
int collect_episodes(VecEnv& vec, ActorCritic<T>& net, const typename ActorCritic<T>::Vector& p,
                     Generator& rng, std::optional<std::uint64_t> seed, ObsNormalizer& norm,
                     bool update_norm, double gamma, bool baseline, bool normalize_advantage,
                     EpisodeBatch<T>& b);

/// A SampleBatch over the compacted samples of an EpisodeBatch.
template <typename T>
SampleBatch<T> sample_batch(const EpisodeBatch<T>& b);

/// The optimizer of a run: Adam or SGD over n parameters, global-norm clipping, and the linear
/// annealing schedule over total_steps optimizer steps when anneal.
template <typename T>
core::Optimizer<T> make_optimizer(const AgentConfig& c, std::size_t n, bool anneal,
                                  std::int64_t total_steps);

/// The training loop (one instance per run).
template <typename T>
class Trainer {
 public:
  using Vector = typename ActorCritic<T>::Vector;
  explicit Trainer(const AgentConfig& config);
  /// One update; false when the step budget is spent (nothing done).
  bool update();
  /// Agent::extend.
  void extend(std::int64_t steps);
  const std::vector<UpdateRecord>& updates() const { return updates_; }
  /// The result so far (policy exported from the current parameters).
  TrainResult result() const;
  /// The policy of the current parameters.
  Policy policy() const;
  Progress progress() const;

  const AgentConfig& config() const { return cfg_; }
  ActorCritic<T>& net() { return net_; }
  const Vector& params() const { return params_; }
  const core::Optimizer<T>& optimizer() const { return opt_; }
  ObsNormalizer& normalizer() { return norm_; }
  std::int64_t env_steps() const { return env_steps_; }
  std::int64_t num_updates() const { return static_cast<std::int64_t>(updates_.size()); }

 private:
  void collect_rollout();
  void compute_advantages();
  void update_ppo(UpdateRecord& rec);
  void update_a2c(UpdateRecord& rec);
  void update_reinforce(UpdateRecord& rec);
  double optimizer_step(double* lr);
  /// The learning rate and clip range of this update from the config's schedules (after the
  /// rollout: progress_remaining counts its transitions).
  void apply_schedules();
  static VecEnv make_vec(AgentConfig& c);
  void record_episode(int env);
  double elapsed() const;

  AgentConfig cfg_;
  VecEnv vec_;
  int E_ = 0, O_ = 0, D_ = 0;  // D: action dimension (Box), 0 for Discrete
  bool discrete_ = true;
  std::vector<float> low_, high_;
  ActorCritic<T> net_;
  Vector params_, grad_;
  core::Optimizer<T> opt_;
  // anneal_lr: the linear decay over the current budget's planned optimizer steps, evaluated at
  // (optimizer step − anneal_offset_) and handed to opt_.set_lr before each step.
  std::optional<core::Schedule> anneal_;
  std::int64_t anneal_offset_ = 0;
  std::int64_t budget_start_ = 0;  // env_steps_ when the current budget began
  double clip_range_ = 0.2;        // this update's PPO clip range
  Generator rng_;
  ObsNormalizer norm_;
  RewardNormalizer reward_norm_;
  std::vector<std::uint8_t> step_done_;  // E: terminated | truncated of this step
  std::chrono::steady_clock::time_point start_;

  // rollout (A2C, PPO): row t·E + i
  int n_steps_ = 0;
  std::vector<float> raw_;  // E × O current raw observations
  std::vector<T> cur_;      // E × O current (normalised) observations
  std::vector<T> obs_;      // n_steps·E × O
  std::vector<std::int64_t> actions_;
  std::vector<T> actions_c_;  // n_steps·E × D
  std::vector<float> send_;   // E × D clipped
  std::vector<double> logp_, values_, rewards_, adv_, ret_, last_values_;
  std::vector<std::uint8_t> term_, trunc_, valid_;
  std::vector<double> step_rewards_;
  std::vector<std::uint8_t> step_term_, step_trunc_, reset_pending_;
  std::vector<double> ep_return_;
  std::vector<int> ep_length_;
  // minibatch (PPO) / batch (A2C)
  std::vector<int> idx_;
  std::vector<T> mb_obs_, mb_actions_c_;
  std::vector<std::int64_t> mb_actions_;
  std::vector<double> mb_adv_, mb_ret_, mb_logp_, mb_values_;

  EpisodeBatch<T> episodes_;  // REINFORCE
  bool first_reset_done_ = false;

  std::int64_t env_steps_ = 0;
  std::vector<EpisodeRecord> episodes_done_;
  std::vector<UpdateRecord> updates_;
};

extern template class Trainer<float>;
extern template class Trainer<double>;

/// The current policy of a network as a Policy (parameters converted to double).
template <typename T>
Policy export_policy(const AgentConfig& c, const ActorCritic<T>& net,
                     const typename ActorCritic<T>::Vector& params, const ObsNormalizer& norm,
                     const RewardNormalizer& reward_norm, const Space& action_space);

}  // namespace adamant::rl::agent_detail
