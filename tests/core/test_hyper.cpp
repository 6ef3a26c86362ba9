// Hyper-gradients through optimizer runs (core/hyper.hpp): torch-autograd references
// (tests/golden/torch_hypergrad.h5) in both modes, forward = reverse, central finite differences
// through the fused optimizer for every rule, the run itself equal to Optimizer<double>'s, exact
// Hessian-vector products, memory against T, and the errors.

#include "adamant/core/hyper.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>

#include "adamant/core/mlp.hpp"
#include "adamant/core/optimizer.hpp"
#include "golden.hpp"

namespace {

namespace ac = adamant::core;
namespace ah = adamant::core::hyper;
namespace at = adamant::testing;

Eigen::MatrixXd matrix(const at::Table& t) {
  Eigen::MatrixXd m(static_cast<Eigen::Index>(t.rows), static_cast<Eigen::Index>(t.cols));
  for (std::size_t r = 0; r < t.rows; ++r)
    for (std::size_t c = 0; c < t.cols; ++c)
      m(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = t(r, c);
  return m;
}
Eigen::VectorXd vec(const at::Table& t) {
  return Eigen::Map<const Eigen::VectorXd>(t.v.data(), static_cast<Eigen::Index>(t.v.size()));
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

double max_abs(const Eigen::VectorXd& v) { return v.cwiseAbs().maxCoeff(); }

TEST(Hyper, TorchAutogradReferencesInBothModes) {
  H5::H5File f(at::golden_path("torch_hypergrad.h5"), H5F_ACC_RDONLY);
  const std::vector<std::string> cases = at::children(f.openGroup("/"));
  ASSERT_EQ(cases.size(), 5u);
  for (const std::string& name : cases) {
    SCOPED_TRACE(name);
    H5::Group g = f.openGroup(name);
    const std::string rule = at::attr_string(g, "rule");
    const auto steps = static_cast<std::int64_t>(at::attr_double(g, "steps"));
    const std::vector<std::string> hypers = split(at::attr_string(g, "hyper_names"));
    ah::UnrollOptions o;
    o.rule = ac::rule_options(rule);
    o.steps = steps;
    for (const char* field : {"lr", "beta1", "beta2", "eps", "weight_decay"}) {
      if (at::has_attr(g, field)) {
        ASSERT_TRUE(ac::set_field(o.rule, field, at::attr_double(g, field)));
      }
    }
    if (name.find("cosine") != std::string::npos)
      o.schedule = ac::Schedule::cosine(ac::get_field(o.rule, "lr"), steps);
    o.wrt = hypers;
    o.wrt.push_back("theta0");
    std::unique_ptr<ah::Problem> train, meta;
    if (name.rfind("rosenbrock", 0) == 0) {
      train = ah::rosenbrock();
    } else {
      ac::MlpSpec spec;
      spec.layer_sizes = {2, 16, 16, 1};
      spec.hidden = ac::Activation::kTanh;
      train = ah::mlp_problem(spec, matrix(at::read_table(g, "X_train")),
                              matrix(at::read_table(g, "y_train")));
      meta = ah::mlp_problem(spec, matrix(at::read_table(g, "X_val")),
                             matrix(at::read_table(g, "y_val")));
    }
    const Eigen::VectorXd theta0 = vec(at::read_table(g, "theta0"));
    const Eigen::VectorXd theta_t = vec(at::read_table(g, "thetaT"));
    double meta_loss = 0;
    g.openDataSet("meta_loss").read(&meta_loss, H5::PredType::NATIVE_DOUBLE);
    const Eigen::VectorXd d_hyper = vec(at::read_table(g, "d_meta_d_hyper"));
    const Eigen::VectorXd d_theta0 = vec(at::read_table(g, "d_meta_d_theta0"));
    ASSERT_EQ(static_cast<std::size_t>(d_hyper.size()), hypers.size());
    for (ah::Mode mode : {ah::Mode::kForward, ah::Mode::kReverse}) {
      SCOPED_TRACE(ah::to_string(mode));
      o.mode = mode;
      const ah::UnrollResult r = ah::unroll(*train, theta0, o, meta.get());
      EXPECT_LE(max_abs(r.theta - theta_t), 1e-12 * max_abs(theta_t));
      EXPECT_NEAR(r.meta_loss, meta_loss, 1e-12 * std::abs(meta_loss));
      for (std::size_t k = 0; k < hypers.size(); ++k) {
        const double want = d_hyper[static_cast<Eigen::Index>(k)];
        EXPECT_NEAR(r.d(hypers[k]), want, 1e-8 * std::abs(want)) << hypers[k];
      }
      ASSERT_EQ(r.grad_theta0.size(), d_theta0.size());
      EXPECT_LE(max_abs(r.grad_theta0 - d_theta0), 1e-8 * max_abs(d_theta0));
    }
  }
}

// A small regression task: 2-5-1 MLP on 12 seeded samples (train) and 12 more (meta).
struct Task {
  std::unique_ptr<ah::Problem> train, meta;
  Eigen::VectorXd theta0;
};
Task small_task(ac::Activation act = ac::Activation::kTanh, std::uint64_t seed = 7) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  auto draw = [&](Eigen::Index rows, Eigen::Index cols) {
    Eigen::MatrixXd m(rows, cols);
    for (Eigen::Index i = 0; i < rows; ++i)
      for (Eigen::Index j = 0; j < cols; ++j) m(i, j) = normal(rng);
    return m;
  };
  ac::MlpSpec spec;
  spec.layer_sizes = {2, 5, 1};
  spec.hidden = act;
  Eigen::MatrixXd x = draw(12, 2), xv = draw(12, 2);
  Eigen::MatrixXd y = (x.col(0).array().sin() + 0.5 * x.col(1).array()).matrix();
  Eigen::MatrixXd yv = (xv.col(0).array().sin() + 0.5 * xv.col(1).array()).matrix();
  Task t;
  t.train = ah::mlp_problem(spec, x, y);
  t.meta = ah::mlp_problem(spec, xv, yv);
  t.theta0 = 0.5 * draw(static_cast<Eigen::Index>(t.train->dim()), 1);
  return t;
}

// Every rule of the table with settings that exercise its derivative: a finite-difference-
// friendly eps, non-zero weight decay, every field inside its range (so both sides of a central
// difference are valid), momentum on.
std::vector<ac::RuleOptions> every_rule() {
  std::vector<ac::RuleOptions> rules;
  for (const std::string& name : ac::rule_names()) {
    ac::RuleOptions o = ac::rule_options(name);
    ac::set_field(o, "lr", name == "lion" ? 3e-3 : 2e-2);
    if (ac::has_field(o, "eps")) ac::set_field(o, "eps", 1e-3);
    ac::set_field(o, "weight_decay", 0.02);
    if (name == "sgd") ac::set_field(o, "momentum", 0.3);
    if (name == "sgd" || name == "momentum") ac::set_field(o, "dampening", 0.1);
    if (name == "rmsprop") ac::set_field(o, "momentum", 0.2);
    if (name == "adagrad") {
      ac::set_field(o, "lr_decay", 0.01);
      ac::set_field(o, "initial_accumulator_value", 0.1);
    }
    rules.push_back(o);
  }
  return rules;
}

// F(θ_T) through the fused optimizer.
double fused_meta_loss(const Task& t, const ac::RuleOptions& rule, std::int64_t steps,
                       const ac::OptimizerOptions& oo = {}) {
  ac::Optimizer<double> opt(rule, t.train->dim(), oo);
  Eigen::VectorXd p = t.theta0, g(p.size());
  for (std::int64_t s = 0; s < steps; ++s) {
    t.train->value(p.data(), g.data());
    opt.step(p, g);
  }
  return t.meta->value(p.data(), nullptr);
}

TEST(Hyper, ForwardEqualsReverseAndFiniteDifferencesForEveryRule) {
  const Task t = small_task();
  for (const ac::RuleOptions& rule : every_rule()) {
    SCOPED_TRACE(ac::describe(rule));
    ah::UnrollOptions o;
    o.rule = rule;
    o.steps = 15;
    o.wrt = ah::real_fields(rule);
    if (ac::has_field(rule, "nesterov") && ac::get_field(rule, "nesterov") != 0)
      o.wrt.erase(std::find(o.wrt.begin(), o.wrt.end(), "dampening"));  // fixed at 0
    o.wrt.push_back("theta0");
    o.mode = ah::Mode::kForward;
    const ah::UnrollResult fw = ah::unroll(*t.train, t.theta0, o, t.meta.get());
    o.mode = ah::Mode::kReverse;
    const ah::UnrollResult rv = ah::unroll(*t.train, t.theta0, o, t.meta.get());
    EXPECT_EQ(fw.theta, rv.theta);
    EXPECT_EQ(fw.meta_loss, rv.meta_loss);
    EXPECT_EQ(fw.meta_loss, fused_meta_loss(t, rule, o.steps));
    for (const auto& [name, d] : fw.grad) {
      SCOPED_TRACE(name);
      const double scale = std::max(std::abs(d), 1e-6);
      EXPECT_NEAR(rv.d(name), d, 1e-10 * scale);
      // Central differences of the fused run.
      const double x = ac::get_field(rule, name);
      const double h = name == "beta2" ? 1e-7 : 1e-6 * std::max(std::abs(x), 1e-2);
      ac::RuleOptions plus = rule, minus = rule;
      ac::set_field(plus, name, x + h);
      ac::set_field(minus, name, x - h);
      const double fd =
          (fused_meta_loss(t, plus, o.steps) - fused_meta_loss(t, minus, o.steps)) / (2 * h);
      EXPECT_NEAR(d, fd, 2e-6 * std::max(std::abs(fd), 1e-3));
    }
    EXPECT_LE(max_abs(fw.grad_theta0 - rv.grad_theta0), 1e-10 * max_abs(fw.grad_theta0));
    // d / d θ₀ along a random direction, against central differences.
    Eigen::VectorXd u = Eigen::VectorXd::LinSpaced(t.theta0.size(), -1, 1);
    Task tp = small_task(), tm = small_task();
    const double h = 1e-6;
    tp.theta0 += h * u;
    tm.theta0 -= h * u;
    const double fd =
        (fused_meta_loss(tp, rule, o.steps) - fused_meta_loss(tm, rule, o.steps)) / (2 * h);
    EXPECT_NEAR(rv.grad_theta0.dot(u), fd, 2e-6 * std::max(std::abs(fd), 1e-3));
  }
}

TEST(Hyper, ScheduleAndClippingAreDifferentiatedAndTheRunIsTheFusedOne) {
  const Task t = small_task(ac::Activation::kSiLU, 11);
  ac::AdamOptions adam;
  adam.lr = 0.05;
  adam.eps = 1e-3;
  adam.weight_decay = 0.01;
  adam.decoupled_weight_decay = true;
  const std::int64_t steps = 20;
  ac::OptimizerOptions oo;
  oo.clip_grad_norm = 0.05;  // acts on most steps
  oo.schedule = ac::Schedule::warmup(5, ac::Schedule::cosine(adam.lr, steps - 5, 1e-3));
  ah::UnrollOptions o;
  o.rule = adam;
  o.steps = steps;
  o.schedule = oo.schedule;
  o.clip_grad_norm = oo.clip_grad_norm;
  o.wrt = {"lr", "beta1", "beta2", "weight_decay", "theta0"};
  for (ah::Mode mode : {ah::Mode::kForward, ah::Mode::kReverse}) {
    SCOPED_TRACE(ah::to_string(mode));
    o.mode = mode;
    const ah::UnrollResult r = ah::unroll(*t.train, t.theta0, o, t.meta.get());
    EXPECT_EQ(r.meta_loss, fused_meta_loss(t, adam, steps, oo));
    for (const auto& [name, d] : r.grad) {
      SCOPED_TRACE(name);
      const double x = ac::get_field(adam, name);
      const double h = name == "beta2" ? 1e-7 : 1e-6 * std::max(std::abs(x), 1e-2);
      ac::RuleOptions plus = adam, minus = adam;
      ac::set_field(plus, name, x + h);
      ac::set_field(minus, name, x - h);
      ac::OptimizerOptions op = oo, om = oo;
      if (name == "lr") {  // the schedule's base rate moves with lr
        op.schedule = ah::rebase(*oo.schedule, x + h);
        om.schedule = ah::rebase(*oo.schedule, x - h);
      }
      const double fd =
          (fused_meta_loss(t, plus, steps, op) - fused_meta_loss(t, minus, steps, om)) / (2 * h);
      EXPECT_NEAR(d, fd, 2e-6 * std::max(std::abs(fd), 1e-3));
    }
  }
}

TEST(Hyper, ClippingByValueIsDifferentiatedAndTheRunIsTheFusedOne) {
  const Task t = small_task(ac::Activation::kTanh, 13);
  for (const std::string name : {"adam", "sgd", "adamw"}) {
    SCOPED_TRACE(name);
    ac::RuleOptions rule = ac::rule_options(name);
    ac::set_field(rule, "lr", 0.05);
    ac::set_field(rule, "weight_decay", 0.01);
    if (name == "sgd") ac::set_field(rule, "momentum", 0.5);
    if (ac::has_field(rule, "eps")) ac::set_field(rule, "eps", 1e-3);
    const std::int64_t steps = 15;
    ac::OptimizerOptions oo;
    oo.clip_grad_value = 0.08;
    oo.clip_update_value = 0.035;
    ah::UnrollOptions o;
    o.rule = rule;
    o.steps = steps;
    o.clip_grad_value = oo.clip_grad_value;
    o.clip_update_value = oo.clip_update_value;
    o.wrt = {"lr", "weight_decay", "theta0"};
    if (name != "sgd") o.wrt.push_back("beta1");
    // The bounds act on this run: without them it is another one.
    EXPECT_NE(fused_meta_loss(t, rule, steps, oo), fused_meta_loss(t, rule, steps));
    o.mode = ah::Mode::kForward;
    const ah::UnrollResult fw = ah::unroll(*t.train, t.theta0, o, t.meta.get());
    o.mode = ah::Mode::kReverse;
    const ah::UnrollResult rv = ah::unroll(*t.train, t.theta0, o, t.meta.get());
    EXPECT_EQ(fw.meta_loss, fused_meta_loss(t, rule, steps, oo));
    EXPECT_EQ(rv.meta_loss, fw.meta_loss);
    EXPECT_LE(max_abs(fw.grad_theta0 - rv.grad_theta0), 1e-10 * max_abs(fw.grad_theta0));
    for (const auto& [field, d] : fw.grad) {
      SCOPED_TRACE(field);
      EXPECT_NEAR(rv.d(field), d, 1e-10 * std::max(std::abs(d), 1e-6));
      const double x = ac::get_field(rule, field);
      const double h = 1e-6 * std::max(std::abs(x), 1e-2);
      ac::RuleOptions plus = rule, minus = rule;
      ac::set_field(plus, field, x + h);
      ac::set_field(minus, field, x - h);
      const double fd =
          (fused_meta_loss(t, plus, steps, oo) - fused_meta_loss(t, minus, steps, oo)) / (2 * h);
      EXPECT_NEAR(d, fd, 2e-6 * std::max(std::abs(fd), 1e-3));
    }
  }
}

TEST(Hyper, ParameterGroupsRunAsTheFusedOptimizerAndAreDifferentiated) {
  const Task t = small_task();
  const std::size_t n = t.train->dim();  // 21: W1 (10), b1 (5), W2 (5), b2 (1)
  ac::OptimizerOptions oo;
  oo.groups = {ac::ParamGroup{0, 10, 0.5, -1, "W1"}, ac::ParamGroup{10, 15, 1.0, 0.0, "b1"},
               ac::ParamGroup{15, n, 2.0, 0.1, "layer2"}};
  for (const ac::RuleOptions& rule : every_rule()) {
    SCOPED_TRACE(ac::describe(rule));
    ah::UnrollOptions o;
    o.rule = rule;
    o.steps = 12;
    o.groups = oo.groups;
    o.wrt = {"lr", "weight_decay", "theta0"};
    o.mode = ah::Mode::kForward;
    const ah::UnrollResult fw = ah::unroll(*t.train, t.theta0, o, t.meta.get());
    o.mode = ah::Mode::kReverse;
    const ah::UnrollResult rv = ah::unroll(*t.train, t.theta0, o, t.meta.get());
    EXPECT_EQ(fw.meta_loss, fused_meta_loss(t, rule, o.steps, oo));
    EXPECT_EQ(rv.meta_loss, fw.meta_loss);
    // The groups change the run: not the ungrouped one.
    EXPECT_NE(fw.meta_loss, fused_meta_loss(t, rule, o.steps));
    EXPECT_LE(max_abs(fw.grad_theta0 - rv.grad_theta0), 1e-10 * max_abs(fw.grad_theta0));
    for (const auto& [name, d] : fw.grad) {
      SCOPED_TRACE(name);
      EXPECT_NEAR(rv.d(name), d, 1e-10 * std::max(std::abs(d), 1e-6));
      const double x = ac::get_field(rule, name);
      // A larger step than above: weight_decay reaches only W1 here, so its derivative is
      // small and a 1e-6 step's rounding (~1e-16 F / h) would be a few percent of it.
      const double h = 1e-4 * std::max(std::abs(x), 1e-2);
      ac::RuleOptions plus = rule, minus = rule;
      ac::set_field(plus, name, x + h);
      ac::set_field(minus, name, x - h);
      const double fd =
          (fused_meta_loss(t, plus, o.steps, oo) - fused_meta_loss(t, minus, o.steps, oo)) /
          (2 * h);
      EXPECT_NEAR(d, fd, 2e-6 * std::max(std::abs(fd), 1e-3));
    }
  }
  // Groups that do not tile the buffer, or bring a rule of their own, are refused by name.
  auto refused = [&](std::vector<ac::ParamGroup> groups, const std::string& part) {
    ah::UnrollOptions bad;
    bad.groups = std::move(groups);
    try {
      ah::unroll(*t.train, t.theta0, bad, nullptr);
      ADD_FAILURE() << "no error, expected one naming '" << part << "'";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  };
  refused({ac::ParamGroup{0, 10}}, "groups end at 10");
  refused({ac::ParamGroup{0, n, 1.0, -1, "own", ac::rule_options("sgd")}},
          "group 0: a rule or schedule of its own");
}

TEST(Hyper, ReverseMemoryGrowsAsTheSquareRootOfSteps) {
  const Task t = small_task();
  ah::UnrollOptions o;
  o.rule = ac::AdamOptions{};
  o.wrt = {"lr", "theta0"};
  std::vector<std::size_t> rev, fwd;
  for (std::int64_t steps : {100, 400, 1600}) {
    o.steps = steps;
    o.mode = ah::Mode::kReverse;
    const ah::UnrollResult r = ah::unroll(*t.train, t.theta0, o, t.meta.get());
    EXPECT_EQ(r.checkpoint_every, static_cast<std::int64_t>(std::ceil(std::sqrt(steps))));
    EXPECT_LE(r.gradient_evals, 2 * steps);
    EXPECT_EQ(r.hvp_directions, steps);
    rev.push_back(r.peak_bytes);
    o.mode = ah::Mode::kForward;
    o.wrt = {"lr"};
    fwd.push_back(ah::unroll(*t.train, t.theta0, o, t.meta.get()).peak_bytes);
    o.wrt = {"lr", "theta0"};
  }
  // 4× the steps: about 2× the memory (√T), far from 4×; forward mode's does not change.
  for (int i = 0; i < 2; ++i) {
    const double ratio = static_cast<double>(rev[i + 1]) / static_cast<double>(rev[i]);
    EXPECT_GT(ratio, 1.5);
    EXPECT_LT(ratio, 2.5);
    EXPECT_EQ(fwd[i + 1], fwd[i]);
  }
}

// H u against central differences of the gradient.
void check_hvp(const ah::Problem& p, const Eigen::VectorXd& x) {
  SCOPED_TRACE(p.describe());
  const auto n = static_cast<Eigen::Index>(p.dim());
  const std::size_t k = 3;
  Eigen::MatrixXd u(n, 3);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < 3; ++j) u(i, j) = std::sin(1.0 + 3.0 * i + 7.0 * j);
  // Element-major layout: row i holds the k directions' entries i.
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> ur = u, hu(n, 3);
  p.hvp(x.data(), ur.data(), hu.data(), k);
  const double h = 1e-6;
  for (Eigen::Index j = 0; j < 3; ++j) {
    Eigen::VectorXd gp(n), gm(n);
    const Eigen::VectorXd xp = x + h * u.col(j), xm = x - h * u.col(j);
    p.value(xp.data(), gp.data());
    p.value(xm.data(), gm.data());
    const Eigen::VectorXd fd = (gp - gm) / (2 * h);
    EXPECT_LE(max_abs(hu.col(j) - fd), 1e-6 * std::max(max_abs(fd), 1.0));
  }
}

TEST(Hyper, ExactHessianVectorProducts) {
  for (auto& p : ac::standard_problems<double>()) {
    const Eigen::VectorXd x = p->x0() + 0.3 * Eigen::VectorXd::Ones(p->dim());
    const std::shared_ptr<const ac::Problem<double>> sp(std::move(p));
    check_hvp(*ah::from_test_problem(sp), x);
  }
  for (ac::Activation act :
       {ac::Activation::kIdentity, ac::Activation::kTanh, ac::Activation::kReLU,
        ac::Activation::kSiLU, ac::Activation::kSoftplus}) {
    const Task t = small_task(act);
    check_hvp(*t.train, t.theta0);
  }
  // Cross-entropy over 3 classes, 9 directions (two passes of eight lanes).
  ac::MlpSpec spec;
  spec.layer_sizes = {2, 4, 3};
  Eigen::MatrixXd x(6, 2), y(6, 1);
  x << 0.1, -0.3, 0.7, 0.2, -0.5, 0.9, 1.2, -1.1, 0.0, 0.4, -0.8, -0.2;
  y << 0, 1, 2, 1, 0, 2;
  auto ce = ah::mlp_problem(spec, x, y, ah::Loss::kCrossEntropy);
  Eigen::VectorXd th = Eigen::VectorXd::LinSpaced(static_cast<Eigen::Index>(ce->dim()), -0.9, 0.8);
  check_hvp(*ce, th);
  const auto n = static_cast<Eigen::Index>(ce->dim());
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> u9(n, 9), h9(n, 9);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < 9; ++j) u9(i, j) = std::cos(0.5 * i - 1.3 * j);
  ce->hvp(th.data(), u9.data(), h9.data(), 9);
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> h1(n, 1);
  for (Eigen::Index j = 0; j < 9; ++j) {
    const Eigen::VectorXd uj = u9.col(j);
    ce->hvp(th.data(), uj.data(), h1.data(), 1);
    EXPECT_LE(max_abs(h9.col(j) - h1.col(0)), 1e-14 * std::max(max_abs(h1.col(0)), 1.0));
  }
}

TEST(Hyper, MlpProblemGradientIsTheCoreMlpBackwardPass) {
  const Task t = small_task(ac::Activation::kSoftplus);
  ac::MlpSpec spec;
  spec.layer_sizes = {2, 5, 1};
  spec.hidden = ac::Activation::kSoftplus;
  ac::Mlp<double> mlp(spec);
  // The same task's data, rebuilt: 12 samples from seed 7.
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> x(12, 2);
  for (Eigen::Index i = 0; i < 12; ++i)
    for (Eigen::Index j = 0; j < 2; ++j) x(i, j) = normal(rng);
  Eigen::VectorXd y = (x.col(0).array().sin() + 0.5 * x.col(1).array()).matrix();
  ac::Mlp<double>::Workspace ws = mlp.make_workspace(12);
  const ac::Mlp<double>::MatrixX yhat = mlp.forward(t.theta0, x, ws);
  ac::Mlp<double>::MatrixX dy = 2.0 / 12.0 * (yhat.col(0) - y);
  Eigen::VectorXd want(t.theta0.size()), got(t.theta0.size());
  mlp.backward(t.theta0, dy, ws, want, ac::Mlp<double>::GradMode::kOverwrite);
  const double loss = t.train->value(t.theta0.data(), got.data());
  EXPECT_NEAR(loss, (yhat.col(0) - y).squaredNorm() / 12.0, 1e-15);
  EXPECT_LE(max_abs(got - want), 1e-14);
}

TEST(Hyper, ClearErrors) {
  const Task t = small_task();
  ah::UnrollOptions o;
  o.rule = ac::rule_options("sgd");
  o.wrt = {"lr", "beta1"};
  auto expect_error = [&](const ah::UnrollOptions& opt, const Eigen::VectorXd& th,
                          const std::string& part) {
    try {
      ah::unroll(*t.train, th, opt, t.meta.get());
      ADD_FAILURE() << "no throw, expected " << part;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    }
  };
  expect_error(o, t.theta0, "sgd has no real hyper-parameter 'beta1' (known: lr, momentum");
  o.wrt = {"lr", "lr"};
  expect_error(o, t.theta0, "wrt names 'lr' twice");
  o.wrt = {"nesterov"};
  expect_error(o, t.theta0, "no real hyper-parameter 'nesterov'");
  o.wrt = {"momentum"};
  expect_error(o, t.theta0, "d/d momentum at momentum = 0 is not computed");
  o.wrt = {"lr"};
  o.steps = 0;
  expect_error(o, t.theta0, "steps must be >= 1, got 0");
  o.steps = 5;
  expect_error(o, Eigen::VectorXd::Zero(3), "theta0 has 3 entries");
  o.rule = ac::rule_options("adam");
  ac::set_field(o.rule, "beta2", 1);
  expect_error(o, t.theta0, "beta2 must be in [0, 1), got 1");
  o.rule = ac::rule_options("adam");
  o.schedule = ac::Schedule::join({ac::Schedule::constant(0.1), ac::Schedule::constant(0.01)}, {3});
  expect_error(o, t.theta0, "lr does nothing under the schedule join(");
  o.schedule.reset();
  // A gradient that is not finite stops the run naming the step.
  Eigen::VectorXd huge = t.theta0;
  huge.setConstant(1e200);
  try {
    ah::unroll(*t.train, huge, o, t.meta.get());
    ADD_FAILURE() << "no throw";
  } catch (const std::domain_error& e) {
    EXPECT_NE(std::string(e.what()).find("at step 1 is not finite"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ah::parse_mode("sideways"), std::invalid_argument);
  EXPECT_THROW(ah::parse_loss("hinge"), std::invalid_argument);
}

}  // namespace

namespace {

// d F / d (each real parameter of a schedule), against central differences of the fused run with
// the schedule rebuilt from perturbed parameters.
struct ScheduleCase {
  std::string name;
  std::vector<double> p;  // the parameters `make` takes, in real_parameters() order minus the base
  std::function<ac::Schedule(double lr, const std::vector<double>&)> make;
};

TEST(Hyper, AJoinScheduleIsRunAsGivenAndItsPartsRatesAreDifferentiated) {
  const Task t = small_task(ac::Activation::kTanh, 5);
  ac::AdamOptions adam;
  adam.eps = 1e-3;
  const std::int64_t steps = 24;
  // A constant rate for 8 steps, then a warm-up into a cosine decay: p = (lr₀, lr₁, eta_min).
  auto make = [](const std::vector<double>& p) {
    return ac::Schedule::join({ac::Schedule::constant(p[0]),
                               ac::Schedule::warmup(3, ac::Schedule::cosine(p[1], 13, p[2]), 0.5)},
                              {8});
  };
  const std::vector<double> p = {0.01, 0.04, 0.002};
  const std::vector<std::string> names = {"schedule.parts.0.lr", "schedule.parts.1.then.lr",
                                          "schedule.parts.1.then.eta_min"};
  ah::UnrollOptions o;
  o.rule = adam;
  o.steps = steps;
  o.schedule = make(p);
  o.wrt = names;
  o.wrt.push_back("beta1");
  ac::OptimizerOptions oo;
  oo.schedule = o.schedule;
  for (ah::Mode mode : {ah::Mode::kForward, ah::Mode::kReverse}) {
    SCOPED_TRACE(ah::to_string(mode));
    o.mode = mode;
    const ah::UnrollResult r = ah::unroll(*t.train, t.theta0, o, t.meta.get());
    EXPECT_EQ(r.meta_loss, fused_meta_loss(t, adam, steps, oo));
    for (std::size_t k = 0; k < names.size(); ++k) {
      SCOPED_TRACE(names[k]);
      const double h = 1e-6 * std::max(std::abs(p[k]), 1e-2);
      std::vector<double> plus = p, minus = p;
      plus[k] += h;
      minus[k] -= h;
      ac::OptimizerOptions op, om;
      op.schedule = make(plus);
      om.schedule = make(minus);
      const double fd =
          (fused_meta_loss(t, adam, steps, op) - fused_meta_loss(t, adam, steps, om)) / (2 * h);
      EXPECT_NE(r.d(names[k]), 0.0);
      EXPECT_NEAR(r.d(names[k]), fd, 2e-6 * std::max(std::abs(fd), 1e-3));
    }
  }
  // lr does nothing under a join: asking for it is an error that says what to ask for instead.
  o.wrt = {"lr"};
  try {
    ah::unroll(*t.train, t.theta0, o, t.meta.get());
    ADD_FAILURE() << "no error for d/d lr under a join";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("schedule.parts.0.lr"), std::string::npos) << e.what();
  }
}

TEST(Hyper, TheScheduleParametersAreDifferentiatedToo) {
  const Task t = small_task(ac::Activation::kTanh, 3);
  ac::AdamOptions adam;
  adam.lr = 0.05;
  adam.eps = 1e-3;
  const std::int64_t steps = 24;
  const std::vector<ScheduleCase> cases = {
      {"cosine",
       {0.004},
       [](double lr, const std::vector<double>& p) { return ac::Schedule::cosine(lr, 24, p[0]); }},
      {"exponential",
       {0.93},
       [](double lr, const std::vector<double>& p) { return ac::Schedule::exponential(lr, p[0]); }},
      {"linear",
       {0.3, 0.8},
       [](double lr, const std::vector<double>& p) {
         return ac::Schedule::linear(lr, p[0], p[1], 10);
       }},
      {"warmup_cosine",
       {0.002, 0.1},
       [](double lr, const std::vector<double>& p) {
         return ac::Schedule::warmup_cosine(lr, 5, 24, p[0], p[1]);
       }},
      {"one_cycle",
       {0.3, 20.0, 5.0},
       [](double lr, const std::vector<double>& p) {
         return ac::Schedule::one_cycle(lr, 24, p[0], true, p[1], p[2]);
       }},
      {"cyclic",
       {0.12},
       [](double lr, const std::vector<double>& p) { return ac::Schedule::cyclic(lr, p[0], 5); }},
      {"warmup then cosine",
       {0.2, 0.003},
       [](double lr, const std::vector<double>& p) {
         return ac::Schedule::warmup(4, ac::Schedule::cosine(lr, 20, p[1]), p[0]);
       }},
      {"scale",
       {0.7, 0.9},
       [](double lr, const std::vector<double>& p) {
         return ac::Schedule::scale(p[0], ac::Schedule::exponential(lr, p[1]));
       }},
  };
  for (const ScheduleCase& c : cases) {
    SCOPED_TRACE(c.name);
    const ac::Schedule s = c.make(adam.lr, c.p);
    ah::UnrollOptions o;
    o.rule = adam;
    o.steps = steps;
    o.schedule = s;
    o.wrt = {"lr"};
    const ac::Schedule based = ah::rebase(s, 1.0);
    std::vector<std::string> params;
    for (const auto& [name, ptr] : based.real_parameters()) params.push_back("schedule." + name);
    // The base rate is the rule's lr, not a schedule parameter of its own.
    const std::size_t base_index = c.name == "warmup then cosine" || c.name == "scale" ? 1 : 0;
    params.erase(params.begin() + static_cast<std::ptrdiff_t>(base_index));
    ASSERT_EQ(params.size(), c.p.size());
    o.wrt.insert(o.wrt.end(), params.begin(), params.end());
    for (ah::Mode mode : {ah::Mode::kForward, ah::Mode::kReverse}) {
      o.mode = mode;
      const ah::UnrollResult r = ah::unroll(*t.train, t.theta0, o, t.meta.get());
      for (std::size_t k = 0; k < c.p.size(); ++k) {
        SCOPED_TRACE(params[k]);
        const double h = 1e-6 * std::max(std::abs(c.p[k]), 1e-2);
        std::vector<double> plus = c.p, minus = c.p;
        plus[k] += h;
        minus[k] -= h;
        ac::OptimizerOptions op, om;
        op.schedule = c.make(adam.lr, plus);
        om.schedule = c.make(adam.lr, minus);
        const double fd =
            (fused_meta_loss(t, adam, steps, op) - fused_meta_loss(t, adam, steps, om)) / (2 * h);
        EXPECT_NEAR(r.d(params[k]), fd, 2e-6 * std::max(std::abs(fd), 1e-3));
        EXPECT_GT(std::abs(r.d(params[k])), 1e-6);
      }
      // d/dlr moves the base rate (through the schedule) and nothing else.
      ac::RuleOptions plus = adam, minus = adam;
      ac::set_field(plus, "lr", adam.lr + 1e-7);
      ac::set_field(minus, "lr", adam.lr - 1e-7);
      ac::OptimizerOptions op, om;
      op.schedule = c.make(adam.lr + 1e-7, c.p);
      om.schedule = c.make(adam.lr - 1e-7, c.p);
      const double fd =
          (fused_meta_loss(t, plus, steps, op) - fused_meta_loss(t, minus, steps, om)) / 2e-7;
      EXPECT_NEAR(r.d("lr"), fd, 2e-6 * std::max(std::abs(fd), 1e-3));
    }
  }
  // An unknown schedule parameter names the known ones.
  ah::UnrollOptions o;
  o.schedule = ac::Schedule::cosine(0.1, 10, 0.01);
  o.wrt = {"schedule.gamma"};
  EXPECT_NE(o.validate(4).find("has no parameter 'gamma' (known: schedule.eta_min; its base rate "
                               "is the rule's lr)"),
            std::string::npos)
      << o.validate(4);
}

}  // namespace
