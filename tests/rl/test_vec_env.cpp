// VecEnv: Gymnasium's next-step autoreset, equality with N independent Env objects (bit for bit,
// including the reset-only steps and their ignored actions), the seed + i seeding, independence
// of the thread count, and its errors.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "../../rl/src/classic_control.hpp"
#include "adamant/rl/env.hpp"
#include "adamant/rl/random.hpp"

namespace {

using namespace adamant::rl;

/// Everything one vector step returns, to compare runs bit for bit.
struct Trace {
  std::vector<float> obs;
  std::vector<double> rewards;
  std::vector<std::uint8_t> term, trunc;
  bool operator==(const Trace& o) const {
    return std::memcmp(obs.data(), o.obs.data(), obs.size() * sizeof(float)) == 0 &&
           std::memcmp(rewards.data(), o.rewards.data(), rewards.size() * sizeof(double)) == 0 &&
           term == o.term && trunc == o.trunc;
  }
};

/// Actions for step t: random in the space, out-of-range ones for Box spaces (they are clipped)
/// and, for envs about to be autoreset, garbage that must be ignored.
struct ActionSource {
  Generator g;
  explicit ActionSource(std::uint64_t seed) : g(seed) {}
  void discrete(const Space& s, const std::vector<std::uint8_t>& done, std::int64_t* a) {
    for (std::size_t i = 0; i < done.size(); ++i) a[i] = done[i] ? 99 : g.integers(0, s.n);
  }
  void box(const Space& s, const std::vector<std::uint8_t>& done, float* a) {
    const int d = s.size();
    for (std::size_t i = 0; i < done.size(); ++i) {
      for (int k = 0; k < d; ++k) {
        a[i * d + k] = done[i] ? std::numeric_limits<float>::quiet_NaN()
                               : static_cast<float>(g.uniform(1.25 * s.low[k], 1.25 * s.high[k]));
      }
    }
  }
};

/// Runs `steps` vector steps of v.
std::vector<Trace> run_vec(VecEnv v, int steps, std::uint64_t seed) {
  const int n = v.num_envs();
  const Space& as = v.single_action_space();
  const bool discrete = as.kind == Space::Kind::kDiscrete;
  const int od = v.obs_dim();
  std::vector<Trace> out;
  Trace t;
  t.obs.resize(static_cast<std::size_t>(n) * od);
  t.rewards.assign(n, 0);
  t.term.assign(n, 0);
  t.trunc.assign(n, 0);
  v.reset(t.obs.data(), seed);
  out.push_back(t);
  ActionSource src(seed + 1000);
  std::vector<std::uint8_t> done(n, 0);
  std::vector<std::int64_t> ai(n);
  std::vector<float> af(static_cast<std::size_t>(n) * as.size());
  for (int s = 0; s < steps; ++s) {
    if (discrete) {
      src.discrete(as, done, ai.data());
      v.step(ai.data(), t.obs.data(), t.rewards.data(), t.term.data(), t.trunc.data());
    } else {
      src.box(as, done, af.data());
      v.step(af.data(), t.obs.data(), t.rewards.data(), t.term.data(), t.trunc.data());
    }
    for (int i = 0; i < n; ++i) done[i] = t.term[i] | t.trunc[i];
    out.push_back(t);
  }
  return out;
}

/// Runs `steps` vector steps of `id` with `n` envs on `threads` threads.
std::vector<Trace> run_vec(const std::string& id, int n, int threads, int steps,
                           std::uint64_t seed) {
  return run_vec(VecEnv(id, n, threads), steps, seed);
}

/// The same with n independent Env objects and Gymnasium's next-step autoreset written out.
std::vector<Trace> run_singles(const std::string& id, int n, int steps, std::uint64_t seed) {
  std::vector<std::unique_ptr<Env>> envs;
  for (int i = 0; i < n; ++i) envs.push_back(make(id));
  const Space as = envs[0]->action_space();
  const bool discrete = as.kind == Space::Kind::kDiscrete;
  const int od = envs[0]->obs_dim();
  std::vector<Trace> out;
  Trace t;
  t.obs.resize(static_cast<std::size_t>(n) * od);
  t.rewards.assign(n, 0);
  t.term.assign(n, 0);
  t.trunc.assign(n, 0);
  for (int i = 0; i < n; ++i) envs[i]->reset(&t.obs[static_cast<std::size_t>(i) * od], seed + i);
  out.push_back(t);
  ActionSource src(seed + 1000);
  std::vector<std::uint8_t> done(n, 0);
  std::vector<std::int64_t> ai(n);
  std::vector<float> af(static_cast<std::size_t>(n) * as.size());
  for (int s = 0; s < steps; ++s) {
    if (discrete) {
      src.discrete(as, done, ai.data());
    } else {
      src.box(as, done, af.data());
    }
    for (int i = 0; i < n; ++i) {
      float* o = &t.obs[static_cast<std::size_t>(i) * od];
      if (done[i]) {
        envs[i]->reset(o);
        t.rewards[i] = 0;
        t.term[i] = t.trunc[i] = 0;
      } else {
        const StepResult r = discrete
                                 ? envs[i]->step(ai[i], o)
                                 : envs[i]->step(&af[static_cast<std::size_t>(i) * as.size()], o);
        t.rewards[i] = r.reward;
        t.term[i] = r.terminated;
        t.trunc[i] = r.truncated;
      }
      done[i] = t.term[i] | t.trunc[i];
    }
    out.push_back(t);
  }
  return out;
}

class VecEnvAll : public ::testing::TestWithParam<std::string> {};

TEST_P(VecEnvAll, EqualsIndependentEnvsWithNextStepAutoreset) {
  const std::string id = GetParam();
  // Past every registered time limit (MountainCarContinuous's is 999 steps).
  const int n = 37, steps = id == "MountainCarContinuous-v0" ? 1100 : 650;
  const auto vec = run_vec(id, n, 2, steps, 100);
  const auto ref = run_singles(id, n, steps, 100);
  ASSERT_EQ(vec.size(), ref.size());
  int episodes_ended = 0, truncations = 0;
  for (std::size_t s = 0; s < vec.size(); ++s) {
    ASSERT_TRUE(vec[s] == ref[s]) << id << ": vector step " << s << " differs";
    for (int i = 0; i < n; ++i) {
      episodes_ended += vec[s].term[i] | vec[s].trunc[i];
      truncations += vec[s].trunc[i];
    }
  }
  EXPECT_GT(episodes_ended, 0) << "the run must exercise the autoreset";
  if (id != "CartPole-v1") {  // a random CartPole policy falls long before its 500-step limit
    EXPECT_GT(truncations, 0);
  }
}

TEST_P(VecEnvAll, SameBitsOnAnyThreadCount) {
  const std::string id = GetParam();
  const auto one = run_vec(id, 203, 1, 120, 7);
  for (int threads : {2, 3, 8}) {
    const auto many = run_vec(id, 203, threads, 120, 7);
    for (std::size_t s = 0; s < one.size(); ++s) {
      ASSERT_TRUE(one[s] == many[s]) << id << ": " << threads << " threads, step " << s;
    }
  }
}

TEST_P(VecEnvAll, FromEnvsEqualsTheKernels) {
  // VecEnv::from_envs (how the trainer steps a user's environments) over Env objects of the
  // same id: the same autoreset, the same seeds, the same bits as the batched kernels.
  const std::string id = GetParam();
  const int n = 9, steps = id == "MountainCarContinuous-v0" ? 1100 : 650;
  std::vector<std::unique_ptr<Env>> envs;
  for (int i = 0; i < n; ++i) envs.push_back(make(id));
  const VecEnv v = VecEnv::from_envs(std::move(envs));
  EXPECT_EQ(v.num_envs(), n);
  EXPECT_EQ(v.id(), id);
  EXPECT_EQ(v.max_episode_steps(), VecEnv(id, 1).max_episode_steps());
  const auto a = run_vec(v, steps, 21);
  const auto b = run_vec(id, n, 1, steps, 21);
  for (std::size_t s = 0; s < a.size(); ++s) ASSERT_TRUE(a[s] == b[s]) << id << ": step " << s;
}

TEST_P(VecEnvAll, SameStepAndDisabledAutoresetFollowGymnasium) {
  // gymnasium.vector.SyncVectorEnv's definitions written out over independent Env objects:
  // SAME_STEP resets an env in the step that ends its episode (reward and flags of that step, the
  // final observation apart); DISABLED leaves it, refuses to step it, and a masked reset resets
  // only the selected envs.
  const std::string id = GetParam();
  const int n = 7, steps = id == "MountainCarContinuous-v0" ? 1100 : 650;
  std::vector<std::unique_ptr<Env>> ref;
  for (int i = 0; i < n; ++i) ref.push_back(make(id));
  VecEnv same(id, n, 2, AutoresetMode::kSameStep), off(id, n, 1, AutoresetMode::kDisabled);
  EXPECT_EQ(same.autoreset_mode(), AutoresetMode::kSameStep);
  const Space as = ref[0]->action_space();
  const bool discrete = as.kind == Space::Kind::kDiscrete;
  const std::size_t od = static_cast<std::size_t>(ref[0]->obs_dim()), d = as.size();
  std::vector<float> o1(n * od), o2(n * od), o3(n * od), fin(n * od);
  std::vector<double> r1(n), r2(n), r3(n);
  std::vector<std::uint8_t> t1(n), t2(n), t3(n), u1(n), u2(n), u3(n), fm(n), none(n, 0);
  same.reset(o1.data(), 5);
  off.reset(o2.data(), 5);
  for (int i = 0; i < n; ++i) ref[i]->reset(&o3[i * od], 5 + i);
  ASSERT_EQ(o1, o3);
  ASSERT_EQ(o2, o3);
  ActionSource src(9);
  std::vector<std::int64_t> ai(n);
  std::vector<float> af(n * d);
  int ended = 0;
  for (int s = 0; s < steps; ++s) {
    if (discrete)
      src.discrete(as, none, ai.data());
    else
      src.box(as, none, af.data());
    auto vstep = [&](VecEnv& v, float* o, double* r, std::uint8_t* te, std::uint8_t* tr) {
      if (discrete)
        v.step(ai.data(), o, r, te, tr);
      else
        v.step(af.data(), o, r, te, tr);
    };
    vstep(same, o1.data(), r1.data(), t1.data(), u1.data());
    vstep(off, o2.data(), r2.data(), t2.data(), u2.data());
    std::fill(fin.begin(), fin.end(), 0.f);
    std::fill(fm.begin(), fm.end(), 0);
    std::vector<std::uint8_t> mask(n, 0);
    for (int i = 0; i < n; ++i) {
      float* o = &o3[i * od];
      const StepResult r = discrete ? ref[i]->step(ai[i], o) : ref[i]->step(&af[i * d], o);
      r3[i] = r.reward;
      t3[i] = r.terminated;
      u3[i] = r.truncated;
      if (r.terminated || r.truncated) {
        std::copy(o, o + od, &fin[i * od]);
        fm[i] = 1;
        mask[i] = 1;
        ++ended;
      }
    }
    // DISABLED returned the final observations themselves.
    ASSERT_EQ(o2, o3) << id << " disabled, step " << s;
    ASSERT_EQ(r2, r3);
    ASSERT_EQ(t2, t3);
    ASSERT_EQ(u2, u3);
    for (int i = 0; i < n; ++i)
      if (mask[i]) ref[i]->reset(&o3[i * od]);
    ASSERT_EQ(o1, o3) << id << " same-step, step " << s;
    ASSERT_EQ(r1, r3);
    ASSERT_EQ(t1, t3);
    ASSERT_EQ(u1, u3);
    ASSERT_EQ(same.final_observations(), fin);
    ASSERT_EQ(same.final_mask(), fm);
    if (std::any_of(mask.begin(), mask.end(), [](std::uint8_t m) { return m != 0; })) {
      if (discrete)
        EXPECT_THROW(off.step(ai.data(), o2.data(), r2.data(), t2.data(), u2.data()),
                     std::logic_error);
      else
        EXPECT_THROW(off.step(af.data(), o2.data(), r2.data(), t2.data(), u2.data()),
                     std::logic_error);
      off.reset(o2.data(), std::nullopt, mask.data());  // the others keep their observations
      ASSERT_EQ(o2, o3) << id << " masked reset, step " << s;
    }
  }
  EXPECT_GT(ended, 0);
}

INSTANTIATE_TEST_SUITE_P(Envs, VecEnvAll,
                         ::testing::Values("CartPole-v1", "Acrobot-v1", "MountainCar-v0",
                                           "MountainCarContinuous-v0", "Pendulum-v1"),
                         [](const ::testing::TestParamInfo<std::string>& param) {
                           std::string s = param.param;
                           for (char& c : s) c = c == '-' ? '_' : c;
                           return s;
                         });

// ---- VecMath::kVector (CartPole-v1) ------------------------------------------------------

/// Distance of a from b in units of b's ulp.
double ulps(double a, double b) {
  const double ulp = std::nextafter(std::fabs(b), INFINITY) - std::fabs(b);
  return std::fabs(a - b) / ulp;
}

TEST(VecMath, VectorSinCosIsWithinFourUlpsLaneByLane) {
  Generator g(3);
  std::vector<double> x(4099);
  for (std::size_t i = 0; i < x.size(); ++i)
    x[i] = i % 3 == 0 ? g.uniform(-0.5, 0.5)
                      : (i % 3 == 1 ? g.uniform(-10, 10) : g.uniform(-1e4, 1e4));
  std::vector<double> s(x.size()), c(x.size());
  detail::vector_sin_cos(x.data(), static_cast<int>(x.size()), s.data(), c.data());
  double worst = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    worst = std::max({worst, ulps(s[i], std::sin(x[i])), ulps(c[i], std::cos(x[i]))});
  }
  EXPECT_LE(worst, 4.0) << detail::vector_sin_cos_kind();
  // Every tail length and offset gives each element's value unchanged (lanes are independent).
  for (int n = 1; n <= 17; ++n) {
    for (int off = 0; off < 3; ++off) {
      std::vector<double> s2(n), c2(n);
      detail::vector_sin_cos(x.data() + off, n, s2.data(), c2.data());
      for (int k = 0; k < n; ++k) {
        ASSERT_EQ(s2[k], s[off + k]) << "n " << n << " offset " << off;
        ASSERT_EQ(c2[k], c[off + k]) << "n " << n << " offset " << off;
      }
    }
  }
}

