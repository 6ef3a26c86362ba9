// Training (train.hpp) on a few bundled ethanol frames with a small network: the seeded split;
// options validation; the same seed gives bit-identical results on 1 and 2 threads; a run
// interrupted after a checkpoint and resumed ends bit-identical to an uninterrupted one; early
// stopping restores the best validation parameters; clipping bounds what it promises (the update
// norm, or — through the gradient fed to Adam — the step); the learning-rate schedule ends at
// lr_final; a short run lowers the validation error; divergence is detected; the clipping study
// runs every method.

#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <filesystem>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "adamant/chem/md.hpp"
#include "adamant/chem/train.hpp"
#include "adamant/datasets/schema.hpp"
#include "chem_test_util.hpp"

namespace {

using namespace adamant::chem;
using namespace adamant::chem::test;
namespace ds = adamant::datasets;

TrainOptions tiny_options() {
  TrainOptions o;
  o.num_train = 24;
  o.num_validation = 8;
  o.num_test = 8;
  o.seed = 7;
  o.descriptors = small_descriptor_options(4.0);
  o.network.hidden = {8};
  o.set_lr(1e-2);
  o.lr_final = 2e-3;
  o.epochs = 6;
  o.batch_size = 8;
  o.num_threads = 1;
  EXPECT_EQ(o.validate(), "");
  return o;
}

// The parameters train() starts from.
Eigen::VectorXd initial_parameters(const TrainOptions& o) {
  const auto& z = ethanol().atomic_numbers;
  Potential pot(standard_descriptor_set(std::vector<int>(z.begin(), z.end()), o.descriptors),
                o.network);
  pot.init_parameters(o.seed);
  return pot.params;
}

// The validation score train() minimises (header: loss with the limit weights, squared errors).
double score_of(const Metrics& m, const TrainOptions& o) {
  return o.energy_weight_limit * std::pow(m.energy_rmse / 9, 2) +
         o.force_weight_limit * std::pow(m.force_rmse, 2);
}

void expect_same_metrics(const Metrics& a, const Metrics& b) {
  EXPECT_EQ(a.energy_mae, b.energy_mae);
  EXPECT_EQ(a.energy_rmse, b.energy_rmse);
  EXPECT_EQ(a.force_mae, b.force_mae);
  EXPECT_EQ(a.force_rmse, b.force_rmse);
  EXPECT_EQ(a.frames, b.frames);
}

// ---- split and options ----

TEST(Split, DisjointSeededAndSized) {
  std::vector<int> tr, va, te, tr2, va2, te2;
  split_frames(100, 60, 15, 10, 3, &tr, &va, &te);
  EXPECT_EQ(tr.size(), 60u);
  EXPECT_EQ(va.size(), 15u);
  EXPECT_EQ(te.size(), 10u);
  std::set<int> all(tr.begin(), tr.end());
  all.insert(va.begin(), va.end());
  all.insert(te.begin(), te.end());
  EXPECT_EQ(all.size(), 85u);
  EXPECT_GE(*all.begin(), 0);
  EXPECT_LT(*all.rbegin(), 100);
  split_frames(100, 60, 15, 10, 3, &tr2, &va2, &te2);
  EXPECT_EQ(tr, tr2);
  EXPECT_EQ(va, va2);
  EXPECT_EQ(te, te2);
  split_frames(100, 60, 15, 10, 4, &tr2, &va2, &te2);
  EXPECT_NE(tr, tr2);
  // The test set takes what is left when asked for more.
  split_frames(100, 60, 15, 1000, 3, &tr2, &va2, &te2);
  EXPECT_EQ(te2.size(), 25u);
  EXPECT_EQ(tr2, tr);
  const std::string why =
      error_of<std::invalid_argument>([&] { split_frames(100, 90, 11, 0, 3, &tr2, &va2, &te2); });
  EXPECT_TRUE(contains(why, "90 training") && contains(why, "11 validation") &&
              contains(why, "100 frames"))
      << why;
}

TEST(TrainOptions, ValidateNamesEveryBadValue) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  struct Case {
    std::function<void(TrainOptions&)> set;
    const char* expect;
  };
  const std::vector<Case> cases = {
      {[](TrainOptions& o) { o.set_lr(0); }, "lr"},
      {[](TrainOptions& o) { o.set_lr(-1e-3); }, "lr"},
      {[&](TrainOptions& o) { o.set_lr(nan); }, "lr"},
      {[&](TrainOptions& o) { o.set_lr(inf); }, "lr"},
      {[&](TrainOptions& o) { o.lr_final = nan; }, "lr_final"},
      {[](TrainOptions& o) { adamant::core::set_field(o.rule, "beta2", 1.0); }, "beta2"},
      {[](TrainOptions& o) { o.num_train = 0; }, "num_train"},
      {[](TrainOptions& o) { o.num_validation = -1; }, "num_validation"},
      {[](TrainOptions& o) { o.epochs = 0; }, "epochs"},
      {[](TrainOptions& o) { o.batch_size = 0; }, "batch_size"},
      {[&](TrainOptions& o) { adamant::core::set_field(o.rule, "weight_decay", nan); },
       "weight_decay"},
      {[&](TrainOptions& o) { o.force_weight_start = nan; }, "loss weights"},
      {[](TrainOptions& o) { o.energy_weight_limit = -1; }, "loss weights"},
      {[](TrainOptions& o) {
         o.energy_weight_start = 0;
         o.force_weight_start = 0;
       },
       "some loss weight"},
      {[](TrainOptions& o) {
         o.clip = ClipMode::kGradNorm;
         o.clip_value = 0;
       },
       "clip_value"},
      {[&](TrainOptions& o) {
         o.clip = ClipMode::kUpdateNorm;
         o.clip_value = nan;
       },
       "clip_value"},
      {[](TrainOptions& o) {
         o.huber = true;
         o.huber_delta_force = 0;
       },
       "Huber"},
      {[](TrainOptions& o) { o.patience = -2; }, "patience"},
      {[](TrainOptions& o) { o.eval_every = 0; }, "eval_every"},
      {[](TrainOptions& o) { o.num_threads = -1; }, "num_threads"},
      {[](TrainOptions& o) { o.resume = true; }, "resume"},
      {[&](TrainOptions& o) { o.descriptors.cutoff_radius = nan; }, "cutoff_radius"},
      {[](TrainOptions& o) {
         o.network.hidden = {8, 0};
       },
       "hidden width"},
  };
  for (const Case& c : cases) {
    TrainOptions o = tiny_options();
    c.set(o);
    const std::string why = o.validate();
    EXPECT_TRUE(contains(why, c.expect)) << "expected '" << c.expect << "' in '" << why << "'";
    // train() refuses them with the same message, before touching the data.
    const std::string thrown = error_of<std::invalid_argument>([&] { train(ethanol(), o); });
    EXPECT_TRUE(contains(thrown, why)) << thrown;
  }
  EXPECT_EQ(parse_clip_mode("update"), ClipMode::kUpdateNorm);
  EXPECT_TRUE(contains(error_of<std::invalid_argument>([] { parse_clip_mode("value"); }),
                       "none, grad, update"));
}

