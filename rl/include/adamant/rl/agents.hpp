#pragma once
// Policy-gradient agents on the core MLP and optimizers: REINFORCE (reward-to-go, with or without
// a learned value baseline), A2C (n-step advantages over a batch of environments) and PPO
// (clipped surrogate, GAE(λ), minibatch epochs), with a categorical policy for Discrete action
// spaces and a diagonal Gaussian policy for Box action spaces.
//
// Policies. The actor is an MLP from the (optionally normalised) observation to
//   Discrete(K): logits z ∈ R^K,  log π(a|s) = z_a − log Σ_k e^{z_k},  H = −Σ_k π_k log π_k,
//                ∂ log π(a)/∂z_k = [k = a] − π_k,   ∂H/∂z_k = −π_k (log π_k + H);
//   Box(D):      means μ ∈ R^D and a state-independent parameter vector log σ ∈ R^D,
//                a = μ + σ ⊙ ε, ε ~ N(0, I); the environment receives clip(a, low, high) but
//                log π is that of the unclipped sample:
//                log π(a|s) = Σ_d −½((a_d − μ_d)/σ_d)² − log σ_d − ½ log 2π,
//                ∂ log π/∂μ_d = (a_d − μ_d)/σ_d²,  ∂ log π/∂log σ_d = ((a_d − μ_d)/σ_d)² − 1,
//                H = Σ_d log σ_d + ½ log(2πe),  ∂H/∂log σ_d = 1.
// Greedy actions are argmax_k z_k (the first maximum) and μ (clipped to the bounds).
// The critic is a separate MLP s ↦ V(s) (one output). Every gradient is exact: per-sample
// derivatives of the loss with respect to the network outputs are pushed through
// Mlp::backward (tests compare them against central finite differences).
//
// Returns and advantages, per environment, t the step inside a rollout, d_t = terminated or
// truncated (the registered time limit) at step t:
//   reward-to-go (REINFORCE)   G_t = Σ_{k=t}^{T−1} γ^{k−t} r_k   over a whole episode
//   TD error                   δ_t = r_t + γ (1 − term_t) V(s_{t+1}) − V(s_t)
//   GAE(λ) (A2C, PPO)          Â_t = δ_t + γ λ (1 − d_t) Â_{t+1},  R_t = Â_t + V(s_t)
//                              (Schulman et al. 2016); A2C's n-step advantage is λ = 1
//                              (Mnih et al. 2016). After a truncation s_{t+1} is the final
//                              observation, so the time limit is bootstrapped, not treated as
//                              a terminal state (Pardo et al. 2018).
// With Gymnasium's next-step autoreset (env.hpp) the step after an episode's end only resets its
// environment: that row of a rollout is not a transition and is left out of every loss and
// count (a mask), and the chain above is cut by d_t before reaching it.
//
// Losses, as minimised, averaged over the N samples of a (mini)batch, Ψ the advantage (for
// REINFORCE G_t, or G_t − V(s_t) with the baseline; standardised Ψ ← (Ψ − mean)/(std + 1e-8)
// over the batch when normalize_advantage is on):
//   vanilla policy gradient (REINFORCE, A2C; Williams 1992)   L_π = −mean(log π(a|s) Ψ)
//   clipped surrogate (PPO; Schulman et al. 2017)              ρ = exp(log π − log π_old),
//                        L_π = −mean(min(ρ Ψ, clip(ρ, 1 − ε, 1 + ε) Ψ))
//   value loss           L_V = ½ mean((V − R)²), or with clip_range_vf = c > 0
//                        L_V = ½ mean(max((V − R)², (V_old + clip(V − V_old, −c, c) − R)²))
//   total                L = L_π + c_V L_V − c_H mean(H)
// Diagnostics: approx_kl = mean((ρ − 1) − log ρ) (an unbiased, non-negative estimator of
// KL(π_old ‖ π); Schulman 2020), clip_fraction = mean([|ρ − 1| > ε]), explained variance
// 1 − Var(R − V)/Var(R) of the rollout's values.
//
// Optimisation: one flat parameter buffer [actor | log σ (Box) | critic] and one
// core::Optimizer<T> (Adam by default, or SGD), clipping the gradient by its global norm
// (OptimizerOptions::clip_grad_norm, PyTorch's clip_grad_norm_) and optionally annealing the
// learning rate linearly to 0 over the run (core::Schedule::linear). PPO runs n_epochs passes
// over each rollout, each over num_minibatches minibatches of a fresh shuffle of the rollout's
// transitions (Fisher-Yates with the run's Generator); it stops an update's epochs early when
// target_kl > 0 and a minibatch's approx_kl exceeds 1.5·target_kl (as Stable-Baselines3).
//
// Observation normalisation (optional): running mean and variance of the raw observations
// (Chan et al.'s parallel update, per vector step, starting from mean 0, variance 1, count 1e-4),
// o ← clip((o − μ)/√(σ² + 1e-8), −c, c). The statistics are saved with the policy.
//
// Determinism: the run is a function of the config's seed. Environments are seeded with
// seed, seed+1, ... (VecEnv::reset); the networks' initial parameters, action sampling and
// minibatch shuffles draw from streams derived from SeedSequence(seed). Gradients are computed
// over fixed shards of kShard samples (each shard's gradient written to its own buffer, then summed
// in shard order), so the result has the same bits on any number of threads.
//
// References: Williams, "Simple statistical gradient-following algorithms for connectionist
// reinforcement learning" (1992); Mnih et al., "Asynchronous methods for deep reinforcement
// learning" (2016); Schulman et al., "High-dimensional continuous control using generalized
// advantage estimation" (2016) and "Proximal policy optimization algorithms" (2017); Huang et
// al., "The 37 implementation details of proximal policy optimization" (ICLR blog track, 2022);
// Pardo et al., "Time limits in reinforcement learning" (2018).

