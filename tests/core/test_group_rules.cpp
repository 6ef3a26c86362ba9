// A parameter group with a rule of its own (optax's multi_transform): each range of the buffer
// evolves exactly as a separate optimizer with that rule would move it, bit for bit, with the
// group's own schedule, its per-run scalars (NAdam), on any thread count, through a state round
// trip, without allocating; the state names the group's slots; bad groups are refused by name.

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "../common/new_counter.hpp"
#include "adamant/core/optimizer.hpp"

namespace ac = adamant::core;

namespace {

Eigen::VectorXd gradient(std::size_t n, int step) {
  std::mt19937_64 rng(1000 + static_cast<unsigned>(step));
  std::normal_distribution<double> normal(0.0, 1.0);
  Eigen::VectorXd g(static_cast<Eigen::Index>(n));
  for (auto& x : g) x = normal(rng);
  return g;
}

// Runs `steps` steps of `opt` on p from the gradients above.
void run(ac::Optimizer<double>& opt, Eigen::VectorXd& p, int steps, int first = 0) {
  for (int t = first; t < first + steps; ++t)
    opt.step(p, gradient(static_cast<std::size_t>(p.size()), t));
}

// The same, for a separate optimizer over [b, e) of the buffer (its gradient is the slice).
Eigen::VectorXd run_slice(const ac::RuleOptions& rule, ac::OptimizerOptions o, std::size_t n,
                          std::size_t b, std::size_t e, int steps) {
  ac::Optimizer<double> opt(rule, e - b, std::move(o));
  Eigen::VectorXd p = Eigen::VectorXd::LinSpaced(static_cast<Eigen::Index>(n), -1, 1)
                          .segment(static_cast<Eigen::Index>(b), static_cast<Eigen::Index>(e - b));
  for (int t = 0; t < steps; ++t) {
    const Eigen::VectorXd g =
        gradient(n, t).segment(static_cast<Eigen::Index>(b), static_cast<Eigen::Index>(e - b));
    opt.step(p, g);
  }
  return p;
}

ac::OptimizerOptions three_groups(std::size_t n) {
  ac::LionOptions lion;
  lion.lr = 3e-3;
  ac::NadamOptions nadam;
  nadam.lr = 2e-2;
  ac::OptimizerOptions o;
  o.groups = {{0, n / 2, 1.0, -1, "adam"},
              {n / 2, 3 * n / 4, 1.0, -1, "lion", lion},
              {3 * n / 4, n, 0.5, 0.0, "nadam", nadam, ac::Schedule::cosine(2e-2, 7)}};
  return o;
}

TEST(GroupRules, EachGroupMovesAsItsOwnOptimizer) {
  const std::size_t n = 40;
  ac::AdamOptions adam;
  adam.lr = 1e-2;
  adam.weight_decay = 1e-3;
  ac::Optimizer<double> opt(adam, n, three_groups(n));
  Eigen::VectorXd p = Eigen::VectorXd::LinSpaced(static_cast<Eigen::Index>(n), -1, 1);
  run(opt, p, 9);

  EXPECT_EQ(p.head(20), run_slice(adam, {}, n, 0, 20, 9));
  const auto& groups = opt.options().groups;
  EXPECT_EQ(p.segment(20, 10), run_slice(*groups[1].rule, {}, n, 20, 30, 9));
  ac::OptimizerOptions nadam_options;
  nadam_options.schedule = ac::Schedule::scale(0.5, *groups[2].schedule);  // lr_scale 0.5
  ac::RuleOptions nadam = *groups[2].rule;
  EXPECT_EQ(p.tail(10), run_slice(nadam, nadam_options, n, 30, 40, 9));

  const ac::State<double>& s = opt.state();
  EXPECT_EQ(s.slot_names, (std::vector<std::string>{"exp_avg", "exp_avg_sq", "group1.exp_avg",
                                                    "group2.exp_avg", "group2.exp_avg_sq"}));
  EXPECT_EQ(s.scalar_names, (std::vector<std::string>{"group2.mu_product"}));
  EXPECT_NE(s.scalars[0], 1.0);  // NAdam's running product moved
}

TEST(GroupRules, SameBitsOnAnyThreadCountAndAfterAStateRoundTrip) {
  const std::size_t n = std::size_t{1} << 18;  // above kParallelMin: the threaded path
  ac::AdamOptions adam;
  ac::OptimizerOptions o1 = three_groups(n), o2 = three_groups(n);
  o2.num_threads = 2;
  ac::Optimizer<double> a(adam, n, o1), b(adam, n, o2);
  Eigen::VectorXd pa = Eigen::VectorXd::LinSpaced(static_cast<Eigen::Index>(n), -1, 1), pb = pa;
  run(a, pa, 3);
  run(b, pb, 3);
  EXPECT_EQ(pa, pb);
  ac::Optimizer<double> c(adam, n, o1);
  c.set_state(a.state());
  Eigen::VectorXd pc = pa;
  run(a, pa, 2, 3);
  run(c, pc, 2, 3);
  EXPECT_EQ(pa, pc);
  EXPECT_EQ(a.state(), c.state());
}

TEST(GroupRules, StepsAllocateNothing) {
  if (!adamant::testing::can_count_allocations()) GTEST_SKIP() << "cannot count allocations";
  const std::size_t n = 64;
  ac::Optimizer<double> opt(ac::AdamOptions{}, n, three_groups(n));
  Eigen::VectorXd p = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(n));
  const Eigen::VectorXd g = gradient(n, 0);
  opt.step(p, g);
  EXPECT_EQ(adamant::testing::allocations_during([&] {
              for (int t = 0; t < 5; ++t) opt.step(p, g);
            }),
            0);
}

