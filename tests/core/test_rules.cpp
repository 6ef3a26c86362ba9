// The rule table (names, aliases, defaults, fields) and the recurrences written once
// (recurrences.hpp): the same policy source instantiated on a dual number gives the derivative
// of a whole run with respect to a hyper-parameter, checked against finite differences of the
// fused double step.

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "adamant/core/convergence.hpp"
#include "adamant/core/optimizer.hpp"
#include "adamant/core/recurrences.hpp"

namespace ac = adamant::core;
namespace rec = adamant::core::recurrence;

namespace {

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(RuleTable, NamesAliasesAndDefaults) {
  const auto& names = ac::rule_names();
  ASSERT_EQ(names.size(), 13u);
  EXPECT_EQ(names.front(), "sgd");
  EXPECT_EQ(names.back(), "optimistic_adam");
  EXPECT_TRUE(ac::is_rule_name("oadam"));
  EXPECT_EQ(ac::canonical_rule_name("oadam"), "optimistic_adam");
  EXPECT_EQ(ac::canonical_rule_name("adam"), "adam");
  EXPECT_FALSE(ac::is_rule_name("adadelta"));
  try {
    ac::canonical_rule_name("adadelta");
    ADD_FAILURE() << "no throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_TRUE(contains(e.what(), "unknown rule 'adadelta' (known: sgd, momentum, nesterov"))
        << e.what();
    EXPECT_TRUE(contains(e.what(), "oadam = optimistic_adam")) << e.what();
  }
  // Every name builds its rule, whose reported name is the table's (presets of SGD and Adam
  // report the rule they configure).
  for (const auto& n : names) {
    const ac::RuleOptions o = ac::rule_options(n);
    EXPECT_EQ(ac::validate(o), "") << n;
    const std::string reported = ac::make_rule<double>(o)->name();
    if (n == "momentum" || n == "nesterov")
      EXPECT_EQ(reported, "sgd");
    else
      EXPECT_EQ(reported, n);
    EXPECT_EQ(ac::rule_name(o), reported);
  }
  EXPECT_EQ(ac::get_field(ac::rule_options("momentum"), "momentum"), 0.9);
  EXPECT_EQ(ac::get_field(ac::rule_options("nesterov"), "nesterov"), 1);
  EXPECT_EQ(ac::get_field(ac::rule_options("adamw"), "weight_decay"), 1e-2);
  EXPECT_EQ(ac::get_field(ac::rule_options("amsgrad"), "amsgrad"), 1);
  EXPECT_EQ(ac::get_field(ac::rule_options("lion"), "lr"), 1e-4);
  // make_rule_by_name takes the aliases too.
  EXPECT_EQ(ac::make_rule_by_name<float>("oadam", 1e-2)->name(), "optimistic_adam");
  EXPECT_EQ(ac::make_rule_by_name<float>("oadam", 1e-2)->lr(), 1e-2);
}

TEST(RuleTable, FieldsSetGetDescribeValidate) {
  ac::RuleOptions o = ac::rule_options("adam");
  EXPECT_EQ(ac::field_names(o),
            (std::vector<std::string>{"lr", "beta1", "beta2", "eps", "weight_decay",
                                      "decoupled_weight_decay", "amsgrad", "maximize"}));
  EXPECT_TRUE(ac::set_field(o, "beta1", 0.5));
  EXPECT_TRUE(ac::set_field(o, "amsgrad", 1));
  EXPECT_FALSE(ac::set_field(o, "momentum", 0.9));
  EXPECT_EQ(std::get<ac::AdamOptions>(o).beta1, 0.5);
  EXPECT_TRUE(std::get<ac::AdamOptions>(o).amsgrad);
  EXPECT_EQ(ac::describe(o),
            "amsgrad(lr=0.001, beta1=0.5, beta2=0.999, eps=1e-08, weight_decay=0, "
            "decoupled_weight_decay=false, amsgrad=true, maximize=false)");
  try {
    ac::get_field(o, "momentum");
    ADD_FAILURE() << "no throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "amsgrad has no option 'momentum'");
  }
  // Validation comes from the field list's ranges, in field order, plus a rule's own checks.
  ac::set_field(o, "beta2", 1);
  ac::set_field(o, "eps", 0);
  EXPECT_EQ(ac::validate(o),
            "amsgrad: beta2 must be in [0, 1), got 1; eps must be finite and > 0, got 0");
  ac::RuleOptions sgd = ac::rule_options("sgd");
  ac::set_field(sgd, "nesterov", 1);
  EXPECT_EQ(ac::validate(sgd),
            "sgd: dampening must be 0 with a non-zero momentum for Nesterov, got 0");
  ac::set_field(sgd, "momentum", -0.5);  // negative momentum is allowed (games)
  EXPECT_EQ(ac::validate(sgd), "");
  ac::set_field(sgd, "momentum", -1);
  EXPECT_EQ(ac::validate(sgd), "sgd: momentum must be in (-1, 1), got -1");
  ac::RuleOptions rms = ac::rule_options("rmsprop");
  ac::set_field(rms, "lr", std::nan(""));
  EXPECT_EQ(ac::validate(rms), "rmsprop: lr must be finite and >= 0, got nan");
}

// A forward-mode dual number: value and one tangent.
struct Dual {
  double v = 0, d = 0;
  Dual() = default;
  Dual(double value, double tangent = 0) : v(value), d(tangent) {}  // NOLINT: implicit
};
Dual operator+(Dual a, Dual b) { return {a.v + b.v, a.d + b.d}; }
Dual operator-(Dual a, Dual b) { return {a.v - b.v, a.d - b.d}; }
Dual operator-(Dual a) { return {-a.v, -a.d}; }
Dual operator*(Dual a, Dual b) { return {a.v * b.v, a.d * b.v + a.v * b.d}; }
Dual operator/(Dual a, Dual b) { return {a.v / b.v, (a.d * b.v - a.v * b.d) / (b.v * b.v)}; }
bool operator<(Dual a, Dual b) { return a.v < b.v; }
bool operator>(Dual a, Dual b) { return a.v > b.v; }
Dual sqrt(Dual a) {
  const double s = std::sqrt(a.v);
  return {s, a.d / (2 * s)};
}
Dual abs(Dual a) { return a.v < 0 ? -a : a; }
Dual pow(Dual a, double t) { return {std::pow(a.v, t), t * std::pow(a.v, t - 1) * a.d}; }

template <typename S>
struct Slots {
  S* s;
  S& operator[](int k) const { return s[k]; }
};

// p_T of a run of policy P on f(p) = ½ h p² (g = h p) in S arithmetic: the policy's coefficients
// from options `o` (hyper-parameters of type S), its element loop chosen from `plain` (the same
// options in double).
template <typename P, typename S, typename O, typename Plain>
S run_policy(const O& o, const Plain& plain, double p0, double h, int steps) {
  S p = p0;
  S slots[ac::Kernel<double>::kMaxSlots] = {};
  for (int t = 1; t <= steps; ++t) {
    const auto c = P::coefficients(o, rec::StepInfo<S>{t, o.lr, nullptr});
    const S g = S(h) * p;
    S d;
    P::variants(plain, rec::StepInfo<double>{t, 0, nullptr}, [&](auto variant) {
      d = P::template element<decltype(variant)::value>(g, Slots<S>{slots}, c);
    });
    p = p + d;
  }
  return p;
}

// The same run through the fused double step.
double run_optimizer(const ac::RuleOptions& o, double p0, double h, int steps) {
  ac::Optimizer<double> opt(o, 1);
  Eigen::VectorXd p(1), g(1);
  p[0] = p0;
  for (int t = 0; t < steps; ++t) {
    g[0] = h * p[0];
    opt.step(p, g);
  }
  return p[0];
}

// Sets the Dual field `name` of a rule's Dual options (each options struct lists its fields with
// member pointers, so the copy from double is generic).
template <typename Od, typename Plain>
Od to_dual(const Plain& o, const std::string& seed) {
  Od od;
  std::vector<std::pair<std::string, double>> values;
  Plain::fields([&](const char* name, auto member, auto&&...) {
    values.emplace_back(name, static_cast<double>(o.*member));
  });
  std::size_t i = 0;
  Od::fields([&](const char* name, auto member, auto&&...) {
    using Field = std::decay_t<decltype(od.*member)>;
    if constexpr (std::is_same_v<Field, Dual>)
      od.*member = Dual(values[i].second, name == seed ? 1 : 0);
    else
      od.*member = values[i].second != 0;
    ++i;
  });
  return od;
}

template <typename P, typename Plain>
void check_derivative(const Plain& o, const std::string& field, double delta) {
  SCOPED_TRACE(P::name(o) + " d/d" + field);
  const double p0 = 1.3, h = 2.5;
  const int steps = 25;
  const double fused = run_optimizer(o, p0, h, steps);
  // The double instantiation of the policy is the fused step, bit for bit.
  EXPECT_EQ(fused, (run_policy<P, double>(o, o, p0, h, steps)));
  ac::RuleOptions plus = o, minus = o;
  ac::set_field(plus, field, ac::get_field(plus, field) + delta);
  ac::set_field(minus, field, ac::get_field(minus, field) - delta);
  const double fd =
      (run_optimizer(plus, p0, h, steps) - run_optimizer(minus, p0, h, steps)) / (2 * delta);
  const auto od = to_dual<typename P::template Options<Dual>>(o, field);
  const Dual got = run_policy<P, Dual>(od, o, p0, h, steps);
  EXPECT_DOUBLE_EQ(got.v, fused);
  EXPECT_NEAR(got.d, fd, 1e-5 * std::max(1.0, std::abs(fd)));
  EXPECT_GT(std::abs(got.d), 1e-3);
}

TEST(Recurrences, DualInstantiationDifferentiatesWholeRuns) {
  ac::AdamOptions adam;
  adam.lr = 0.05;
  check_derivative<rec::Adam>(adam, "lr", 1e-6);
  check_derivative<rec::Adam>(adam, "beta1", 1e-6);
  check_derivative<rec::Adam>(adam, "beta2", 1e-9);
  check_derivative<rec::Adam>(adam, "eps", 1e-9);
  ac::AdamOptions ams = adam;
  ams.amsgrad = true;  // the running max (its sub-gradient: the branch taken)
  check_derivative<rec::Adam>(ams, "beta2", 1e-9);
  ac::AdamaxOptions adamax;
  adamax.lr = 0.05;
  check_derivative<rec::Adamax>(adamax, "beta1", 1e-6);
  ac::LionOptions lion;
  lion.lr = 0.01;  // sign(c) has derivative 0: only lr moves the run
  check_derivative<rec::Lion>(lion, "lr", 1e-7);
}

}  // namespace
