// Hypergradient descent on the learning rate (OptimizerOptions::hypergradient_lr): Adam-HD and
// SGD-HD against Baydin et al. 2018's algorithms written out here, a resumed run equal to an
// uninterrupted one, thread-count independence, and the option's errors.

#include <gtest/gtest.h>

#include <cmath>

#include "adamant/core/optimizer.hpp"
#include "adamant/core/test_problems.hpp"

namespace {

namespace ac = adamant::core;

// Adam-HD (Baydin et al. 2018, Algorithm 3): α_t = α_{t−1} − β h_t with h_t = −g_t · u_{t−1},
// u = m̂ / (√v̂ + ε); then the Adam step with α_t.
Eigen::VectorXd adam_hd(const ac::Problem<double>& f, double a0, double beta, int steps,
                        std::vector<double>* lrs) {
  const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
  Eigen::VectorXd x = f.x0(), g(x.size()), m = Eigen::VectorXd::Zero(x.size()), v = m, u = m;
  double a = a0;
  for (int t = 1; t <= steps; ++t) {
    f.value_and_gradient(x, g);
    a = a + beta * g.dot(u);
    m = b1 * m + (1 - b1) * g;
    v = b2 * v + (1 - b2) * g.cwiseProduct(g);
    const Eigen::VectorXd mh = m / (1 - std::pow(b1, t)), vh = v / (1 - std::pow(b2, t));
    u = mh.array() / (vh.array().sqrt() + eps);
    x -= a * u;
    lrs->push_back(a);
  }
  return x;
}

// SGD-HD (Algorithm 1): α_t = α_{t−1} + β g_t · g_{t−1}.
Eigen::VectorXd sgd_hd(const ac::Problem<double>& f, double a0, double beta, int steps,
                       std::vector<double>* lrs) {
  Eigen::VectorXd x = f.x0(), g(x.size()), prev = Eigen::VectorXd::Zero(x.size());
  double a = a0;
  for (int t = 1; t <= steps; ++t) {
    f.value_and_gradient(x, g);
    a = a + beta * g.dot(prev);
    x -= a * g;
    prev = g;
    lrs->push_back(a);
  }
  return x;
}

Eigen::VectorXd run(const ac::Problem<double>& f, const ac::RuleOptions& rule, double beta,
                    int steps, std::vector<double>* lrs, int threads = 1) {
  ac::OptimizerOptions o;
  o.hypergradient_lr = beta;
  o.num_threads = threads;
  ac::Optimizer<double> opt(rule, static_cast<std::size_t>(f.dim()), o);
  Eigen::VectorXd x = f.x0(), g(x.size());
  for (int t = 0; t < steps; ++t) {
    f.value_and_gradient(x, g);
    lrs->push_back(opt.step(x, g).lr);
  }
  EXPECT_EQ(opt.current_lr(), lrs->back());
  return x;
}

TEST(HypergradientLr, AdamHdAndSgdHdFollowBaydinEtAl) {
  ac::QuadraticProblem<double> f(ac::QuadraticOptions{20, 50.0});
  ac::AdamOptions adam;
  adam.lr = 1e-3;  // small: the hypergradient has to raise it
  std::vector<double> want, got;
  const Eigen::VectorXd xr = adam_hd(f, 1e-3, 1e-4, 200, &want);
  const Eigen::VectorXd xa = run(f, adam, 1e-4, 200, &got);
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t t = 0; t < got.size(); ++t)
    EXPECT_NEAR(got[t], want[t], 1e-12 * std::abs(want[t])) << "step " << t + 1;
  EXPECT_LE((xa - xr).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_GT(got.back(), 5 * got.front());  // the rate grew while the gradients agreed
  // Without the hypergradient the same Adam is much further from the minimum.
  ac::Optimizer<double> plain(adam, 20);
  Eigen::VectorXd x = f.x0(), g(20);
  for (int t = 0; t < 200; ++t) {
    f.value_and_gradient(x, g);
    plain.step(x, g);
  }
  EXPECT_LT(f.value(xa), 0.5 * f.value(x));

  ac::SgdOptions sgd;
  sgd.lr = 1e-3;
  want.clear();
  got.clear();
  const Eigen::VectorXd sr = sgd_hd(f, 1e-3, 1e-6, 100, &want);
  const Eigen::VectorXd sa = run(f, sgd, 1e-6, 100, &got);
  for (std::size_t t = 0; t < got.size(); ++t)
    EXPECT_NEAR(got[t], want[t], 1e-12 * std::abs(want[t])) << "step " << t + 1;
  EXPECT_LE((sa - sr).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_GT(got.back(), 2 * got.front());
}

TEST(HypergradientLr, ResumesFromItsStateAndIgnoresThreads) {
  ac::QuadraticProblem<double> f(ac::QuadraticOptions{200000, 10.0});  // above kParallelMin
  ac::AdamOptions adam;
  adam.lr = 1e-2;
  ac::OptimizerOptions o;
  o.hypergradient_lr = 1e-6;
  std::vector<double> one, two;
  const Eigen::VectorXd a = run(f, adam, 1e-6, 6, &one, 1), b = run(f, adam, 1e-6, 6, &two, 2);
  EXPECT_EQ(a, b);
  EXPECT_EQ(one, two);
  // Stop after 3 steps, copy the state into a fresh optimizer, continue: the same run.
  ac::Optimizer<double> first(adam, 200000, o);
  Eigen::VectorXd x = f.x0(), g(x.size());
  for (int t = 0; t < 3; ++t) {
    f.value_and_gradient(x, g);
    first.step(x, g);
  }
  EXPECT_EQ(first.state().slot_names.back(), "hd_prev_update");
  EXPECT_EQ(first.state().scalar_names.back(), "hd_lr");
  ac::Optimizer<double> second(adam, 200000, o);
  second.set_state(first.state());
  for (int t = 0; t < 3; ++t) {
    f.value_and_gradient(x, g);
    EXPECT_EQ(second.step(x, g).lr, one[static_cast<std::size_t>(3 + t)]);
  }
  EXPECT_EQ(x, a);
}

TEST(HypergradientLr, OptionErrors) {
  ac::OptimizerOptions o;
  o.hypergradient_lr = -1;
  EXPECT_NE(o.validate(4).find("hypergradient_lr must be finite and >= 0"), std::string::npos);
  o.hypergradient_lr = 1e-3;
  o.schedule = ac::Schedule::cosine(0.1, 10);
  o.clip_update_norm = 1;
  o.groups = {ac::ParamGroup{0, 4}};
  const std::string e = o.validate(4);
  EXPECT_NE(e.find("it takes no schedule"), std::string::npos) << e;
  EXPECT_NE(e.find("takes no parameter groups"), std::string::npos) << e;
  EXPECT_NE(e.find("cannot be combined with clip_update_norm"), std::string::npos) << e;
  EXPECT_THROW(ac::Optimizer<double>(ac::AdamOptions{}, 4, o), std::invalid_argument);
}

}  // namespace