TEST(GroupRules, BadGroupsAreRefusedByName) {
  auto error_of = [](ac::OptimizerOptions o) {
    try {
      ac::Optimizer<double> opt(ac::AdamOptions{}, 10, std::move(o));
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  ac::AdamOptions bad;
  bad.beta1 = 1;
  ac::OptimizerOptions o;
  o.groups = {{0, 5}, {5, 10, 1.0, -1, "head", bad}};
  EXPECT_EQ(error_of(o), "group 1 'head': adam: beta1 must be in [0, 1), got 1");
  o.groups = {{0, 5}, {5, 10, 1.0, -1, "head", std::nullopt, ac::Schedule::constant(0.1)}};
  EXPECT_NE(error_of(o).find("group 1 'head': a schedule of its own needs a rule of its own"),
            std::string::npos);
  o.groups = {{0, 5}, {5, 10, 1.0, -1, "head", ac::LionOptions{}, ac::Schedule::cosine(0.1, 0)}};
  EXPECT_NE(error_of(o).find("group 1 'head': cosine schedule: t_max must be >= 1"),
            std::string::npos);
  // A group schedule that cannot give this step's rate (one_cycle past its end) throws before
  // anything changes, as the optimizer's own does.
  o.groups = {{0, 5}, {5, 10, 1.0, -1, "head", ac::LionOptions{}, ac::Schedule::one_cycle(0.1, 2)}};
  ac::Optimizer<double> short_cycle(ac::AdamOptions{}, 10, o);
  Eigen::VectorXd p = Eigen::VectorXd::Zero(10);
  const Eigen::VectorXd g = Eigen::VectorXd::Ones(10);
  short_cycle.step(p, g);
  short_cycle.step(p, g);
  const ac::State<double> before = short_cycle.state();
  const Eigen::VectorXd p_before = p;
  EXPECT_THROW(short_cycle.step(p, g), std::invalid_argument);
  EXPECT_EQ(short_cycle.state(), before);
  EXPECT_EQ(p, p_before);
  // A state from a plain Adam does not fit an optimizer whose group has a rule of its own.
  ac::Optimizer<double> plain(ac::AdamOptions{}, 10);
  o.groups = {{0, 5}, {5, 10, 1.0, -1, "head", ac::LionOptions{}}};
  ac::Optimizer<double> grouped(ac::AdamOptions{}, 10, o);
  try {
    grouped.set_state(plain.state());
    ADD_FAILURE() << "no throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("expected [ exp_avg exp_avg_sq group1.exp_avg ]"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
