// Every game optimizer of the issue against theory and against hand-written recurrences:
//  - f = xy in the complex coordinate w = x + iy (ξ = −iw): simultaneous GDA, momentum (±),
//    OGDA, extrapolation from the past, consensus and SGA are linear recurrences in w whose
//    companion matrices give the asymptotic per-step rate; the measured rate matches their
//    spectral radius to 1e-7 and says which converge (OGDA, past, consensus, SGA) and which
//    diverge (GDA, GDA with positive or negative momentum — Gidel et al. 2019, Theorem 3).
//  - alternating methods (GDA, negative momentum, n_d = 2) are real linear maps built here by
//    hand; the iterates equal M^t z_0 and ρ(M) < 1 exactly for negative momentum.
//  - Adam with β₁ 0.9 / 0.5 / 0, Optimistic Adam, ExtraAdam and TTUR against PyTorch's Adam
//    written out per player on the (nonlinear) Dirac-GAN; Adam converges with R1 and cycles on xy.
//  - iterate averaging (uniform, exponential), the Dirac-GAN's spectra without R1 and with
//    instance noise (Mescheder et al. 2018), float against double, and bad input.

#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <cmath>
#include <complex>
#include <vector>

#include "adamant/gan/optimizers.hpp"
#include "adamant/gan/study.hpp"

