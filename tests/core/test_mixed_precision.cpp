// MixedPrecisionOptimizer and the 16-bit conversions: every float16 and bfloat16 value converts
// exactly, float32 → 16 bits rounds to nearest even (against the rounding written out in
// double), the bulk conversions equal the scalar ones bit for bit, the master weights are exactly
// Optimizer<float>'s on the unscaled gradient (any thread count), and the loss scale follows
// GradScaler's rules.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "adamant/core/mixed_precision.hpp"

namespace {

using namespace adamant::core;

float bits_to_float(std::uint32_t u) {
  float x;
  std::memcpy(&x, &u, sizeof x);
  return x;
}
std::uint32_t float_bits(float x) {
  std::uint32_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}

// The value of a 16-bit pattern, written out from its fields in double.
double reference_value(std::uint16_t h, HalfType t) {
  const int ebits = t == HalfType::kFloat16 ? 5 : 8, mbits = 15 - ebits;
  const int bias = (1 << (ebits - 1)) - 1, emax = (1 << ebits) - 1;
  const int e = (h >> mbits) & emax, m = h & ((1 << mbits) - 1);
  const double s = (h & 0x8000) ? -1.0 : 1.0;
  if (e == emax) return m ? std::numeric_limits<double>::quiet_NaN() : s * HUGE_VAL;
  if (e == 0) return s * std::ldexp(m, 1 - bias - mbits);
  return s * std::ldexp((1 << mbits) + m, e - bias - mbits);
}

// Round to nearest even into the 16-bit format, in double (exact for float inputs).
double reference_round(float x, HalfType t) {
  const int mbits = t == HalfType::kFloat16 ? 10 : 7;
  const int emin = t == HalfType::kFloat16 ? -14 : -126;
  const double largest = t == HalfType::kFloat16 ? 65504.0 : std::ldexp(255.0, 120);
  const double a = std::fabs(static_cast<double>(x));
  if (std::isinf(a)) return x;
  const int e = std::max(std::ilogb(a), emin);  // subnormals share emin's spacing
  const double ulp = std::ldexp(1.0, e - mbits);
  double q = std::nearbyint(a / ulp) * ulp;
  if (q > largest) q = HUGE_VAL;  // the halfway point above the largest rounds to Inf (even)
  return std::signbit(x) ? -q : q;
}

class Conversions : public ::testing::TestWithParam<HalfType> {};

TEST_P(Conversions, EveryPatternConvertsExactlyAndBack) {
  const HalfType t = GetParam();
  std::vector<std::uint16_t> all(65536);
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::uint16_t>(i);
  std::vector<float> bulk(all.size());
  from_half(all.data(), bulk.data(), all.size(), t);
  std::vector<std::uint16_t> back(all.size());
  to_half(bulk.data(), back.data(), bulk.size(), t);
  for (std::size_t i = 0; i < all.size(); ++i) {
    const std::uint16_t h = all[i];
    const float f = from_half(h, t);
    ASSERT_EQ(float_bits(f), float_bits(bulk[i])) << "pattern " << h;
    const double ref = reference_value(h, t);
    if (std::isnan(ref)) {
      ASSERT_TRUE(std::isnan(f)) << h;
      ASSERT_TRUE(std::isnan(from_half(back[i], t))) << h;
      continue;
    }
    ASSERT_EQ(static_cast<double>(f), ref) << "pattern " << h;
    ASSERT_EQ(std::signbit(f), static_cast<bool>(h & 0x8000)) << h;
    ASSERT_EQ(to_half(f, t), h) << "pattern " << h;
    ASSERT_EQ(back[i], h) << "pattern " << h;
  }
}

TEST_P(Conversions, FloatsRoundToNearestEven) {
  const HalfType t = GetParam();
  std::vector<float> xs;
  std::mt19937 rng(11);
  for (int i = 0; i < 400000; ++i) xs.push_back(bits_to_float(static_cast<std::uint32_t>(rng())));
  // Halfway cases and the edges: every value halfway between two neighbouring 16-bit values
  // (ties), just around them, and the overflow and underflow thresholds.
  for (std::uint32_t h = 0; h < 0x7c00; h += 7) {
    const float a = from_half(static_cast<std::uint16_t>(h), t);
    const float b = from_half(static_cast<std::uint16_t>(h + 1), t);
    const float mid = static_cast<float>((static_cast<double>(a) + b) / 2);
    for (float x : {mid, std::nextafter(mid, 0.0f), std::nextafter(mid, HUGE_VALF)}) {
      xs.push_back(x);
      xs.push_back(-x);
    }
  }
  for (float x : {65504.0f, 65519.996f, 65520.0f, 1e-8f, 2.9802322e-8f, 2.9802326e-8f, 1e-45f,
                  3.4028235e38f, HUGE_VALF, -HUGE_VALF, 0.0f, -0.0f})
    xs.push_back(x);
  std::vector<std::uint16_t> bulk(xs.size());
  to_half(xs.data(), bulk.data(), xs.size(), t);
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const float x = xs[i];
    const std::uint16_t h = to_half(x, t);
    ASSERT_EQ(h, bulk[i]) << "x = " << x << " (bits " << float_bits(x) << ")";
    if (std::isnan(x)) {
      ASSERT_TRUE(std::isnan(from_half(h, t)));
      ASSERT_EQ(static_cast<bool>(h & 0x8000), std::signbit(x));
      continue;
    }
    const double want = reference_round(x, t);
    ASSERT_EQ(static_cast<double>(from_half(h, t)), want) << "x = " << x;
    ASSERT_EQ(std::signbit(from_half(h, t)), std::signbit(x)) << "x = " << x;
  }
}

