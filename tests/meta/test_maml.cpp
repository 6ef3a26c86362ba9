// MAML with an Adam inner loop (meta/maml.hpp): the second-order meta-gradient learns an
// initialisation that adapts better than the pretrained baseline's; the study file round-trips.

#include "adamant/meta/maml.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "adamant/datasets/schema.hpp"

namespace {

namespace am = adamant::meta;

am::MamlOptions small() {
  am::MamlOptions o;
  o.net.layer_sizes = {1, 20, 20, 1};
  o.inner_steps = 5;
  o.iterations = 300;
  o.meta_batch = 5;
  o.outer_lr = 3e-3;
  o.eval_tasks = 200;
  o.eval_points = 50;
  o.seed = 0;
  return o;
}

TEST(Maml, SecondOrderMetaGradientAdaptsBetterThanPretraining) {
  const am::MamlOptions o = small();
  const am::MamlResult r = am::run_maml(o);
  ASSERT_EQ(r.methods.size(), 3u);
  const am::MamlMethod &maml = r.methods[0], &fo = r.methods[1], &pre = r.methods[2];
  EXPECT_EQ(maml.name, "maml");
  EXPECT_EQ(pre.name, "pretrained");
  ASSERT_EQ(maml.curve.size(), o.iterations);
  // The pretrained network predicts the mean function better before adaptation, but MAML's
  // initialisation is the one that adapts: after the inner run its query MSE is lower, task by
  // task (paired over 200 new held-out tasks, beyond three standard errors).
  EXPECT_LT(pre.mse_before, maml.mse_before);
  EXPECT_LT(maml.mse_after, pre.mse_after);
  am::SineFamily eval = o.tasks;
  eval.val_points = o.eval_points;
  adamant::core::Mlp<double> mlp(o.net);
  auto mse = [&](const Eigen::VectorXd& theta0, const am::SineTask& t) {
    const Eigen::VectorXd p = am::adapt(o, theta0, t);
    const adamant::core::Mlp<double>::MatrixX y = mlp.evaluate(p, t.x_val);
    return (y - t.y_val).squaredNorm() / static_cast<double>(t.y_val.size());
  };
  std::vector<double> diff;
  for (std::uint64_t i = 0; i < 200; ++i) {
    const am::SineTask t = am::draw_task(eval, 99, i);
    diff.push_back(mse(pre.theta0, t) - mse(maml.theta0, t));
  }
  double mean = 0, var = 0;
  for (double d : diff) mean += d / 200;
  for (double d : diff) var += (d - mean) * (d - mean) / 199;
  EXPECT_GT(mean, 3 * std::sqrt(var / 200)) << mean << " +- " << std::sqrt(var / 200);
  EXPECT_LT(maml.mse_after, maml.mse_before);
  EXPECT_LT(fo.mse_after, fo.mse_before);
  EXPECT_LT(maml.curve.tail(20).mean(), maml.curve.head(20).mean());
}

TEST(Maml, FileRoundTripSummaryFigureAndErrors) {
  am::MamlOptions o = small();
  o.iterations = 5;
  o.eval_tasks = 5;
  const am::MamlResult r = am::run_maml(o);
  const std::string dir = ::testing::TempDir();
  const std::string h5 = dir + "/maml_test.h5", png = dir + "/maml_test.png";
  am::write_maml(h5, r);
  const am::MamlResult b = am::read_maml(h5);
  ASSERT_EQ(b.methods.size(), 3u);
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(b.methods[k].name, r.methods[k].name);
    EXPECT_EQ(b.methods[k].theta0, r.methods[k].theta0);
    EXPECT_EQ(b.methods[k].curve, r.methods[k].curve);
    EXPECT_EQ(b.methods[k].mse_after, r.methods[k].mse_after);
  }
  EXPECT_EQ(b.init, r.init);
  EXPECT_EQ(b.options.net.layer_sizes, o.net.layer_sizes);
  const std::string info = adamant::datasets::describe(h5);
  EXPECT_NE(info.find("hyper_maml: sine regression, 10 shots, 5 inner steps of adam"),
            std::string::npos)
      << info;
  am::plot_maml(r, png);
  EXPECT_GT(std::filesystem::file_size(png), 10000u);
  std::remove(h5.c_str());
  std::remove(png.c_str());
  o.meta_batch = 0;
  o.inner_steps = 0;
  EXPECT_NE(o.validate().find("inner_steps must be >= 1, got 0; meta_batch must be >= 1"),
            std::string::npos)
      << o.validate();
  EXPECT_THROW(am::run_maml(o), std::invalid_argument);
}

}  // namespace
