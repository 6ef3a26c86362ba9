// Golden tests: every optimizer case, clip_grad_norm_ case and schedule in
// tests/golden/torch_optim.h5 (recorded with PyTorch 1.13 in float64) reproduced step by step.

#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "adamant/core/optimizer.hpp"
#include "golden.hpp"

namespace ac = adamant::core;
namespace at = adamant::testing;

namespace {

H5::H5File golden_file() { return H5::H5File(at::golden_path("torch_optim.h5"), H5F_ACC_RDONLY); }

double opt_attr(const H5::Group& g, const char* name, double fallback) {
  return at::has_attr(g, name) ? at::attr_double(g, name) : fallback;
}
bool opt_flag(const H5::Group& g, const char* name) {
  return at::has_attr(g, name) && at::attr_bool(g, name);
}

// The rule a golden case describes, from the constructor arguments stored as attributes.
template <typename T>
std::unique_ptr<ac::UpdateRule<T>> rule_for(const H5::Group& g) {
  const std::string kind = at::attr_string(g, "optimizer");
  const double lr = at::attr_double(g, "lr"), wd = opt_attr(g, "weight_decay", 0);
  const bool maximize = opt_flag(g, "maximize");
  std::vector<double> betas{0.9, 0.999};
  if (at::has_attr(g, "betas")) betas = at::attr_vector(g, "betas");
  if (kind == "Adam" || kind == "AdamW") {
    ac::AdamOptions o;
    o.lr = lr;
    o.beta1 = betas[0];
    o.beta2 = betas[1];
    o.eps = at::attr_double(g, "eps");
    o.weight_decay = wd;
    o.decoupled_weight_decay = kind == "AdamW";
    o.amsgrad = opt_flag(g, "amsgrad");
    o.maximize = maximize;
    return ac::make_rule<T>(o);
  }
  if (kind == "Adamax") {
    ac::AdamaxOptions o;
    o.lr = lr;
    o.beta1 = betas[0];
    o.beta2 = betas[1];
    o.eps = at::attr_double(g, "eps");
    o.weight_decay = wd;
    o.maximize = maximize;
    return ac::make_rule<T>(o);
  }
  if (kind == "NAdam") {
    ac::NadamOptions o;
    o.lr = lr;
    o.beta1 = betas[0];
    o.beta2 = betas[1];
    o.eps = at::attr_double(g, "eps");
    o.weight_decay = wd;
    o.momentum_decay = at::attr_double(g, "momentum_decay");
    return ac::make_rule<T>(o);
  }
  if (kind == "RAdam") {
    ac::RadamOptions o;
    o.lr = lr;
    o.beta1 = betas[0];
    o.beta2 = betas[1];
    o.eps = at::attr_double(g, "eps");
    o.weight_decay = wd;
    return ac::make_rule<T>(o);
  }
  if (kind == "RMSprop") {
    ac::RmspropOptions o;
    o.lr = lr;
    o.alpha = at::attr_double(g, "alpha");
    o.eps = at::attr_double(g, "eps");
    o.weight_decay = wd;
    o.momentum = at::attr_double(g, "momentum");
    o.centered = opt_flag(g, "centered");
    o.maximize = maximize;
    return ac::make_rule<T>(o);
  }
  if (kind == "Adagrad") {
    ac::AdagradOptions o;
    o.lr = lr;
    o.lr_decay = at::attr_double(g, "lr_decay");
    o.eps = at::attr_double(g, "eps");
    o.weight_decay = wd;
    o.initial_accumulator_value = at::attr_double(g, "initial_accumulator_value");
    o.maximize = maximize;
    return ac::make_rule<T>(o);
  }
  if (kind == "SGD") {
    ac::SgdOptions o;
    o.lr = lr;
    o.momentum = at::attr_double(g, "momentum");
    o.dampening = at::attr_double(g, "dampening");
    o.nesterov = opt_flag(g, "nesterov");
    o.weight_decay = wd;
    o.maximize = maximize;
    return ac::make_rule<T>(o);
  }
  ADD_FAILURE() << "unknown optimizer in golden file: " << kind;
  return nullptr;
}

std::vector<std::string> optimizer_cases() {
  std::vector<std::string> out;
  H5::H5File f = golden_file();
  for (const auto& name : at::children(f.openGroup("/")))
    if (name != "clip_grad_norm" && name != "schedules") out.push_back(name);
  return out;
}

// Replays one case: the recorded gradients fed in order, parameters compared after every step.
// Tolerance: |p − p_ref| ≤ rtol·|p_ref| + atol.
template <typename T>
void replay(const std::string& name, double rtol, double atol) {
  H5::H5File f = golden_file();
  H5::Group g = f.openGroup(name);
  const at::Table grads = at::read_table(g, "gradients");
  const at::Table params = at::read_table(g, "params");
  ASSERT_EQ(params.rows, grads.rows + 1);
  auto rule = rule_for<T>(g);
  ASSERT_TRUE(rule);
  const std::size_t n = grads.cols;
  ac::Optimizer<T> opt(*rule, n);
  Eigen::Matrix<T, Eigen::Dynamic, 1> p(n), gr(n);
  for (std::size_t j = 0; j < n; ++j) p[j] = static_cast<T>(params(0, j));
  double worst = 0;
  for (std::size_t step = 0; step < grads.rows; ++step) {
    for (std::size_t j = 0; j < n; ++j) gr[j] = static_cast<T>(grads(step, j));
    opt.step(p, gr);
    for (std::size_t j = 0; j < n; ++j) {
      const double ref = params(step + 1, j), got = static_cast<double>(p[j]);
      const double err = std::abs(got - ref), tol = rtol * std::abs(ref) + atol;
      worst = std::max(worst, err / tol);
      ASSERT_LE(err, tol) << name << " step " << step + 1 << " element " << j << ": got " << got
                          << " expected " << ref;
    }
  }
  ::testing::Test::RecordProperty("worst_error_over_tolerance", std::to_string(worst));
}

class TorchGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(TorchGolden, Float64MatchesTo1e12Relative) { replay<double>(GetParam(), 1e-12, 1e-300); }

TEST_P(TorchGolden, Float32MatchesToFloat32Tolerance) { replay<float>(GetParam(), 2e-4, 2e-5); }

INSTANTIATE_TEST_SUITE_P(AllCases, TorchGolden, ::testing::ValuesIn(optimizer_cases()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string s = param_info.param;
                           for (char& c : s)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return s;
                         });

TEST(TorchGoldenClip, ClipGradNormMatchesPyTorch) {
  H5::H5File f = golden_file();
  H5::Group root = f.openGroup("clip_grad_norm");
  const auto cases = at::children(root);
  ASSERT_GE(cases.size(), 3u);
  for (const auto& c : cases) {
    H5::Group g = root.openGroup(c);
    const at::Table a_in = at::read_table(g, "grad_a_in"), b_in = at::read_table(g, "grad_b_in");
    const at::Table a_out = at::read_table(g, "grad_a_out"),
                    b_out = at::read_table(g, "grad_b_out");
    // Two tensors in PyTorch, one flat buffer here: the global norm is the same.
    Eigen::VectorXd flat(a_in.rows + b_in.rows);
    for (std::size_t i = 0; i < a_in.rows; ++i) flat[i] = a_in(i);
    for (std::size_t i = 0; i < b_in.rows; ++i) flat[a_in.rows + i] = b_in(i);
    const double norm = ac::clip_grad_norm<double>(flat, at::attr_double(g, "max_norm"));
    EXPECT_NEAR(norm, at::attr_double(g, "total_norm"), 1e-12 * norm) << c;
    for (std::size_t i = 0; i < a_in.rows; ++i)
      EXPECT_NEAR(flat[i], a_out(i), 1e-12 * std::abs(a_out(i)) + 1e-300) << c << " a" << i;
    for (std::size_t i = 0; i < b_in.rows; ++i)
      EXPECT_NEAR(flat[a_in.rows + i], b_out(i), 1e-12 * std::abs(b_out(i)) + 1e-300)
          << c << " b" << i;
  }
}

// The schedule a golden case describes.
ac::Schedule schedule_for(const std::string& name, const H5::DataSet& d) {
  auto a = [&](const char* k) { return at::attr_double(d, k); };
  if (name.rfind("cosine", 0) == 0)
    return ac::Schedule::cosine(a("base_lr"), static_cast<std::int64_t>(a("T_max")), a("eta_min"));
  if (name.rfind("cyclic", 0) == 0)
    return ac::Schedule::cyclic(
        a("base_lr"), a("max_lr"), static_cast<std::int64_t>(a("step_size_up")),
        at::attr_string(d, "mode") == "triangular2" ? ac::Schedule::CyclicMode::kTriangular2
                                                    : ac::Schedule::CyclicMode::kTriangular);
  if (name.rfind("exponential", 0) == 0) return ac::Schedule::exponential(a("base_lr"), a("gamma"));
  if (name.rfind("linear", 0) == 0)
    return ac::Schedule::linear(a("base_lr"), a("start_factor"), 1.0,
                                static_cast<std::int64_t>(a("total_iters")));
  if (name.rfind("onecycle", 0) == 0)
    return ac::Schedule::one_cycle(a("max_lr"), static_cast<std::int64_t>(a("total_steps")),
                                   a("pct_start"), at::attr_string(d, "anneal") == "cos",
                                   a("div_factor"), a("final_div_factor"));
  if (name.rfind("step", 0) == 0)
    return ac::Schedule::step(a("base_lr"), static_cast<std::int64_t>(a("step_size")), a("gamma"));
  ADD_FAILURE() << "unknown schedule " << name;
  return ac::Schedule::constant(0);
}

TEST(TorchGoldenSchedules, EveryScheduleMatchesPyTorch) {
  H5::H5File f = golden_file();
  H5::Group root = f.openGroup("schedules");
  const auto names = at::children(root);
  ASSERT_GE(names.size(), 7u);
  for (const auto& name : names) {
    H5::DataSet d = root.openDataSet(name);
    const at::Table lr = at::read_table(root, name);
    const ac::Schedule s = schedule_for(name, d);
    ASSERT_EQ(s.validate(), "") << name;
    for (std::size_t t = 0; t < lr.rows; ++t)
      ASSERT_NEAR(s(static_cast<std::int64_t>(t)), lr(t), 1e-12 * std::abs(lr(t)) + 1e-18)
          << name << " at step " << t << " (" << s.describe() << ")";
  }
}

}  // namespace
