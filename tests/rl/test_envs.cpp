// The classic-control environments against Gymnasium 1.4.0 (tests/golden/
// gymnasium_classic_control_subset.h5, made by make_gym_subset.py from the full golden file),
// plus errors, reset options, spaces, the TimeLimit and CartPole's steps after termination.
// VecEnv has its own file (test_vec_env.cpp).
//
// Tolerances. MountainCar-v0 and MountainCarContinuous-v0 use only IEEE arithmetic and Python's
// math.cos (glibc), so every number must match bit for bit. CartPole-v1, Acrobot-v1 and
// Pendulum-v1 call numpy's float64 np.sin/np.cos, which on AVX-512 machines (where the golden
// file was recorded) is Intel SVML code that differs from glibc by up to 3 ulps for these
// angles; their reset states (no trigonometry) must still match bit for bit, and one step from
// a recorded state must match per component within kUlpTol ulps or within kRelTol times the
// state's scale max(1, max_j |s_j|) (the error is an absolute one: a 1-ulp cos in CartPole moves
// θ̇ by ~1e-16 whatever θ̇ is). Over the full golden file (400 episodes, 170 000 steps) the
// worst case is 1.1e-15 (Acrobot), 2.2e-16 for CartPole and 3.4e-16 for Pendulum. Observations
// of those three must agree within one float32 ulp. Replays (closed-loop with the README's
// controllers where they were used, open-loop otherwise) must end on the same step with the same
// flags every step and the same rewards, and stay within 1e-5 over the first kCloseSteps steps.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "../../rl/src/classic_control.hpp"
#include "adamant/datasets/h5.hpp"
#include "adamant/rl/env.hpp"
#include "adamant/rl/random.hpp"

