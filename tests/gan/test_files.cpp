// The study's HDF5 file (docs/schema.md, "GAN study"): written, read back with the datasets
// readers (trajectories, convergence table with its metadata, eigenvalues, equilibrium, mode
// curves, sample snapshots), and written atomically: a failed write leaves the old file as it
// was and no temporary file behind.

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "adamant/datasets/h5.hpp"
#include "adamant/datasets/schema.hpp"
#include "adamant/gan/study.hpp"

namespace {

using namespace adamant::gan;
namespace ds = adamant::datasets;
namespace fs = std::filesystem;

std::string fresh_dir(const std::string& name) {
  const fs::path d = fs::path(::testing::TempDir()) / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d.string();
}

TEST(StudyFile, DiracRoundTrip) {
  StudyOptions o;
  o.methods = {"simgd", "adam", "consensus"};
  o.steps = 40;
  o.eigen_every = 10;
  o.dirac.gamma = 0.5;
  const StudyResult r = run_study(o);
  const std::string path = fresh_dir("gan_files_dirac") + "/study.h5";
  write_study(path, r);

  const auto runs = ds::read_trajectories(path);
  ASSERT_EQ(runs.size(), 3u);
  for (const MethodRun& m : r.runs) {
    const ds::Trajectory& t = runs.at(m.name);
    EXPECT_EQ(t.game, "dirac");
    EXPECT_EQ(t.method, m.trajectory.method);
    EXPECT_EQ(t.iterates, m.trajectory.iterates);
    EXPECT_EQ(t.iterates.rows(), 41);
    EXPECT_EQ(t.metrics.names, m.trajectory.metrics.names);
    EXPECT_EQ(t.metrics.column("distance"), m.trajectory.metrics.column("distance"));
  }
  const ds::Table table = ds::read_table(path, "convergence");
  EXPECT_EQ(table.rows(), 3);
  EXPECT_EQ(table.metadata.at("methods").s, "simgd,adam,consensus");
  EXPECT_EQ(table.metadata.at("game").s, "dirac");
  EXPECT_EQ(table.metadata.at("steps").i, 40);
  EXPECT_EQ(table.metadata.at("loss").s, "standard");
  EXPECT_EQ(table.metadata.at("gamma").f, 0.5);
  for (Eigen::Index i = 0; i < 3; ++i) {
    EXPECT_EQ(table.column("final_distance")[i], r.runs[i].final_distance);
    EXPECT_EQ(table.column("rate")[i], r.runs[i].rate);
    EXPECT_EQ(table.column("evaluations")[i], static_cast<double>(r.runs[i].evaluations));
  }
  EXPECT_EQ(table.column("evaluations")[0], 40);

  ds::Reader rd(path);
  const auto& cons = r.runs[2];
  ASSERT_EQ(cons.eigenvalues.rows(), 5);  // steps 0, 10, 20, 30, 40
  ds::Shape shape;
  const auto re = rd.read_f64("eigenvalues/consensus/re", {5, 2}, ds::Finite::kRequired, &shape);
  const auto im = rd.read_f64("eigenvalues/consensus/im", {5, 2});
  const auto st = rd.read_i64("eigenvalues/consensus/step", {5});
  for (int k = 0; k < 5; ++k) {
    EXPECT_EQ(st[static_cast<std::size_t>(k)], 10 * k);
    for (int j = 0; j < 2; ++j) {
      EXPECT_EQ(re[static_cast<std::size_t>(2 * k + j)], cons.eigenvalues(k, j).real());
      EXPECT_EQ(im[static_cast<std::size_t>(2 * k + j)], cons.eigenvalues(k, j).imag());
    }
  }
  const auto eq = rd.read_f64("equilibrium/z", {2});
  EXPECT_EQ(eq[0], 0.0);
  const auto eig_re = rd.read_f64("equilibrium/eig_re", {2});
  EXPECT_NEAR(eig_re[0], 0.25, 1e-12);  // eig J(0) = γ/2 ± i√(1/4 − γ²/4)
  EXPECT_FALSE(rd.has("snapshots"));

  const StudyFile f = read_study(path);
  EXPECT_EQ(f.methods, (std::vector<std::string>{"simgd", "adam", "consensus"}));
  EXPECT_EQ(f.trajectories.at("adam").iterates, r.runs[1].trajectory.iterates);
  EXPECT_EQ(f.convergence.column("avg_distance"), table.column("avg_distance"));
  EXPECT_EQ(f.eigenvalues.at("consensus"), cons.eigenvalues);
  EXPECT_EQ(f.eigen_steps.at("consensus"), cons.eigen_steps);
  EXPECT_EQ(f.equilibrium, r.equilibrium);
  EXPECT_EQ(f.equilibrium_eigenvalues, r.equilibrium_eigenvalues);
  EXPECT_TRUE(f.snapshots.empty());
  EXPECT_TRUE(f.curves.empty());
}

TEST(StudyFile, ReadingAFileThatIsNotAStudyNamesWhatIsMissing) {
  const std::string dir = fresh_dir("gan_files_bad");
  ds::Trajectory t;
  t.game = "dirac";
  t.method = "simgd";
  t.iterates = ds::RowMatrixXd::Zero(3, 2);
  ds::write_trajectories(dir + "/only.h5", {{"simgd", t}});
  try {
    read_study(dir + "/only.h5");
    FAIL() << "expected a DataError";
  } catch (const ds::DataError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("only.h5"), std::string::npos) << what;
    EXPECT_NE(what.find("/convergence"), std::string::npos) << what;
  }
  EXPECT_THROW(read_study(dir + "/absent.h5"), ds::DataError);
}

