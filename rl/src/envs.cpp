// Space, the single environments (gymnasium.make(id) with its TimeLimit and OrderEnforcing
// wrappers) and the registry. The dynamics live in classic_control.hpp.

#include <algorithm>
#include <atomic>
#include <cfloat>
#include <cinttypes>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "adamant/rl/env.hpp"
#include "classic_control.hpp"

namespace adamant::rl {
namespace detail {

double libm_pow2(double x) {
  double two = 2.0;
  // Hide the exponent from the optimiser so that pow(x, 2.0) is not folded into x * x.
  __asm__("" : "+x"(two));
  return std::pow(x, two);
}

void parse_reset_bounds(const std::string& id, const ResetOptions& o, double default_low,
                        double default_high, double* low, double* high) {
  if (o.x_init || o.y_init) {
    throw std::invalid_argument(id + ".reset: options x_init / y_init are Pendulum-v1's; " + id +
                                " takes low / high");
  }
  *low = o.low.value_or(default_low);
  *high = o.high.value_or(default_high);
  if (std::isnan(*low) || std::isnan(*high)) {
    throw std::invalid_argument(id + ".reset: options low / high must be numbers");
  }
  if (*low > *high) {
    std::ostringstream m;
    m << id << ".reset: Lower bound (" << *low << ") must be lower than higher bound (" << *high
      << ").";
    throw std::invalid_argument(m.str());
  }
}

namespace {

Space box(std::vector<float> low, std::vector<float> high) {
  Space s;
  s.kind = Space::Kind::kBox;
  s.shape = {static_cast<int>(low.size())};
  s.low = std::move(low);
  s.high = std::move(high);
  return s;
}

Space discrete(std::int64_t n) {
  Space s;
  s.kind = Space::Kind::kDiscrete;
  s.n = n;
  return s;
}

}  // namespace

Space CartPole::observation_space() {
  const float x = static_cast<float>(kXThreshold * 2), t = static_cast<float>(kThetaThreshold * 2);
  return box({-x, -FLT_MAX, -t, -FLT_MAX}, {x, FLT_MAX, t, FLT_MAX});
}
Space CartPole::action_space() { return discrete(kNumActions); }

Space Acrobot::observation_space() {
  const float v1 = static_cast<float>(kMaxVel1), v2 = static_cast<float>(kMaxVel2);
  return box({-1, -1, -1, -1, -v1, -v2}, {1, 1, 1, 1, v1, v2});
}
Space Acrobot::action_space() { return discrete(kNumActions); }

Space MountainCar::observation_space() {
  return box({static_cast<float>(kMinPosition), static_cast<float>(-kMaxSpeed)},
             {static_cast<float>(kMaxPosition), static_cast<float>(kMaxSpeed)});
}
Space MountainCar::action_space() { return discrete(kNumActions); }

Space MountainCarContinuous::observation_space() {
  return box({static_cast<float>(kMinPosition), static_cast<float>(-kMaxSpeed)},
             {static_cast<float>(kMaxPosition), static_cast<float>(kMaxSpeed)});
}
Space MountainCarContinuous::action_space() {
  return box({static_cast<float>(kMinAction)}, {static_cast<float>(kMaxAction)});
}

Space Pendulum::observation_space() {
  const float v = static_cast<float>(kMaxSpeed);
  return box({-1, -1, -v}, {1, 1, v});
}
Space Pendulum::action_space() {
  return box({static_cast<float>(-kMaxTorque)}, {static_cast<float>(kMaxTorque)});
}

void Pendulum::reset_bounds(const ResetOptions& o, double* x, double* y) {
  if (o.low || o.high) {
    throw std::invalid_argument(
        "Pendulum-v1.reset: Pendulum takes options x_init / y_init (the state is drawn from "
        "uniform(-x_init, x_init) × uniform(-y_init, y_init)), not low / high");
  }
  *x = o.x_init.value_or(kDefaultX);
  *y = o.y_init.value_or(kDefaultY);
  if (!std::isfinite(*x) || !std::isfinite(*y)) {
    throw std::invalid_argument("Pendulum-v1.reset: options x_init / y_init must be finite");
  }
}

// ------------------------------------------------------------------------------------------
namespace {

/// numpy's shortest round-trip spelling of a float32 ("2.0", "4.8000002", "3.4028235e+38").
std::string float_repr(float v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  if (std::isnan(v)) return "nan";
  char buf[64];
  for (int p = 1; p <= 9; ++p) {
    std::snprintf(buf, sizeof buf, "%.*g", p, static_cast<double>(v));
    if (std::strtof(buf, nullptr) == v) break;
  }
  std::string s = buf;
  if (s.find_first_of(".einn") == std::string::npos) s += ".0";
  return s;
}

std::atomic<bool> g_cartpole_warned{false};

void warn_cartpole_after_termination() {
  if (!g_cartpole_warned.exchange(true)) {
    std::cerr << "adamant::rl CartPole-v1: You are calling 'step()' even though this environment "
                 "has already returned terminated = True. You should always call 'reset()' once "
                 "you receive 'terminated = True' -- any further steps are undefined behavior."
              << std::endl;
  }
}

std::string action_repr(const float* a, int n) {
  std::string s = "[";
  for (int i = 0; i < n; ++i) s += (i ? ", " : "") + float_repr(a[i]);
  return s + "]";
}

/// gymnasium.make(P::kId): the environment, its TimeLimit (truncated once the elapsed steps
/// reach P::kMaxSteps) and OrderEnforcing (no step before the first reset).
template <class P>
class ClassicEnv final : public Env {
 public:
  ClassicEnv() : obs_space_(P::observation_space()), act_space_(P::action_space()) {}