namespace {

using namespace adamant::gan;
using Eigen::VectorXd;
using cd = std::complex<double>;

GameOptimizerOptions sgd(Scheme s, double lr, double momentum = 0) {
  GameOptimizerOptions o;
  o.scheme = s;
  o.x.set("lr", lr);
  o.y.set("lr", lr);
  o.x.set("momentum", momentum);
  o.y.set("momentum", momentum);
  return o;
}

double spectral_radius(const Eigen::MatrixXcd& M) {
  return Eigen::ComplexEigenSolver<Eigen::MatrixXcd>(M, false).eigenvalues().cwiseAbs().maxCoeff();
}

double spectral_radius(const Eigen::MatrixXd& M) {
  return Eigen::EigenSolver<Eigen::MatrixXd>(M, false).eigenvalues().cwiseAbs().maxCoeff();
}

// (|z_T| / |z_{T/2}|)^{1/(T/2)} and the final distance of T steps from (0.6, −0.8) on f = xy.
struct Measured {
  double rate, final_distance;
};
Measured run_xy(const GameOptimizerOptions& o, int T) {
  BilinearGame<double> g(BilinearOptions{});
  GameOptimizer<double> opt(o, 2, 1);
  VectorXd z(2);
  z << 0.6, -0.8;
  double mid = 0;
  for (int t = 1; t <= T; ++t) {
    opt.step(g, z);
    if (t == T / 2) mid = z.norm();
  }
  return {std::pow(z.norm() / mid, 1.0 / (T - T / 2)), z.norm()};
}

TEST(Theory, ComplexLinearMethodsOnXyMoveAtTheirSpectralRadius) {
  const double eta = 0.2, T = 400;
  const cd i(0, 1);
  struct Case {
    const char* name;
    GameOptimizerOptions o;
    Eigen::MatrixXcd M;  // companion matrix of the recurrence in w (and its memory)
    bool converges;      // what the theory says
  };
  std::vector<Case> cases;
  {  // w ← (1 + iη) w
    Eigen::MatrixXcd M(1, 1);
    M << 1.0 + i * eta;
    cases.push_back({"simultaneous", sgd(Scheme::kSimultaneous, eta), M, false});
  }
  for (double mu : {0.5, -0.5}) {  // b ← μ b − i w, w ← w − η b   (PyTorch's buffer, b_0 = 0)
    Eigen::MatrixXcd M(2, 2);
    M << 1.0 + i * eta, -eta * mu, -i, mu;
    cases.push_back({mu > 0 ? "momentum +0.5" : "momentum -0.5",
                     sgd(Scheme::kSimultaneous, eta, mu), M, false});
  }
  {  // OGDA: w_{t+1} = w_t + iη (2 w_t − w_{t−1})
    Eigen::MatrixXcd M(2, 2);
    M << 1.0 + 2.0 * i * eta, -i * eta, 1, 0;
    cases.push_back({"optimistic", sgd(Scheme::kOptimistic, eta), M, true});
  }
  {  // past: u_{t+1} = w_t + iη u_t, w_{t+1} = w_t + iη u_{t+1}
    Eigen::MatrixXcd M(2, 2);
    M << 1.0 + i * eta, -eta * eta, 1, i * eta;
    cases.push_back({"past", sgd(Scheme::kPastExtragradient, eta), M, true});
  }
  {  // consensus: ξ + γ Jᵀξ = −iw + γw
    auto o = sgd(Scheme::kConsensus, eta);
    o.gamma = 0.3;
    Eigen::MatrixXcd M(1, 1);
    M << 1.0 - eta * 0.3 + i * eta;
    cases.push_back({"consensus", o, M, true});
  }
  {  // SGA: ξ + λ Aᵀξ, A = J for f = xy: the same map with λ
    auto o = sgd(Scheme::kSga, eta);
    o.lambda = 0.7;
    Eigen::MatrixXcd M(1, 1);
    M << 1.0 - eta * 0.7 + i * eta;
    cases.push_back({"sga", o, M, true});
  }
  for (const Case& c : cases) {
    const double rho = spectral_radius(c.M);
    const Measured m = run_xy(c.o, static_cast<int>(T));
    EXPECT_NEAR(m.rate, rho, 1e-7) << c.name;
    EXPECT_EQ(rho < 1, c.converges) << c.name << " rho " << rho;
    if (c.converges) {
      EXPECT_LT(m.final_distance, std::pow(rho, T) * 10) << c.name;
    } else {
      EXPECT_GT(m.final_distance, 1.0) << c.name;
    }
  }
}

TEST(Theory, AlternatingMethodsFollowTheirLinearMaps) {
  // State s = (x, y, b_x, b_y); y moves first (n_d times), then x with the new y.
  auto build = [](double eta, double mu, int n_d) {
    auto step = [&](Eigen::Vector4d s) {
      for (int k = 0; k < n_d; ++k) {
        s[3] = mu * s[3] - s[0];  // ξ_y = −x
        s[1] -= eta * s[3];
      }
      s[2] = mu * s[2] + s[1];  // ξ_x = y
      s[0] -= eta * s[2];
      return s;
    };
    Eigen::Matrix4d M;
    for (int j = 0; j < 4; ++j) M.col(j) = step(Eigen::Vector4d::Unit(j));
    return M;
  };
  BilinearGame<double> g(BilinearOptions{});
  struct Case {
    double eta, mu;
    int n_d;
  };
  for (const Case& c : {Case{0.1, 0.0, 1}, Case{0.2, -0.5, 1}, Case{0.5, -0.3, 1},
                        Case{0.1, 0.0, 2}, Case{0.1, -0.5, 3}}) {
    const Eigen::Matrix4d M = build(c.eta, c.mu, c.n_d);
    auto o = sgd(Scheme::kAlternating, c.eta, c.mu);
    o.n_d = c.n_d;
    GameOptimizer<double> opt(o, 2, 1);
    VectorXd z(2);
    z << 0.6, -0.8;
    Eigen::Vector4d s(0.6, -0.8, 0, 0);
    for (int t = 0; t < 300; ++t) {
      opt.step(g, z);
      s = M * s;
      ASSERT_NEAR(z[0], s[0], 1e-12) << c.eta << " " << c.mu << " step " << t;
      ASSERT_NEAR(z[1], s[1], 1e-12) << c.eta << " " << c.mu << " step " << t;
    }
    const double rho = spectral_radius(Eigen::MatrixXd(M));
    if (c.mu == 0 && c.n_d == 1) {
      EXPECT_NEAR(rho, 1.0, 1e-12);  // symplectic: on the unit circle
    }
    if (c.mu < 0) {
      EXPECT_LT(rho, 1.0 - 1e-4) << "negative momentum converges (Gidel et al.)";
    }
  }
  // The study's negmom preset converges on xy, plain alternating GDA does not.
  EXPECT_LT(run_xy(method_preset("negmom", 0.2, 0.01), 3000).final_distance, 1e-6);
  EXPECT_GT(run_xy(method_preset("altgd", 0.2, 0.01), 3000).final_distance, 0.5);
}

// PyTorch's Adam / Optimistic Adam on one player's block, written out.
struct HandAdam {
  HandAdam(double lr_, double b1_, double b2_) : lr(lr_), b1(b1_), b2(b2_) {}
  double lr, b1, b2, eps = 1e-8;
  bool optimistic = false;
  std::vector<double> m, v, q;
  int t = 0;
  void step(double* p, const double* g, int n) {
    if (m.empty()) m.assign(n, 0), v.assign(n, 0), q.assign(n, 0);
    ++t;
    const double bc1 = 1 - std::pow(b1, t), bc2 = 1 - std::pow(b2, t);
    for (int i = 0; i < n; ++i) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      const double dir = (m[i] / bc1) / (std::sqrt(v[i]) / std::sqrt(bc2) + eps);
      p[i] -= optimistic ? lr * (2 * dir - q[i]) : lr * dir;
      q[i] = dir;
    }
  }
};