TEST(StudyFile, MixtureCurvesAndSnapshots) {
  StudyOptions o;
  o.game = "ring";
  o.methods = {"adam05"};
  o.steps = 20;
  o.mixture.batch_size = 16;
  o.mixture.generator_hidden = {8};
  o.mixture.discriminator_hidden = {8};
  o.eval_samples = 100;
  o.snapshots = 3;
  o.curve_points = 5;
  const StudyResult r = run_study(o);
  const MethodRun& m = r.runs[0];
  EXPECT_EQ(m.snapshot_steps, (std::vector<int>{0, 10, 20}));
  EXPECT_EQ(m.curve.rows(), 5);  // steps 0, 5, 10, 15, 20
  EXPECT_EQ(m.curve.column("step")[1], 5);
  const std::string path = fresh_dir("gan_files_ring") + "/ring.h5";
  write_study(path, r);
  const auto runs = ds::read_trajectories(path);
  EXPECT_EQ(runs.at("adam05").iterates.rows(), 3);
  EXPECT_EQ(runs.at("adam05").metrics.column("modes"), m.trajectory.metrics.column("modes"));
  const ds::Table curve = ds::read_table(path, "curves/adam05");
  EXPECT_EQ(curve.column("high_quality"), m.curve.column("high_quality"));
  ds::Reader rd(path);
  const auto s = rd.read_f64("snapshots/adam05/step_10", {100, 2});
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(s[static_cast<std::size_t>(2 * i)], m.snapshots[1](i, 0));
    EXPECT_EQ(s[static_cast<std::size_t>(2 * i + 1)], m.snapshots[1](i, 1));
  }
  EXPECT_FALSE(rd.has("equilibrium"));
  EXPECT_FALSE(rd.has("eigenvalues"));
  // The snapshot's statistics are those of its samples.
  const ModeStats st = mode_stats(Mixture::kRing, m.snapshots[2]);
  EXPECT_EQ(st.modes_captured, m.modes);
  EXPECT_EQ(st.high_quality_share, m.high_quality);
  const StudyFile f = read_study(path);
  EXPECT_EQ(f.snapshots.at("adam05").size(), 3u);
  EXPECT_EQ(f.snapshots.at("adam05").at(20), m.snapshots[2]);
  EXPECT_EQ(f.curves.at("adam05").column("modes"), m.curve.column("modes"));
  EXPECT_EQ(f.equilibrium.size(), 0);
}

TEST(StudyFile, AFailedWriteLeavesTheOldFile) {
  StudyOptions o;
  o.methods = {"simgd"};
  o.steps = 5;
  const StudyResult good = run_study(o);
  const std::string dir = fresh_dir("gan_files_atomic");
  const std::string path = dir + "/study.h5";
  write_study(path, good);
  StudyResult bad = good;
  bad.runs[0].name = "bad/name";  // refused by the trajectory schema, after the file was opened
  EXPECT_THROW(write_study(path, bad), std::invalid_argument);
  const auto runs = ds::read_trajectories(path);
  ASSERT_EQ(runs.count("simgd"), 1u);
  EXPECT_EQ(runs.at("simgd").iterates, good.runs[0].trajectory.iterates);
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    ++files;
    EXPECT_EQ(e.path().filename(), "study.h5");
  }
  EXPECT_EQ(files, 1);
  // A folder that does not exist: a clear error, nothing written.
  EXPECT_THROW(write_study(dir + "/missing/study.h5", good), std::exception);
  EXPECT_FALSE(fs::exists(dir + "/missing"));
}

}  // namespace