INSTANTIATE_TEST_SUITE_P(Types, Conversions,
                         ::testing::Values(HalfType::kBFloat16, HalfType::kFloat16),
                         [](const ::testing::TestParamInfo<HalfType>& p) {
                           return std::string(half_type_name(p.param));
                         });

TEST(HalfType, Names) {
  EXPECT_EQ(half_type_from_name("bf16"), HalfType::kBFloat16);
  EXPECT_EQ(half_type_from_name("float16"), HalfType::kFloat16);
  try {
    half_type_from_name("fp8");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'fp8'"), std::string::npos) << e.what();
  }
  // the facts the lab's low_precision experiment rests on
  EXPECT_EQ(to_half(1e-8f, HalfType::kFloat16), 0);  // eps = 1e-8 is 0 in float16
  EXPECT_NEAR(from_half(to_half(1e-8f, HalfType::kBFloat16), HalfType::kBFloat16), 1e-8, 1e-10);
}

struct Run {
  std::vector<float> master;
  std::vector<std::uint16_t> params;
};

// `steps` of a mixed-precision AdamW over n parameters with gradients drawn as 16-bit values
// (so their float32 values are exact), next to Optimizer<float> fed the same float32 gradients.
void expect_master_is_float32_run(HalfType t, std::size_t n, int threads, double loss_scale) {
  std::mt19937 rng(5);
  std::normal_distribution<float> nd(0, 1);
  std::vector<std::uint16_t> p16(n);
  for (auto& h : p16) h = to_half(nd(rng), t);
  AdamOptions adamw;
  adamw.lr = 1e-2;
  adamw.weight_decay = 0.01;
  adamw.decoupled_weight_decay = true;
  OptimizerOptions oo;
  oo.clip_grad_norm = 0.5 * std::sqrt(static_cast<double>(n));
  oo.num_threads = threads;
  LossScaleOptions ls;
  ls.scale = loss_scale;
  MixedPrecisionOptimizer mixed(adamw, p16.data(), n, t, oo, ls);
  std::vector<float> p32(n);
  from_half(p16.data(), p32.data(), n, t);
  Optimizer<float> ref(adamw, n, oo);
  std::vector<std::uint16_t> g16(n);
  std::vector<float> g32(n);
  const float inv = static_cast<float>(1.0 / loss_scale);
  for (int s = 0; s < 5; ++s) {
    for (std::size_t i = 0; i < n; ++i) {
      g16[i] = to_half(nd(rng) * static_cast<float>(loss_scale), t);
      g32[i] = from_half(g16[i], t) * inv;
    }
    const MixedStepResult r = mixed.step(p16.data(), g16.data());
    ref.step(p32.data(), g32.data(), n);
    ASSERT_TRUE(r.applied);
    ASSERT_FALSE(r.overflow);
    ASSERT_EQ(std::memcmp(mixed.master(), p32.data(), n * sizeof(float)), 0) << "step " << s;
    for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(p16[i], to_half(p32[i], t)) << i;
  }
  const State<float>& a = mixed.optimizer().state();
  const State<float>& b = ref.state();
  ASSERT_EQ(a.slots.size(), b.slots.size());
  for (std::size_t k = 0; k < a.slots.size(); ++k) EXPECT_TRUE(a.slots[k] == b.slots[k]);
}

