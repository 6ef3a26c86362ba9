// VecEnv: many copies of one classic-control environment, structure of arrays, Gymnasium's
// next-step autoreset (gymnasium.vector.SyncVectorEnv with autoreset_mode NEXT_STEP):
//
//   step(a):  for env i, if its previous step ended the episode (terminated or truncated), reset
//             it (its generator continues, default bounds), return the reset observation,
//             reward 0, terminated = truncated = false, and ignore a_i; otherwise step it as the
//             single environment does (TimeLimit included).
//   reset(seed): env i is reset with seed + i (a Python int: no wrap-around), or continues its
//             generator without a seed.
//
// One kernel per environment type runs over contiguous arrays (no virtual call per env); the
// envs are split into fixed contiguous blocks, one per thread, and every env's numbers depend
// on that env alone, so results are bit-identical for any thread count. The per-env arithmetic
// is classic_control.hpp's, the same functions the single environments call, so VecEnv equals
// N independent Env objects bit for bit. CartPole has a split kernel: a scalar pass for the C
// library calls (sincos, pow) and a vectorised pass for the rest of the step; with
// VecMath::kVector the first pass calls libmvec's vector sine and cosine and squares by x·x.

#include <omp.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "adamant/core/threads.hpp"
#include "adamant/rl/env.hpp"
#include "classic_control.hpp"

namespace adamant::rl {

struct VecEnv::Impl {
  std::unique_ptr<VecEnvBackend> p;
};

namespace {

/// SeedSequence(seed + i) with the sum as an unbounded integer (Gymnasium's seed + i).
SeedSequence seed_plus(std::uint64_t seed, std::uint64_t i) {
  const std::uint64_t lo = seed + i;
  const bool carry = lo < seed;
  std::vector<std::uint32_t> words{static_cast<std::uint32_t>(lo)};
  if ((lo >> 32) != 0 || carry) words.push_back(static_cast<std::uint32_t>(lo >> 32));
  if (carry) words.push_back(1u);
  return SeedSequence(std::move(words));
}

/// Runs body(begin, end) over num_envs split into `threads` fixed contiguous blocks.
template <class F>
void for_blocks(int num_envs, int threads, const F& body) {
  if (threads <= 1 || num_envs < 2) {
    body(0, num_envs);
    return;
  }
  const int blocks = std::min(threads, num_envs);
#pragma omp parallel for schedule(static) num_threads(blocks)
  for (int b = 0; b < blocks; ++b) {
    const int begin = static_cast<int>(static_cast<std::int64_t>(num_envs) * b / blocks);
    const int end = static_cast<int>(static_cast<std::int64_t>(num_envs) * (b + 1) / blocks);
    body(begin, end);
  }
}

template <class P>
class VecImpl final : public VecEnvBackend {
  static constexpr int kS = P::kStateDim;
  static constexpr int kO = P::kObsDim;

 public:
  VecImpl(int n, AutoresetMode mode, VecMath math) : vector_math_(math == VecMath::kVector) {
    id = P::kId;
    if (vector_math_ && !std::is_same_v<P, detail::CartPole>)
      throw std::invalid_argument(std::string("VecEnv(") + P::kId +
                                  "): vector math is implemented for CartPole-v1 only; use the "
                                  "exact mode");
    autoreset_mode = mode;
    if (mode == AutoresetMode::kSameStep) {
      final_obs.assign(static_cast<std::size_t>(n) * kO, 0.f);
      final_mask.assign(n, 0);
    }
    num_envs = n;
    obs_dim = kO;
    max_episode_steps = P::kMaxSteps;
    obs_space = P::observation_space();
    act_space = P::action_space();
    s_.assign(static_cast<std::size_t>(kS) * n, 0.0);
    elapsed_.assign(n, 0);
    autoreset_.assign(n, 0);
    P::reset_bounds(ResetOptions{}, &default_a_, &default_b_);
  }

  void reset(float* obs, std::optional<std::uint64_t> seed) override {
    if (rng_.empty()) {
      rng_.reserve(num_envs);
      for (int i = 0; i < num_envs; ++i) {
        rng_.push_back(seed ? Generator(seed_plus(*seed, i)) : Generator::from_entropy());
      }
    } else if (seed) {
      for_blocks(num_envs, num_threads, [&](int b, int e) {
        for (int i = b; i < e; ++i) rng_[i] = Generator(seed_plus(*seed, i));
      });
    }
    for_blocks(num_envs, num_threads, [&](int b, int e) {
      for (int i = b; i < e; ++i) reset_one(i, obs + static_cast<std::size_t>(i) * kO);
    });
    has_reset_ = true;
  }