namespace {

using adamant::datasets::kAnyExtent;
using adamant::datasets::Reader;
using namespace adamant::rl;

const std::string kSubset =
    std::string(ADAMANT_GOLDEN_DIR) + "/gymnasium_classic_control_subset.h5";

constexpr std::int64_t kUlpTol = 4;
constexpr double kRelTol = 4e-15;
constexpr int kCloseSteps = 20;

std::int64_t ordered(double x) {
  std::int64_t i;
  std::memcpy(&i, &x, sizeof i);
  return i < 0 ? std::numeric_limits<std::int64_t>::min() - i : i;
}
std::int64_t ulp_distance(double a, double b) {
  const std::int64_t d = ordered(a) - ordered(b);
  return d < 0 ? -d : d;
}
std::int32_t ordered_f(float x) {
  std::int32_t i;
  std::memcpy(&i, &x, sizeof i);
  return i < 0 ? std::numeric_limits<std::int32_t>::min() - i : i;
}
std::int32_t ulp_distance_f(float a, float b) {
  const std::int32_t d = ordered_f(a) - ordered_f(b);
  return d < 0 ? -d : d;
}
std::uint64_t bits(double x) {
  std::uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

bool bit_exact_env(const std::string& id) {
  return id == "MountainCar-v0" || id == "MountainCarContinuous-v0";
}

struct Episode {
  std::string name;
  std::int64_t reset_seed = 0;
  std::string policy;
  int steps = 0;
  int state_dim = 0, obs_dim = 0, act_dim = 1;
  std::vector<double> states, rewards;
  std::vector<float> obs, actions_f;
  std::vector<std::int64_t> actions_i;
  std::vector<std::int64_t> terminated, truncated;
};

std::vector<Episode> load(const std::string& id) {
  Reader r(kSubset);
  std::vector<Episode> out;
  for (const auto& name : r.members(id)) {
    const std::string g = id + "/" + name;
    Episode e;
    e.name = name;
    e.reset_seed = r.attr_int(g, "reset_seed");
    e.policy = r.attr_string(g, "policy");
    adamant::datasets::Shape s;
    e.states = r.read_f64(g + "/states", {kAnyExtent, kAnyExtent},
                          adamant::datasets::Finite::kRequired, &s);
    e.steps = static_cast<int>(s[0]) - 1;
    e.state_dim = static_cast<int>(s[1]);
    e.obs = r.read_f32(g + "/observations", {e.steps + 1, kAnyExtent},
                       adamant::datasets::Finite::kRequired, &s);
    e.obs_dim = static_cast<int>(s[1]);
    e.rewards = r.read_f64(g + "/rewards", {e.steps});
    e.terminated = r.read_i64(g + "/terminated", {e.steps});
    e.truncated = r.read_i64(g + "/truncated", {e.steps});
    if (r.dtype(g + "/actions") == "int64") {
      e.actions_i = r.read_i64(g + "/actions", {e.steps});
    } else {
      e.actions_f = r.read_f32(g + "/actions", {e.steps, kAnyExtent},
                               adamant::datasets::Finite::kRequired, &s);
      e.act_dim = static_cast<int>(s[1]);
    }
    out.push_back(std::move(e));
  }
  return out;
}

/// Resets env as the episode was reset: a seeded reset, or a plain one continuing the
/// generator of the previous (seeded) episode.
void reset_like(Env& env, const std::vector<Episode>& eps, std::size_t k, float* obs) {
  if (eps[k].reset_seed >= 0) {
    env.reset(obs, static_cast<std::uint64_t>(eps[k].reset_seed));
  } else {
    ASSERT_GT(k, 0u);
    ASSERT_GE(eps[k - 1].reset_seed, 0) << "a continuation must follow its seeded episode";
    env.reset(obs, static_cast<std::uint64_t>(eps[k - 1].reset_seed));
    env.reset(obs);
  }
}

StepResult step_with(Env& env, const Episode& e, int t, float* obs) {
  if (!e.actions_i.empty()) return env.step(e.actions_i[t], obs);
  return env.step(&e.actions_f[static_cast<std::size_t>(t) * e.act_dim], obs);
}

/// The golden README's controllers, on the returned float32 observation.
std::int64_t controller(const std::string& id, const float* o) {
  if (id == "CartPole-v1") {
    const double u = static_cast<double>(o[2]) + 0.3 * static_cast<double>(o[3]) +
                     0.01 * static_cast<double>(o[0]) + 0.05 * static_cast<double>(o[1]);
    return u > 0 ? 1 : 0;
  }
  return o[1] >= 0 ? 2 : 0;
}

class GymGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(GymGolden, ResetStatesBitExact) {
  const std::string id = GetParam();
  const auto eps = load(id);
  ASSERT_GE(eps.size(), 4u);
  auto env = make(id);
  std::vector<float> obs(env->obs_dim());
  for (std::size_t k = 0; k < eps.size(); ++k) {
    SCOPED_TRACE(eps[k].name);
    reset_like(*env, eps, k, obs.data());
    const auto s = env->state();
    ASSERT_EQ(static_cast<int>(s.size()), eps[k].state_dim);
    for (int j = 0; j < eps[k].state_dim; ++j) EXPECT_EQ(bits(s[j]), bits(eps[k].states[j])) << j;
    for (int j = 0; j < eps[k].obs_dim; ++j) {
      if (bit_exact_env(id)) {
        EXPECT_EQ(obs[j], eps[k].obs[j]) << j;
      } else {
        EXPECT_LE(ulp_distance_f(obs[j], eps[k].obs[j]), 1) << j;
      }
    }
  }
}

TEST_P(GymGolden, OneStepFromEveryRecordedState) {
  const std::string id = GetParam();
  const auto eps = load(id);
  auto env = make(id);
  std::vector<float> obs(env->obs_dim());
  std::int64_t worst_ulp = 0, steps = 0, inexact = 0;
  double worst_rel = 0;
  for (std::size_t k = 0; k < eps.size(); ++k) {
    const Episode& e = eps[k];
    SCOPED_TRACE(e.name);
    reset_like(*env, eps, k, obs.data());
    for (int t = 0; t < e.steps; ++t) {
      const double* s0 = &e.states[static_cast<std::size_t>(t) * e.state_dim];
      const double* s1 = s0 + e.state_dim;
      env->set_state(std::vector<double>(s0, s0 + e.state_dim));
      const StepResult r = step_with(*env, e, t, obs.data());
      ++steps;
      ASSERT_EQ(bits(r.reward), bits(e.rewards[t])) << "t=" << t;
      ASSERT_EQ(r.terminated, e.terminated[t] != 0) << "t=" << t;
      ASSERT_EQ(r.truncated, e.truncated[t] != 0) << "t=" << t;
      const auto s = env->state();
      double scale = 1;
      for (int j = 0; j < e.state_dim; ++j) scale = std::max(scale, std::fabs(s1[j]));
      bool exact = true;
      for (int j = 0; j < e.state_dim; ++j) {
        const std::int64_t u = ulp_distance(s[j], s1[j]);
        const double rel = std::fabs(s[j] - s1[j]) / scale;
        exact &= u == 0;
        worst_ulp = std::max(worst_ulp, u);
        worst_rel = std::max(worst_rel, rel);
        if (bit_exact_env(id)) {
          ASSERT_EQ(bits(s[j]), bits(s1[j])) << "t=" << t << " component " << j;
        } else {
          ASSERT_TRUE(u <= kUlpTol || rel <= kRelTol)
              << "t=" << t << " component " << j << ": " << s[j] << " vs " << s1[j] << " (" << u
              << " ulp, " << rel << " relative)";
        }
      }
      inexact += exact ? 0 : 1;
      const float* o1 = &e.obs[static_cast<std::size_t>(t + 1) * e.obs_dim];
      for (int j = 0; j < e.obs_dim; ++j) {
        if (bit_exact_env(id)) {
          ASSERT_EQ(obs[j], o1[j]) << "t=" << t << " obs " << j;
        } else {
          ASSERT_LE(ulp_distance_f(obs[j], o1[j]), 1) << "t=" << t << " obs " << j;
        }
      }
    }
  }
  std::printf("[ %s ] %lld one-step checks, %lld not bit-exact, worst %lld ulp / %.3g relative\n",
              id.c_str(), static_cast<long long>(steps), static_cast<long long>(inexact),
              static_cast<long long>(worst_ulp), worst_rel);
}

TEST_P(GymGolden, ReplaysEndLikeGymnasium) {
  const std::string id = GetParam();
  const auto eps = load(id);
  auto env = make(id);
  std::vector<float> obs(env->obs_dim());
  for (std::size_t k = 0; k < eps.size(); ++k) {
    const Episode& e = eps[k];
    SCOPED_TRACE(e.name + " (" + e.policy + ")");
    reset_like(*env, eps, k, obs.data());
    float worst_early = 0;
    for (int t = 0; t < e.steps; ++t) {
      StepResult r;
      if (e.policy == "controller") {
        r = env->step(controller(id, obs.data()), obs.data());
      } else {
        r = step_with(*env, e, t, obs.data());
      }
      // Same flags at every step: the episode ends on the same step, the same way.
      ASSERT_EQ(r.terminated, e.terminated[t] != 0) << "t=" << t;
      ASSERT_EQ(r.truncated, e.truncated[t] != 0) << "t=" << t;
      const float* o1 = &e.obs[static_cast<std::size_t>(t + 1) * e.obs_dim];
      if (bit_exact_env(id)) {
        ASSERT_EQ(bits(r.reward), bits(e.rewards[t])) << "t=" << t;
        for (int j = 0; j < e.obs_dim; ++j) ASSERT_EQ(obs[j], o1[j]) << "t=" << t << " obs " << j;
      } else if (id == "Acrobot-v1" || id == "CartPole-v1") {
        ASSERT_EQ(r.reward, e.rewards[t]) << "t=" << t;  // constants, given by the flags
      } else if (t < kCloseSteps) {
        ASSERT_NEAR(r.reward, e.rewards[t], 1e-9 * (1 + std::fabs(e.rewards[t]))) << "t=" << t;
      }
      if (!bit_exact_env(id) && t < kCloseSteps) {
        for (int j = 0; j < e.obs_dim; ++j) {
          worst_early = std::max(worst_early, std::fabs(obs[j] - o1[j]));
        }
      }
    }
    EXPECT_LE(worst_early, 1e-5f) << "observations over the first " << kCloseSteps << " steps";
  }
}

std::string env_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string n = info.param;
  std::replace(n.begin(), n.end(), '-', '_');
  return n;
}

INSTANTIATE_TEST_SUITE_P(Envs, GymGolden,
                         ::testing::Values("CartPole-v1", "Acrobot-v1", "MountainCar-v0",
                                           "MountainCarContinuous-v0", "Pendulum-v1"),
                         env_name);

// ---------------------------------------------------------------------------------------------
// The C library pieces the dynamics rely on.

TEST(ClassicControlMath, Pow2MatchesGlibcPowEverywhere) {
  // glibc_pow2 skips pow where x·x provably equals it; it must agree with pow on every input.
  Generator g(2024);
  std::int64_t differ_from_product = 0;
  for (int i = 0; i < 3000000; ++i) {
    const int e = static_cast<int>(g.integers(-40, 41));
    const double x = std::ldexp(g.uniform(-1.0, 1.0), e);
    const double want = adamant::rl::detail::libm_pow2(x);
    ASSERT_EQ(bits(adamant::rl::detail::glibc_pow2(x)), bits(want)) << x;
    differ_from_product += (want != x * x);
  }
  // pow(x, 2) is not x·x for about 0.1 % of inputs: the test must see some.
  EXPECT_GT(differ_from_product, 100);
  for (double x :
       {0.0, -0.0, 1.0, -1.0, 0.5, 1e-300, 1e300, std::numeric_limits<double>::infinity(),
        std::numeric_limits<double>::denorm_min()}) {
    EXPECT_EQ(bits(adamant::rl::detail::glibc_pow2(x)), bits(adamant::rl::detail::libm_pow2(x)));
  }
}

TEST(ClassicControlMath, SincosEqualsSinAndCos) {
  Generator g(7);
  for (int i = 0; i < 1000000; ++i) {
    const double x = g.uniform(-40.0, 40.0) * (i % 2 ? 1.0 : 0.01);
    double s, c;
    adamant::rl::detail::sin_cos(x, &s, &c);
    ASSERT_EQ(bits(s), bits(std::sin(x))) << x;
    ASSERT_EQ(bits(c), bits(std::cos(x))) << x;
  }
}

TEST(ClassicControlMath, PythonModuloAndAngleNormalize) {
  using adamant::rl::detail::py_mod;
  EXPECT_EQ(py_mod(5.0, 3.0), 2.0);
  EXPECT_EQ(py_mod(-1.0, 3.0), 2.0);
  EXPECT_EQ(py_mod(1.0, -3.0), -2.0);
  EXPECT_EQ(bits(py_mod(-3.0, 3.0)), bits(0.0));
  EXPECT_EQ(bits(py_mod(3.0, -3.0)), bits(-0.0));
  const double pi = adamant::rl::detail::kPi;
  using P = adamant::rl::detail::Pendulum;
  EXPECT_DOUBLE_EQ(P::angle_normalize(3 * pi / 2), -pi / 2);
  EXPECT_DOUBLE_EQ(P::angle_normalize(-3 * pi / 2), pi / 2);
  EXPECT_EQ(P::angle_normalize(pi), -pi);  // (2π mod 2π) − π
  EXPECT_NEAR(P::angle_normalize(20 * pi + 0.25), 0.25, 1e-13);
}

// ---------------------------------------------------------------------------------------------
// Registry, errors, options.

TEST(Registry, IdsSpacesAndLimits) {
  const std::vector<std::string> ids = registered_ids();
  ASSERT_EQ(ids.size(), 5u);
  const std::map<std::string, int> limits = {{"CartPole-v1", 500},
                                             {"Acrobot-v1", 500},
                                             {"MountainCar-v0", 200},
                                             {"MountainCarContinuous-v0", 999},
                                             {"Pendulum-v1", 200}};
  for (const auto& id : ids) {
    auto env = make(id);
    EXPECT_EQ(env->id(), id);
    EXPECT_EQ(env->max_episode_steps(), limits.at(id));
  }
  auto cp = make("CartPole-v1");
  EXPECT_EQ(cp->action_space().describe(), "Discrete(2)");
  const Space& o = cp->observation_space();
  ASSERT_EQ(o.shape, std::vector<int>{4});
  EXPECT_EQ(o.high[0], 4.8f);
  EXPECT_EQ(o.high[1], std::numeric_limits<float>::max());
  EXPECT_EQ(o.high[2], 0.41887903f);
  EXPECT_EQ(o.high[3], std::numeric_limits<float>::max());
  EXPECT_EQ(o.low[2], -0.41887903f);
  EXPECT_EQ(o.describe(),
            "Box([-4.8 -3.4028235e+38 -0.41887903 -3.4028235e+38], "
            "[4.8 3.4028235e+38 0.41887903 3.4028235e+38], (4,), float32)");
  EXPECT_EQ(make("Pendulum-v1")->action_space().describe(), "Box(-2.0, 2.0, (1,), float32)");
  EXPECT_EQ(make("Pendulum-v1")->observation_space().high, (std::vector<float>{1, 1, 8}));
  EXPECT_EQ(make("Acrobot-v1")->observation_space().high[5],
            static_cast<float>(9 * 3.141592653589793));
  EXPECT_EQ(make("Acrobot-v1")->action_space().n, 3);
  EXPECT_EQ(make("MountainCar-v0")->observation_space().low, (std::vector<float>{-1.2f, -0.07f}));
  EXPECT_EQ(make("MountainCarContinuous-v0")->action_space().describe(),
            "Box(-1.0, 1.0, (1,), float32)");
}

TEST(Errors, UnknownIdNamesTheKnownOnes) {
  try {
    make("CartPole-v7");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("CartPole-v7"), std::string::npos) << m;
    EXPECT_NE(m.find("Pendulum-v1"), std::string::npos) << m;
  }
}

