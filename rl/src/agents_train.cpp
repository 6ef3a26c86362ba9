// The training loop: rollouts over a VecEnv with next-step autoreset, GAE, and the REINFORCE /
// A2C / PPO updates (equations in adamant/rl/agents.hpp).

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "adamant/core/threads.hpp"
#include "agents_internal.hpp"

namespace adamant::rl::agent_detail {

// ---- observation normalisation ----

void ObsNormalizer::init(int dim, bool on, double clip_value) {
  enabled = on;
  clip = clip_value;
  mean = Eigen::VectorXd::Zero(dim);
  var = Eigen::VectorXd::Ones(dim);
  count = 1e-4;
  batch_mean_.setZero(dim);
  batch_var_.setZero(dim);
}

namespace {

/// Chan et al.'s parallel update: running (mean, var) over `count` samples merged with a batch of
/// n samples' mean and population variance (the caller then adds n to count).
void merge_moments(double& mean, double& var, double count, double batch_mean, double batch_var,
                   double n) {
  const double tot = count + n;
  const double delta = batch_mean - mean;
  const double m2 = var * count + batch_var * n + delta * delta * count * n / tot;
  mean += delta * n / tot;
  var = m2 / tot;
}

}  // namespace

void ObsNormalizer::update(const float* obs, int n) {
  if (!enabled || n < 1) return;
  const Eigen::Index dim = mean.size();
  batch_mean_.setZero();
  batch_var_.setZero();
  for (int i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < dim; ++j) batch_mean_[j] += obs[i * dim + j];
  batch_mean_ /= n;
  for (int i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < dim; ++j) {
      const double d = obs[i * dim + j] - batch_mean_[j];
      batch_var_[j] += d * d;
    }
  batch_var_ /= n;
  for (Eigen::Index j = 0; j < dim; ++j)
    merge_moments(mean[j], var[j], count, batch_mean_[j], batch_var_[j], n);
  count += n;
}

void RewardNormalizer::init(int num_envs, bool on, double discount, double clip_value) {
  enabled = on;
  gamma = discount;
  clip = clip_value;
  ret.assign(static_cast<std::size_t>(num_envs), 0.0);
  mean = 0;
  var = 1;
  count = 1e-4;
}

void RewardNormalizer::apply(double* rewards, const std::uint8_t* valid, const std::uint8_t* done,
                             int n) {
  if (!enabled) return;
  double m = 0;
  int k = 0;
  for (int i = 0; i < n; ++i)
    if (valid[i]) {
      ret[static_cast<std::size_t>(i)] = ret[static_cast<std::size_t>(i)] * gamma + rewards[i];
      m += ret[static_cast<std::size_t>(i)];
      ++k;
    }
  if (k > 0) {
    m /= k;
    double v = 0;
    for (int i = 0; i < n; ++i)
      if (valid[i]) {
        const double d = ret[static_cast<std::size_t>(i)] - m;
        v += d * d;
      }
    v /= k;
    merge_moments(mean, var, count, m, v, k);
    count += k;
  }
  const double scale = std::sqrt(var + kEps);
  for (int i = 0; i < n; ++i) {
    if (valid[i]) rewards[i] = std::clamp(rewards[i] / scale, -clip, clip);
    if (done[i]) ret[static_cast<std::size_t>(i)] = 0;
  }
}

std::vector<std::uint64_t> derived_seeds(std::uint64_t seed) {
  // Entropy words {seed_lo, seed_hi, 0x61676e74 ("agnt")}: streams unrelated to the
  // environments' SeedSequence(seed + i).
  std::vector<std::uint32_t> words = {static_cast<std::uint32_t>(seed),
                                      static_cast<std::uint32_t>(seed >> 32), 0x61676e74u};
  return SeedSequence(words).generate_state_u64(3);
}

// ---- optimizer ----

template <typename T>
core::Optimizer<T> make_optimizer(const AgentConfig& c, std::size_t n, bool anneal,
                                  std::int64_t total_steps) {
  core::OptimizerOptions oo;
  oo.clip_grad_norm = c.max_grad_norm;
  oo.num_threads = 1;
  if (anneal)
    oo.schedule = core::Schedule::linear(c.lr(), 1.0, 0.0, std::max<std::int64_t>(1, total_steps));
  return core::Optimizer<T>(c.rule, n, oo);
}

// ---- REINFORCE episodes ----

template <typename T>
void EpisodeBatch<T>::init(int E, int O, int D, int cap) {
  num_envs = E;
  obs_dim = O;
  act_dim = D;
  capacity = cap;
  const std::size_t rows = static_cast<std::size_t>(cap) * E;
  obs.assign(rows * O, T(0));
  actions.assign(rows, 0);
  actions_c.assign(rows * D, T(0));
  send.assign(static_cast<std::size_t>(E) * D, 0.f);
  for (auto* v : {&logp, &values, &rewards, &returns, &advantages}) v->assign(rows, 0.0);
  for (auto* v : {&term, &trunc, &valid}) v->assign(rows, 0);
  lengths.assign(E, 0);
  episode_returns.assign(E, 0.0);
  raw.assign(static_cast<std::size_t>(E) * O, 0.f);
  step_rewards.assign(E, 0.0);
  step_term.assign(E, 0);
  step_trunc.assign(E, 0);
  c_obs.assign(rows * O, T(0));
  c_actions_c.assign(rows * D, T(0));
  c_actions.assign(rows, 0);
  c_adv.assign(rows, 0.0);
  c_ret.assign(rows, 0.0);
}

namespace {

/// Standardises x[0..n) in place: (x − mean)/(std + 1e-8), std the unbiased sample deviation.
void standardize(double* x, int n) {
  if (n < 1) return;
  double mean = 0;
  for (int i = 0; i < n; ++i) mean += x[i];
  mean /= n;
  double ss = 0;
  for (int i = 0; i < n; ++i) ss += (x[i] - mean) * (x[i] - mean);
  const double sd = n > 1 ? std::sqrt(ss / (n - 1)) : 0.0;
  for (int i = 0; i < n; ++i) x[i] = (x[i] - mean) / (sd + 1e-8);
}

template <typename T>
void clip_actions(const T* a, int n, int D, const std::vector<float>& low,
                  const std::vector<float>& high, float* out) {
  for (int i = 0; i < n; ++i)
    for (int d = 0; d < D; ++d) {
      const float v = static_cast<float>(a[i * D + d]);
      out[i * D + d] = std::min(std::max(v, low[static_cast<std::size_t>(d)]),
                                high[static_cast<std::size_t>(d)]);
    }
}

}  // namespace

template <typename T>
int collect_episodes(VecEnv& vec, ActorCritic<T>& net, const typename ActorCritic<T>::Vector& p,
                     Generator& rng, std::optional<std::uint64_t> seed, ObsNormalizer& norm,
                     bool update_norm, double gamma, bool baseline, bool normalize_advantage,
                     EpisodeBatch<T>& b) {
  const int E = b.num_envs, O = b.obs_dim, D = b.act_dim;
  const Space& as = vec.single_action_space();
  const bool discrete = as.kind == Space::Kind::kDiscrete;
  vec.reset(b.raw.data(), seed);
  if (update_norm) norm.update(b.raw.data(), E);
  std::fill(b.lengths.begin(), b.lengths.end(), 0);
  std::fill(b.episode_returns.begin(), b.episode_returns.end(), 0.0);
  std::fill(b.valid.begin(), b.valid.end(), 0);
  int running = E;
  int t = 0;
  for (; running > 0; ++t) {
    if (t >= b.capacity)
      throw std::logic_error("REINFORCE: an episode of " +
                             vec.single_observation_space().describe() + " ran past " +
                             std::to_string(b.capacity) + " steps");
    const std::size_t row = static_cast<std::size_t>(t) * E;
    T* o = b.obs.data() + row * O;
    norm.apply(b.raw.data(), E, o);
    net.act(p, o, E, false, &rng, b.actions.data() + row, b.actions_c.data() + row * D,
            b.logp.data() + row, baseline ? b.values.data() + row : nullptr);
    if (discrete) {
      vec.step(b.actions.data() + row, b.raw.data(), b.step_rewards.data(), b.step_term.data(),
               b.step_trunc.data());
    } else {
      clip_actions(b.actions_c.data() + row * D, E, D, as.low, as.high, b.send.data());
      vec.step(b.send.data(), b.raw.data(), b.step_rewards.data(), b.step_term.data(),
               b.step_trunc.data());
    }
    if (update_norm) norm.update(b.raw.data(), E);
    for (int i = 0; i < E; ++i) {
      const std::size_t k = row + static_cast<std::size_t>(i);
      const bool active = b.lengths[static_cast<std::size_t>(i)] >= 0;
      b.valid[k] = active ? 1 : 0;
      if (!active) continue;
      b.rewards[k] = b.step_rewards[static_cast<std::size_t>(i)];
      b.term[k] = b.step_term[static_cast<std::size_t>(i)];
      b.trunc[k] = b.step_trunc[static_cast<std::size_t>(i)];
      b.episode_returns[static_cast<std::size_t>(i)] += b.rewards[k];
      b.lengths[static_cast<std::size_t>(i)] += 1;
      if (b.term[k] || b.trunc[k]) {
        // Mark finished with a negative length (restored below).
        b.lengths[static_cast<std::size_t>(i)] = -b.lengths[static_cast<std::size_t>(i)];
        --running;
      }
    }
  }
  b.steps = t;
  for (int& l : b.lengths) l = -l;
  // Rewards-to-go per environment, backwards over its episode.
  int total = 0;
  for (int i = 0; i < E; ++i) {
    double g = 0;
    const int len = b.lengths[static_cast<std::size_t>(i)];
    total += len;
    for (int s = len - 1; s >= 0; --s) {
      const std::size_t k = static_cast<std::size_t>(s) * E + static_cast<std::size_t>(i);
      g = b.rewards[k] + gamma * g;
      b.returns[k] = g;
      b.advantages[k] = baseline ? g - b.values[k] : g;
    }
  }
  // Compact in (t, env) order.
  int n = 0;
  for (int s = 0; s < b.steps; ++s)
    for (int i = 0; i < E; ++i) {
      const std::size_t k = static_cast<std::size_t>(s) * E + static_cast<std::size_t>(i);
      if (!b.valid[k]) continue;
      const std::size_t c = static_cast<std::size_t>(n);
      std::copy_n(b.obs.data() + k * O, O, b.c_obs.data() + c * O);
      if (discrete)
        b.c_actions[c] = b.actions[k];
      else
        std::copy_n(b.actions_c.data() + k * D, D, b.c_actions_c.data() + c * D);
      b.c_adv[c] = b.advantages[k];
      b.c_ret[c] = b.returns[k];
      ++n;
    }
  b.samples = n;
  if (normalize_advantage) standardize(b.c_adv.data(), n);
  return total;
}

template <typename T>
SampleBatch<T> sample_batch(const EpisodeBatch<T>& b) {
  SampleBatch<T> s;
  s.size = b.samples;
  s.obs = b.c_obs.data();
  s.actions = b.c_actions.data();
  s.actions_c = b.c_actions_c.data();
  s.advantages = b.c_adv.data();
  s.returns = b.c_ret.data();
  return s;
}

// ---- export ----

template <typename T>
Policy export_policy(const AgentConfig& c, const ActorCritic<T>& net,
                     const typename ActorCritic<T>::Vector& params, const ObsNormalizer& norm,
                     const RewardNormalizer& reward_norm, const Space& action_space) {
  Policy p;
  p.env_id = c.env_id;
  p.algo = c.algo;
  p.obs_dim = net.obs_dim();
  p.action_space = action_space;
  p.actor = net.actor().spec();
  const Eigen::Index na = net.actor().num_parameters();
  p.actor_params = params.segment(0, na).template cast<double>();
  if (!net.discrete()) p.log_std = params.segment(na, net.action_dim()).template cast<double>();
  if (net.has_critic()) {
    p.critic = net.critic().spec();
    p.critic_params =
        params.segment(net.critic_offset(), net.critic().num_parameters()).template cast<double>();
  }
  p.normalize_obs = norm.enabled;
  p.obs_clip = norm.clip;
  if (norm.enabled) {
    p.obs_mean = norm.mean;
    p.obs_var = norm.var;
  }
  p.normalize_reward = reward_norm.enabled;
  p.reward_clip = reward_norm.clip;
  if (reward_norm.enabled) {
    p.return_mean = reward_norm.mean;
    p.return_var = reward_norm.var;
    p.return_count = reward_norm.count;
  }
  return p;
}

// ---- the trainer ----

namespace {

template <typename T>
ActorCritic<T> make_net(const AgentConfig& c, const VecEnv& vec) {
  const Space& as = vec.single_action_space();
  const bool critic = c.algo != Algo::kReinforce || c.baseline;
  return ActorCritic<T>(
      vec.obs_dim(), as,
      ActorCritic<T>::actor_spec(vec.obs_dim(), as, c.actor_hidden, c.activation),
      critic ? ActorCritic<T>::critic_spec(vec.obs_dim(), c.critic_hidden, c.activation)
             : core::MlpSpec{});
}

std::int64_t planned_updates(const AgentConfig& c) {
  const std::int64_t per = static_cast<std::int64_t>(c.num_envs) * c.n_steps;
  return (c.total_steps + per - 1) / per;
}

/// Optimizer steps of one update as planned (PPO's target_kl may stop an update early).
std::int64_t optimizer_steps_per_update(const AgentConfig& c) {
  return c.algo == Algo::kPPO ? std::int64_t{c.n_epochs} * c.num_minibatches : 1;
}

std::int64_t planned_optimizer_steps(const AgentConfig& c) {
  if (c.algo == Algo::kReinforce) return 1;
  return planned_updates(c) * optimizer_steps_per_update(c);
}

void check_config(const AgentConfig& c) {
  const std::string why = c.validate();
  if (!why.empty()) throw std::invalid_argument("AgentConfig: " + why);
}

}  // namespace

template <typename T>
Trainer<T>::Trainer(const AgentConfig& config)
    : cfg_((check_config(config), config)),
      vec_(make_vec(cfg_)),
      net_(make_net<T>(cfg_, vec_)),
      opt_(make_optimizer<T>(cfg_, static_cast<std::size_t>(net_.num_parameters()), false, 1)),
      clip_range_(cfg_.clip_range),
      rng_(derived_seeds(cfg_.seed)[1]) {
  start_ = std::chrono::steady_clock::now();
  if (cfg_.anneal_lr && cfg_.algo != Algo::kReinforce)
    anneal_ = core::Schedule::linear(cfg_.lr(), 1.0, 0.0,
                                     std::max<std::int64_t>(1, planned_optimizer_steps(cfg_)));
  E_ = vec_.num_envs();
  O_ = vec_.obs_dim();
  const Space& as = vec_.single_action_space();
  discrete_ = as.kind == Space::Kind::kDiscrete;
  D_ = discrete_ ? 0 : as.size();
  low_ = as.low;
  high_ = as.high;
  const int threads = core::resolve_threads(cfg_.num_threads);
  params_ = Vector::Zero(net_.num_parameters());
  grad_ = Vector::Zero(net_.num_parameters());
  net_.init_parameters(params_, derived_seeds(cfg_.seed)[0], cfg_.actor_output_scale,
                       cfg_.init_log_std);
  norm_.init(O_, cfg_.normalize_obs, cfg_.obs_clip);
  reward_norm_.init(E_, cfg_.normalize_reward, cfg_.gamma, cfg_.reward_clip);
  step_done_.assign(static_cast<std::size_t>(E_), 0);
  const std::size_t E = static_cast<std::size_t>(E_), O = static_cast<std::size_t>(O_),
                    D = static_cast<std::size_t>(D_);
  raw_.assign(E * O, 0.f);
  cur_.assign(E * O, T(0));
  send_.assign(E * D, 0.f);
  step_rewards_.assign(E, 0.0);
  step_term_.assign(E, 0);
  step_trunc_.assign(E, 0);
  reset_pending_.assign(E, 0);
  ep_return_.assign(E, 0.0);
  ep_length_.assign(E, 0);
  if (cfg_.algo == Algo::kReinforce) {
    const int cap = vec_.max_episode_steps();
    if (cap < 1)
      throw std::invalid_argument("REINFORCE needs an environment with a time limit; " +
                                  cfg_.env_id + " has none");
    episodes_.init(E_, O_, D_, cap + 1);
    net_.reserve(E_ * (cap + 1), threads);
    return;
  }
  n_steps_ = cfg_.n_steps;
  const std::size_t rows = static_cast<std::size_t>(n_steps_) * E;
  obs_.assign(rows * O, T(0));
  actions_.assign(rows, 0);
  actions_c_.assign(rows * D, T(0));
  for (auto* v : {&logp_, &values_, &rewards_, &adv_, &ret_}) v->assign(rows, 0.0);
  last_values_.assign(E, 0.0);
  for (auto* v : {&term_, &trunc_, &valid_}) v->assign(rows, 0);
  idx_.reserve(rows);
  mb_obs_.assign(rows * O, T(0));
  mb_actions_c_.assign(rows * D, T(0));
  mb_actions_.assign(rows, 0);
  for (auto* v : {&mb_adv_, &mb_ret_, &mb_logp_, &mb_values_}) v->assign(rows, 0.0);
  net_.reserve(static_cast<int>(rows), threads);
  // The first observation (environments seeded with seed, seed + 1, ...).
  vec_.reset(raw_.data(), cfg_.seed);
  norm_.update(raw_.data(), E_);
  norm_.apply(raw_.data(), E_, cur_.data());
}

template <typename T>
VecEnv Trainer<T>::make_vec(AgentConfig& c) {
  if (!c.make_env) return VecEnv(c.env_id, c.num_envs, core::resolve_threads(c.num_threads));
  VecEnv v = c.make_env();
  if (v.autoreset_mode() != AutoresetMode::kNextStep)
    throw std::invalid_argument(std::string("training needs next-step autoreset; the environments "
                                            "use ") +
                                to_string(v.autoreset_mode()));
  c.num_envs = v.num_envs();
  const std::string why = c.validate();  // num_minibatches against the rollout, ...
  if (!why.empty()) throw std::invalid_argument("AgentConfig: " + why);
  return v;
}

template <typename T>
void Trainer<T>::apply_schedules() {
  const double budget = static_cast<double>(cfg_.total_steps - budget_start_);
  double remaining = 1.0 - static_cast<double>(env_steps_ - budget_start_) / budget;
  remaining = std::min(1.0, std::max(0.0, remaining));
  if (cfg_.lr_schedule) {
    const double lr = cfg_.lr_schedule(remaining);
    if (!std::isfinite(lr) || lr < 0)
      throw std::invalid_argument("lr_schedule(" + std::to_string(remaining) + ") returned " +
                                  std::to_string(lr) + "; a learning rate must be finite and >= 0");
    opt_.set_lr(lr);
  }
  if (cfg_.clip_range_schedule) {
    const double c = cfg_.clip_range_schedule(remaining);
    if (!(c > 0 && c < 1))
      throw std::invalid_argument("clip_range_schedule(" + std::to_string(remaining) +
                                  ") returned " + std::to_string(c) +
                                  "; a clip range must be in (0, 1)");
    clip_range_ = c;
  }
}

template <typename T>
void Trainer<T>::extend(std::int64_t steps) {
  if (steps < 1)
    throw std::invalid_argument("Agent::extend: steps must be >= 1, got " + std::to_string(steps));
  const std::int64_t done_updates = num_updates();
  // The budget continues from where the run is (the last rollout may have gone past it).
  cfg_.total_steps = std::max(cfg_.total_steps, env_steps_) + steps;
  budget_start_ = env_steps_;
  if (anneal_) {
    const std::int64_t new_updates =
        std::max<std::int64_t>(1, planned_updates(cfg_) - done_updates);
    anneal_ =
        core::Schedule::linear(cfg_.lr(), 1.0, 0.0, new_updates * optimizer_steps_per_update(cfg_));
    anneal_offset_ = opt_.state().step;
  }
}

template <typename T>
double Trainer<T>::elapsed() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

template <typename T>
void Trainer<T>::record_episode(int env) {
  EpisodeRecord r;
  r.env_steps = env_steps_;
  r.ret = ep_return_[static_cast<std::size_t>(env)];
  r.length = ep_length_[static_cast<std::size_t>(env)];
  r.wall_time = elapsed();
  episodes_done_.push_back(r);
  ep_return_[static_cast<std::size_t>(env)] = 0;
  ep_length_[static_cast<std::size_t>(env)] = 0;
}

template <typename T>
void Trainer<T>::collect_rollout() {
  const std::size_t E = static_cast<std::size_t>(E_), O = static_cast<std::size_t>(O_),
                    D = static_cast<std::size_t>(D_);
  for (int t = 0; t < n_steps_; ++t) {
    const std::size_t row = static_cast<std::size_t>(t) * E;
    T* o = obs_.data() + row * O;
    std::copy(cur_.begin(), cur_.end(), o);
    net_.act(params_, o, E_, false, &rng_, actions_.data() + row, actions_c_.data() + row * D,
             logp_.data() + row, values_.data() + row);
    if (discrete_) {
      vec_.step(actions_.data() + row, raw_.data(), step_rewards_.data(), step_term_.data(),
                step_trunc_.data());
    } else {
      clip_actions(actions_c_.data() + row * D, E_, D_, low_, high_, send_.data());
      vec_.step(send_.data(), raw_.data(), step_rewards_.data(), step_term_.data(),
                step_trunc_.data());
    }
    for (std::size_t i = 0; i < E; ++i) {
      const std::size_t k = row + i;
      valid_[k] = reset_pending_[i] ? 0 : 1;
      rewards_[k] = step_rewards_[i];
      term_[k] = step_term_[i];
      trunc_[k] = step_trunc_[i];
      if (!valid_[k]) {  // the autoreset step: not a transition
        reset_pending_[i] = 0;
        continue;
      }
      ++env_steps_;
      ep_return_[i] += rewards_[k];  // the environment's reward (before any normalisation)
      ep_length_[i] += 1;
      if (term_[k] || trunc_[k]) {
        reset_pending_[i] = 1;
        record_episode(static_cast<int>(i));
      }
    }
    if (reward_norm_.enabled) {
      for (std::size_t i = 0; i < E; ++i) step_done_[i] = term_[row + i] | trunc_[row + i];
      reward_norm_.apply(rewards_.data() + row, valid_.data() + row, step_done_.data(), E_);
    }
    norm_.update(raw_.data(), E_);
    norm_.apply(raw_.data(), E_, cur_.data());
  }
  net_.values(params_, cur_.data(), E_, last_values_.data());
}

template <typename T>
void Trainer<T>::compute_advantages() {
  const std::size_t E = static_cast<std::size_t>(E_);
  const double g = cfg_.gamma, lam = cfg_.gae_lambda;
  for (std::size_t i = 0; i < E; ++i) {
    double next_adv = 0;
    for (int t = n_steps_ - 1; t >= 0; --t) {
      const std::size_t k = static_cast<std::size_t>(t) * E + i;
      if (!valid_[k]) {
        adv_[k] = ret_[k] = 0;
        next_adv = 0;
        continue;
      }
      const double next_v = t == n_steps_ - 1 ? last_values_[i] : values_[k + E];
      const bool done = term_[k] || trunc_[k];
      const double delta = rewards_[k] + g * (term_[k] ? 0.0 : next_v) - values_[k];
      const double a = delta + g * lam * (done ? 0.0 : next_adv);
      adv_[k] = a;
      ret_[k] = a + values_[k];
      next_adv = a;
    }
  }
}

template <typename T>
double Trainer<T>::optimizer_step(double* lr) {
  if (anneal_) opt_.set_lr((*anneal_)(opt_.state().step - anneal_offset_));
  const core::StepResult r = opt_.step(params_, grad_);
  *lr = r.lr;
  if (r.grad_norm >= 0) return r.grad_norm;
  return core::global_norm(grad_.data(), static_cast<std::size_t>(grad_.size()));
}

namespace {

double explained_variance(const std::vector<double>& values, const std::vector<double>& returns,
                          const std::vector<std::uint8_t>& valid) {
  double n = 0, mr = 0, md = 0;
  for (std::size_t k = 0; k < values.size(); ++k)
    if (valid[k]) {
      n += 1;
      mr += returns[k];
      md += returns[k] - values[k];
    }
  if (n < 2) return std::numeric_limits<double>::quiet_NaN();
  mr /= n;
  md /= n;
  double vr = 0, vd = 0;
  for (std::size_t k = 0; k < values.size(); ++k)
    if (valid[k]) {
      vr += (returns[k] - mr) * (returns[k] - mr);
      const double d = returns[k] - values[k] - md;
      vd += d * d;
    }
  return vr > 0 ? 1.0 - vd / vr : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

template <typename T>
void Trainer<T>::update_ppo(UpdateRecord& rec) {
  const std::size_t O = static_cast<std::size_t>(O_), D = static_cast<std::size_t>(D_);
  idx_.clear();
  for (std::size_t k = 0; k < valid_.size(); ++k)
    if (valid_[k]) idx_.push_back(static_cast<int>(k));
  const int n = static_cast<int>(idx_.size());
  if (n == 0) return;
  const int M = std::min(cfg_.num_minibatches, n);
  LossOptions lo;
  lo.objective = Objective::kClipped;
  lo.clip_range = clip_range_;
  lo.clip_range_vf = cfg_.clip_range_vf;
  lo.vf_coef = cfg_.vf_coef;
  lo.ent_coef = cfg_.ent_coef;
  int steps = 0;
  bool stop = false;
  int epoch = 0;
  for (; epoch < cfg_.n_epochs && !stop; ++epoch) {
    for (int j = n - 1; j > 0; --j) {  // Fisher-Yates
      const std::int64_t r = rng_.integers(0, j + 1);
      std::swap(idx_[static_cast<std::size_t>(j)], idx_[static_cast<std::size_t>(r)]);
    }
    for (int mb = 0; mb < M; ++mb) {
      const int b = static_cast<int>(static_cast<std::int64_t>(n) * mb / M);
      const int e = static_cast<int>(static_cast<std::int64_t>(n) * (mb + 1) / M);
      const int m = e - b;
      for (int r = 0; r < m; ++r) {
        const std::size_t k = static_cast<std::size_t>(idx_[static_cast<std::size_t>(b + r)]);
        const std::size_t c = static_cast<std::size_t>(r);
        std::copy_n(obs_.data() + k * O, O, mb_obs_.data() + c * O);
        if (discrete_)
          mb_actions_[c] = actions_[k];
        else
          std::copy_n(actions_c_.data() + k * D, D, mb_actions_c_.data() + c * D);
        mb_adv_[c] = adv_[k];
        mb_ret_[c] = ret_[k];
        mb_logp_[c] = logp_[k];
        mb_values_[c] = values_[k];
      }
      if (cfg_.normalize_advantage) standardize(mb_adv_.data(), m);
      SampleBatch<T> sb;
      sb.size = m;
      sb.obs = mb_obs_.data();
      sb.actions = mb_actions_.data();
      sb.actions_c = mb_actions_c_.data();
      sb.advantages = mb_adv_.data();
      sb.returns = mb_ret_.data();
      sb.logp_old = mb_logp_.data();
      sb.values_old = mb_values_.data();
      const LossStats st = net_.loss(params_, sb, lo, &grad_);
      rec.grad_norm += optimizer_step(&rec.lr);
      rec.policy_loss += st.policy_loss;
      rec.value_loss += st.value_loss;
      rec.entropy += st.entropy;
      rec.approx_kl += st.approx_kl;
      rec.clip_fraction += st.clip_fraction;
      ++steps;
      if (cfg_.target_kl > 0 && st.approx_kl > 1.5 * cfg_.target_kl) {
        stop = true;
        break;
      }
    }
  }
  rec.epochs = epoch;
  const double inv = 1.0 / steps;
  rec.grad_norm *= inv;
  rec.policy_loss *= inv;
  rec.value_loss *= inv;
  rec.entropy *= inv;
  rec.approx_kl *= inv;
  rec.clip_fraction *= inv;
}

template <typename T>
void Trainer<T>::update_a2c(UpdateRecord& rec) {
  const std::size_t O = static_cast<std::size_t>(O_), D = static_cast<std::size_t>(D_);
  int m = 0;
  for (std::size_t k = 0; k < valid_.size(); ++k) {
    if (!valid_[k]) continue;
    const std::size_t c = static_cast<std::size_t>(m++);
    std::copy_n(obs_.data() + k * O, O, mb_obs_.data() + c * O);
    if (discrete_)
      mb_actions_[c] = actions_[k];
    else
      std::copy_n(actions_c_.data() + k * D, D, mb_actions_c_.data() + c * D);
    mb_adv_[c] = adv_[k];
    mb_ret_[c] = ret_[k];
    mb_logp_[c] = logp_[k];
  }
  if (m == 0) return;
  if (cfg_.normalize_advantage) standardize(mb_adv_.data(), m);
  SampleBatch<T> sb;
  sb.size = m;
  sb.obs = mb_obs_.data();
  sb.actions = mb_actions_.data();
  sb.actions_c = mb_actions_c_.data();
  sb.advantages = mb_adv_.data();
  sb.returns = mb_ret_.data();
  sb.logp_old = mb_logp_.data();
  LossOptions lo;
  lo.objective = Objective::kVanilla;
  lo.vf_coef = cfg_.vf_coef;
  lo.ent_coef = cfg_.ent_coef;
  const LossStats st = net_.loss(params_, sb, lo, &grad_);
  rec.grad_norm = optimizer_step(&rec.lr);
  rec.policy_loss = st.policy_loss;
  rec.value_loss = st.value_loss;
  rec.entropy = st.entropy;
  rec.approx_kl = st.approx_kl;
  rec.clip_fraction = st.clip_fraction;
  rec.epochs = 1;
}

template <typename T>
void Trainer<T>::update_reinforce(UpdateRecord& rec) {
  std::optional<std::uint64_t> seed;
  if (!first_reset_done_) seed = cfg_.seed;
  first_reset_done_ = true;
  const int steps = collect_episodes(vec_, net_, params_, rng_, seed, norm_, true, cfg_.gamma,
                                     cfg_.baseline, cfg_.normalize_advantage, episodes_);
  // Episodes, in environment order, each stamped with the transitions counted so far.
  for (int i = 0; i < E_; ++i) {
    env_steps_ += episodes_.lengths[static_cast<std::size_t>(i)];
    EpisodeRecord r;
    r.env_steps = env_steps_;
    r.ret = episodes_.episode_returns[static_cast<std::size_t>(i)];
    r.length = episodes_.lengths[static_cast<std::size_t>(i)];
    r.wall_time = elapsed();
    episodes_done_.push_back(r);
  }
  (void)steps;
  apply_schedules();
  LossOptions lo;
  lo.objective = Objective::kVanilla;
  lo.vf_coef = cfg_.baseline ? cfg_.vf_coef : 0.0;
  lo.ent_coef = cfg_.ent_coef;
  const SampleBatch<T> sb = sample_batch(episodes_);
  const LossStats st = net_.loss(params_, sb, lo, &grad_);
  rec.grad_norm = optimizer_step(&rec.lr);
  rec.policy_loss = st.policy_loss;
  rec.value_loss = st.value_loss;
  rec.entropy = st.entropy;
  rec.epochs = 1;
  if (cfg_.baseline) {
    // Explained variance of the baseline over the batch's valid rows.
    rec.explained_variance =
        explained_variance(episodes_.values, episodes_.returns, episodes_.valid);
  } else {
    rec.explained_variance = std::numeric_limits<double>::quiet_NaN();
  }
}

template <typename T>
bool Trainer<T>::update() {
  if (cfg_.algo == Algo::kReinforce) {
    if (env_steps_ >= cfg_.total_steps) return false;
  } else if (num_updates() >= planned_updates(cfg_)) {
    return false;
  }
  const double t0 = elapsed();
  const std::int64_t steps0 = env_steps_;
  UpdateRecord rec;
  if (cfg_.algo == Algo::kReinforce) {
    update_reinforce(rec);
  } else {
    collect_rollout();
    apply_schedules();
    compute_advantages();
    rec.explained_variance = explained_variance(values_, ret_, valid_);
    if (cfg_.algo == Algo::kPPO)
      update_ppo(rec);
    else
      update_a2c(rec);
  }
  rec.env_steps = env_steps_;
  rec.wall_time = elapsed();
  const double dt = rec.wall_time - t0;
  rec.steps_per_second = dt > 0 ? static_cast<double>(env_steps_ - steps0) / dt : 0.0;
  updates_.push_back(rec);
  return true;
}

template <typename T>
Progress Trainer<T>::progress() const {
  Progress p;
  p.env_steps = env_steps_;
  p.total_steps = cfg_.total_steps;
  p.episodes = static_cast<std::int64_t>(episodes_done_.size());
  p.updates = num_updates();
  const std::size_t n = std::min<std::size_t>(20, episodes_done_.size());
  if (n == 0) {
    p.mean_return_last20 = std::numeric_limits<double>::quiet_NaN();
  } else {
    double s = 0;
    for (std::size_t k = episodes_done_.size() - n; k < episodes_done_.size(); ++k)
      s += episodes_done_[k].ret;
    p.mean_return_last20 = s / static_cast<double>(n);
  }
  p.elapsed = elapsed();
  p.steps_per_second = p.elapsed > 0 ? static_cast<double>(env_steps_) / p.elapsed : 0.0;
  return p;
}

template <typename T>
Policy Trainer<T>::policy() const {
  return export_policy(cfg_, net_, params_, norm_, reward_norm_, vec_.single_action_space());
}

template <typename T>
TrainResult Trainer<T>::result() const {
  TrainResult r;
  r.config = cfg_;
  r.policy = policy();
  r.episodes = episodes_done_;
  r.updates = updates_;
  r.env_steps = env_steps_;
  r.wall_seconds = elapsed();
  return r;
}

template class Trainer<float>;
template class Trainer<double>;
template int collect_episodes<double>(VecEnv&, ActorCritic<double>&,
                                      const ActorCritic<double>::Vector&, Generator&,
                                      std::optional<std::uint64_t>, ObsNormalizer&, bool, double,
                                      bool, bool, EpisodeBatch<double>&);
template int collect_episodes<float>(VecEnv&, ActorCritic<float>&,
                                     const ActorCritic<float>::Vector&, Generator&,
                                     std::optional<std::uint64_t>, ObsNormalizer&, bool, double,
                                     bool, bool, EpisodeBatch<float>&);
template SampleBatch<double> sample_batch(const EpisodeBatch<double>&);
template SampleBatch<float> sample_batch(const EpisodeBatch<float>&);
template struct EpisodeBatch<double>;
template struct EpisodeBatch<float>;
template core::Optimizer<double> make_optimizer<double>(const AgentConfig&, std::size_t, bool,
                                                        std::int64_t);
template core::Optimizer<float> make_optimizer<float>(const AgentConfig&, std::size_t, bool,
                                                      std::int64_t);

}  // namespace adamant::rl::agent_detail

namespace adamant::rl {

TrainResult train(const AgentConfig& config, const ProgressCallback& progress) {
  const std::string why = config.validate();
  if (!why.empty()) throw std::invalid_argument("AgentConfig: " + why);
  auto run = [&](auto& trainer) {
    while (trainer.update())
      if (progress) progress(trainer.progress());
    return trainer.result();
  };
  if (config.precision == "float64") {
    agent_detail::Trainer<double> t(config);
    return run(t);
  }
  agent_detail::Trainer<float> t(config);
  return run(t);
}

}  // namespace adamant::rl

namespace adamant::rl {

std::vector<TrainResult> train_population(const std::vector<AgentConfig>& configs, int num_threads,
                                          const PopulationProgress& progress) {
  for (std::size_t i = 0; i < configs.size(); ++i) {
    const std::string why = configs[i].validate();
    if (!why.empty())
      throw std::invalid_argument("train_population: run " + std::to_string(i) + ": " + why);
  }
  const int n = static_cast<int>(configs.size());
  std::vector<TrainResult> out(configs.size());
  std::vector<std::exception_ptr> errors(configs.size());
  std::mutex report;
  const int threads = std::max(1, std::min(core::resolve_threads(num_threads), n));
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
  for (int i = 0; i < n; ++i) {
    try {
      AgentConfig c = configs[static_cast<std::size_t>(i)];
      c.num_threads = 1;
      Agent a(c);
      while (a.update()) {
        if (progress) {
          const std::lock_guard<std::mutex> lock(report);
          progress(static_cast<std::size_t>(i), a.progress());
        }
      }
      TrainResult r = a.result();
      r.config.num_threads = configs[static_cast<std::size_t>(i)].num_threads;
      out[static_cast<std::size_t>(i)] = std::move(r);
    } catch (...) {
      errors[static_cast<std::size_t>(i)] = std::current_exception();
    }
  }
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
  return out;
}

struct Agent::Impl {
  std::unique_ptr<agent_detail::Trainer<float>> f;
  std::unique_ptr<agent_detail::Trainer<double>> d;
  template <class F>
  decltype(auto) visit(F&& fn) {
    return f ? fn(*f) : fn(*d);
  }
  template <class F>
  decltype(auto) visit(F&& fn) const {
    return f ? fn(static_cast<const agent_detail::Trainer<float>&>(*f))
             : fn(static_cast<const agent_detail::Trainer<double>&>(*d));
  }
};

Agent::Agent(const AgentConfig& config) : impl_(std::make_unique<Impl>()) {
  const std::string why = config.validate();
  if (!why.empty()) throw std::invalid_argument("AgentConfig: " + why);
  if (config.precision == "float64")
    impl_->d = std::make_unique<agent_detail::Trainer<double>>(config);
  else
    impl_->f = std::make_unique<agent_detail::Trainer<float>>(config);
}
Agent::~Agent() = default;
Agent::Agent(Agent&&) noexcept = default;
Agent& Agent::operator=(Agent&&) noexcept = default;

bool Agent::update() {
  return impl_->visit([](auto& t) { return t.update(); });
}
void Agent::extend(std::int64_t steps) {
  impl_->visit([&](auto& t) { t.extend(steps); });
}
Progress Agent::progress() const {
  return impl_->visit([](const auto& t) { return t.progress(); });
}
const UpdateRecord& Agent::last_update() const {
  const std::vector<UpdateRecord>& u =
      impl_->visit([](const auto& t) -> const std::vector<UpdateRecord>& { return t.updates(); });
  if (u.empty()) throw std::logic_error("Agent::last_update: no update has run yet");
  return u.back();
}
Policy Agent::policy() const {
  return impl_->visit([](const auto& t) { return t.policy(); });
}
TrainResult Agent::result() const {
  return impl_->visit([](const auto& t) { return t.result(); });
}
const AgentConfig& Agent::config() const {
  return impl_->visit([](const auto& t) -> const AgentConfig& { return t.config(); });
}

}  // namespace adamant::rl