  void reset_masked(float* obs, std::optional<std::uint64_t> seed,
                    const std::uint8_t* mask) override {
    if (!has_reset_)
      throw std::logic_error(std::string(P::kId) +
                             " VecEnv: reset with a mask needs a full reset() first");
    for (int i = 0; i < num_envs; ++i) {
      float* row = obs + static_cast<std::size_t>(i) * kO;
      if (mask[i]) {
        if (seed) rng_[i] = Generator(seed_plus(*seed, i));
        reset_one(i, row);
      } else {
        double st[kS];
        for (int k = 0; k < kS; ++k) st[k] = comp(k)[i];
        P::observe(st, row);
      }
    }
  }

  void step_discrete(const std::int64_t* actions, float* obs, double* rewards,
                     std::uint8_t* terminated, std::uint8_t* truncated) override {
    if constexpr (P::kDiscrete) {
      check_reset();
      begin_step();
      // Validate every action that will be used before touching any state.
      bool bad = false;
      for (int i = 0; i < num_envs; ++i) {
        bad |= (autoreset_[i] == 0) & (static_cast<std::uint64_t>(actions[i]) >=
                                       static_cast<std::uint64_t>(P::kNumActions));
      }
      if (bad) {
        for (int i = 0; i < num_envs; ++i) {
          if (!autoreset_[i] && (actions[i] < 0 || actions[i] >= P::kNumActions)) {
            throw std::invalid_argument(std::string(P::kId) + " VecEnv.step: action " +
                                        std::to_string(actions[i]) + " of env " +
                                        std::to_string(i) + " is not in the action space " +
                                        act_space.describe());
          }
        }
      }
      for_blocks(num_envs, num_threads, [&](int b, int e) {
        step_block(b, e, actions, obs, rewards, terminated, truncated);
      });
    } else {
      (void)actions, (void)obs, (void)rewards, (void)terminated, (void)truncated;
      throw std::invalid_argument(std::string(P::kId) + " VecEnv.step: the action space is " +
                                  act_space.describe() + "; pass float actions");
    }
  }

  void step_box(const float* actions, float* obs, double* rewards, std::uint8_t* terminated,
                std::uint8_t* truncated) override {
    if constexpr (!P::kDiscrete) {
      check_reset();
      begin_step();
      for (int i = 0; i < num_envs; ++i) {
        for (int k = 0; k < P::kActDim; ++k) {
          const float a = actions[static_cast<std::size_t>(i) * P::kActDim + k];
          if (!autoreset_[i] && std::isnan(a)) {
            throw std::invalid_argument(std::string(P::kId) + " VecEnv.step: action of env " +
                                        std::to_string(i) + " is NaN (space " +
                                        act_space.describe() + ")");
          }
        }
      }
      for_blocks(num_envs, num_threads, [&](int b, int e) {
        step_block(b, e, actions, obs, rewards, terminated, truncated);
      });
    } else {
      (void)actions, (void)obs, (void)rewards, (void)terminated, (void)truncated;
      throw std::invalid_argument(std::string(P::kId) + " VecEnv.step: the action space is " +
                                  act_space.describe() + "; pass integer actions");
    }
  }

  std::vector<double> states() const override {
    std::vector<double> out(static_cast<std::size_t>(num_envs) * kS);
    for (int i = 0; i < num_envs; ++i)
      for (int k = 0; k < kS; ++k)
        out[static_cast<std::size_t>(i) * kS + k] = s_[static_cast<std::size_t>(k) * num_envs + i];
    return out;
  }

 private:
  void check_reset() const {
    if (!has_reset_) {
      throw std::logic_error(std::string(P::kId) +
                             " VecEnv: Cannot call step() before calling reset()");
    }
  }