#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adamant/core/mlp.hpp"
#include "adamant/core/optimizer.hpp"
#include "adamant/core/rules.hpp"
#include "adamant/datasets/schema.hpp"
#include "adamant/rl/env.hpp"
#include "adamant/rl/random.hpp"

namespace adamant::rl {

enum class Algo { kReinforce, kA2C, kPPO };
/// "reinforce", "a2c", "ppo".
const char* to_string(Algo a);
/// Inverse of to_string (case-insensitive); throws std::invalid_argument listing the names.
Algo parse_algo(const std::string& name);

/// Everything a training run depends on. Defaults are generic PPO values (default_config gives
/// tuned values for each environment and algorithm).
struct AgentConfig {
  // ---- the task ----
  std::string env_id = "CartPole-v1";
  Algo algo = Algo::kPPO;
  std::uint64_t seed = 0;
  /// Budget of environment transitions (each vector step adds num_envs, reset-only rows aside).
  std::int64_t total_steps = 100000;
  /// Environments stepped together (VecEnv). REINFORCE: episodes per update.
  int num_envs = 8;
  /// Threads for environments and gradient shards (0: all hardware threads). Results do not
  /// depend on it.
  int num_threads = 1;
  /// "float32" or "float64": the precision of the networks and optimizer.
  std::string precision = "float32";

  // ---- networks ----
  std::vector<int> actor_hidden = {64, 64};
  std::vector<int> critic_hidden = {64, 64};
  core::Activation activation = core::Activation::kTanh;
  /// The actor's output layer weights are scaled by this after initialisation (biases zeroed),
  /// so the initial policy is close to uniform / zero-mean (Huang et al. 2022, detail 2).
  double actor_output_scale = 0.01;
  /// Initial log σ of the Gaussian policy (Box action spaces).
  double init_log_std = 0.0;
  bool normalize_obs = false;
  double obs_clip = 10.0;
  /// Scale rewards by the running standard deviation of the discounted return, clipped to
  /// ±reward_clip (Stable-Baselines3's VecNormalize norm_reward; A2C and PPO). The learning curve
  /// keeps the environment's own rewards.
  bool normalize_reward = false;
  double reward_clip = 10.0;