TEST(Train, RefusesASplitLargerThanTheDataAndDataWithoutForces) {
  TrainOptions o = tiny_options();
  ds::MolecularDataset small;
  small.atomic_numbers = ethanol().atomic_numbers;
  small.positions = ethanol().positions.topRows(30);
  small.energies = ethanol().energies.head(30);
  small.forces = ethanol().forces.topRows(30);
  const std::string why = error_of<std::invalid_argument>([&] { train(small, o); });
  EXPECT_TRUE(contains(why, "30 frames")) << why;
  small.forces.resize(0, 0);
  o.num_train = 10;
  EXPECT_TRUE(contains(error_of<std::invalid_argument>([&] { train(small, o); }), "no forces"));
}

// ---- determinism ----

TEST(Train, SameSeedSameNumbersOnOneAndTwoThreads) {
  TrainOptions o = tiny_options();
  o.epochs = 4;
  const TrainResult a = train(ethanol(), o);
  o.num_threads = 2;
  const TrainResult b = train(ethanol(), o);
  EXPECT_EQ(a.train_frames, b.train_frames);
  EXPECT_EQ(a.validation_frames, b.validation_frames);
  EXPECT_EQ(a.test_frames, b.test_frames);
  EXPECT_EQ(a.potential.params, b.potential.params);
  EXPECT_EQ(a.potential.shifts, b.potential.shifts);
  EXPECT_EQ(a.potential.standardizer.mean, b.potential.standardizer.mean);
  EXPECT_EQ(a.curve.column("loss"), b.curve.column("loss"));
  EXPECT_EQ(a.curve.column("val_force_mae"), b.curve.column("val_force_mae"));
  EXPECT_EQ(a.best_epoch, b.best_epoch);
  expect_same_metrics(a.train, b.train);
  expect_same_metrics(a.validation, b.validation);
  expect_same_metrics(a.test, b.test);
  // Another seed: another split and other numbers.
  o.seed = 8;
  const TrainResult c = train(ethanol(), o);
  EXPECT_NE(c.train_frames, a.train_frames);
  EXPECT_NE(c.curve.column("loss"), a.curve.column("loss"));
}