TEST(Errors, StepBeforeResetAndBadActions) {
  float obs[6];
  for (const auto& id : registered_ids()) {
    SCOPED_TRACE(id);
    auto env = make(id);
    const bool discrete = env->action_space().kind == Space::Kind::kDiscrete;
    const float a = 0.0f;
    if (discrete) {
      EXPECT_THROW(env->step(std::int64_t{0}, obs), std::logic_error);
    } else {
      EXPECT_THROW(env->step(&a, obs), std::logic_error);
    }
    env->reset(obs, 1);
    const auto before = env->state();
    if (discrete) {
      const std::int64_t n = env->action_space().n;
      for (std::int64_t bad : {n, std::int64_t{-1}, std::int64_t{100}}) {
        try {
          env->step(bad, obs);
          FAIL() << "action " << bad << " accepted";
        } catch (const std::invalid_argument& e) {
          const std::string m = e.what();
          EXPECT_NE(m.find("action " + std::to_string(bad)), std::string::npos) << m;
          EXPECT_NE(m.find("Discrete(" + std::to_string(n) + ")"), std::string::npos) << m;
        }
      }
      EXPECT_THROW(env->step(&a, obs), std::invalid_argument);  // a float for a Discrete space
    } else {
      const float nan = std::numeric_limits<float>::quiet_NaN();
      EXPECT_THROW(env->step(&nan, obs), std::invalid_argument);
      EXPECT_THROW(env->step(std::int64_t{0}, obs), std::invalid_argument);
    }
    EXPECT_EQ(env->state(), before) << "a rejected action must not change the state";
    EXPECT_EQ(env->elapsed_steps(), 0);
    EXPECT_THROW(env->set_state({1.0}), std::invalid_argument);
  }
}