  // ---- optimizer ----
  /// Any rule of the core's table with its options (core/rules.hpp); its lr is the initial
  /// learning rate. Default: Adam at lr 1e-3 with ε = 1e-5 (Stable-Baselines3's PPO).
  core::RuleOptions rule = default_rule();
  static core::RuleOptions default_rule();
  double lr() const { return core::get_field(rule, "lr"); }
  void set_lr(double lr) { core::set_field(rule, "lr", lr); }
  /// Clip the gradient's global norm to this (0: no clipping).
  double max_grad_norm = 0.5;
  /// Anneal the learning rate linearly to 0 over the run's optimizer steps (A2C, PPO).
  bool anneal_lr = true;

  // ---- returns and advantages ----
  double gamma = 0.99;
  double gae_lambda = 0.95;
  /// Steps per environment per rollout (A2C, PPO).
  int n_steps = 128;
  bool normalize_advantage = true;

  // ---- losses ----
  double ent_coef = 0.0;
  double vf_coef = 0.5;
  /// REINFORCE: subtract a learned value baseline V(s_t) from the reward-to-go.
  bool baseline = true;

  // ---- PPO ----
  int n_epochs = 10;
  int num_minibatches = 4;
  double clip_range = 0.2;
  /// > 0: clip the value update around the rollout's values (0: off).
  double clip_range_vf = 0.0;
  /// > 0: stop an update's epochs once a minibatch's approx_kl > 1.5 · target_kl (0: off).
  double target_kl = 0.0;

  // ---- Stable-Baselines3-style schedules and user environments (the Python API) ----
  /// A schedule f(progress_remaining) -> value, Stable-Baselines3's convention:
  /// progress_remaining = 1 − (transitions so far in this budget) / (the budget), evaluated once
  /// per update after its rollout was collected (so it is < 1 at the first update).
  using ProgressSchedule = std::function<double(double)>;
  /// When set, each update's learning rate (anneal_lr must be false). Must return a finite
  /// value >= 0.
  ProgressSchedule lr_schedule;
  /// PPO: when set, each update's clip range (in (0, 1)); clip_range is then unused.
  ProgressSchedule clip_range_schedule;
  /// When set, makes the run's environments instead of VecEnv(env_id, num_envs): a user's own
  /// (VecEnv::from_envs, or the Python binding's gymnasium envs). num_envs is then taken from
  /// what it returns, and env_id only names the environment in files.
  std::function<VecEnv()> make_env;

  /// "" when valid, else every problem found ("; "-separated), each naming the field.
  std::string validate() const;
  /// The config as attributes (for files) and as one line of text.
  std::map<std::string, datasets::AttrValue> attributes() const;
  std::string describe() const;
};

/// The tuned defaults for an environment and algorithm ("CartPole-v1", "Acrobot-v1", ...; other
/// registered ids get generic values; "" gives the algorithm's defaults without any
/// environment's tuning, for a user's own environment). Throws std::invalid_argument for an
/// unknown id.
AgentConfig default_config(const std::string& env_id, Algo algo = Algo::kPPO);

/// A trained policy: what evaluation needs, plus the critic for reference.
struct Policy {
  std::string env_id;
  Algo algo = Algo::kPPO;
  int obs_dim = 0;
  Space action_space;
  core::MlpSpec actor;  ///< obs_dim → K logits or D means
  Eigen::VectorXd actor_params;
  Eigen::VectorXd log_std;  ///< Box: D entries; Discrete: empty
  core::MlpSpec critic;     ///< obs_dim → 1; layer_sizes empty when there is no critic
  Eigen::VectorXd critic_params;
  bool normalize_obs = false;
  Eigen::VectorXd obs_mean, obs_var;  ///< obs_dim entries each when normalize_obs
  double obs_clip = 10.0;
  /// The reward normaliser's statistics at the end of training (not used to act; kept so a
  /// run's state is complete in the file).
  bool normalize_reward = false;
  double reward_clip = 10.0;
  double return_mean = 0, return_var = 1, return_count = 1e-4;
  /// "" when consistent (sizes, finite values), else what is wrong.
  std::string validate() const;
};

/// Acting with a policy in float64 (evaluation, the CLI). Not thread-safe: one per thread.
class PolicyRunner {
 public:
  /// Throws std::invalid_argument when the policy is invalid.
  PolicyRunner(const Policy& policy, int max_batch);
  /// Actions for n observations (n × obs_dim raw observations, row-major). Discrete: writes
  /// discrete[n]; Box: writes continuous (n × D, clipped to the bounds, as sent to the env).
  /// Greedy: argmax / mean; else sampled from rng (which must then be non-null).
  void act(const float* obs, int n, bool greedy, Generator* rng, std::int64_t* discrete,
           float* continuous);
  const Policy& policy() const { return policy_; }