TEST(Adam, PlayersRunPyTorchsAdamWithTheirOwnLearningRates) {
  DiracOptions d;
  d.gamma = 0.3;
  d.instance_noise = 0.2;
  for (const char* rule : {"adam", "oadam"})
    for (double b1 : {0.9, 0.5, 0.0})
      for (Scheme scheme : {Scheme::kSimultaneous, Scheme::kExtragradient}) {
        SCOPED_TRACE(std::string(rule) + " b1 " + std::to_string(b1) + " " + to_string(scheme));
        GameOptimizerOptions o;
        o.scheme = scheme;
        o.x.use(rule).set("beta1", b1).set("lr", 0.01);  // TTUR: the discriminator
        o.y.use(rule).set("beta1", b1).set("lr", 0.03);  // three times faster
        DiracGan<double> g(d);
        GameOptimizer<double> opt(o, 2, 1);
        HandAdam hx{0.01, b1, 0.999}, hy{0.03, b1, 0.999};
        hx.optimistic = hy.optimistic = std::string(rule) == "oadam";
        VectorXd z(2), w(2), xi(2);
        z << 0.7, -0.4;
        w = z;
        for (int t = 0; t < 60; ++t) {
          opt.step(g, z);
          if (scheme == Scheme::kSimultaneous) {
            g.vector_field(w, xi);
            hx.step(&w[0], &xi[0], 1);
            hy.step(&w[1], &xi[1], 1);
          } else {  // ExtraAdam: both half steps through the same moments
            const VectorXd w0 = w;
            g.vector_field(w, xi);
            hx.step(&w[0], &xi[0], 1);
            hy.step(&w[1], &xi[1], 1);
            g.vector_field(w, xi);
            w = w0;
            hx.step(&w[0], &xi[0], 1);
            hy.step(&w[1], &xi[1], 1);
          }
          ASSERT_NEAR(z[0], w[0], 1e-13 * (1 + std::abs(w[0]))) << "step " << t;
          ASSERT_NEAR(z[1], w[1], 1e-13 * (1 + std::abs(w[1]))) << "step " << t;
        }
      }
}

TEST(Rules, EveryCoreRuleDrivesEachPlayerOnItsOwnBlock) {
  // The game optimizer with rule r equals two core optimizers with rule r, one per block, fed
  // the blocks of ξ (the y player thereby ascends f_y).
  DiracOptions d;
  d.gamma = 0.4;
  for (const char* rule : {"sgd", "adam", "amsgrad", "adamw", "adamax", "nadam", "radam", "oadam",
                           "rmsprop", "adagrad", "lion"}) {
    GameOptimizerOptions o;
    o.x.use(rule).set("lr", 0.01);
    o.y.use(rule).set("lr", 0.02);
    DiracGan<double> g(d);
    GameOptimizer<double> opt(o, 2, 1);
    adamant::core::Optimizer<double> ox(*make_player_rule<double>(o.x), 1),
        oy(*make_player_rule<double>(o.y), 1);
    VectorXd z(2), w(2), xi(2);
    z << 0.9, -0.6;
    w = z;
    for (int t = 0; t < 30; ++t) {
      opt.step(g, z);
      g.vector_field(w, xi);
      ox.step(&w[0], &xi[0], 1);
      oy.step(&w[1], &xi[1], 1);
      ASSERT_EQ(z, w) << rule << " step " << t;
    }
    EXPECT_GT((z - VectorXd((VectorXd(2) << 0.9, -0.6).finished())).norm(), 1e-3) << rule;
  }
}