TEST(ResetOptions, CartPoleDocumentedExample) {
  // Gymnasium's CartPole docstring: env.reset(seed=123, options={"low": 0, "high": 1}) returns
  // array([0.6823519 , 0.05382102, 0.22035988, 0.18437181], dtype=float32).
  auto env = make("CartPole-v1");
  float obs[4];
  ResetOptions o;
  o.low = 0;
  o.high = 1;
  env->reset(obs, 123, o);
  const float want[4] = {0.6823519f, 0.05382102f, 0.22035988f, 0.18437181f};
  for (int k = 0; k < 4; ++k) EXPECT_EQ(obs[k], want[k]) << k;  // numpy prints the shortest repr
}

TEST(ResetOptions, BoundsPerEnvironment) {
  struct Case {
    std::string id;
    double low, high;
  };
  for (const Case& c :
       {Case{"CartPole-v1", -0.2, 0.3}, Case{"Acrobot-v1", 0.5, 0.7},
        Case{"MountainCar-v0", -1.0, -0.9}, Case{"MountainCarContinuous-v0", 0.1, 0.2}}) {
    SCOPED_TRACE(c.id);
    auto env = make(c.id);
    float obs[6];
    ResetOptions o;
    o.low = c.low;
    o.high = c.high;
    env->reset(obs, 9, o);
    const auto s = env->state();
    Generator g(9);
    const int draws = (c.id == "CartPole-v1" || c.id == "Acrobot-v1") ? 4 : 1;
    for (int k = 0; k < draws; ++k) {
      double want = g.uniform(c.low, c.high);
      if (c.id == "Acrobot-v1") want = static_cast<float>(want);
      EXPECT_EQ(s[k], want) << k;
      EXPECT_GE(s[k], c.low);
      EXPECT_LE(s[k], c.high);
    }
    if (draws == 1) {
      EXPECT_EQ(s[1], 0.0);
    }
    // Only one of the two: the other keeps its default.
    ResetOptions only_high;
    only_high.high = c.id == "MountainCar-v0" ? -0.5 : c.high;  // above the default low, -0.6
    EXPECT_NO_THROW(env->reset(obs, 9, only_high));
    ResetOptions inverted;
    inverted.low = c.high;
    inverted.high = c.low;
    EXPECT_THROW(env->reset(obs, 9, inverted), std::invalid_argument);
    ResetOptions pend;
    pend.x_init = 1.0;
    EXPECT_THROW(env->reset(obs, 9, pend), std::invalid_argument);
  }
  // Pendulum-v1: x_init / y_init, symmetric bounds.
  auto p = make("Pendulum-v1");
  float obs[3];
  ResetOptions o;
  o.x_init = 0.5;
  o.y_init = 0.25;
  p->reset(obs, 4, o);
  Generator g(4);
  const double th = g.uniform(-0.5, 0.5), thdot = g.uniform(-0.25, 0.25);
  EXPECT_EQ(p->state(), (std::vector<double>{th, thdot}));
  EXPECT_EQ(obs[0], static_cast<float>(std::cos(th)));
  EXPECT_EQ(obs[1], static_cast<float>(std::sin(th)));
  EXPECT_EQ(obs[2], static_cast<float>(thdot));
  p->reset(obs, 4);  // defaults: θ ~ U(−π, π), θ̇ ~ U(−1, 1)
  Generator h(4);
  EXPECT_EQ(p->state()[0], h.uniform(-3.141592653589793, 3.141592653589793));
  ResetOptions lh;
  lh.low = -1;
  EXPECT_THROW(p->reset(obs, 4, lh), std::invalid_argument);
}