// ---- checkpoints ----

class TrainFiles : public TempDirTest {};

TEST_F(TrainFiles, ResumedRunEndsBitIdenticalToAnUninterruptedOne) {
  TrainOptions o = tiny_options();
  o.rule = adamant::core::rule_options("amsgrad");  // state with v_max as well
  o.set_lr(1e-2);
  o.checkpoint_every = 2;
  o.checkpoint = path("straight.h5");
  const TrainResult straight = train(ethanol(), o);
  ASSERT_EQ(straight.epochs_run, 6);

  // The same run stopped during epoch 5 (after the epoch-4 checkpoint), then resumed.
  o.checkpoint = path("stopped.h5");
  struct Stop {};
  int last_epoch = 0;
  EXPECT_THROW(train(ethanol(), o,
                     [&](const Progress& p) {
                       last_epoch = p.epoch;
                       if (p.epoch == 5) throw Stop{};
                     }),
               Stop);
  ASSERT_EQ(last_epoch, 5);
  ASSERT_EQ(ds::read_checkpoint<double>(o.checkpoint).step, 4);
  o.resume = true;
  std::vector<int> resumed_epochs;
  const TrainResult resumed =
      train(ethanol(), o, [&](const Progress& p) { resumed_epochs.push_back(p.epoch); });
  EXPECT_EQ(resumed_epochs, (std::vector<int>{5, 6}));
  EXPECT_EQ(resumed.epochs_run, 6);
  EXPECT_EQ(resumed.potential.params, straight.potential.params);
  EXPECT_EQ(resumed.best_epoch, straight.best_epoch);
  expect_same_metrics(resumed.validation, straight.validation);
  expect_same_metrics(resumed.test, straight.test);
  // The resumed run returns the whole learning curve, epochs 1-4 read back from beside the
  // checkpoint (wall times aside, it equals the uninterrupted run's).
  for (const char* c : {"epoch", "loss", "lr", "val_energy_mae", "val_force_mae"})
    EXPECT_EQ(resumed.curve.column(c), straight.curve.column(c)) << c;
  EXPECT_EQ(resumed.curve.column("wall_time").size(), 6);
  // The final checkpoints (last parameters and optimizer state) agree too.
  const auto a = ds::read_checkpoint<double>(path("straight.h5"));
  const auto b = ds::read_checkpoint<double>(path("stopped.h5"));
  EXPECT_EQ(a.step, 6);
  EXPECT_EQ(b.step, 6);
  EXPECT_EQ(a.model.params, b.model.params);
  EXPECT_EQ(a.optimizer.slot_names, b.optimizer.slot_names);
  ASSERT_EQ(a.optimizer.slots.size(), b.optimizer.slots.size());
  ASSERT_GE(a.optimizer.slots.size(), 3u);  // m, v, v_max
  for (std::size_t k = 0; k < a.optimizer.slots.size(); ++k)
    EXPECT_TRUE(a.optimizer.slots[k] == b.optimizer.slots[k]) << a.optimizer.slot_names[k];
  EXPECT_EQ(a.optimizer.step, b.optimizer.step);
  EXPECT_EQ(a.optimizer.step, 18);
  EXPECT_EQ(a.optimizer.scalars, b.optimizer.scalars);

  // Resuming with other options is refused, naming the option and both values.
  const double lr = o.lr();
  o.set_lr(2e-2);
  const std::string why = error_of<ds::DataError>([&] { train(ethanol(), o); });
  EXPECT_TRUE(contains(why, "written with rule.lr = 0.01, these options have rule.lr = 0.02"))
      << why;
  o.set_lr(lr);
  // Another rule with the same slots is another identity too.
  o.rule = adamant::core::rule_options("adamw");
  o.set_lr(lr);
  EXPECT_TRUE(contains(error_of<ds::DataError>([&] { train(ethanol(), o); }), "rule."));
  o.rule = adamant::core::rule_options("amsgrad");
  o.set_lr(lr);
  // The identity is the options' fields, not the description: a reworded description resumes.
  ds::Checkpoint<double> ck = ds::read_checkpoint<double>(o.checkpoint);
  ASSERT_EQ(ck.config.count("options.rule.lr"), 1u);
  EXPECT_EQ(ck.config.at("options.rule").s, "adam");
  EXPECT_EQ(ck.config.at("options.rule.amsgrad").f, 1.0);
  ck.config["options"] = ds::AttrValue::string("a description worded otherwise");
  ds::write_checkpoint(o.checkpoint, ck);
  EXPECT_NO_THROW(train(ethanol(), o));
  // A checkpoint written before the fields were stored is compared by its description.
  ck = ds::read_checkpoint<double>(o.checkpoint);
  for (auto it = ck.config.begin(); it != ck.config.end();)
    it = it->first.rfind("options.", 0) == 0 ? ck.config.erase(it) : std::next(it);
  ck.config["options"] = ds::AttrValue::string("a description worded otherwise");
  ds::write_checkpoint(o.checkpoint, ck);
  EXPECT_TRUE(contains(error_of<ds::DataError>([&] { train(ethanol(), o); }),
                       "written with other options: 'a description worded otherwise'"));
}

