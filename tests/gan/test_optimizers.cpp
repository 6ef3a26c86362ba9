// Game optimizers (optimizers.hpp): the linear theory on f = xy to 1e-9 — simultaneous GDA
// grows ‖z‖ by √(1+η²) per step, alternating GDA has |λ| = 1 for η ≤ 2 and conserves
// Q = x² + y² + ηxy, extragradient contracts by √(1−η²+η⁴) — the schemes step by step against
// hand-written recurrences, convergence of the stabilising methods on the Dirac-GAN, the study's
// table, determinism over thread counts, and the HDF5 file.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "adamant/datasets/schema.hpp"
#include "adamant/gan/optimizers.hpp"
#include "adamant/gan/study.hpp"

namespace {

using namespace adamant::gan;
using Eigen::VectorXd;

GameOptimizerOptions sgd(Scheme s, double lr) {
  GameOptimizerOptions o;
  o.scheme = s;
  o.x.set("lr", lr);
  o.y.set("lr", lr);
  return o;
}

TEST(Theory, SimultaneousGdaGrowsBySqrtOnePlusEtaSquared) {
  for (double eta : {0.05, 0.3, 1.0}) {
    BilinearGame<double> g(BilinearOptions{});
    GameOptimizer<double> opt(sgd(Scheme::kSimultaneous, eta), 2, 1);
    VectorXd z(2);
    z << 0.6, -0.8;
    for (int t = 0; t < 200; ++t) {
      const double before = z.norm();
      opt.step(g, z);
      EXPECT_NEAR(z.norm() / before, std::sqrt(1 + eta * eta), 1e-9);
    }
  }
}

TEST(Theory, ExtragradientContractsBySqrtOneMinusEtaSquaredPlusEtaFourth) {
  for (double eta : {0.1, 0.5, 0.9}) {
    BilinearGame<double> g(BilinearOptions{});
    GameOptimizer<double> opt(sgd(Scheme::kExtragradient, eta), 2, 1);
    VectorXd z(2);
    z << 1.0, 0.5;
    for (int t = 0; t < 200; ++t) {
      const double before = z.norm();
      opt.step(g, z);
      EXPECT_NEAR(z.norm() / before, std::sqrt(1 - eta * eta + std::pow(eta, 4)), 1e-9);
    }
    EXPECT_EQ(opt.evaluations(), 400);
  }
}

TEST(Theory, AlternatingGdaIsOnTheUnitCircleAndConservesItsEnergy) {
  BilinearGame<double> g(BilinearOptions{});
  for (double eta : {0.1, 1.0, 1.9, 2.0}) {
    const auto o = sgd(Scheme::kAlternating, eta);
    const Eigen::VectorXcd e = update_eigenvalues(g, o, VectorXd::Zero(2));
    for (Eigen::Index i = 0; i < 2; ++i) EXPECT_NEAR(std::abs(e[i]), 1.0, 1e-9) << eta;
    // At η = 2 the map is a Jordan block (double eigenvalue −1): rounding errors grow linearly,
    // so the energy is checked strictly inside the stable range.
    if (eta == 2.0) continue;
    GameOptimizer<double> opt(o, 2, 1);
    VectorXd z(2);
    z << 1.0, 0.3;
    auto Q = [&](const VectorXd& v) { return v[0] * v[0] + v[1] * v[1] + eta * v[0] * v[1]; };
    const double q0 = Q(z);
    for (int t = 0; t < 1000; ++t) {
      opt.step(g, z);
      ASSERT_NEAR(Q(z), q0, 1e-9) << eta << " step " << t;
    }
  }
  // Beyond η = 2 the map has a real eigenvalue outside the unit circle.
  const Eigen::VectorXcd e =
      update_eigenvalues(g, sgd(Scheme::kAlternating, 2.1), VectorXd::Zero(2));
  EXPECT_GT(std::max(std::abs(e[0]), std::abs(e[1])), 1.0 + 1e-3);
}

TEST(Theory, PredictedSpectralRadiusOfTheMaps) {
  BilinearGame<double> g(BilinearOptions{});
  const double eta = 0.4;
  const auto sim = update_eigenvalues(g, sgd(Scheme::kSimultaneous, eta), VectorXd::Zero(2));
  const auto eg = update_eigenvalues(g, sgd(Scheme::kExtragradient, eta), VectorXd::Zero(2));
  for (Eigen::Index i = 0; i < 2; ++i) {
    EXPECT_NEAR(std::abs(sim[i]), std::sqrt(1 + eta * eta), 1e-9);
    EXPECT_NEAR(std::abs(eg[i]), std::sqrt(1 - eta * eta + std::pow(eta, 4)), 1e-9);
  }
}

TEST(Schemes, MatchHandWrittenRecurrences) {
  // f = xy: ξ = (y, −x).
  const double eta = 0.2;
  BilinearGame<double> g(BilinearOptions{});
  auto xi = [](double x, double y) { return std::pair<double, double>(y, -x); };
  {  // OGDA: z_{t+1} = z_t − η(2ξ_t − ξ_{t−1}), ξ_{−1} = ξ_0.
    GameOptimizer<double> opt(sgd(Scheme::kOptimistic, eta), 2, 1);
    VectorXd z(2);
    z << 1, 0.5;
    double x = 1, y = 0.5, px = 0, py = 0;
    for (int t = 0; t < 50; ++t) {
      auto [gx, gy] = xi(x, y);
      if (t == 0) px = gx, py = gy;
      const double nx = x - eta * (2 * gx - px), ny = y - eta * (2 * gy - py);
      px = gx, py = gy, x = nx, y = ny;
      opt.step(g, z);
      ASSERT_NEAR(z[0], x, 1e-12);
      ASSERT_NEAR(z[1], y, 1e-12);
    }
  }
  {  // Past extragradient: z_{t+½} = z_t − η ξ(z_{t−½}), z_{t+1} = z_t − η ξ(z_{t+½}).
    GameOptimizer<double> opt(sgd(Scheme::kPastExtragradient, eta), 2, 1);
    VectorXd z(2);
    z << 1, 0.5;
    double x = 1, y = 0.5;
    auto [hx, hy] = xi(x, y);
    for (int t = 0; t < 50; ++t) {
      const double ex = x - eta * hx, ey = y - eta * hy;
      std::tie(hx, hy) = xi(ex, ey);
      x -= eta * hx;
      y -= eta * hy;
      opt.step(g, z);
      ASSERT_NEAR(z[0], x, 1e-12);
      ASSERT_NEAR(z[1], y, 1e-12);
    }
    EXPECT_EQ(opt.evaluations(), 51);
  }
  // Consensus: ξ + γ Jᵀξ with J = [[0, 1], [−1, 0]]: Jᵀξ = (x, y). SGA: A = J (antisymmetric),
  // Aᵀξ = (x, y) as well for f = xy. Both with weight 0.5 follow the same recurrence.
  auto consensus = sgd(Scheme::kConsensus, eta);
  consensus.gamma = 0.5;
  auto sga = sgd(Scheme::kSga, eta);
  sga.lambda = 0.5;
  for (const auto& o : {consensus, sga}) {
    GameOptimizer<double> opt(o, 2, 1);
    VectorXd z(2);
    z << 1, 0.5;
    double x = 1, y = 0.5;
    for (int t = 0; t < 50; ++t) {
      const double nx = x - eta * (y + 0.5 * x), ny = y - eta * (-x + 0.5 * y);
      x = nx, y = ny;
      opt.step(g, z);
      ASSERT_NEAR(z[0], x, 1e-12) << to_string(o.scheme);
      ASSERT_NEAR(z[1], y, 1e-12) << to_string(o.scheme);
    }
  }
  {  // Uniform averaging is the running mean of z_0 … z_t.
    GameOptimizer<double> opt(sgd(Scheme::kSimultaneous, eta), 2, 1);
    VectorXd z(2), sum(2);
    z << 1, 0.5;
    sum = z;
    for (int t = 1; t <= 30; ++t) {
      opt.step(g, z);
      sum += z;
      ASSERT_LT((opt.average() - sum / (t + 1)).norm(), 1e-12);
    }
  }
}

TEST(Schemes, AlternatingWithSeveralDiscriminatorSteps) {
  auto o = sgd(Scheme::kAlternating, 0.1);
  o.n_d = 3;
  BilinearGame<double> g(BilinearOptions{});
  GameOptimizer<double> opt(o, 2, 1);
  VectorXd z(2);
  z << 1, 0.5;
  opt.step(g, z);
  double x = 1, y = 0.5;
  for (int k = 0; k < 3; ++k) y += 0.1 * x;
  x -= 0.1 * y;
  EXPECT_NEAR(z[0], x, 1e-15);
  EXPECT_NEAR(z[1], y, 1e-15);
  EXPECT_EQ(opt.evaluations(), 4);
}

TEST(Schemes, ValidationAndMissingJacobian) {
  GameOptimizerOptions o;
  EXPECT_THROW(o.x.use("adadelta"), std::invalid_argument);
  o.x.name = "adadelta";  // a name set by hand is checked too
  EXPECT_NE(o.validate().find("unknown rule 'adadelta'"), std::string::npos);
  o = GameOptimizerOptions{};
  EXPECT_THROW(o.x.set("beta1", 0.5), std::invalid_argument);  // SGD has no beta1
  o.x.name = "adam";                                           // the name and the options disagree
  EXPECT_NE(o.validate().find("not adam's"), std::string::npos) << o.validate();
  o = GameOptimizerOptions{};
  o.y.set("lr", -1);
  EXPECT_NE(o.validate().find("player y: lr"), std::string::npos);
  EXPECT_THROW(GameOptimizer<double>(o, 2, 1), std::invalid_argument);
  adamant::gan::MixtureOptions mo;
  mo.generator_hidden = {3};
  mo.discriminator_hidden = {3};
  mo.batch_size = 4;
  MixtureGan<double> mg(mo);
  GameOptimizer<double> c(sgd(Scheme::kConsensus, 0.1), mg.dim(), mg.x_dim());
  VectorXd z = mg.initial_point();
  EXPECT_THROW(c.step(mg, z), std::logic_error);
  EXPECT_THROW(method_preset("lbfgs", 0.1, 0.1), std::invalid_argument);
}

TEST(Dirac, R1MakesGdaConvergeAtThePredictedRate) {
  // With γ > 0 simultaneous GDA converges; its asymptotic rate is the spectral radius of
  // I − ηJ(0), predicted from the eigenvalues γ/2 ± √(γ²/4 − 1/4) of J(0).
  DiracOptions d;
  d.gamma = 0.5;
  DiracGan<double> g(d);
  const double eta = 0.1;
  GameOptimizer<double> opt(sgd(Scheme::kSimultaneous, eta), 2, 1);
  VectorXd z(2);
  z << 0.5, 0.5;
  const std::complex<double> lam = 0.25 + std::sqrt(std::complex<double>(0.0625 - 0.25));
  const double rho = std::abs(1.0 - eta * lam);
  const Eigen::VectorXcd e =
      update_eigenvalues(g, sgd(Scheme::kSimultaneous, eta), VectorXd::Zero(2));
  EXPECT_NEAR(std::max(std::abs(e[0]), std::abs(e[1])), rho, 1e-9);
  for (int t = 0; t < 3000; ++t) opt.step(g, z);
  // ‖z_t‖ ≤ C ρ^t: ρ^3000 ≈ 6e-32.
  EXPECT_LT(z.norm(), 10 * std::pow(rho, 3000));
  EXPECT_GT(z.norm(), 0.0);
}

TEST(Study, DiracTableAndDeterminism) {
  StudyOptions o;
  o.steps = 300;
  o.methods = {"simgd",      "altgd", "extragradient", "consensus", "adam",
               "optimistic", "past",  "negmom",        "sga",       "oadam"};
  o.num_threads = 1;
  const StudyResult a = run_study(o);
  o.num_threads = 2;
  const StudyResult b = run_study(o);
  ASSERT_EQ(a.runs.size(), b.runs.size());
  for (std::size_t i = 0; i < a.runs.size(); ++i) {
    EXPECT_EQ(a.runs[i].trajectory.iterates, b.runs[i].trajectory.iterates) << a.runs[i].name;
  }
  auto run = [&](const std::string& n) -> const MethodRun& {
    for (const auto& r : a.runs)
      if (r.name == n) return r;
    throw std::runtime_error(n);
  };
  // Simultaneous GDA spirals out, extragradient and consensus spiral in.
  EXPECT_GT(run("simgd").final_distance, std::sqrt(2.0));
  EXPECT_GT(run("simgd").rate, 1.0);
  EXPECT_LT(run("extragradient").final_distance, std::sqrt(2.0));
  EXPECT_LT(run("consensus").final_distance, 0.1);
  EXPECT_LT(run("consensus").rate, 1.0);
  EXPECT_FALSE(run("consensus").diverged);
  // Update-map spectra exist for memoryless methods only.
  EXPECT_EQ(run("simgd").update_eigenvalues.size(), 2);
  EXPECT_EQ(run("adam").update_eigenvalues.size(), 0);
  const auto t = a.table();
  EXPECT_EQ(t.rows(), 10);
  EXPECT_NE(a.format().find("extragradient"), std::string::npos);
  // Metrics: contraction is the ratio of consecutive distances.
  const auto& m = run("altgd").trajectory.metrics;
  EXPECT_NEAR(m.column("contraction")[5], m.column("distance")[5] / m.column("distance")[4], 1e-15);
  // File round trip.
  const std::string path = ::testing::TempDir() + "gan_study_test.h5";
  write_study(path, a);
  const auto runs = adamant::datasets::read_trajectories(path);
  ASSERT_EQ(runs.size(), 10u);
  EXPECT_EQ(runs.at("simgd").iterates, run("simgd").trajectory.iterates);
  const auto table = adamant::datasets::read_table(path, "convergence");
  EXPECT_EQ(table.column("final_distance")[0], a.runs[0].final_distance);
  std::remove(path.c_str());
}

TEST(Study, RingGanCapturesModesDeterministically) {
  StudyOptions o;
  o.game = "ring";
  o.methods = {"adam05", "extraadam"};
  o.steps = 60;
  o.mixture.batch_size = 32;
  o.mixture.generator_hidden = {16};
  o.mixture.discriminator_hidden = {16};
  o.eval_samples = 200;
  o.snapshots = 3;
  o.num_threads = 1;
  const StudyResult a = run_study(o);
  o.num_threads = 2;
  const StudyResult b = run_study(o);
  for (std::size_t i = 0; i < a.runs.size(); ++i) {
    EXPECT_EQ(a.runs[i].trajectory.iterates, b.runs[i].trajectory.iterates);
    EXPECT_EQ(a.runs[i].snapshots.back(), b.runs[i].snapshots.back());
    EXPECT_EQ(a.runs[i].snapshot_steps, (std::vector<int>{0, 30, 60}));
    EXPECT_GE(a.runs[i].modes, 0);
    EXPECT_FALSE(a.runs[i].diverged);
  }
  o.methods = {"consensus"};
  EXPECT_THROW(run_study(o), std::invalid_argument);
}

}  // namespace