  /// kDisabled: no env may be stepped past its episode's end; kSameStep: clears the finals.
  void begin_step() {
    if (autoreset_mode == AutoresetMode::kDisabled) {
      for (int i = 0; i < num_envs; ++i)
        if (autoreset_[i])
          throw std::logic_error(std::string(P::kId) + " VecEnv.step: env " + std::to_string(i) +
                                 " ended its episode and autoreset_mode is disabled; reset it "
                                 "first (reset with a mask)");
    } else if (autoreset_mode == AutoresetMode::kSameStep) {
      std::fill(final_obs.begin(), final_obs.end(), 0.f);
      std::fill(final_mask.begin(), final_mask.end(), std::uint8_t{0});
    }
  }

  /// kSameStep, after env i's step ended its episode: keep the final observation, reset now.
  void finish_same_step(int i, float* obs_row) {
    std::copy(obs_row, obs_row + kO, final_obs.data() + static_cast<std::size_t>(i) * kO);
    final_mask[i] = 1;
    reset_one(i, obs_row);
  }

  double* comp(int k) { return s_.data() + static_cast<std::size_t>(k) * num_envs; }

  void reset_one(int i, float* obs_row) {
    double st[kS];
    P::reset(rng_[i], default_a_, default_b_, st);
    for (int k = 0; k < kS; ++k) comp(k)[i] = st[k];
    P::observe(st, obs_row);
    elapsed_[i] = 0;
    autoreset_[i] = 0;
  }

  /// Generic kernel: one env at a time through P::step.
  template <class A>
  void step_block(int b, int e, const A* actions, float* obs, double* rewards,
                  std::uint8_t* terminated, std::uint8_t* truncated) {
    if constexpr (std::is_same_v<P, detail::CartPole>) {
      cartpole_block(b, e, actions, obs, rewards, terminated, truncated);
    } else {
      for (int i = b; i < e; ++i) {
        float* obs_row = obs + static_cast<std::size_t>(i) * kO;
        if (autoreset_[i]) {
          reset_one(i, obs_row);
          rewards[i] = 0.0;
          terminated[i] = truncated[i] = 0;
          continue;
        }
        double st[kS];
        for (int k = 0; k < kS; ++k) st[k] = comp(k)[i];
        bool term;
        double r;
        if constexpr (P::kDiscrete) {
          term = P::step(st, actions[i]);
          r = P::reward(term);
        } else {
          term = P::step(st, actions + static_cast<std::size_t>(i) * P::kActDim, &r);
        }
        for (int k = 0; k < kS; ++k) comp(k)[i] = st[k];
        P::observe(st, obs_row);
        rewards[i] = r;
        const int el = ++elapsed_[i];
        terminated[i] = term;
        truncated[i] = el >= P::kMaxSteps;
        autoreset_[i] = term | (el >= P::kMaxSteps);
        if (autoreset_[i] && autoreset_mode == AutoresetMode::kSameStep)
          finish_same_step(i, obs_row);
      }
    }
  }

  static constexpr int kChunk = 256;  // CartPole envs per pass (the temporaries stay in L1)

  /// CartPole, VecMath::kExact: sin θ and cos θ from the C library (scalar calls), then θ̇² and
  /// cos²θ as glibc's pow(·, 2) gives them: x·x where that is provably the same, pow itself for
  /// the few others (detail::glibc_pow2, here split in two passes).
  static void exact_trig(const double* __restrict td, const double* __restrict th, int n,
                         double* __restrict sn, double* __restrict cs, double* __restrict tdsq,
                         double* __restrict csq) {
    for (int j = 0; j < n; ++j) detail::sin_cos(th[j], &sn[j], &cs[j]);
    std::uint8_t unsafe[kChunk];
    int any_unsafe = 0;
#pragma omp simd reduction(| : any_unsafe)
    for (int j = 0; j < n; ++j) {
      const bool ok1 = detail::pow2_candidate(td[j], &tdsq[j]);
      const bool ok2 = detail::pow2_candidate(cs[j], &csq[j]);
      unsafe[j] = static_cast<std::uint8_t>((ok1 ? 0 : 1) | (ok2 ? 0 : 2));
      any_unsafe |= unsafe[j];
    }
    if (any_unsafe) {
      for (int j = 0; j < n; ++j) {
        if (unsafe[j] & 1) tdsq[j] = detail::libm_pow2(td[j]);
        if (unsafe[j] & 2) csq[j] = detail::libm_pow2(cs[j]);
      }
    }
  }