  std::string id() const override { return P::kId; }
  const Space& observation_space() const override { return obs_space_; }
  const Space& action_space() const override { return act_space_; }
  int max_episode_steps() const override { return P::kMaxSteps; }

  void reset(float* obs, std::optional<std::uint64_t> seed, const ResetOptions& options) override {
    double a, b;
    P::reset_bounds(options, &a, &b);  // validates before anything changes
    if (seed) {
      rng_.emplace(*seed);
    } else if (!rng_) {
      rng_.emplace(Generator::from_entropy());
    }
    P::reset(*rng_, a, b, s_);
    elapsed_ = 0;
    steps_beyond_terminated_ = -1;
    has_reset_ = true;
    P::observe(s_, obs);
  }

  StepResult step(std::int64_t action, float* obs) override {
    if constexpr (P::kDiscrete) {
      if (action < 0 || action >= P::kNumActions) {
        throw std::invalid_argument(std::string(P::kId) + ".step: action " +
                                    std::to_string(action) + " is not in the action space " +
                                    act_space_.describe());
      }
      check_reset();
      StepResult r;
      r.terminated = P::step(s_, action);
      r.reward = discrete_reward(r.terminated);
      return finish(r, obs);
    } else {
      (void)obs;
      throw std::invalid_argument(std::string(P::kId) + ".step: the action space is " +
                                  act_space_.describe() + "; got the integer action " +
                                  std::to_string(action) + " (pass float actions)");
    }
  }

  StepResult step(const float* action, float* obs) override {
    if constexpr (!P::kDiscrete) {
      for (int k = 0; k < P::kActDim; ++k) {
        if (std::isnan(action[k])) {
          throw std::invalid_argument(std::string(P::kId) + ".step: action " +
                                      action_repr(action, P::kActDim) + " is NaN (space " +
                                      act_space_.describe() + ")");
        }
      }
      check_reset();
      StepResult r;
      r.terminated = P::step(s_, action, &r.reward);
      return finish(r, obs);
    } else {
      (void)obs;
      throw std::invalid_argument(std::string(P::kId) + ".step: the action space is " +
                                  act_space_.describe() + "; got the float action " +
                                  action_repr(action, 1) + " (pass an integer action)");
    }
  }

  std::vector<double> state() const override { return {s_, s_ + P::kStateDim}; }
  void set_state(const std::vector<double>& s) override {
    if (static_cast<int>(s.size()) != P::kStateDim) {
      throw std::invalid_argument(std::string(P::kId) + ".set_state: expected " +
                                  std::to_string(P::kStateDim) + " values, got " +
                                  std::to_string(s.size()));
    }
    std::copy(s.begin(), s.end(), s_);
  }
  int elapsed_steps() const override { return elapsed_; }
  Generator& np_random() override {
    if (!rng_) rng_.emplace(Generator::from_entropy());
    return *rng_;
  }

 private:
  void check_reset() const {
    if (!has_reset_) {
      throw std::logic_error(std::string(P::kId) +
                             ": Cannot call env.step() before calling env.reset()");
    }
  }

  double discrete_reward(bool terminated) {
    if constexpr (std::is_same_v<P, detail::CartPole>) {
      // cartpole.py: 1 per step and on the step that terminates; after that (the caller kept
      // stepping) 0, with a warning the first time.
      if (!terminated) return 1.0;
      if (steps_beyond_terminated_ < 0) {
        steps_beyond_terminated_ = 0;
        return 1.0;
      }
      if (steps_beyond_terminated_ == 0) warn_cartpole_after_termination();
      ++steps_beyond_terminated_;
      return 0.0;
    } else {
      return P::reward(terminated);
    }
  }