std::vector<Trace> run_cartpole(int n, int threads, VecMath math, int steps) {
  return run_vec(VecEnv("CartPole-v1", n, threads, AutoresetMode::kNextStep, math), steps, 11);
}

TEST(VecMath, VectorModeIsThreadCountIndependentAndCloseToExact) {
  const int n = 1001, steps = 200;
  const auto exact = run_cartpole(n, 1, VecMath::kExact, steps);
  const auto one = run_cartpole(n, 1, VecMath::kVector, steps);
  for (int threads : {2, 3, 8}) {
    const auto many = run_cartpole(n, threads, VecMath::kVector, steps);
    for (std::size_t s = 0; s < one.size(); ++s)
      ASSERT_TRUE(one[s] == many[s]) << threads << " threads, step " << s;
  }
  // The same reset states (the generators are untouched by the math mode); then a few ulps per
  // step: the first steps agree to float32 rounding of nearly equal doubles, and the flags and
  // the autoreset pattern agree as long as no env sits on a threshold.
  ASSERT_TRUE(exact[0] == one[0]);
  double worst = 0;
  for (int s = 1; s <= 10; ++s) {
    for (std::size_t k = 0; k < exact[s].obs.size(); ++k) {
      const double a = exact[s].obs[k], b = one[s].obs[k];
      worst = std::max(worst, std::fabs(a - b) / std::max(1e-3, std::fabs(a)));
    }
    EXPECT_EQ(exact[s].term, one[s].term) << "step " << s;
  }
  EXPECT_LE(worst, 1e-6);  // a float32 ulp of the observation at most
}