  /// CartPole: chunks of kChunk envs; scalar calls to the C library (sincos, and pow for the
  /// few squares that need it), vectorised arithmetic for the rest, then the rare autoresets.
  /// In the exact mode every number equals what CartPole::step computes for the same env; in
  /// the vector mode libmvec's sine and cosine and x·x squares replace the first two passes.
  template <class A>
  void cartpole_block(int b, int e, const A* actions, float* obs, double* rewards,
                      std::uint8_t* terminated, std::uint8_t* truncated) {
    using CP = detail::CartPole;
    double sn[kChunk], cs[kChunk], tdsq[kChunk], csq[kChunk];
    std::uint8_t was_done[kChunk];
    double* __restrict x = comp(0);
    double* __restrict xd = comp(1);
    double* __restrict th = comp(2);
    double* __restrict td = comp(3);
    std::int32_t* __restrict el = elapsed_.data();
    std::uint8_t* __restrict ar = autoreset_.data();
    for (int c0 = b; c0 < e; c0 += kChunk) {
      const int n = std::min(kChunk, e - c0);
      if (vector_math_) {
        // Pass 1-2 (VecMath::kVector): libmvec's sine and cosine, np.square's x·x.
        detail::vector_sin_cos(th + c0, n, sn, cs);
#pragma omp simd
        for (int j = 0; j < n; ++j) {
          tdsq[j] = td[c0 + j] * td[c0 + j];
          csq[j] = cs[j] * cs[j];
        }
      } else {
        exact_trig(td + c0, th + c0, n, sn, cs, tdsq, csq);
      }
      // Pass 3: the rest of the step, vectorised.
      int any_reset = 0;
#pragma omp simd reduction(| : any_reset)
      for (int j = 0; j < n; ++j) {
        const int i = c0 + j;
        const bool term =
            CP::advance(x[i], xd[i], th[i], td[i], actions[i] == 1, sn[j], cs[j], tdsq[j], csq[j]);
        float* o = obs + static_cast<std::size_t>(i) * 4;
        o[0] = static_cast<float>(x[i]);
        o[1] = static_cast<float>(xd[i]);
        o[2] = static_cast<float>(th[i]);
        o[3] = static_cast<float>(td[i]);
        rewards[i] = 1.0;
        const std::int32_t steps = el[i] + 1;
        el[i] = steps;
        terminated[i] = term;
        truncated[i] = steps >= CP::kMaxSteps;
        was_done[j] = ar[i];
        any_reset |= ar[i];
        ar[i] = term | (steps >= CP::kMaxSteps);
      }
      if (any_reset) {
        // Envs whose previous step ended an episode: the step just computed is discarded.
        for (int j = 0; j < n; ++j) {
          if (!was_done[j]) continue;
          const int i = c0 + j;
          reset_one(i, obs + static_cast<std::size_t>(i) * 4);
          rewards[i] = 0.0;
          terminated[i] = truncated[i] = 0;
        }
      }
      if (autoreset_mode == AutoresetMode::kSameStep) {
        for (int j = 0; j < n; ++j) {
          const int i = c0 + j;
          if (ar[i]) finish_same_step(i, obs + static_cast<std::size_t>(i) * 4);
        }
      }
    }
  }

  std::vector<double> s_;  // kS components, each num_envs contiguous doubles
  std::vector<Generator> rng_;
  std::vector<std::int32_t> elapsed_;
  std::vector<std::uint8_t> autoreset_;
  double default_a_ = 0, default_b_ = 0;
  bool has_reset_ = false;
  bool vector_math_ = false;
};

/// Any Env objects, stepped one after another (VecEnv::from_envs), with the same next-step
/// autoreset as the kernels: an env whose previous step ended its episode is reset (its generator
/// continuing) and returns the reset observation, reward 0, both flags false.
class EnvList final : public VecEnvBackend {
 public:
  explicit EnvList(std::vector<std::unique_ptr<Env>> envs) : envs_(std::move(envs)) {
    if (envs_.empty()) throw std::invalid_argument("VecEnv::from_envs: no environments");
    for (std::size_t i = 0; i < envs_.size(); ++i)
      if (!envs_[i])
        throw std::invalid_argument("VecEnv::from_envs: env " + std::to_string(i) + " is null");
    const Env& e0 = *envs_[0];
    id = e0.id();
    num_envs = static_cast<int>(envs_.size());
    obs_space = e0.observation_space();
    act_space = e0.action_space();
    obs_dim = obs_space.size();
    max_episode_steps = e0.max_episode_steps();
    for (std::size_t i = 1; i < envs_.size(); ++i) {
      const Env& e = *envs_[i];
      if (e.observation_space().describe() != obs_space.describe() ||
          e.action_space().describe() != act_space.describe() || e.id() != id)
        throw std::invalid_argument("VecEnv::from_envs: env " + std::to_string(i) + " (" + e.id() +
                                    ", " + e.observation_space().describe() + ", " +
                                    e.action_space().describe() + ") differs from env 0 (" + id +
                                    ", " + obs_space.describe() + ", " + act_space.describe() +
                                    ")");
    }
    done_.assign(envs_.size(), 0);
  }