 private:
  Policy policy_;
  core::Mlp<double> actor_;
  core::Mlp<double>::Workspace ws_;
  core::Mlp<double>::MatrixX x_;
};

struct EvalResult {
  double mean = 0, std = 0;  ///< of the returns (population std, numpy's default)
  std::vector<double> returns;
  std::vector<int> lengths;
};

/// Runs `episodes` episodes of env_id, episode i reset with seed + i (a VecEnv of `episodes`
/// environments; each counts its first episode only). Greedy: deterministic actions; else
/// sampled from Generator(seed). Throws std::invalid_argument when the policy does not fit the
/// environment's spaces or episodes < 1.
EvalResult evaluate(const Policy& policy, const std::string& env_id, int episodes = 100,
                    std::uint64_t seed = 0, bool greedy = true, int num_threads = 1);

/// Evaluation seeds used by train's caller (the CLI) so that evaluation episodes never reuse a
/// training seed: seed + kEvalSeedOffset.
inline constexpr std::uint64_t kEvalSeedOffset = 1000000;

/// One finished training episode.
struct EpisodeRecord {
  std::int64_t env_steps = 0;  ///< transitions so far, this episode's included
  double ret = 0;
  int length = 0;
  double wall_time = 0;  ///< seconds since the start of training
};

/// One update (one rollout's worth of optimisation).
struct UpdateRecord {
  std::int64_t env_steps = 0;
  double policy_loss = 0, value_loss = 0, entropy = 0, approx_kl = 0, clip_fraction = 0;
  double grad_norm = 0;  ///< mean over the update's optimizer steps, before clipping
  double lr = 0;         ///< learning rate of the update's last optimizer step
  double explained_variance = 0;
  int epochs = 0;  ///< epochs run (PPO; target_kl may stop early); 1 otherwise
  double steps_per_second = 0;
  double wall_time = 0;
};

/// What train() reports after each update.
struct Progress {
  std::int64_t env_steps = 0, total_steps = 0, episodes = 0, updates = 0;
  double mean_return_last20 = 0;  ///< NaN before the first episode ends
  double steps_per_second = 0;    ///< over the whole run so far
  double elapsed = 0;             ///< seconds
};
using ProgressCallback = std::function<void(const Progress&)>;

struct TrainResult {
  AgentConfig config;
  Policy policy;
  std::vector<EpisodeRecord> episodes;
  std::vector<UpdateRecord> updates;
  std::int64_t env_steps = 0;
  double wall_seconds = 0;
  /// Columns env_steps, return, length, wall_time (one row per episode).
  datasets::Table episode_table() const;
  /// Columns env_steps, policy_loss, value_loss, entropy, approx_kl, clip_fraction, grad_norm,
  /// lr, explained_variance, epochs, steps_per_second, wall_time (one row per update).
  datasets::Table update_table() const;
  /// Mean return of the last n episodes (NaN when there are none).
  double mean_last_returns(int n = 20) const;
  /// A few lines: algorithm, steps, episodes, final returns, time.
  std::string summary() const;
};

/// Trains an agent. Throws std::invalid_argument with validate()'s message for a bad config.
TrainResult train(const AgentConfig& config, const ProgressCallback& progress = {});

/// Population training: one independent run per config (N seeds, or N hyper-parameter
/// settings), up to num_threads runs at a time in this process (0: all hardware threads), each
/// on one thread. Run i equals train(configs[i]) bit for bit whatever the thread count (the runs
/// share nothing; each config's own num_threads is replaced by 1). progress(i, p) is called after
/// every update of run i, one call at a time. The first exception of any run is rethrown after
/// the others finish.
using PopulationProgress = std::function<void(std::size_t run, const Progress&)>;
std::vector<TrainResult> train_population(const std::vector<AgentConfig>& configs,
                                          int num_threads = 0,
                                          const PopulationProgress& progress = {});

/// A training run advanced one update at a time (the Python API's learn(), callbacks that stop
/// early): train(c) is `Agent a(c); while (a.update()) {}` then a.result(), bit for bit.
class Agent {
 public:
  /// Throws std::invalid_argument with validate()'s message for a bad config.
  explicit Agent(const AgentConfig& config);
  ~Agent();
  Agent(Agent&&) noexcept;
  Agent& operator=(Agent&&) noexcept;