TEST(ResetSemantics, UnseededResetContinuesTheGenerator) {
  auto a = make("CartPole-v1");
  float o1[4], o2[4];
  a->reset(o1, 5);
  a->reset(o2);
  Generator g(5);
  for (int k = 0; k < 4; ++k) EXPECT_EQ(o1[k], static_cast<float>(g.uniform(-0.05, 0.05)));
  for (int k = 0; k < 4; ++k) EXPECT_EQ(o2[k], static_cast<float>(g.uniform(-0.05, 0.05)));
  // The very first reset without a seed draws from the OS: two envs differ.
  auto b = make("CartPole-v1"), c = make("CartPole-v1");
  b->reset(o1);
  c->reset(o2);
  EXPECT_FALSE(std::equal(o1, o1 + 4, o2));
}

TEST(TimeLimit, TruncatesAtTheRegisteredStep) {
  auto env = make("MountainCar-v0");
  float obs[2];
  env->reset(obs, 0);
  for (int t = 1; t <= 199; ++t) {
    const StepResult r = env->step(std::int64_t{1}, obs);
    ASSERT_FALSE(r.truncated) << t;
    ASSERT_FALSE(r.terminated) << t;
    ASSERT_EQ(r.reward, -1.0);
  }
  StepResult r = env->step(std::int64_t{1}, obs);
  EXPECT_TRUE(r.truncated);
  EXPECT_EQ(env->elapsed_steps(), 200);
  r = env->step(std::int64_t{1}, obs);  // TimeLimit keeps reporting it
  EXPECT_TRUE(r.truncated);
  env->reset(obs);
  EXPECT_EQ(env->elapsed_steps(), 0);
}