  void reset(float* obs, std::optional<std::uint64_t> seed) override {
    for (std::size_t i = 0; i < envs_.size(); ++i) {
      std::optional<std::uint64_t> s;
      if (seed) s = *seed + i;
      envs_[i]->reset(obs + i * static_cast<std::size_t>(obs_dim), s);
      done_[i] = 0;
    }
    has_reset_ = true;
  }
  void step_discrete(const std::int64_t* actions, float* obs, double* rewards,
                     std::uint8_t* terminated, std::uint8_t* truncated) override {
    if (act_space.kind != Space::Kind::kDiscrete)
      throw std::invalid_argument(id + " VecEnv.step: the action space is " + act_space.describe() +
                                  "; pass float actions");
    run(obs, rewards, terminated, truncated,
        [&](std::size_t i, float* o) { return envs_[i]->step(actions[i], o); });
  }
  void step_box(const float* actions, float* obs, double* rewards, std::uint8_t* terminated,
                std::uint8_t* truncated) override {
    if (act_space.kind != Space::Kind::kBox)
      throw std::invalid_argument(id + " VecEnv.step: the action space is " + act_space.describe() +
                                  "; pass integer actions");
    const std::size_t d = static_cast<std::size_t>(act_space.size());
    run(obs, rewards, terminated, truncated,
        [&](std::size_t i, float* o) { return envs_[i]->step(actions + i * d, o); });
  }
  std::vector<double> states() const override {
    std::vector<double> out;
    for (const auto& e : envs_) {
      const std::vector<double> s = e->state();
      out.insert(out.end(), s.begin(), s.end());
    }
    return out;
  }

 private:
  template <class F>
  void run(float* obs, double* rewards, std::uint8_t* terminated, std::uint8_t* truncated,
           const F& step_one) {
    if (!has_reset_)
      throw std::logic_error(id + " VecEnv: Cannot call step() before calling reset()");
    for (std::size_t i = 0; i < envs_.size(); ++i) {
      float* o = obs + i * static_cast<std::size_t>(obs_dim);
      if (done_[i]) {
        envs_[i]->reset(o);
        done_[i] = 0;
        rewards[i] = 0.0;
        terminated[i] = truncated[i] = 0;
        continue;
      }
      const StepResult r = step_one(i, o);
      rewards[i] = r.reward;
      terminated[i] = r.terminated;
      truncated[i] = r.truncated;
      done_[i] = r.terminated || r.truncated;
    }
  }