TEST(VecMath, VectorStepsAreGymnasiumsVectorArithmetic) {
  // Steps from the same float64 states, written as CartPoleVectorEnv computes them: np.cos /
  // np.sin (here libmvec's, to be the same SIMD function), np.square, then the Euler update,
  // compared bit for bit on the float64 states; the exact mode's glibc sincos and pow part from it.
  const int n = 256, steps = 8;
  VecEnv v("CartPole-v1", n, 1, AutoresetMode::kNextStep, VecMath::kVector);
  VecEnv ex("CartPole-v1", n, 1, AutoresetMode::kNextStep, VecMath::kExact);
  std::vector<float> obs(n * 4);
  v.reset(obs.data(), 5);
  ex.reset(obs.data(), 5);
  std::vector<double> st = v.states();
  ASSERT_EQ(st, ex.states());
  for (int i = 0; i < n; ++i) {
    // The reset state of env i (seed 5 + i): the first four uniforms of its generator.
    Generator gi(static_cast<std::uint64_t>(5 + i));
    for (int k = 0; k < 4; ++k) ASSERT_EQ(st[i * 4 + k], gi.uniform(-0.05, 0.05));
  }
  std::vector<std::int64_t> a(n);
  std::vector<double> r(n);
  std::vector<std::uint8_t> te(n), tr(n);
  using CP = detail::CartPole;
  int modes_differ = 0;
  for (int t = 0; t < steps; ++t) {  // alternating pushes: no episode ends within 8 steps
    for (int i = 0; i < n; ++i) a[i] = (i + t) % 2;
    v.step(a.data(), obs.data(), r.data(), te.data(), tr.data());
    ex.step(a.data(), obs.data(), r.data(), te.data(), tr.data());
    for (int i = 0; i < n; ++i) {
      ASSERT_EQ(te[i], 0);
      double* q = &st[i * 4];
      double sn, cs;
      detail::vector_sin_cos(&q[2], 1, &sn, &cs);
      CP::advance(q[0], q[1], q[2], q[3], a[i] == 1, sn, cs, q[3] * q[3], cs * cs);
    }
    ASSERT_EQ(v.states(), st) << "step " << t;
    const std::vector<double> e = ex.states();
    for (std::size_t k = 0; k < e.size(); ++k) {
      modes_differ += e[k] != st[k];
      ASSERT_LE(std::fabs(e[k] - st[k]), 1e-14 * std::max(1.0, std::fabs(e[k])));
    }
  }
  EXPECT_GT(modes_differ, 0) << "the vector mode gave the exact mode's bits for every state";
}

