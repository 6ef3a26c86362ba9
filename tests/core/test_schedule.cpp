// Schedules as typed kinds and their composition (schedule.hpp): warm-up before any schedule,
// joins, scaling; each against its closed form, with validation and descriptions. (PyTorch's
// values for the leaf kinds are in test_optim_golden.cpp.)

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "../common/new_counter.hpp"
#include "adamant/core/optimizer.hpp"
#include "adamant/core/schedule.hpp"

namespace ac = adamant::core;

namespace {

constexpr double kPi = 3.14159265358979323846;

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(Schedule, KindsAreTypedStructs) {
  const ac::Schedule c = ac::Schedule::cosine(0.1, 50, 1e-3);
  EXPECT_EQ(c.kind(), ac::Schedule::Kind::kCosine);
  ASSERT_NE(c.get<ac::Schedule::Cosine>(), nullptr);
  EXPECT_EQ(c.get<ac::Schedule::Cosine>()->t_max, 50);
  EXPECT_EQ(c.get<ac::Schedule::Cosine>()->eta_min, 1e-3);
  EXPECT_EQ(c.get<ac::Schedule::Step>(), nullptr);
  EXPECT_EQ(ac::Schedule().kind(), ac::Schedule::Kind::kConstant);
  EXPECT_EQ(ac::Schedule()(7), 1e-3);
  const ac::Schedule cy = ac::Schedule::cyclic(0.01, 0.1, 10);
  EXPECT_EQ(cy.get<ac::Schedule::Cyclic>()->step_size_down, 10);  // defaults to step_size_up
}

TEST(Schedule, WarmupBeforeAnySchedule) {
  const ac::Schedule inner = ac::Schedule::exponential(0.2, 0.9);
  const ac::Schedule s = ac::Schedule::warmup(10, inner, 0.1);
  EXPECT_EQ(s.validate(), "");
  for (std::int64_t t = 0; t < 10; ++t)
    EXPECT_DOUBLE_EQ(s(t), 0.2 * (0.1 + 0.9 * static_cast<double>(t) / 10)) << t;
  for (std::int64_t t = 10; t < 40; ++t) EXPECT_DOUBLE_EQ(s(t), inner(t - 10)) << t;
  // Warm-up then cosine is warmup_cosine up to its total (which then stays at eta_min).
  const ac::Schedule wc = ac::Schedule::warmup_cosine(0.1, 5, 25, 1e-3, 0.2);
  const ac::Schedule composed = ac::Schedule::warmup(5, ac::Schedule::cosine(0.1, 20, 1e-3), 0.2);
  for (std::int64_t t = 0; t <= 25; ++t) EXPECT_NEAR(composed(t), wc(t), 1e-15) << t;
  EXPECT_EQ(s.describe(),
            "warmup(steps=10, start_factor=0.1, then=exponential(lr=0.2, gamma=0.9))");
}

TEST(Schedule, JoinRestartsEachPartAtItsBoundary) {
  const ac::Schedule a = ac::Schedule::constant(0.5);
  const ac::Schedule b = ac::Schedule::linear(0.1, 1.0, 0.5, 10);
  const ac::Schedule c = ac::Schedule::cosine(0.05, 30);
  const ac::Schedule s = ac::Schedule::join({a, b, c}, {20, 50});
  EXPECT_EQ(s.validate(), "");
  for (std::int64_t t = 0; t < 100; ++t) {
    const double want = t < 20 ? 0.5 : t < 50 ? b(t - 20) : c(t - 50);
    EXPECT_EQ(s(t), want) << t;
  }
  EXPECT_DOUBLE_EQ(s(50), 0.05);
  EXPECT_DOUBLE_EQ(s(65), 0.05 * (1 + std::cos(kPi * 15 / 30)) / 2);
  EXPECT_EQ(s.describe(),
            "join(parts=[constant(lr=0.5), linear(lr=0.1, start_factor=1, end_factor=0.5, "
            "total_iters=10), cosine(lr=0.05, t_max=30, eta_min=0)], boundaries=[20, 50])");
}

TEST(Schedule, ScaleAndNesting) {
  const ac::Schedule s =
      ac::Schedule::scale(0.5, ac::Schedule::warmup(4, ac::Schedule::step(0.2, 3, 0.5)));
  EXPECT_EQ(s.validate(), "");
  EXPECT_DOUBLE_EQ(s(0), 0.0);
  EXPECT_DOUBLE_EQ(s(2), 0.5 * 0.2 * 0.5);
  EXPECT_DOUBLE_EQ(s(4), 0.5 * 0.2);
  EXPECT_DOUBLE_EQ(s(7), 0.5 * 0.2 * 0.5);
  EXPECT_EQ(s.kind(), ac::Schedule::Kind::kScale);
  // A copy shares the parts and gives the same values.
  const ac::Schedule copy = s;
  for (std::int64_t t = 0; t < 20; ++t) EXPECT_EQ(copy(t), s(t));
}

TEST(Schedule, CompositesValidateTheirPartsAndShape) {
  EXPECT_TRUE(contains(ac::Schedule::warmup(0, ac::Schedule::constant(0.1)).validate(),
                       "warmup schedule: steps must be >= 1, got 0"));
  EXPECT_TRUE(contains(ac::Schedule::warmup(5, ac::Schedule::constant(0.1), 1.5).validate(),
                       "warmup schedule: start_factor must be in [0, 1], got 1.5"));
  EXPECT_TRUE(contains(ac::Schedule::warmup(5, ac::Schedule::cosine(0.1, 0)).validate(),
                       "warmup schedule: then: cosine schedule: t_max must be >= 1, got 0"));
  const ac::Schedule k = ac::Schedule::constant(0.1);
  EXPECT_TRUE(contains(ac::Schedule::join({k, k}, {}).validate(),
                       "join schedule: needs one boundary fewer than schedules, got 2 schedules "
                       "and 0 boundaries"));
  EXPECT_TRUE(contains(ac::Schedule::join({k, k, k}, {10, 10}).validate(),
                       "join schedule: boundaries must be >= 1 and increasing, got 10 at 1"));
  EXPECT_TRUE(contains(ac::Schedule::join({k, ac::Schedule::constant(-1)}, {3}).validate(),
                       "join schedule: part 1: learning rate must be finite and >= 0, got -1"));
  EXPECT_TRUE(contains(ac::Schedule::scale(-2, k).validate(),
                       "scale schedule: factor must be finite and >= 0, got -2"));
  // The optimizer refuses an invalid composite with its message.
  ac::OptimizerOptions o;
  o.schedule = ac::Schedule::join({k, k}, {0});
  try {
    ac::Optimizer<double> opt(ac::AdamOptions{}, 3, o);
    ADD_FAILURE() << "no throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_TRUE(contains(e.what(), "join schedule: boundaries")) << e.what();
  }
}

TEST(Schedule, AComposedScheduleDrivesTheOptimizerWithoutAllocating) {
  if (!adamant::testing::can_count_allocations()) GTEST_SKIP() << "cannot count allocations";
  ac::OptimizerOptions o;
  o.schedule = ac::Schedule::join(
      {ac::Schedule::warmup(3, ac::Schedule::constant(0.1)), ac::Schedule::cosine(0.1, 10)}, {6});
  ac::SgdOptions sgd;
  sgd.lr = 1;  // the schedule's rate is the step: d = −lr_t g
  ac::Optimizer<double> opt(sgd, 1, o);
  Eigen::VectorXd p = Eigen::VectorXd::Zero(1), g = Eigen::VectorXd::Ones(1);
  double expected = 0;
  const long allocations = adamant::testing::allocations_during([&] {
    for (std::int64_t t = 0; t < 12; ++t) {
      expected -= (*o.schedule)(t);
      opt.step(p, g);
    }
  });
  EXPECT_EQ(allocations, 0);
  EXPECT_DOUBLE_EQ(p[0], expected);
}

}  // namespace