TEST(MixedPrecisionOptimizer, MasterWeightsAreTheFloat32OptimizersExactly) {
  for (HalfType t : {HalfType::kBFloat16, HalfType::kFloat16}) {
    SCOPED_TRACE(half_type_name(t));
    expect_master_is_float32_run(t, 1000, 1, 1.0);
    expect_master_is_float32_run(t, 1000, 1, 1024.0);
    // several chunks, on one and two threads (the same bits)
    expect_master_is_float32_run(t, 300001, 1, 1.0);
    expect_master_is_float32_run(t, 300001, 2, 1.0);
  }
}

TEST(MixedPrecisionOptimizer, DynamicLossScaleFollowsGradScaler) {
  const HalfType t = HalfType::kFloat16;
  std::vector<std::uint16_t> p16(4, to_half(1.0f, t));
  AdamOptions adam;
  LossScaleOptions ls;
  ls.scale = 65536;
  ls.dynamic = true;
  ls.growth_interval = 3;
  MixedPrecisionOptimizer opt(adam, p16.data(), 4, t, {}, ls);
  std::vector<std::uint16_t> good(4, to_half(0.5f, t)), bad = good;
  bad[2] = to_half(HUGE_VALF, t);
  // an overflowing gradient: nothing changes but the scale
  const std::vector<std::uint16_t> before = p16;
  MixedStepResult r = opt.step(p16.data(), bad.data());
  EXPECT_TRUE(r.overflow);
  EXPECT_FALSE(r.applied);
  EXPECT_EQ(r.nonfinite_index, 2u);
  EXPECT_EQ(r.loss_scale, 65536);
  EXPECT_EQ(opt.loss_scale(), 32768);
  EXPECT_EQ(p16, before);
  EXPECT_EQ(opt.optimizer().state().step, 0);
  // three good steps grow it back; the counter restarts
  for (int i = 0; i < 3; ++i) {
    r = opt.step(p16.data(), good.data());
    EXPECT_TRUE(r.applied);
    EXPECT_EQ(r.loss_scale, 32768);
  }
  EXPECT_EQ(opt.loss_scale(), 65536);
  EXPECT_EQ(opt.growth_tracker(), 0);
  EXPECT_NE(p16, before);
  r = opt.step(p16.data(), good.data());
  EXPECT_EQ(opt.growth_tracker(), 1);
  // a failure resets the tracker
  opt.step(p16.data(), bad.data());
  EXPECT_EQ(opt.growth_tracker(), 0);
  EXPECT_EQ(opt.loss_scale(), 32768);
}

TEST(MixedPrecisionOptimizer, StaticScaleLeavesNonFiniteToThePolicy) {
  const HalfType t = HalfType::kBFloat16;
  std::vector<std::uint16_t> p16(3, to_half(1.0f, t));
  std::vector<std::uint16_t> g(3, to_half(0.25f, t));
  g[1] = to_half(std::numeric_limits<float>::quiet_NaN(), t);
  MixedPrecisionOptimizer raise(AdamOptions{}, p16.data(), 3, t);
  EXPECT_THROW(raise.step(p16.data(), g.data()), NonFiniteGradientError);
  OptimizerOptions skip;
  skip.non_finite = NonFinitePolicy::kSkip;
  MixedPrecisionOptimizer skipper(AdamOptions{}, p16.data(), 3, t, skip);
  const MixedStepResult r = skipper.step(p16.data(), g.data());
  EXPECT_TRUE(r.overflow);
  EXPECT_FALSE(r.applied);
  EXPECT_EQ(skipper.optimizer().state().skipped_steps, 1);
}