TEST(VecMath, OtherEnvironmentsRefuseTheVectorMode) {
  for (const char* id : {"Acrobot-v1", "MountainCar-v0", "Pendulum-v1"}) {
    try {
      VecEnv v(id, 4, 1, AutoresetMode::kNextStep, VecMath::kVector);
      ADD_FAILURE() << id << " accepted VecMath::kVector";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("CartPole-v1 only"), std::string::npos) << e.what();
    }
  }
}

TEST(VecEnv, AutoresetSemantics) {
  // MountainCar with "no push" never reaches the goal: every env truncates at step 200, the
  // next step is reset-only (reward 0, flags false, fresh observation), then it runs again.
  const int n = 3;
  VecEnv v("MountainCar-v0", n, 2);
  std::vector<float> obs(n * 2);
  std::vector<double> rew(n);
  std::vector<std::uint8_t> te(n), tr(n);
  std::vector<std::int64_t> a(n, 1);
  v.reset(obs.data(), 50);
  for (int t = 1; t <= 200; ++t) {
    v.step(a.data(), obs.data(), rew.data(), te.data(), tr.data());
    for (int i = 0; i < n; ++i) {
      ASSERT_EQ(tr[i], t == 200 ? 1 : 0) << t;
      ASSERT_EQ(te[i], 0);
      ASSERT_EQ(rew[i], -1.0);
    }
  }
  // Reset-only step: its actions are ignored, even invalid ones.
  std::vector<std::int64_t> junk(n, -5);
  v.step(junk.data(), obs.data(), rew.data(), te.data(), tr.data());
  for (int i = 0; i < n; ++i) {
    EXPECT_EQ(rew[i], 0.0);
    EXPECT_EQ(te[i], 0);
    EXPECT_EQ(tr[i], 0);
    // Env i was seeded with 50 + i; its autoreset is the second reset of that generator.
    Generator g(50 + i);
    g.uniform(-0.6, -0.4);
    EXPECT_EQ(obs[2 * i], static_cast<float>(g.uniform(-0.6, -0.4)));
    EXPECT_EQ(obs[2 * i + 1], 0.0f);
  }
  v.step(a.data(), obs.data(), rew.data(), te.data(), tr.data());
  for (int i = 0; i < n; ++i) EXPECT_EQ(rew[i], -1.0);
  // Now the junk is used, and rejected before anything changes.
  const std::vector<float> before = obs;
  EXPECT_THROW(v.step(junk.data(), obs.data(), rew.data(), te.data(), tr.data()),
               std::invalid_argument);
  EXPECT_EQ(obs, before);
}