// ---- early stopping ----

TEST(Train, EarlyStoppingKeepsTheBestValidationParameters) {
  TrainOptions o = tiny_options();
  o.set_lr(5e-2);
  o.lr_final = 5e-2;  // constant and large: the validation score does not keep falling
  o.epochs = 60;
  o.patience = 3;
  std::vector<Progress> log;
  const TrainResult r = train(ethanol(), o, [&](const Progress& p) { log.push_back(p); });
  ASSERT_TRUE(r.stopped_early) << "ran " << r.epochs_run << " epochs";
  EXPECT_LT(r.epochs_run, o.epochs);
  ASSERT_EQ(static_cast<int>(log.size()), r.epochs_run);
  EXPECT_EQ(r.epochs_run - r.best_epoch, o.patience);
  ASSERT_GE(r.best_epoch, 1);
  // The best epoch has the lowest score of all, and the returned potential is that epoch's: its
  // validation metrics are the ones logged then, bit for bit, not the last epoch's.
  const double best = score_of(log[static_cast<std::size_t>(r.best_epoch - 1)].validation, o);
  for (const Progress& p : log) EXPECT_GE(score_of(p.validation, o), best) << p.epoch;
  expect_same_metrics(r.validation, log[static_cast<std::size_t>(r.best_epoch - 1)].validation);
  EXPECT_GT(score_of(log.back().validation, o), best);
  EXPECT_EQ(r.validation.frames, 8);
}

// ---- clipping ----

TEST(Train, ClippingTheUpdateBoundsEveryStep) {
  TrainOptions o = tiny_options();
  o.epochs = 3;
  o.num_validation = 0;  // the result is the last iterate
  const Eigen::VectorXd p0 = initial_parameters(o);
  const int steps = o.epochs * 3;  // 24 frames in batches of 8
  const double free_move = (train(ethanol(), o).potential.params - p0).norm();
  o.clip = ClipMode::kUpdateNorm;
  o.clip_value = 1e-4;
  const double clipped_move = (train(ethanol(), o).potential.params - p0).norm();
  // ‖θ_T − θ_0‖ <= Σ_t ‖Δ_t‖ <= T c, a bound the unclipped run exceeds by far.
  EXPECT_LE(clipped_move, steps * o.clip_value * (1 + 1e-9));
  EXPECT_GT(clipped_move, 0.0);
  EXPECT_GT(free_move, 20 * steps * o.clip_value);
}