  /// One update (a rollout and its optimisation); false, doing nothing, once the budget is spent.
  bool update();
  /// Adds `steps` transitions to the budget and starts a new plan for it: anneal_lr decays
  /// linearly from the configured lr to 0 again over the new updates, and progress_remaining runs
  /// from 1 to 0 over them (Stable-Baselines3's learn() with reset_num_timesteps=False keeps the
  /// counters; so does this). Parameters, optimizer state, environments and counters continue.
  void extend(std::int64_t steps);
  Progress progress() const;
  /// The last update's record; throws std::logic_error before the first update.
  const UpdateRecord& last_update() const;
  /// The current policy (at any point of the run).
  Policy policy() const;
  /// Everything so far, as train() returns it.
  TrainResult result() const;
  const AgentConfig& config() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Writes a policy (schema `model`: /model is the actor MLP as ModelParameters, kind "mlp", with
/// the policy's attributes; /policy holds log_std, the action bounds and the observation
/// statistics; /critic the critic MLP), and when given the learning curve (table
/// /learning_curve), the per-update metrics (/updates) and the config (/config attributes).
/// Atomic (datasets::Writer).
void save_policy(const std::string& path, const Policy& policy, const TrainResult* run = nullptr);
/// Reads what save_policy wrote; throws datasets::DataError naming the file and object on bad
/// input.
Policy load_policy(const std::string& path);

// ---------------------------------------------------------------------------------------------
// The differentiable core, public for tests and for the variance study.

/// Which policy loss.
enum class Objective {
  kVanilla,  ///< −mean(log π Ψ)
  kClipped,  ///< PPO's clipped surrogate
};

struct LossOptions {
  Objective objective = Objective::kClipped;
  double clip_range = 0.2;
  double clip_range_vf = 0.0;
  double vf_coef = 0.5;
  double ent_coef = 0.0;
};

/// A batch of samples for a loss; pointers to `size` rows (row-major), owned by the caller.
/// logp_old, values_old are only read by the clipped objectives.
template <typename T>
struct SampleBatch {
  int size = 0;
  const T* obs = nullptr;                 ///< size × obs_dim (already normalised)
  const std::int64_t* actions = nullptr;  ///< Discrete
  const T* actions_c = nullptr;           ///< Box: size × D, unclipped samples
  const double* advantages = nullptr;     ///< Ψ
  const double* returns = nullptr;        ///< value targets (may be null when vf_coef = 0)
  const double* logp_old = nullptr;
  const double* values_old = nullptr;
};

struct LossStats {
  double loss = 0, policy_loss = 0, value_loss = 0, entropy = 0, approx_kl = 0, clip_fraction = 0;
};

/// Actor (+ log σ) and critic over one flat parameter buffer
/// [actor params | log σ (Box only) | critic params].
template <typename T>
class ActorCritic {
 public:
  using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;
  /// Samples per gradient shard (the unit of threading and of summation order).
  static constexpr int kShard = 64;

  /// critic.layer_sizes may be empty (no critic). Throws std::invalid_argument when a spec does
  /// not fit the spaces.
  ActorCritic(int obs_dim, const Space& action_space, const core::MlpSpec& actor,
              const core::MlpSpec& critic);
  /// Specs from hidden widths: actor obs_dim → hidden → K or D (identity output), critic
  /// obs_dim → hidden → 1 (empty critic_hidden with has_critic = false: no critic).
  static core::MlpSpec actor_spec(int obs_dim, const Space& action_space,
                                  const std::vector<int>& hidden, core::Activation act);
  static core::MlpSpec critic_spec(int obs_dim, const std::vector<int>& hidden,
                                   core::Activation act);

  int obs_dim() const { return obs_dim_; }
  bool discrete() const { return discrete_; }
  /// K (Discrete) or D (Box).
  int action_dim() const { return action_dim_; }
  bool has_critic() const { return critic_ != nullptr; }
  const core::Mlp<T>& actor() const { return *actor_; }
  const core::Mlp<T>& critic() const { return *critic_; }
  Eigen::Index num_parameters() const { return num_params_; }
  Eigen::Index log_std_offset() const { return log_std_offset_; }
  Eigen::Index critic_offset() const { return critic_offset_; }
  Eigen::Index num_actor_parameters() const { return critic_offset_; }  ///< actor + log σ

  /// PyTorch-style initialisation from seed, the actor's last layer scaled by output_scale (its
  /// bias zeroed), log σ = init_log_std.
  void init_parameters(Eigen::Ref<Vector> params, std::uint64_t seed, double output_scale,
                       double init_log_std) const;

  /// Scratch for batches of up to max_batch samples on up to num_threads threads (allocates).
  void reserve(int max_batch, int num_threads);
  int num_threads() const { return threads_; }

  /// Acting on n observations: sampled (rng) or greedy actions, their log π (of the unclipped
  /// sample), and V(s) when values is non-null and there is a critic. Sampling draws, per row
  /// in order: Discrete one random() (inverse CDF), Box D standard normals. Does not allocate
  /// once reserve(n, ·) was called.
  void act(const Vector& params, const T* obs, int n, bool greedy, Generator* rng,
           std::int64_t* actions, T* actions_c, double* logp, double* values);
  /// V(s) of n observations (requires a critic).
  void values(const Vector& params, const T* obs, int n, double* out);
  /// log π(a|s) and the entropy of n samples (actions as in SampleBatch).
  void log_prob(const Vector& params, const T* obs, const std::int64_t* actions, const T* actions_c,
                int n, double* logp, double* entropy);

  /// The loss of the batch (see the header comment) and, when grad is non-null, its exact
  /// gradient (overwritten, num_parameters() entries). Without a critic, vf_coef must be 0.
  /// Does not allocate once reserve(batch.size, ·) was called.
  LossStats loss(const Vector& params, const SampleBatch<T>& batch, const LossOptions& options,
                 Vector* grad);

 private:
  struct Scratch;
  /// Calls f(shard, begin, end, thread) for the fixed shards of n rows, on threads_ threads.
  template <typename F>
  void run_shards(int n, F&& f);

  int obs_dim_ = 0, action_dim_ = 0;
  bool discrete_ = true;
  Eigen::VectorXd low_, high_;
  std::unique_ptr<core::Mlp<T>> actor_, critic_;
  Eigen::Index num_params_ = 0, log_std_offset_ = 0, critic_offset_ = 0;
  int threads_ = 1;
  std::shared_ptr<Scratch> scratch_;
};

extern template class ActorCritic<float>;
extern template class ActorCritic<double>;

}  // namespace adamant::rl