TEST(Adam, ConvergesOnTheDiracGanWithR1AndCyclesOnXy) {
  for (const char* name : {"adam", "adam05", "adam0", "oadam", "extraadam"}) {
    StudyOptions o;
    o.methods = {name};
    o.steps = 2000;
    o.eigen_every = 100000;
    o.dirac.gamma = 1.0;
    const StudyResult dirac = run_study(o);
    EXPECT_LT(dirac.runs[0].final_distance, 1e-5) << name;
    o.game = "bilinear";
    const StudyResult xy = run_study(o);
    EXPECT_GT(xy.runs[0].final_distance, 0.5) << name << ": Adam does not converge on xy";
    EXPECT_FALSE(xy.runs[0].diverged) << name;
  }
}

TEST(Averaging, UniformAverageOfCyclingIteratesConvergesAndEmaIsItsRecurrence) {
  const Measured m = run_xy(sgd(Scheme::kAlternating, 0.1), 2000);
  EXPECT_GT(m.final_distance, 0.9);  // alternating GDA cycles on an ellipse ...
  BilinearGame<double> g(BilinearOptions{});
  GameOptimizer<double> opt(sgd(Scheme::kAlternating, 0.1), 2, 1);
  VectorXd z(2);
  z << 0.6, -0.8;
  for (int t = 0; t < 2000; ++t) opt.step(g, z);
  EXPECT_LT(opt.average().norm(), 0.01);  // ... and its running mean converges (O(1/t))
  auto o = sgd(Scheme::kSimultaneous, 0.1);
  o.averaging = Averaging::kEma;
  o.ema_beta = 0.9;
  GameOptimizer<double> ema(o, 2, 1);
  z << 0.6, -0.8;
  VectorXd a = z;
  for (int t = 0; t < 50; ++t) {
    ema.step(g, z);
    a = 0.9 * a + 0.1 * z;
    ASSERT_LT((ema.average() - a).norm(), 1e-14);
  }
  o.averaging = Averaging::kNone;
  GameOptimizer<double> none(o, 2, 1);
  none.step(g, z);
  EXPECT_EQ(none.average(), z);
}

TEST(Dirac, UnregularisedGdaIsUnstableAndInstanceNoiseStabilises) {
  // Without R1, J(0) = [[0, f'(0)], [−f'(0), 0]] (f'(0) = −½): the GDA map I − ηJ has
  // |λ| = √(1 + η²/4) > 1 (Mescheder et al. 2018, §3: not locally convergent).
  DiracGan<double> g(DiracOptions{});
  const double eta = 0.3;
  const Eigen::VectorXcd e =
      update_eigenvalues(g, sgd(Scheme::kSimultaneous, eta), VectorXd::Zero(2));
  for (Eigen::Index k = 0; k < 2; ++k)
    EXPECT_NEAR(std::abs(e[k]), std::sqrt(1 + eta * eta / 4), 1e-9);
  // Instance noise σ: eig(−J(0)) = f''(0)σ² ± √(f''(0)²σ⁴ − f'(0)²), f''(0) = −¼ for the
  // standard and non-saturating losses, 0 for Wasserstein (Mescheder et al. 2018, Lemma D.4).
  for (GanLoss loss : {GanLoss::kStandard, GanLoss::kNonSaturating, GanLoss::kWasserstein})
    for (double sigma : {0.3, 1.0, 2.5}) {
      DiracOptions o;
      o.loss = loss;
      o.instance_noise = sigma;
      DiracGan<double> n(o);
      const double f1 = loss == GanLoss::kWasserstein ? 1.0 : 0.5;
      const double f2 = loss == GanLoss::kWasserstein ? 0.0 : -0.25;
      const cd root = std::sqrt(cd(f2 * f2 * std::pow(sigma, 4) - f1 * f1));
      const cd p = f2 * sigma * sigma + root, m = f2 * sigma * sigma - root;
      const Eigen::VectorXcd ev = jacobian_eigenvalues(n, VectorXd::Zero(2));
      const cd e0 = -ev[0], e1 = -ev[1];
      const bool direct = std::abs(e0 - p) < std::abs(e0 - m);
      EXPECT_LT(std::abs(e0 - (direct ? p : m)), 1e-9) << to_string(loss) << " " << sigma;
      EXPECT_LT(std::abs(e1 - (direct ? m : p)), 1e-9) << to_string(loss) << " " << sigma;
    }
}