TEST(Train, ClippingTheGradientNormBeforeAdamBoundsItsMoments) {
  // With ‖g‖ <= c every bias-corrected first moment has ‖m̂‖ <= c, so an Adam step is at most
  // lr ‖m̂‖ / eps = lr c / eps (eps = 1e-8): a tiny c makes the steps tiny — which they are not
  // when the clipped gradient is only rescaled *after* the moments, or not at all.
  TrainOptions o = tiny_options();
  o.epochs = 3;
  o.num_validation = 0;
  const Eigen::VectorXd p0 = initial_parameters(o);
  const int steps = o.epochs * 3;
  o.clip = ClipMode::kGradNorm;
  o.clip_value = 1e-11;
  const double moved = (train(ethanol(), o).potential.params - p0).norm();
  EXPECT_LE(moved, steps * o.lr() * o.clip_value / 1e-8 * (1 + 1e-9));
  EXPECT_GT(moved, 0.0);
  // A threshold above every gradient norm changes nothing, bit for bit.
  TrainOptions loose = tiny_options();
  loose.epochs = 2;
  const TrainResult plain = train(ethanol(), loose);
  loose.clip = ClipMode::kGradNorm;
  loose.clip_value = 1e12;
  // (PyTorch's factor c / (‖g‖ + 1e-6) is clamped to 1.)
  EXPECT_EQ(train(ethanol(), loose).potential.params, plain.potential.params);
}

// ---- a short run ----

TEST(Train, ShortRunLowersTheValidationErrorAndReportsProgress) {
  TrainOptions o = tiny_options();
  o.epochs = 10;
  std::vector<Progress> log;
  const TrainResult r = train(ethanol(), o, [&](const Progress& p) { log.push_back(p); });
  ASSERT_EQ(log.size(), 10u);
  for (std::size_t k = 0; k < log.size(); ++k) {
    EXPECT_EQ(log[k].epoch, static_cast<int>(k) + 1);
    EXPECT_EQ(log[k].epochs, 10);
    EXPECT_GT(log[k].validation.force_mae, 0.0);
    EXPECT_TRUE(std::isfinite(log[k].loss));
  }
  EXPECT_FALSE(r.diverged);
  EXPECT_FALSE(r.stopped_early);
  EXPECT_LT(score_of(r.validation, o), 0.7 * score_of(log.front().validation, o));
  EXPECT_LT(r.validation.force_mae, log.front().validation.force_mae);
  EXPECT_LT(log.back().loss, 0.5 * log.front().loss);
  // The exponential schedule ends at lr_final.
  EXPECT_NEAR(log.back().lr, o.lr_final, 1e-12 * o.lr_final);
  EXPECT_NEAR(r.curve.column("lr")[9], o.lr_final, 1e-12 * o.lr_final);
  // The curve holds what progress saw.
  ASSERT_EQ(r.curve.column("loss").size(), 10);
  EXPECT_EQ(r.curve.column("loss")[3], log[3].loss);
  EXPECT_EQ(r.curve.column("val_force_mae")[3], log[3].validation.force_mae);
  // The test metrics are evaluate() on the test frames of the split.
  ASSERT_EQ(r.test_frames.size(), 8u);
  expect_same_metrics(r.test, evaluate(r.potential, ethanol(), r.test_frames));
  std::set<int> seen(r.train_frames.begin(), r.train_frames.end());
  for (int f : r.test_frames) EXPECT_EQ(seen.count(f), 0u);
}