TEST(CartPole, StepsAfterTerminationGiveZeroRewardAndWarnOnce) {
  auto env = make("CartPole-v1");
  float obs[4];
  env->reset(obs, 3);
  StepResult r;
  int t = 0;
  do {
    r = env->step(std::int64_t{1}, obs);
    ++t;
    if (!r.terminated) {
      ASSERT_EQ(r.reward, 1.0);
    }
  } while (!r.terminated && t < 500);
  ASSERT_TRUE(r.terminated);
  EXPECT_EQ(r.reward, 1.0);  // the terminating step still earns 1
  ::testing::internal::CaptureStderr();
  for (int k = 0; k < 3; ++k) {
    r = env->step(std::int64_t{0}, obs);
    EXPECT_TRUE(r.terminated);
    EXPECT_EQ(r.reward, 0.0);
  }
  const std::string err = ::testing::internal::GetCapturedStderr();
  std::size_t count = 0;
  const std::string warning = "You are calling 'step()' even though";
  for (std::size_t p = err.find(warning); p != std::string::npos; p = err.find(warning, p + 1)) {
    ++count;
  }
  EXPECT_LE(count, 1u) << err;
  env->reset(obs);  // a new episode rewards 1 again
  EXPECT_EQ(env->step(std::int64_t{0}, obs).reward, 1.0);
}

