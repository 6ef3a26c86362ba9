// adamant::lab: every experiment's claim holds as its checks state it, the data behind the
// checks says the same thing read directly, results round-trip through their file, and bad
// input is refused with a clear message.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>

#include "adamant/datasets/h5.hpp"
#include "adamant/lab/lab.hpp"

namespace {

using namespace adamant;

const lab::Result& result(const std::string& name) {
  static std::map<std::string, lab::Result> cache;
  auto it = cache.find(name);
  if (it == cache.end()) it = cache.emplace(name, lab::find(name).run()).first;
  return it->second;
}

class LabAll : public ::testing::TestWithParam<std::string> {};

TEST_P(LabAll, EveryCheckPassesAndTheResultRoundTrips) {
  const lab::Result& r = result(GetParam());
  EXPECT_EQ(r.name, GetParam());
  EXPECT_FALSE(r.claim.empty());
  EXPECT_FALSE(r.source.empty());
  ASSERT_GE(r.checks.size(), 2u);
  for (const lab::Check& c : r.checks) EXPECT_TRUE(c.passed()) << c.describe();
  const std::string dir = ::testing::TempDir() + "/lab_" + r.name;
  std::filesystem::create_directories(dir);
  const std::string h5 = dir + "/r.h5", png = dir + "/r.png";
  lab::write_result(h5, r);
  lab::find(r.name).plot(r, png);
  EXPECT_GT(std::filesystem::file_size(png), 10000u);
  const lab::Result back = lab::read_result(h5);
  EXPECT_EQ(back.claim, r.claim);
  ASSERT_EQ(back.checks.size(), r.checks.size());
  for (std::size_t i = 0; i < r.checks.size(); ++i) {
    EXPECT_EQ(back.checks[i].what, r.checks[i].what);
    EXPECT_EQ(back.checks[i].value, r.checks[i].value);
    EXPECT_EQ(back.checks[i].passed(), r.checks[i].passed());
  }
  ASSERT_EQ(back.data.size(), r.data.size());
  for (std::size_t i = 0; i < r.data.size(); ++i) {
    EXPECT_EQ(back.data[i].first, r.data[i].first);
    EXPECT_EQ(back.data[i].second.names, r.data[i].second.names);
  }
}

std::vector<std::string> names() {
  std::vector<std::string> v;
  for (const lab::Experiment& e : lab::experiments()) v.push_back(e.name);
  return v;
}

INSTANTIATE_TEST_SUITE_P(Experiments, LabAll, ::testing::ValuesIn(names()),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

TEST(Lab, SignStepDataShowAlphaTimesSign) {
  const datasets::Table& t = result("sign_step").group("steps");
  const Eigen::VectorXd& g = t.column("g");
  for (Eigen::Index i = 0; i < g.size(); ++i) {
    const double expected = g[i] / (g[i] + 1e-8);
    EXPECT_NEAR(t.column("step1_over_alpha")[i], expected, 1e-15) << "g " << g[i];
    if (g[i] >= 1e-4) {
      EXPECT_NEAR(t.column("step50_over_alpha")[i], 1.0, 1e-4);
    }
  }
}

TEST(Lab, SpikeAmsgradNeverRecoversAdamDoes) {
  const lab::Result& r = result("spike");
  for (const char* b2 : {"0.99", "0.999"}) {
    const Eigen::VectorXd ams =
        r.group(std::string("amsgrad_") + b2).column("effective_lr_over_pre_spike");
    const Eigen::VectorXd adam =
        r.group(std::string("adam_") + b2).column("effective_lr_over_pre_spike");
    EXPECT_LT(ams[0], 1e-4);  // the spike collapses both
    EXPECT_LT(adam[0], 1e-4);
    EXPECT_LT(ams.maxCoeff(), 1e-3) << "AMSGrad's effective step must stay collapsed";
    EXPECT_GT(adam[adam.size() - 1], 0.9) << "Adam's effective step must come back";
  }
}

TEST(Lab, DecoupledDecayIsGeometricAndL2IsLinear) {
  const datasets::Table& c = result("decoupled_decay").group("no_gradient_curves");
  const Eigen::VectorXd& step = c.column("step");
  for (Eigen::Index i = 0; i < step.size(); ++i) {
    EXPECT_NEAR(c.column("adamw")[i], std::pow(1 - 1e-3 * 1e-2, step[i]), 1e-12);
    if (step[i] <= 500) {  // close to alpha per step, a little less (lab.md)
      EXPECT_LT(c.column("l2_in_adam")[i], 1 - 0.8e-3 * step[i] + 1e-12);
      EXPECT_GT(c.column("l2_in_adam")[i], 1 - 1e-3 * step[i] - 1e-12);
    }
  }
}

TEST(Lab, SaddleAdamsFirstStepIsHalfAlphaBecauseGradientEqualsEps) {
  // |g_y| = 1e-8 = eps at the start: the first step is alpha |g| / (|g| + eps) = alpha / 2,
  // while gradient descent moves y by lr * 1e-8.
  const lab::Result& r = result("saddle");
  EXPECT_NEAR(r.group("path_adam").column("abs_y")[1], 1e-8 + 0.5 * 0.01, 1e-9);
  EXPECT_NEAR(r.group("path_sgd").column("abs_y")[1], 1e-8 * 1.01, 1e-20);
}

TEST(Lab, RareGradientsRecoveryIsTheDecayOfV) {
  // k = ln((1 - b2)(G^2 - g^2) / (3 g^2)) / -ln(b2) with G = 10, g = 0.01, read from the data
  const datasets::Table& t = result("rare_gradients").group("summary");
  for (Eigen::Index i = 0; i < 2; ++i) {  // beta2 = 0.9, 0.99
    const double b2 = t.column("beta2")[i];
    const double k = std::log((1 - b2) * (100 - 1e-4) / 3e-4) / -std::log(b2);
    EXPECT_NEAR(t.column("k_measured")[i], k, 1.0) << "beta2 " << b2;
  }
  EXPECT_EQ(t.column("suppressed_share")[2], 1.0);  // the default beta2 = 0.999
  EXPECT_TRUE(std::isinf(t.column("k_measured")[2]));
}

TEST(Lab, StandardisingHelpsBothAndAdamLessHurtByRawScales) {
  const datasets::Table& t = result("standardisation").group("runs");
  // rows: per loss (ls, logistic) per features (raw, standardised): gd then adam
  for (Eigen::Index loss = 0; loss < 2; ++loss) {
    const Eigen::Index raw = 4 * loss, stdz = raw + 2;
    EXPECT_TRUE(std::isinf(t.column("steps_to_1e-6")[raw]));      // gd, raw
    EXPECT_TRUE(std::isinf(t.column("steps_to_1e-6")[raw + 1]));  // adam, raw
    EXPECT_LT(t.column("relative_gap")[raw + 1], t.column("relative_gap")[raw]);
    EXPECT_LE(t.column("relative_gap")[stdz], 1e-6);
    EXPECT_LE(t.column("relative_gap")[stdz + 1], 1e-6);
  }
}

TEST(Lab, CliffBrakesAdamAndThrowsSgdBack) {
  const lab::Result& r = result("washboard_cliff");
  const Eigen::VectorXd adam = r.group("cliff_adam").column("x");
  const Eigen::VectorXd sgd = r.group("cliff_gd").column("x");
  double adam_step = 0;
  for (Eigen::Index i = 1; i < adam.size(); ++i)
    adam_step = std::max(adam_step, std::fabs(adam[i] - adam[i - 1]));
  EXPECT_LE(adam_step, 0.0101);   // never much more than alpha = 0.01
  EXPECT_LT(sgd.minCoeff(), -5);  // thrown back from the wall at 1
  EXPECT_EQ(r.group("washboard_summary").column("share_in_central_well")[0], 0.0);
}

TEST(Lab, LowPrecisionMixedReachesTheRoundedFloat32Loss) {
  const lab::Result& r = result("low_precision");
  const datasets::Table& f = r.group("first_step");
  // float16 Adam's first step is Inf (written as 1e9) for small constant gradients, bfloat16's is
  // alpha
  EXPECT_EQ(f.column("float16_first_step_over_alpha")[0], 1e9);
  EXPECT_NEAR(f.column("bfloat16_first_step_over_alpha")[0], 1.0, 0.01);
  const Eigen::VectorXd fin = r.group("final").column("final_loss");
  EXPECT_TRUE(std::isnan(fin[2]));   // float16 throughout
  EXPECT_GT(fin[1], 1000 * fin[3]);  // bfloat16 throughout stalls, mixed does not
  EXPECT_LT(fin[5], fin[4]);         // the loss scale helps float16
}

TEST(Lab, RiskVIsVarianceOverBatch) {
  const datasets::Table& t = result("risk").group("assets");
  const Eigen::VectorXd var = t.column("variance"), v = t.column("v_mean_second_half");
  EXPECT_EQ(var.size(), 20);
  for (Eigen::Index i = 0; i < var.size(); ++i)
    EXPECT_NEAR(v[i] * 32 / var[i], 1.0, 0.3) << "asset " << i;
  EXPECT_NEAR(t.column("weight").sum(), 1.0, 1e-12);
  EXPECT_GE(t.column("weight").minCoeff(), 0.0);
}

TEST(Lab, ChecksCanFailAndFilesAreValidated) {
  lab::Check c{"x", 2.0, "<=", 1.0};
  EXPECT_FALSE(c.passed());
  EXPECT_NE(c.describe().find("FAILED"), std::string::npos);
  c.value = std::nan("");
  EXPECT_FALSE(c.passed());
  c.relation = ">=";
  EXPECT_FALSE(c.passed());
  lab::Result r = result("beta2_zero");
  r.checks.push_back(c);
  EXPECT_FALSE(r.passed());
  EXPECT_THROW(lab::find("no_such_experiment"), std::invalid_argument);
  try {
    lab::find("nope");
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("sign_step"), std::string::npos) << e.what();
  }
  // A file of another schema is refused, naming the attribute.
  const std::string path = ::testing::TempDir() + "/not_lab.h5";
  {
    datasets::Writer w(path);
    w.attr("/", "adamant_schema", std::string("prices"));
    w.commit();
  }
  try {
    (void)lab::read_result(path);
    ADD_FAILURE() << "read a prices file as a lab result";
  } catch (const datasets::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("adamant_schema"), std::string::npos) << e.what();
  }
}

}  // namespace