// DeePMD's prefactors p(t) = p_limit + (p_start − p_limit) lr(t) / lr(0): with one batch per
// epoch, epoch k's logged loss is the loss at the parameters after k − 1 steps (read from the
// checkpoint written after epoch k − 1) with the prefactors of step k − 1.
TEST_F(TrainFiles, LossPrefactorsFollowTheLearningRateSchedule) {
  TrainOptions o = tiny_options();
  o.num_validation = 0;
  o.batch_size = o.num_train;
  o.epochs = 2;
  o.set_lr(1e-2);
  o.lr_final = 1e-4;
  o.energy_weight_start = 2;
  o.energy_weight_limit = 30;
  o.force_weight_start = 80;
  o.force_weight_limit = 5;
  o.huber = true;
  o.huber_delta_energy = 0.02;
  o.huber_delta_force = 0.5;
  o.checkpoint = path("ck.h5");
  o.checkpoint_every = 1;
  std::vector<double> logged;
  Eigen::VectorXd after_first;
  const TrainResult r = train(ethanol(), o, [&](const Progress& p) {
    logged.push_back(p.loss);
    if (p.epoch == 2) after_first = ds::read_checkpoint<double>(o.checkpoint).model.params;
  });
  ASSERT_EQ(logged.size(), 2u);
  ASSERT_EQ(after_first.size(), r.potential.num_parameters());
  Potential pot = r.potential;  // the standardiser and shifts training used
  std::vector<PreparedFrame> frames;
  for (int f : r.train_frames)
    frames.push_back(pot.prepare(structure_of(ethanol(), f), ethanol().energies[f],
                                 ethanol().forces.row(f).transpose()));
  Potential::Workspace ws = pot.make_workspace(9);
  auto mean_loss = [&](const Eigen::VectorXd& p, double ratio) {
    LossWeights w;
    w.energy = o.energy_weight_limit + (o.energy_weight_start - o.energy_weight_limit) * ratio;
    w.force = o.force_weight_limit + (o.force_weight_start - o.force_weight_limit) * ratio;
    w.huber = true;
    w.huber_delta_energy = o.huber_delta_energy;
    w.huber_delta_force = o.huber_delta_force;
    double sum = 0;
    for (const PreparedFrame& f : frames) sum += pot.evaluate_frame(p, f, w, ws, nullptr).loss;
    return sum / static_cast<double>(frames.size());
  };
  // Two steps in all: lr(1) / lr(0) = (lr_final / lr)^(1/2) = 0.1.
  EXPECT_NEAR(logged[0], mean_loss(initial_parameters(o), 1.0), 1e-12 * logged[0]);
  EXPECT_NEAR(logged[1], mean_loss(after_first, 0.1), 1e-12 * logged[1]);
  // Not the start prefactors any more.
  EXPECT_GT(std::abs(logged[1] - mean_loss(after_first, 1.0)), 1e-6 * logged[1]);
}

TEST(Train, AdamWAndAmsgradAreDistinctRulesThatAlsoLearn) {
  TrainOptions o = tiny_options();
  o.epochs = 5;
  const TrainResult adam = train(ethanol(), o);
  for (const char* name : {"adamw", "amsgrad"}) {
    SCOPED_TRACE(name);
    o.rule = adamant::core::rule_options(name);
    o.set_lr(1e-2);
    adamant::core::set_field(o.rule, "weight_decay", std::string(name) == "adamw" ? 0.05 : 0.0);
    std::vector<double> losses;
    const TrainResult r = train(ethanol(), o, [&](const Progress& p) { losses.push_back(p.loss); });
    EXPECT_NE(r.potential.params, adam.potential.params);
    EXPECT_LT(losses.back(), 0.5 * losses.front());
  }
}

TEST(Train, DivergenceIsDetectedAndReported) {
  TrainOptions o = tiny_options();
  o.divergence_loss = 1e-12;  // every loss counts as a divergence
  const TrainResult r = train(ethanol(), o);
  EXPECT_TRUE(r.diverged);
  EXPECT_EQ(r.epochs_run, 1);
  EXPECT_TRUE(std::isnan(r.test.force_mae));
}