  StepResult finish(StepResult r, float* obs) {
    ++elapsed_;
    r.truncated = elapsed_ >= P::kMaxSteps;
    P::observe(s_, obs);
    return r;
  }

  Space obs_space_, act_space_;
  double s_[P::kStateDim] = {};
  std::optional<Generator> rng_;
  int elapsed_ = 0;
  int steps_beyond_terminated_ = -1;  // CartPole: -1 = None
  bool has_reset_ = false;
};

}  // namespace
}  // namespace detail

// ------------------------------------------------------------------------------------------
int Space::size() const {
  if (kind == Kind::kDiscrete) return 1;
  int count = 1;
  for (int d : shape) count *= d;
  return count;
}

bool Space::contains(std::int64_t a) const { return kind == Kind::kDiscrete && a >= 0 && a < n; }

bool Space::contains(const float* x, int sz) const {
  if (kind != Kind::kBox || sz != size()) return false;
  for (int i = 0; i < sz; ++i) {
    if (!(x[i] >= low[i] && x[i] <= high[i])) return false;
  }
  return true;
}

std::int64_t Space::sample_discrete(Generator& rng) const {
  if (kind != Kind::kDiscrete) {
    throw std::invalid_argument("Space::sample_discrete on " + describe());
  }
  return rng.integers(0, n);
}

void Space::sample(Generator& rng, float* out) const {
  if (kind == Kind::kDiscrete) {
    out[0] = static_cast<float>(rng.integers(0, n));
    return;
  }
  // gymnasium.spaces.Box.sample: normal draws for the unbounded axes first, exponential ones for
  // the half-bounded axes, then uniform(low, high) (in float64) for the bounded axes, each group
  // in index order; the result is cast to float32.
  const int sz = size();
  for (int i = 0; i < sz; ++i) {
    const bool below = std::isfinite(low[i]), above = std::isfinite(high[i]);
    if (below != above) {
      throw std::invalid_argument(
          "Space::sample: " + describe() +
          " has a half-bounded axis; Gymnasium samples those with numpy's exponential "
          "distribution, which this library does not implement");
    }
  }
  for (int i = 0; i < sz; ++i) {
    if (!std::isfinite(low[i])) out[i] = static_cast<float>(rng.standard_normal());
  }
  for (int i = 0; i < sz; ++i) {
    if (std::isfinite(low[i])) {
      out[i] = static_cast<float>(
          rng.uniform(static_cast<double>(low[i]), static_cast<double>(high[i])));
    }
  }
}

std::string Space::describe() const {
  if (kind == Kind::kDiscrete) return "Discrete(" + std::to_string(n) + ")";
  auto bound = [](const std::vector<float>& v) {
    const bool same = std::all_of(v.begin(), v.end(), [&](float x) { return x == v[0]; });
    if (same && !v.empty()) return detail::float_repr(v[0]);
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? " " : "") + detail::float_repr(v[i]);
    return s + "]";
  };
  std::string shp = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) shp += std::to_string(shape[i]) + ",";
  if (shape.size() > 1) shp.pop_back();
  shp += ")";
  return "Box(" + bound(low) + ", " + bound(high) + ", " + shp + ", float32)";
}

std::vector<std::string> registered_ids() {
  return {detail::CartPole::kId, detail::Acrobot::kId, detail::MountainCar::kId,
          detail::MountainCarContinuous::kId, detail::Pendulum::kId};
}

std::unique_ptr<Env> make(const std::string& id) {
  if (id == detail::CartPole::kId) return std::make_unique<detail::ClassicEnv<detail::CartPole>>();
  if (id == detail::Acrobot::kId) return std::make_unique<detail::ClassicEnv<detail::Acrobot>>();
  if (id == detail::MountainCar::kId) {
    return std::make_unique<detail::ClassicEnv<detail::MountainCar>>();
  }
  if (id == detail::MountainCarContinuous::kId) {
    return std::make_unique<detail::ClassicEnv<detail::MountainCarContinuous>>();
  }
  if (id == detail::Pendulum::kId) return std::make_unique<detail::ClassicEnv<detail::Pendulum>>();
  std::string known;
  for (const auto& k : registered_ids()) known += (known.empty() ? "" : ", ") + k;
  throw std::invalid_argument("make: unknown environment id '" + id + "' (known: " + known + ")");
}

}  // namespace adamant::rl