  std::vector<std::unique_ptr<Env>> envs_;
  std::vector<std::uint8_t> done_;
  bool has_reset_ = false;
};

std::unique_ptr<VecEnvBackend> make_impl(const std::string& id, int n, AutoresetMode m, VecMath v) {
  if (id == detail::CartPole::kId) return std::make_unique<VecImpl<detail::CartPole>>(n, m, v);
  if (id == detail::Acrobot::kId) return std::make_unique<VecImpl<detail::Acrobot>>(n, m, v);
  if (id == detail::MountainCar::kId)
    return std::make_unique<VecImpl<detail::MountainCar>>(n, m, v);
  if (id == detail::MountainCarContinuous::kId) {
    return std::make_unique<VecImpl<detail::MountainCarContinuous>>(n, m, v);
  }
  if (id == detail::Pendulum::kId) return std::make_unique<VecImpl<detail::Pendulum>>(n, m, v);
  make(id);  // throws the registry's message for an unknown id
  throw std::invalid_argument("VecEnv: unknown environment id '" + id + "'");
}

}  // namespace

const char* to_string(AutoresetMode m) {
  switch (m) {
    case AutoresetMode::kNextStep:
      return "next_step";
    case AutoresetMode::kSameStep:
      return "same_step";
    case AutoresetMode::kDisabled:
      return "disabled";
  }
  return "?";
}

AutoresetMode parse_autoreset_mode(const std::string& name) {
  if (name == "next_step" || name == "NextStep" || name == "NEXT_STEP")
    return AutoresetMode::kNextStep;
  if (name == "same_step" || name == "SameStep" || name == "SAME_STEP")
    return AutoresetMode::kSameStep;
  if (name == "disabled" || name == "Disabled" || name == "DISABLED")
    return AutoresetMode::kDisabled;
  throw std::invalid_argument("unknown autoreset mode '" + name +
                              "' (known: next_step, same_step, disabled)");
}

void VecEnvBackend::reset_masked(float*, std::optional<std::uint64_t>, const std::uint8_t*) {
  throw std::logic_error(id + " VecEnv: this backend has no reset with a mask");
}

std::vector<double> VecEnvBackend::states() const {
  throw std::logic_error(id + " VecEnv: this backend does not expose its internal states");
}

VecEnv::VecEnv(const std::string& id, int num_envs, int num_threads, AutoresetMode mode,
               VecMath math) {
  if (num_envs < 1) {
    throw std::invalid_argument("VecEnv(" + id + "): num_envs must be at least 1, got " +
                                std::to_string(num_envs));
  }
  impl_ = std::make_shared<Impl>();
  impl_->p = make_impl(id, num_envs, mode, math);
  set_num_threads(num_threads);
}

VecEnv::VecEnv(std::unique_ptr<VecEnvBackend> backend) {
  if (!backend) throw std::invalid_argument("VecEnv: null backend");
  if (backend->num_envs < 1 || backend->obs_dim != backend->obs_space.size() ||
      backend->max_episode_steps < 0)
    throw std::invalid_argument("VecEnv(" + backend->id + "): inconsistent backend (num_envs " +
                                std::to_string(backend->num_envs) + ", obs_dim " +
                                std::to_string(backend->obs_dim) + " for " +
                                backend->obs_space.describe() + ")");
  impl_ = std::make_shared<Impl>();
  impl_->p = std::move(backend);
}

VecEnv VecEnv::from_envs(std::vector<std::unique_ptr<Env>> envs) {
  return VecEnv(std::make_unique<EnvList>(std::move(envs)));
}

int VecEnv::num_envs() const { return impl_->p->num_envs; }
int VecEnv::max_episode_steps() const { return impl_->p->max_episode_steps; }
const std::string& VecEnv::id() const { return impl_->p->id; }
int VecEnv::obs_dim() const { return impl_->p->obs_dim; }
const Space& VecEnv::single_observation_space() const { return impl_->p->obs_space; }
const Space& VecEnv::single_action_space() const { return impl_->p->act_space; }

void VecEnv::set_num_threads(int n) { impl_->p->num_threads = core::resolve_threads(n); }

void VecEnv::reset(float* obs, std::optional<std::uint64_t> seed) { impl_->p->reset(obs, seed); }

void VecEnv::reset(float* obs, std::optional<std::uint64_t> seed, const std::uint8_t* mask) {
  const VecEnvBackend& b = *impl_->p;
  if (std::none_of(mask, mask + b.num_envs, [](std::uint8_t m) { return m != 0; }))
    throw std::invalid_argument(b.id + " VecEnv.reset: the reset mask selects no environment");
  impl_->p->reset_masked(obs, seed, mask);
}

AutoresetMode VecEnv::autoreset_mode() const { return impl_->p->autoreset_mode; }
const std::vector<float>& VecEnv::final_observations() const { return impl_->p->final_obs; }
const std::vector<std::uint8_t>& VecEnv::final_mask() const { return impl_->p->final_mask; }
std::vector<double> VecEnv::states() const { return impl_->p->states(); }

void VecEnv::step(const std::int64_t* actions, float* obs, double* rewards,
                  std::uint8_t* terminated, std::uint8_t* truncated) {
  impl_->p->step_discrete(actions, obs, rewards, terminated, truncated);
}

void VecEnv::step(const float* actions, float* obs, double* rewards, std::uint8_t* terminated,
                  std::uint8_t* truncated) {
  impl_->p->step_box(actions, obs, rewards, terminated, truncated);
}

}  // namespace adamant::rl