TEST_F(TrainFiles, ClippingStudyRunsEveryMethodOnMixedData) {
  const ds::MolecularDataset contacts =
      ds::read_molecules(std::string(ADAMANT_DATA_DIR) + "/ethanol_close_contacts_gfn2xtb.h5");
  StudyOptions so;
  so.seeds = {0};
  so.num_md_train = 16;
  so.num_contacts_train = 4;
  so.num_test = 8;
  so.epochs = 2;
  so.lr = 5e-3;
  const StudyResult r = clipping_study(ethanol(), contacts, so);
  ASSERT_EQ(r.rows.size(), 4u);
  const char* methods[] = {"none", "clip-grad", "clip-update", "huber"};
  for (int m = 0; m < 4; ++m) {
    const StudyRow& row = r.rows[static_cast<std::size_t>(m)];
    EXPECT_EQ(row.method, methods[m]);
    EXPECT_EQ(row.seed, 0u);
    // Two epochs at the study's modest rate: no run diverges, every one reports test MAEs.
    EXPECT_FALSE(row.diverged);
    EXPECT_EQ(row.epochs_run, 2);
    EXPECT_TRUE(std::isfinite(row.final_loss));
    EXPECT_GT(row.test.force_mae, 0.0);
    EXPECT_EQ(row.test.frames, 8);
  }
  // The methods train differently.
  EXPECT_NE(r.rows[0].final_loss, r.rows[1].final_loss);
  EXPECT_NE(r.rows[0].final_loss, r.rows[3].final_loss);
  const ds::Table t = r.table();
  EXPECT_EQ(t.column("method").size(), 4);
  EXPECT_EQ(r.curves.names.front(), "epoch");
  const std::string report = r.report();
  for (const char* m : methods) EXPECT_TRUE(contains(report, m)) << report;

  // Its file (schema chem_study) reads back, and `adamant data info` summarises it.
  write_study(path("study.h5"), r);
  const StudyFile f = read_study(path("study.h5"));
  EXPECT_EQ(f.study.names, t.names);
  EXPECT_EQ(f.study.column("force_mae_meV_per_A"), t.column("force_mae_meV_per_A"));
  EXPECT_EQ(f.curves.names, r.curves.names);
  const std::string d = ds::describe(path("study.h5"));
  EXPECT_TRUE(contains(d, "summary: chem_study: 4 runs, 2 epochs\n  none: 1 run, 0 diverged")) << d;
  ds::write_table(path("table.h5"), t);
  EXPECT_DATA_ERROR(read_study(path("table.h5")), "table.h5",
                    "adamant_schema is 'table', expected 'chem_study'");
}

TEST_F(TrainFiles, FitAndMdFilesAreWrittenBesideEachOther) {
  const TrainOptions o = tiny_options();
  const TrainResult r = train(ethanol(), o);
  const std::string model = path("fit.h5");
  EXPECT_EQ(save_fit(model, r, o, "ethanol.h5"), path("fit_curve.h5"));
  EXPECT_EQ(load_potential(model).params, r.potential.params);
  EXPECT_EQ(ds::read_table(path("fit_curve.h5"), "curve").column("loss"), r.curve.column("loss"));
  const std::string d = ds::describe(model);
  EXPECT_TRUE(contains(d, "summary: chem_model: Behler-Parrinello potential for H C O")) << d;
  EXPECT_TRUE(contains(d, "fitted to ethanol.h5; test MAE ")) << d;

  MdOptions mo;
  mo.steps = 6;
  mo.record_every = 2;
  const MdResult md = run_md(r.potential, structure_of(ethanol(), 0), mo);
  const std::vector<std::string> files = write_md(path("md.h5"), md, "test");
  EXPECT_EQ(files, (std::vector<std::string>{path("md.h5"), path("md_energies.h5")}));
  const ds::MolecularDataset traj = ds::read_molecules(path("md.h5"));
  EXPECT_EQ(traj.num_frames(), md.trajectory.num_frames());
  EXPECT_EQ(traj.metadata.at("method").s, "test");
  EXPECT_EQ(ds::read_table(path("md_energies.h5"), "energies").column("total"), md.total);
  EXPECT_TRUE(contains(ds::describe(path("md_energies.h5")), "summary: table energies: 5 columns"));
}

}  // namespace