TEST(Precision, FloatFollowsDouble) {
  BilinearGame<float> gf(BilinearOptions{});
  BilinearGame<double> gd(BilinearOptions{});
  for (const char* name : {"simgd", "extragradient", "consensus", "adam05"}) {
    const auto o = method_preset(name, 0.1, 0.01);
    GameOptimizer<float> of(o, 2, 1);
    GameOptimizer<double> od(o, 2, 1);
    Eigen::VectorXf zf(2);
    VectorXd zd(2);
    zf << 0.6f, -0.8f;
    zd << 0.6, -0.8;
    for (int t = 0; t < 100; ++t) {
      of.step(gf, zf);
      od.step(gd, zd);
    }
    EXPECT_LT((zf.cast<double>() - zd).norm(), 1e-5 * (1 + zd.norm())) << name;
  }
}

TEST(BadInput, ClearMessages) {
  auto message = [](const GameOptimizerOptions& o) { return o.validate(); };
  GameOptimizerOptions o;
  o.x.use("adam").set("beta1", 1.0);
  EXPECT_NE(message(o).find("player x"), std::string::npos) << message(o);
  EXPECT_NE(message(o).find("beta1"), std::string::npos) << message(o);
  EXPECT_THROW(GameOptimizer<double>(o, 2, 1), std::invalid_argument);
  o = GameOptimizerOptions{};
  o.y.use("adam").set("eps", 0);
  EXPECT_NE(message(o).find("eps"), std::string::npos) << message(o);
  o = GameOptimizerOptions{};
  o.x.set("momentum", 1.0);
  EXPECT_NE(message(o).find("momentum"), std::string::npos) << message(o);
  o = GameOptimizerOptions{};
  o.x.set("lr", 0);
  EXPECT_NE(message(o).find("lr must be > 0"), std::string::npos) << message(o);
  o.x.set("lr", NAN);
  EXPECT_NE(message(o).find("lr must be > 0"), std::string::npos) << message(o);
  o = GameOptimizerOptions{};
  o.n_d = 0;
  EXPECT_NE(message(o).find("n_d"), std::string::npos);
  o = GameOptimizerOptions{};
  o.ema_beta = 1;
  EXPECT_NE(message(o).find("ema_beta"), std::string::npos);
  o = GameOptimizerOptions{};
  o.gamma = NAN;
  EXPECT_NE(message(o).find("gamma"), std::string::npos);
  EXPECT_THROW(GameOptimizer<double>(GameOptimizerOptions{}, 2, 2), std::invalid_argument);
  EXPECT_THROW(parse_scheme("gradient"), std::invalid_argument);
  // A game of another size.
  GameOptimizer<double> opt(GameOptimizerOptions{}, 3, 1);
  BilinearGame<double> g(BilinearOptions{});
  VectorXd z = VectorXd::Ones(3);
  EXPECT_THROW(opt.step(g, z), std::invalid_argument);

  auto study = [](auto edit) {
    StudyOptions s;
    edit(s);
    return s.validate();
  };
  EXPECT_NE(study([](StudyOptions& s) { s.game = "spiral"; }).find("unknown game 'spiral'"),
            std::string::npos);
  EXPECT_NE(study([](StudyOptions& s) {
              s.methods = {"simgd", "lbfgs"};
            }).find("unknown method 'lbfgs'"),
            std::string::npos);
  EXPECT_NE(study([](StudyOptions& s) {
              s.methods = {"simgd", "simgd"};
            }).find("twice"),
            std::string::npos);
  EXPECT_NE(study([](StudyOptions& s) { s.lr_sgd = NAN; }).find("lr_sgd"), std::string::npos);
  EXPECT_NE(study([](StudyOptions& s) { s.lr_ratio = 0; }).find("lr_ratio"), std::string::npos);
  EXPECT_NE(study([](StudyOptions& s) { s.steps = 0; }).find("steps"), std::string::npos);
  EXPECT_NE(study([](StudyOptions& s) { s.start = VectorXd::Ones(3); }).find("2 entries"),
            std::string::npos);
  EXPECT_NE(study([](StudyOptions& s) { s.dirac.instance_noise = -1; }).find("instance_noise"),
            std::string::npos);
  EXPECT_NE(study([](StudyOptions& s) { s.consensus_gamma = -1; }).find("gamma"),
            std::string::npos);
  EXPECT_NE(study([](StudyOptions& s) {
              s.game = "grid";
              s.methods = {"sga"};
            }).find("Jacobian"),
            std::string::npos);
  EXPECT_EQ(study([](StudyOptions&) {}), "");
  StudyOptions bad;
  bad.methods = {"nope"};
  EXPECT_THROW(run_study(bad), std::invalid_argument);
}

}  // namespace
