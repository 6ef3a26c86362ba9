// Behaviour of the optimizer around the rules: validation, non-finite gradients, state round
// trips, thread-count independence, groups, clipping of gradients and of updates, and the two
// rules PyTorch 1.13 lacks (Lion, Optimistic Adam) against direct transcriptions of their papers.

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <random>

#include "adamant/core/optimizer.hpp"

namespace ac = adamant::core;

namespace {

template <typename T>
using Vec = Eigen::Matrix<T, Eigen::Dynamic, 1>;

// Deterministic pseudo-random vector (mt19937_64 bits mapped to [-scale, scale)).
template <typename T>
Vec<T> random_vector(std::size_t n, std::uint64_t seed, double scale = 1.0) {
  std::mt19937_64 rng(seed);
  Vec<T> v(n);
  for (std::size_t i = 0; i < n; ++i)
    v[i] = static_cast<T>(scale * (static_cast<double>(rng() >> 11) * 0x1.0p-53 * 2 - 1));
  return v;
}

template <typename T>
std::vector<std::unique_ptr<ac::UpdateRule<T>>> every_rule() {
  std::vector<std::unique_ptr<ac::UpdateRule<T>>> r;
  ac::SgdOptions sgd;
  sgd.momentum = 0.9;
  sgd.nesterov = true;
  r.push_back(ac::make_rule<T>(sgd));
  r.push_back(ac::make_rule<T>(ac::AdagradOptions{}));
  ac::RmspropOptions rms;
  rms.centered = true;
  rms.momentum = 0.5;
  r.push_back(ac::make_rule<T>(rms));
  r.push_back(ac::make_rule<T>(ac::AdamOptions{}));
  ac::AdamOptions ams = ac::AdamOptions::adamw();
  ams.amsgrad = true;
  r.push_back(ac::make_rule<T>(ams));
  r.push_back(ac::make_rule<T>(ac::AdamaxOptions{}));
  r.push_back(ac::make_rule<T>(ac::NadamOptions{}));
  r.push_back(ac::make_rule<T>(ac::RadamOptions{}));
  ac::LionOptions lion;
  lion.weight_decay = 0.1;
  r.push_back(ac::make_rule<T>(lion));
  r.push_back(ac::make_rule<T>(ac::OptimisticAdamOptions{}));
  return r;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(OptimValidation, InvalidHyperParametersNameTheParameter) {
  ac::AdamOptions a;
  a.beta1 = 1.0;
  EXPECT_NE(error_of([&] { ac::Optimizer<double>(a, 3); }).find("beta1 must be in [0, 1), got 1"),
            std::string::npos);
  a = {};
  a.beta2 = -0.1;
  EXPECT_NE(error_of([&] { ac::Optimizer<float>(a, 3); }).find("beta2"), std::string::npos);
  a = {};
  a.eps = 0;
  EXPECT_NE(error_of([&] { ac::Optimizer<double>(a, 3); }).find("eps must be finite and > 0"),
            std::string::npos);
  a = {};
  a.lr = -1;
  EXPECT_NE(error_of([&] { ac::Optimizer<double>(a, 3); }).find("adam: lr must be"),
            std::string::npos);
  a.lr = std::numeric_limits<double>::quiet_NaN();
  EXPECT_NE(error_of([&] { ac::Optimizer<double>(a, 3); }).find("lr"), std::string::npos);
  ac::RmspropOptions r;
  r.alpha = 1;
  EXPECT_NE(error_of([&] { ac::Optimizer<double>(r, 3); }).find("rmsprop: alpha"),
            std::string::npos);
  ac::SgdOptions s;
  s.nesterov = true;
  EXPECT_NE(error_of([&] { ac::Optimizer<double>(s, 3); }).find("Nesterov"), std::string::npos);
  ac::AdagradOptions g;
  g.eps = -1;
  EXPECT_NE(error_of([&] { ac::Optimizer<double>(g, 3); }).find("adagrad: eps"), std::string::npos);
}

TEST(OptimValidation, InvalidOptionsAndGroups) {
  ac::OptimizerOptions o;
  o.clip_grad_norm = -1;
  EXPECT_NE(error_of([&] {
              ac::Optimizer<double>(ac::AdamOptions{}, 10, o);
            }).find("clip_grad_norm must be finite and >= 0"),
            std::string::npos);
  o = {};
  o.groups = {{0, 4, 1.0, -1, "weights"}, {5, 10, 1.0, 0.0, "biases"}};
  EXPECT_NE(error_of([&] {
              ac::Optimizer<double>(ac::AdamOptions{}, 10, o);
            }).find("group 1 'biases' covers [5, 10)"),
            std::string::npos);
  o.groups = {{0, 4, 1.0, -1, "weights"}};
  EXPECT_NE(error_of([&] {
              ac::Optimizer<double>(ac::AdamOptions{}, 10, o);
            }).find("groups end at 4 but the buffer has 10 elements"),
            std::string::npos);
  o = {};
  o.schedule = ac::Schedule::cosine(0.1, 0);
  EXPECT_NE(
      error_of([&] { ac::Optimizer<double>(ac::AdamOptions{}, 10, o); }).find("t_max must be >= 1"),
      std::string::npos);
  ac::Optimizer<double> opt(ac::AdamOptions{}, 4);
  Vec<double> p = Vec<double>::Zero(4), g = Vec<double>::Zero(5);
  EXPECT_NE(error_of([&] { opt.step(p, g); }).find("expected 4 parameters and gradients"),
            std::string::npos);
}

TEST(OptimNonFinite, RaiseNamesTheFirstBadIndexAndChangesNothing) {
  for (double bad :
       {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
        -std::numeric_limits<double>::infinity()}) {
    const std::size_t n = 200000;  // several chunks, so the scan runs chunk by chunk
    ac::OptimizerOptions o;
    o.num_threads = 2;
    ac::Optimizer<double> opt(ac::AdamOptions{}, n, o);
    Vec<double> p = random_vector<double>(n, 1), g = random_vector<double>(n, 2);
    opt.step(p, g);
    const Vec<double> p0 = p;
    const ac::State<double> s0 = opt.state();
    g[150001] = bad;
    g[170000] = bad;
    try {
      opt.step(p, g);
      FAIL() << "expected NonFiniteGradientError";
    } catch (const ac::NonFiniteGradientError& e) {
      EXPECT_EQ(e.index(), 150001u);
      EXPECT_NE(std::string(e.what()).find("element 150001"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("step 2"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(p == p0);
    EXPECT_TRUE(opt.state() == s0);
  }
}

TEST(OptimNonFinite, SkipCountsAndLeavesParametersFinite) {
  ac::OptimizerOptions o;
  o.non_finite = ac::NonFinitePolicy::kSkip;
  o.clip_grad_norm = 1.0;  // the norm pass doubles as the finite check
  ac::Optimizer<float> opt(ac::AdamOptions{}, 100, o);
  Vec<float> p = random_vector<float>(100, 3), g = random_vector<float>(100, 4);
  for (int t = 0; t < 10; ++t) {
    Vec<float> gt = g;
    if (t % 3 == 1) gt[t] = std::numeric_limits<float>::quiet_NaN();
    const ac::StepResult r = opt.step(p, gt);
    EXPECT_EQ(r.applied, t % 3 != 1);
    if (!r.applied) {
      EXPECT_EQ(r.nonfinite_index, static_cast<std::size_t>(t));
    }
  }
  EXPECT_EQ(opt.state().skipped_steps, 3);
  EXPECT_EQ(opt.state().step, 7);
  EXPECT_TRUE(p.allFinite());
}

// A restored state continues bit-identically, for every rule and both precisions.
template <typename T>
void round_trip() {
  for (const auto& rule : every_rule<T>()) {
    const std::size_t n = 1000;
    ac::Optimizer<T> a(*rule, n);
    Vec<T> p = random_vector<T>(n, 5);
    for (int t = 0; t < 7; ++t) a.step(p, random_vector<T>(n, 100 + t));
    const ac::State<T> saved = a.state();
    const Vec<T> p_saved = p;
    for (int t = 7; t < 15; ++t) a.step(p, random_vector<T>(n, 100 + t));

    ac::Optimizer<T> b(*rule, n);
    b.set_state(saved);
    Vec<T> q = p_saved;
    for (int t = 7; t < 15; ++t) b.step(q, random_vector<T>(n, 100 + t));
    EXPECT_TRUE(p == q) << rule->name();
    EXPECT_TRUE(a.state() == b.state()) << rule->name();
  }
}
TEST(OptimState, RestoredRunContinuesBitIdenticallyDouble) { round_trip<double>(); }
TEST(OptimState, RestoredRunContinuesBitIdenticallyFloat) { round_trip<float>(); }

TEST(OptimState, SetStateRejectsAMismatch) {
  ac::Optimizer<double> adam(ac::AdamOptions{}, 10);
  ac::AdamOptions ams;
  ams.amsgrad = true;
  ac::Optimizer<double> amsgrad(ams, 10);
  EXPECT_NE(
      error_of([&] { adam.set_state(amsgrad.state()); }).find("expected [ exp_avg exp_avg_sq ]"),
      std::string::npos);
  ac::Optimizer<double> longer(ac::AdamOptions{}, 11);
  EXPECT_NE(error_of([&] { adam.set_state(longer.state()); }).find("has 11 elements, expected 10"),
            std::string::npos);
}

// The same run on 1, 2 and all threads gives the same bits, with both norm clips on (they add
// partial sums) and groups whose boundaries do not fall on chunk boundaries.
template <typename T>
void thread_independence() {
  const std::size_t n = 3 * ac::Optimizer<T>::kParallelMin + 12345;
  for (const auto& rule : every_rule<T>()) {
    std::vector<Vec<T>> results;
    std::vector<ac::State<T>> states;
    for (int threads : {1, 2, 0}) {
      ac::OptimizerOptions o;
      o.num_threads = threads;
      o.clip_grad_norm = 50.0;
      o.clip_update_norm = 0.5;
      o.groups = {{0, 100003, 1.0, -1, "a"}, {100003, n, 0.5, 0.0, "b"}};
      ac::Optimizer<T> opt(*rule, n, o);
      Vec<T> p = random_vector<T>(n, 11);
      for (int t = 0; t < 4; ++t) opt.step(p, random_vector<T>(n, 200 + t, 3.0));
      results.push_back(p);
      states.push_back(opt.state());
    }
    for (std::size_t i = 1; i < results.size(); ++i) {
      EXPECT_TRUE(results[i] == results[0]) << rule->name() << " run " << i;
      EXPECT_TRUE(states[i] == states[0]) << rule->name() << " run " << i;
    }
  }
}
TEST(OptimThreads, SameBitsOnAnyThreadCountDouble) { thread_independence<double>(); }
TEST(OptimThreads, SameBitsOnAnyThreadCountFloat) { thread_independence<float>(); }

TEST(OptimGroups, LrScaleAndWeightDecayPerGroup) {
  const std::size_t n = 20;
  ac::AdamOptions a = ac::AdamOptions::adamw();
  a.weight_decay = 0.5;
  a.lr = 0.1;
  ac::OptimizerOptions o;
  o.groups = {{0, 5, 0.0, -1, "frozen"}, {5, 10, 1.0, 0.0, "no decay"}, {10, 20, 1.0, -1, "rest"}};
  ac::Optimizer<double> grouped(a, n, o);
  ac::Optimizer<double> plain(a, n);
  ac::AdamOptions nodecay = a;
  nodecay.weight_decay = 0;
  ac::Optimizer<double> undecayed(nodecay, n);
  Vec<double> p = random_vector<double>(n, 1), q = p, r = p;
  const Vec<double> p0 = p;
  for (int t = 0; t < 5; ++t) {
    const Vec<double> g = random_vector<double>(n, 50 + t);
    grouped.step(p, g);
    plain.step(q, g);
    undecayed.step(r, g);
  }
  EXPECT_TRUE(p.head(5) == p0.head(5));
  EXPECT_TRUE(p.segment(5, 5) == r.segment(5, 5));
  EXPECT_TRUE(p.tail(10) == q.tail(10));
  EXPECT_FALSE(p.segment(5, 5) == q.segment(5, 5));
}

TEST(OptimClip, GradientClippingEqualsClippingTheGradientFirst) {
  const std::size_t n = 64;
  for (bool by_norm : {false, true}) {
    ac::OptimizerOptions o;
    (by_norm ? o.clip_grad_norm : o.clip_grad_value) = 0.3;
    ac::Optimizer<double> fused(ac::AdamOptions{}, n, o);
    ac::Optimizer<double> plain(ac::AdamOptions{}, n);
    Vec<double> p = random_vector<double>(n, 1), q = p;
    for (int t = 0; t < 10; ++t) {
      const Vec<double> g = random_vector<double>(n, 70 + t, 2.0);
      Vec<double> gc = g;
      double norm = 0;
      if (by_norm)
        norm = ac::clip_grad_norm<double>(gc, 0.3);
      else
        ac::clip_grad_value<double>(gc, 0.3);
      const ac::StepResult r = fused.step(p, g);
      plain.step(q, gc);
      if (by_norm) {
        EXPECT_DOUBLE_EQ(r.grad_norm, norm);
      }
    }
    EXPECT_TRUE(p == q) << (by_norm ? "norm" : "value");
  }
}

TEST(OptimClip, UpdateClippingBoundsEachStep) {
  const std::size_t n = 500;
  ac::AdamOptions a;
  a.lr = 0.1;
  for (bool by_norm : {false, true}) {
    ac::OptimizerOptions o;
    (by_norm ? o.clip_update_norm : o.clip_update_value) = 0.01;
    ac::Optimizer<double> opt(a, n, o);
    Vec<double> p = random_vector<double>(n, 1);
    for (int t = 0; t < 10; ++t) {
      const Vec<double> before = p;
      const ac::StepResult r = opt.step(p, random_vector<double>(n, 90 + t));
      const Vec<double> d = p - before;
      if (by_norm) {
        EXPECT_LE(d.norm(), 0.01 * (1 + 1e-12));
        EXPECT_GT(r.update_norm, 0.01);  // Adam's first steps move every element by ~lr
      } else {
        // p + u − p may differ from u by one rounding of p's magnitude
        EXPECT_LE(d.cwiseAbs().maxCoeff(), 0.01 * (1 + 1e-12));
        EXPECT_GE(d.cwiseAbs().maxCoeff(), 0.01 * (1 - 1e-12));
      }
    }
  }
}

TEST(OptimSchedule, StepUsesTheScheduledLearningRate) {
  ac::OptimizerOptions o;
  o.schedule = ac::Schedule::step(0.1, 2, 0.5);
  ac::SgdOptions s;
  ac::Optimizer<double> opt(s, 1, o);
  Vec<double> p(1), g(1);
  p << 0;
  g << 1;
  const double expected[] = {0.1, 0.1, 0.05, 0.05, 0.025};
  double sum = 0;
  for (double lr : expected) {
    EXPECT_DOUBLE_EQ(opt.current_lr(), lr);
    EXPECT_DOUBLE_EQ(opt.step(p, g).lr, lr);
    sum += lr;
    EXPECT_NEAR(p[0], -sum, 1e-15);
  }
}

TEST(OptimSchedule, SetLrBetweenStepsEqualsARunAtThatRate) {
  // Adam with AdamW decay: two steps at 1e-2, then set_lr(3e-3); the third step must equal the
  // third step of a copy whose rule had lr 3e-3 from the start, given the same state.
  ac::AdamOptions a;
  a.lr = 1e-2;
  a.weight_decay = 0.1;
  a.decoupled_weight_decay = true;
  ac::Optimizer<double> opt(a, 3);
  Vec<double> p(3), g(3);
  p << 1, -2, 0.5;
  for (int t = 0; t < 2; ++t) {
    g << p[0] * 2, std::sin(p[1]), 1e-3 * t;
    opt.step(p, g);
  }
  ac::AdamOptions b = a;
  b.lr = 3e-3;
  ac::Optimizer<double> ref(b, 3);
  ref.set_state(opt.state());
  Vec<double> q = p;
  const ac::Optimizer<double> before = opt;  // the copy keeps the old rate
  opt.set_lr(3e-3);
  EXPECT_DOUBLE_EQ(opt.current_lr(), 3e-3);
  EXPECT_DOUBLE_EQ(before.current_lr(), 1e-2);
  g << 0.3, -0.7, 0.2;
  EXPECT_DOUBLE_EQ(opt.step(p, g).lr, 3e-3);
  ref.step(q, g);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(p[i], q[i]) << i;
  const ac::Optimizer<double> copy = opt;
  EXPECT_DOUBLE_EQ(copy.current_lr(), 3e-3);
  EXPECT_THROW(opt.set_lr(-1), std::invalid_argument);
  EXPECT_THROW(opt.set_lr(std::nan("")), std::invalid_argument);
  ac::OptimizerOptions o;
  o.schedule = ac::Schedule::step(0.1, 2, 0.5);
  ac::Optimizer<double> scheduled(a, 3, o);
  EXPECT_THROW(scheduled.set_lr(0.1), std::logic_error);
}

// Lion (Chen et al. 2023, Algorithm 2) transcribed directly in double.
TEST(OptimReference, LionMatchesThePaper) {
  ac::LionOptions o;
  o.lr = 0.01;
  o.beta1 = 0.9;
  o.beta2 = 0.99;
  o.weight_decay = 0.1;
  const std::size_t n = 9;
  ac::Optimizer<double> opt(o, n);
  Vec<double> p = random_vector<double>(n, 1), ref = p, m = Vec<double>::Zero(n);
  for (int t = 0; t < 30; ++t) {
    Vec<double> g = random_vector<double>(n, 300 + t);
    if (t == 5) g.setZero();
    opt.step(p, g);
    for (std::size_t i = 0; i < n; ++i) {
      const double c = o.beta1 * m[i] + (1 - o.beta1) * g[i];
      const double sgn = c > 0 ? 1.0 : (c < 0 ? -1.0 : 0.0);
      ref[i] = ref[i] * (1 - o.lr * o.weight_decay) - o.lr * sgn;
      m[i] = o.beta2 * m[i] + (1 - o.beta2) * g[i];
    }
    ASSERT_LT((p - ref).cwiseAbs().maxCoeff(), 1e-14) << "step " << t;
  }
}

// Optimistic Adam (Daskalakis et al. 2018): θ_t = θ_{t−1} − 2η q_t + η q_{t−1} with Adam's
// bias-corrected direction q_t = m̂_t / (√v̂_t + ε).
TEST(OptimReference, OptimisticAdamMatchesThePaper) {
  ac::OptimisticAdamOptions o;
  o.lr = 0.01;
  o.beta1 = 0.5;
  o.beta2 = 0.9;
  const std::size_t n = 6;
  ac::Optimizer<double> opt(o, n);
  Vec<double> p = random_vector<double>(n, 2), ref = p, m = Vec<double>::Zero(n),
              v = Vec<double>::Zero(n), q_prev = Vec<double>::Zero(n);
  for (int t = 1; t <= 30; ++t) {
    const Vec<double> g = random_vector<double>(n, 400 + t);
    opt.step(p, g);
    for (std::size_t i = 0; i < n; ++i) {
      m[i] = o.beta1 * m[i] + (1 - o.beta1) * g[i];
      v[i] = o.beta2 * v[i] + (1 - o.beta2) * g[i] * g[i];
      const double q = (m[i] / (1 - std::pow(o.beta1, t))) /
                       (std::sqrt(v[i] / (1 - std::pow(o.beta2, t))) + o.eps);
      ref[i] += -2 * o.lr * q + o.lr * q_prev[i];
      q_prev[i] = q;
    }
    ASSERT_LT((p - ref).cwiseAbs().maxCoeff(), 1e-13) << "step " << t;
  }
}

// On the bilinear game min_x max_y xy, with Adam's normalised steps both rules end on an orbit
// around the equilibrium whose size scales with lr; the optimistic correction (the reason the
// rule exists) shrinks that orbit about fourfold (measured: 0.024 vs 0.090 at lr = 0.01).
template <typename Options>
double bilinear_distance_after(Options o, int steps) {
  Options ascend = o;
  ascend.maximize = true;
  ac::Optimizer<double> px(o, 1), py(ascend, 1);
  Vec<double> x(1), y(1), gx(1), gy(1);
  x << 1;
  y << 1;
  for (int t = 0; t < steps; ++t) {
    gx << y[0];
    gy << x[0];
    px.step(x, gx);
    py.step(y, gy);
  }
  return std::hypot(x[0], y[0]);
}

TEST(OptimReference, OptimisticAdamConvergesOnBilinearGame) {
  ac::OptimisticAdamOptions o;
  o.lr = 0.01;
  o.beta1 = 0.0;
  o.beta2 = 0.9;
  ac::AdamOptions plain;
  plain.lr = o.lr;
  plain.beta1 = o.beta1;
  plain.beta2 = o.beta2;
  const double optimistic = bilinear_distance_after(o, 4000);
  const double simultaneous = bilinear_distance_after(plain, 4000);
  EXPECT_LT(optimistic, 3 * o.lr);
  EXPECT_LT(optimistic, 0.4 * simultaneous);
}

}  // namespace
