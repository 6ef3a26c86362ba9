// Learning the optimizer (meta/tune.hpp): the task family, the tuning improving held-out loss over
// its start, the grid search's budget, the study file and its errors.

#include "adamant/meta/tune.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "adamant/datasets/h5.hpp"
#include "adamant/datasets/schema.hpp"

namespace {

namespace am = adamant::meta;
namespace ac = adamant::core;

TEST(SineFamily, TasksAreSeededAndInRange) {
  const am::SineFamily f;
  const am::SineTask a = am::draw_task(f, 3, 7), b = am::draw_task(f, 3, 7),
                     c = am::draw_task(f, 3, 8);
  EXPECT_EQ(a.x_train, b.x_train);
  EXPECT_EQ(a.y_val, b.y_val);
  EXPECT_NE(a.amplitude, c.amplitude);
  EXPECT_GE(a.amplitude, 0.1);
  EXPECT_LE(a.amplitude, 5.0);
  EXPECT_GE(a.phase, 0.0);
  EXPECT_LE(a.phase, M_PI);
  ASSERT_EQ(a.x_train.rows(), 20);
  for (Eigen::Index i = 0; i < a.x_train.rows(); ++i) {
    EXPECT_GE(a.x_train(i, 0), -5.0);
    EXPECT_LE(a.x_train(i, 0), 5.0);
    EXPECT_DOUBLE_EQ(a.y_train(i, 0), a.amplitude * std::sin(a.x_train(i, 0) - a.phase));
  }
}

am::TuneOptions small() {
  am::TuneOptions o;
  ac::AdamOptions adam;
  adam.lr = 1e-3;  // far too small for 20 steps: tuning has to find a larger one
  o.start = adam;
  o.tuned = {"lr", "beta1"};
  o.net.layer_sizes = {1, 8, 1};
  o.inner_steps = 20;
  o.outer_steps = 12;
  o.tasks_per_step = 2;
  o.outer_lr = 0.3;
  o.eval_tasks = 20;
  o.seed = 5;
  return o;
}

TEST(Tune, GradientTuningBeatsItsStartOnHeldOutTasks) {
  const am::TuneOptions o = small();
  int lines = 0;
  const am::TuneResult r = am::tune(o, [&](const std::string&) { ++lines; });
  EXPECT_EQ(lines, o.outer_steps);
  ASSERT_EQ(r.meta_loss.size(), o.outer_steps + 1);
  ASSERT_EQ(r.path.rows(), o.outer_steps + 1);
  EXPECT_NEAR(r.path(0, 0), 1e-3, 1e-15);
  EXPECT_GT(r.path(o.outer_steps, 0), 5e-3);  // the learning rate grew
  EXPECT_EQ(r.inner_runs_tuning, o.outer_steps * o.tasks_per_step);
  EXPECT_LE(r.inner_runs_grid, r.inner_runs_tuning);  // the same budget (12 = 3 lrs x 4 beta1s)
  EXPECT_EQ(r.grid_loss.size(), 12);
  ASSERT_EQ(r.evals.size(), 3u);
  EXPECT_EQ(r.evals[0].name, "start");
  EXPECT_EQ(r.evals[2].name, "tuned");
  // Held-out mean ln MSE: the tuned rule's geometric-mean MSE is under 0.6 of the start's.
  EXPECT_LT(r.evals[2].mean, r.evals[0].mean + std::log(0.6));
  EXPECT_GT(r.evals[0].stderr_mean, 0);
  // Deterministic: the same options give the same study.
  const am::TuneResult again = am::tune(o);
  EXPECT_EQ(again.meta_loss, r.meta_loss);
  EXPECT_EQ(again.evals[2].mean, r.evals[2].mean);
}

TEST(Tune, FileRoundTripSummaryAndFigure) {
  am::TuneOptions o = small();
  o.outer_steps = 4;
  o.eval_tasks = 4;
  const am::TuneResult r = am::tune(o);
  const std::string dir = ::testing::TempDir();
  const std::string h5 = dir + "/tune_test.h5", png = dir + "/tune_test.png";
  am::write_tune(h5, r);
  const am::TuneResult b = am::read_tune(h5);
  EXPECT_EQ(b.meta_loss, r.meta_loss);
  EXPECT_EQ(b.path, r.path);
  EXPECT_EQ(b.theta0, r.theta0);
  EXPECT_EQ(b.grid_loss, r.grid_loss);
  ASSERT_EQ(b.evals.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(b.evals[i].name, r.evals[i].name);
    EXPECT_EQ(b.evals[i].mean, r.evals[i].mean);
    EXPECT_EQ(ac::describe(b.evals[i].rule), ac::describe(r.evals[i].rule));
  }
  EXPECT_EQ(b.options.tuned, o.tuned);
  EXPECT_EQ(b.options.net.layer_sizes, o.net.layer_sizes);
  const std::string info = adamant::datasets::describe(h5);
  EXPECT_NE(info.find("hyper_tune: adam, tuned lr,beta1 over 4 outer steps x 2 sine tasks"),
            std::string::npos)
      << info;
  am::plot_tune(r, png);
  EXPECT_GT(std::filesystem::file_size(png), 10000u);
  // Another schema is refused, naming the command that writes this one.
  adamant::datasets::Table t;
  t.add("x", Eigen::VectorXd::Ones(3));
  adamant::datasets::write_table(h5, t);
  try {
    am::read_tune(h5);
    ADD_FAILURE() << "no throw";
  } catch (const adamant::datasets::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("a study written by 'adamant hyper tune'"),
              std::string::npos)
        << e.what();
  }
  std::remove(h5.c_str());
  std::remove(png.c_str());
}

TEST(Tune, OptionsNameWhatIsWrong) {
  am::TuneOptions o = small();
  o.tuned = {"amsgrad"};
  EXPECT_NE(o.validate().find("adam has no real hyper-parameter 'amsgrad'"), std::string::npos);
  o = small();
  o.start = ac::rule_options("sgd");
  o.tuned = {"momentum"};
  EXPECT_NE(o.validate().find("momentum must start in (0, 1)"), std::string::npos) << o.validate();
  o = small();
  o.tuned = {"weight_decay"};
  EXPECT_NE(o.validate().find("weight_decay must start > 0"), std::string::npos);
  o = small();
  o.outer_lr = 0;
  o.net.layer_sizes = {2, 4, 1};
  EXPECT_NE(o.validate().find("outer_lr must be finite and > 0"), std::string::npos);
  EXPECT_NE(o.validate().find("net must take 1 input"), std::string::npos);
  EXPECT_THROW(am::tune(o), std::invalid_argument);
}

}  // namespace