TEST(VecEnv, SeedPlusIndexAndUnseededResets) {
  VecEnv v("CartPole-v1", 4, 1);
  std::vector<float> obs(16), obs2(16);
  v.reset(obs.data(), 1234);
  for (int i = 0; i < 4; ++i) {
    auto e = make("CartPole-v1");
    float o[4];
    e->reset(o, 1234 + i);
    for (int k = 0; k < 4; ++k) EXPECT_EQ(obs[4 * i + k], o[k]);
    e->reset(o);  // an unseeded vector reset continues each env's generator
    if (i == 0) v.reset(obs2.data());
    for (int k = 0; k < 4; ++k) EXPECT_EQ(obs2[4 * i + k], o[k]);
  }
  // seed + i is an unbounded integer: 2^64 − 1 + 1 = 2^64 is SeedSequence([0, 0, 1]).
  VecEnv w("CartPole-v1", 2, 1);
  w.reset(obs.data(), ~std::uint64_t{0});
  Generator g(SeedSequence(std::vector<std::uint32_t>{0, 0, 1}));
  for (int k = 0; k < 4; ++k) EXPECT_EQ(obs[4 + k], static_cast<float>(g.uniform(-0.05, 0.05)));
}

TEST(VecEnv, AutoresetModeNamesAndMaskErrors) {
  for (AutoresetMode m :
       {AutoresetMode::kNextStep, AutoresetMode::kSameStep, AutoresetMode::kDisabled})
    EXPECT_EQ(parse_autoreset_mode(to_string(m)), m);
  EXPECT_EQ(parse_autoreset_mode("SameStep"), AutoresetMode::kSameStep);  // Gymnasium's value
  EXPECT_THROW(parse_autoreset_mode("sometimes"), std::invalid_argument);
  VecEnv v("CartPole-v1", 3, 1, AutoresetMode::kDisabled);
  std::vector<float> obs(12);
  const std::uint8_t all[3] = {1, 1, 1}, nothing[3] = {0, 0, 0};
  EXPECT_THROW(v.reset(obs.data(), 0, all), std::logic_error);  // before a full reset
  v.reset(obs.data(), 0);
  EXPECT_THROW(v.reset(obs.data(), 0, nothing), std::invalid_argument);
  std::vector<float> again(12);
  v.reset(again.data(), 0, all);  // seeded: the same first observations
  EXPECT_EQ(again, obs);
  EXPECT_TRUE(v.final_observations().empty());  // only kept with same-step autoreset
}

