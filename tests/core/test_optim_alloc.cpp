// Proves that a step allocates nothing: the allocation counter of tests/common/new_counter.hpp
// (every malloc-family call), armed around the steps.

#include <gtest/gtest.h>

#include <vector>

#include "../common/new_counter.hpp"

#include "adamant/core/optimizer.hpp"

namespace {

namespace ac = adamant::core;

template <typename T>
long allocations_during_steps(const ac::UpdateRule<T>& rule, ac::OptimizerOptions o,
                              std::size_t n) {
  ac::Optimizer<T> opt(rule, n, o);
  Eigen::Matrix<T, Eigen::Dynamic, 1> p = Eigen::Matrix<T, Eigen::Dynamic, 1>::Ones(n);
  Eigen::Matrix<T, Eigen::Dynamic, 1> g = Eigen::Matrix<T, Eigen::Dynamic, 1>::Constant(n, 0.5);
  opt.step(p, g);  // warm-up: the first parallel region starts OpenMP's thread team
  return adamant::testing::allocations_during([&] {
    for (int t = 0; t < 5; ++t) opt.step(p, g);
  });
}

// The counter itself: without this a broken replacement would make every "allocates nothing"
// test pass.
std::vector<double>* volatile g_sink = nullptr;
TEST(OptimAlloc, TheCounterSeesAllocations) {
  EXPECT_EQ(adamant::testing::allocations_during([] { g_sink = new std::vector<double>(100); }), 2);
  delete g_sink;
  EXPECT_EQ(adamant::testing::allocations_during([] {}), 0);
}

TEST(OptimAlloc, StepsAllocateNothing) {
  ac::OptimizerOptions all;
  all.clip_grad_norm = 1.0;
  all.clip_update_norm = 1.0;
  all.clip_grad_value = 0.4;
  all.schedule = ac::Schedule::warmup_cosine(1e-3, 2, 100);
  all.groups = {{0, 1000, 1.0, -1, "w"}, {1000, 300000, 1.0, 0.0, "b"}};
  for (int threads : {1, 2}) {
    all.num_threads = threads;
    ac::OptimizerOptions plain;
    plain.num_threads = threads;
    for (const ac::OptimizerOptions& o : {plain, all}) {
      EXPECT_EQ(
          allocations_during_steps<float>(*ac::make_rule<float>(ac::AdamOptions{}), o, 300000), 0);
      EXPECT_EQ(allocations_during_steps<double>(*ac::make_rule<double>(ac::AdamOptions::adamw()),
                                                 o, 300000),
                0);
      ac::AdamOptions ams;
      ams.amsgrad = true;
      EXPECT_EQ(allocations_during_steps<float>(*ac::make_rule<float>(ams), o, 300000), 0);
      EXPECT_EQ(
          allocations_during_steps<float>(*ac::make_rule<float>(ac::NadamOptions{}), o, 300000), 0);
    }
  }
}

}  // namespace