TEST(Continuous, ActionsAreClippedLikeGymnasium) {
  // Pendulum clips the torque to ±2 (float32) before using it in the cost and the dynamics.
  auto p = make("Pendulum-v1"), q = make("Pendulum-v1");
  float o1[3], o2[3];
  p->reset(o1, 11);
  q->reset(o2, 11);
  const float big = 7.5f, two = 2.0f;
  const StepResult a = p->step(&big, o1), b = q->step(&two, o2);
  EXPECT_EQ(a.reward, b.reward);
  EXPECT_EQ(p->state(), q->state());
  // MountainCarContinuous clips the force to ±1 but charges the unclipped action: −0.1·a².
  auto m = make("MountainCarContinuous-v0"), n = make("MountainCarContinuous-v0");
  m->reset(o1, 12);
  n->reset(o2, 12);
  const float three = 3.0f, one = 1.0f;
  const StepResult c = m->step(&three, o1), d = n->step(&one, o2);
  EXPECT_EQ(m->state(), n->state());
  EXPECT_DOUBLE_EQ(c.reward, -0.9);
  EXPECT_DOUBLE_EQ(d.reward, -0.1);
  // Its state is stored as float32 after a step.
  for (double v : m->state()) EXPECT_EQ(v, static_cast<double>(static_cast<float>(v)));
}

// ---------------------------------------------------------------------------------------------
// Spaces.

TEST(Spaces, ContainsAndSample) {
  auto cp = make("CartPole-v1");
  const Space& d = cp->action_space();
  EXPECT_TRUE(d.contains(std::int64_t{0}));
  EXPECT_TRUE(d.contains(std::int64_t{1}));
  EXPECT_FALSE(d.contains(std::int64_t{2}));
  EXPECT_FALSE(d.contains(std::int64_t{-1}));
  EXPECT_EQ(d.size(), 1);
  Generator g(3), h(3);
  for (int i = 0; i < 100; ++i) {
    const std::int64_t a = d.sample_discrete(g);
    EXPECT_EQ(a, h.integers(0, 2));
  }
  float f;
  d.sample(g, &f);
  EXPECT_TRUE(f == 0.0f || f == 1.0f);

  auto pend = make("Pendulum-v1");
  const Space& b = pend->action_space();
  const float in[1] = {2.0f}, out[1] = {2.0001f},
              nan[1] = {std::numeric_limits<float>::quiet_NaN()};
  EXPECT_TRUE(b.contains(in, 1));
  EXPECT_FALSE(b.contains(out, 1));
  EXPECT_FALSE(b.contains(nan, 1));
  EXPECT_FALSE(b.contains(in, 2));
  EXPECT_FALSE(b.contains(std::int64_t{0}));
  EXPECT_THROW(b.sample_discrete(g), std::invalid_argument);
  // Box.sample on bounded axes: float32(uniform(low, high)) computed in float64.
  Generator s1(8), s2(8);
  for (int i = 0; i < 1000; ++i) {
    float x;
    b.sample(s1, &x);
    EXPECT_EQ(x, static_cast<float>(s2.uniform(-2.0, 2.0)));
    EXPECT_TRUE(b.contains(&x, 1));
  }
  const Space& ob = cp->observation_space();
  for (int i = 0; i < 100; ++i) {
    float x[4];
    ob.sample(s1, x);
    EXPECT_TRUE(ob.contains(x, 4));
  }
  // Unbounded axes draw standard normals first (Gymnasium's order), then the bounded ones.
  Space mixed;
  mixed.kind = Space::Kind::kBox;
  mixed.shape = {2};
  mixed.low = {-std::numeric_limits<float>::infinity(), 0.0f};
  mixed.high = {std::numeric_limits<float>::infinity(), 1.0f};
  Generator m1(5), m2(5);
  float x[2];
  mixed.sample(m1, x);
  EXPECT_EQ(x[0], static_cast<float>(m2.standard_normal()));
  EXPECT_EQ(x[1], static_cast<float>(m2.uniform(0.0, 1.0)));
  mixed.high[0] = 1.0f;  // half-bounded: numpy's exponential, not implemented
  EXPECT_THROW(mixed.sample(m1, x), std::invalid_argument);
}

}  // namespace