TEST(VecEnv, FromEnvsErrors) {
  std::vector<std::unique_ptr<Env>> none;
  EXPECT_THROW(VecEnv::from_envs(std::move(none)), std::invalid_argument);
  std::vector<std::unique_ptr<Env>> mixed;
  mixed.push_back(make("CartPole-v1"));
  mixed.push_back(make("Acrobot-v1"));
  try {
    VecEnv::from_envs(std::move(mixed));
    FAIL() << "mixed environments accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("env 1 (Acrobot-v1"), std::string::npos) << e.what();
  }
  std::vector<std::unique_ptr<Env>> one;
  one.push_back(make("CartPole-v1"));
  VecEnv v = VecEnv::from_envs(std::move(one));
  std::vector<float> obs(4);
  double r;
  std::uint8_t te, tr;
  const std::int64_t a = 0;
  EXPECT_THROW(v.step(&a, obs.data(), &r, &te, &tr), std::logic_error);  // before reset
  v.reset(obs.data(), 0);
  const float f = 0;
  EXPECT_THROW(v.step(&f, obs.data(), &r, &te, &tr), std::invalid_argument);  // float actions
}

TEST(VecEnv, Errors) {
  EXPECT_THROW(VecEnv("Nope-v0", 4), std::invalid_argument);
  EXPECT_THROW(VecEnv("CartPole-v1", 0), std::invalid_argument);
  VecEnv v("CartPole-v1", 2);
  std::vector<float> obs(8);
  std::vector<double> rew(2);
  std::vector<std::uint8_t> te(2), tr(2);
  std::vector<std::int64_t> a{0, 1};
  EXPECT_THROW(v.step(a.data(), obs.data(), rew.data(), te.data(), tr.data()), std::logic_error);
  v.reset(obs.data(), 0);
  std::vector<float> fa{0.0f, 0.0f};
  EXPECT_THROW(v.step(fa.data(), obs.data(), rew.data(), te.data(), tr.data()),
               std::invalid_argument);
  a[1] = 2;
  try {
    v.step(a.data(), obs.data(), rew.data(), te.data(), tr.data());
    FAIL();
  } catch (const std::invalid_argument& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("action 2 of env 1"), std::string::npos) << m;
    EXPECT_NE(m.find("Discrete(2)"), std::string::npos) << m;
  }
  VecEnv p("Pendulum-v1", 2);
  EXPECT_EQ(p.obs_dim(), 3);
  EXPECT_EQ(p.single_action_space().describe(), "Box(-2.0, 2.0, (1,), float32)");
  std::vector<float> po(6);
  p.reset(po.data(), 0);
  fa[0] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(p.step(fa.data(), po.data(), rew.data(), te.data(), tr.data()),
               std::invalid_argument);
  EXPECT_THROW(p.step(a.data(), po.data(), rew.data(), te.data(), tr.data()),
               std::invalid_argument);
}

}  // namespace