TEST(MixedPrecisionOptimizer, BadOptionsNameTheProblem) {
  std::vector<std::uint16_t> p(2);
  auto message = [&](LossScaleOptions ls) {
    try {
      MixedPrecisionOptimizer o(AdamOptions{}, p.data(), 2, HalfType::kFloat16, {}, ls);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  LossScaleOptions ls;
  ls.scale = 0;
  EXPECT_NE(message(ls).find("loss scale must be finite and > 0"), std::string::npos);
  ls = {};
  ls.dynamic = true;
  ls.backoff_factor = 1;
  EXPECT_NE(message(ls).find("backoff_factor"), std::string::npos);
  ls = {};
  ls.dynamic = true;
  ls.growth_interval = 0;
  EXPECT_NE(message(ls).find("growth_interval"), std::string::npos);
  AdamOptions bad;
  bad.beta2 = 1;
  EXPECT_THROW(MixedPrecisionOptimizer(bad, p.data(), 2, HalfType::kFloat16),
               std::invalid_argument);
}

// Training in 16 bits: gradients of a least-squares problem computed from the 16-bit parameters.
// With master weights the run reaches the float32 run's loss to what 16-bit parameters can
// represent; storing the parameters themselves in bfloat16 stalls (updates below half an ulp
// are lost).
TEST(MixedPrecisionOptimizer, TrainsWhereBfloat16ParametersAloneStall) {
  const HalfType t = HalfType::kBFloat16;
  const int n = 64, m = 256;
  std::mt19937 rng(3);
  std::normal_distribution<float> nd(0, 1);
  Eigen::MatrixXf A(m, n);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) A(i, j) = nd(rng) / std::sqrt(static_cast<float>(m));
  Eigen::VectorXf target(n);
  for (int j = 0; j < n; ++j) target[j] = 4 + nd(rng);  // |θ*| ≈ 4: bfloat16's spacing 2^-5
  const Eigen::VectorXf b = A * target;
  auto loss = [&](const Eigen::VectorXf& th) { return 0.5f * (A * th - b).squaredNorm(); };
  auto grad = [&](const Eigen::VectorXf& th) -> Eigen::VectorXf {
    return A.transpose() * (A * th - b);
  };
  AdamOptions adam;
  adam.lr = 1e-2;
  const int steps = 3000;
  // float32
  Eigen::VectorXf th32 = Eigen::VectorXf::Zero(n);
  Optimizer<float> o32(adam, n);
  for (int s = 0; s < steps; ++s) o32.step(th32, grad(th32));
  // mixed: the gradient is computed from (and rounded to) 16 bits
  std::vector<std::uint16_t> p16(n, 0), g16(n);
  MixedPrecisionOptimizer mixed(adam, p16.data(), n, t);
  Eigen::VectorXf th(n);
  for (int s = 0; s < steps; ++s) {
    from_half(p16.data(), th.data(), n, t);
    const Eigen::VectorXf g = grad(th);
    to_half(g.data(), g16.data(), n, t);
    mixed.step(p16.data(), g16.data());
  }
  from_half(p16.data(), th.data(), n, t);
  const Eigen::VectorXf master = Eigen::Map<const Eigen::VectorXf>(mixed.master(), n);
  // bfloat16 parameters with no master copy: Adam in float32, result rounded back every step
  std::vector<std::uint16_t> q16(n, 0);
  Optimizer<float> o16(adam, n);
  Eigen::VectorXf thq(n);
  for (int s = 0; s < steps; ++s) {
    from_half(q16.data(), thq.data(), n, t);
    Eigen::VectorXf g = grad(thq);
    for (float& v : g) v = from_half(to_half(v, t), t);
    o16.step(thq, g);
    to_half(thq.data(), q16.data(), n, t);
  }
  from_half(q16.data(), thq.data(), n, t);
  const float l0 = loss(Eigen::VectorXf::Zero(n));
  // what 16-bit parameters can reach at best: the float32 optimum rounded to bfloat16
  std::vector<std::uint16_t> r16(n);
  to_half(th32.data(), r16.data(), n, t);
  Eigen::VectorXf rounded(n);
  from_half(r16.data(), rounded.data(), n, t);
  // the float32 run converges; the mixed master weights follow it to bfloat16's resolution at
  // |θ| ≈ 4-8 (spacing 2^-5 = 0.031), and the mixed run's loss is that of the rounded optimum
  EXPECT_LT(loss(th32), 1e-8f * l0);
  EXPECT_LT((master - th32).cwiseAbs().maxCoeff(), 0.05f);
  EXPECT_LT(loss(th), 4 * loss(rounded));
  EXPECT_LT(loss(th), 1e-4f * l0);
  // bfloat16 parameters alone stop where Adam's step (≈ lr) falls below half their spacing
  EXPECT_GT(loss(thq), 1e-2f * l0);
  EXPECT_GT(loss(thq), 1000 * loss(th));
}

}  // namespace
