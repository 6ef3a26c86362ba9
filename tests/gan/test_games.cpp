// Games (games.hpp, mixture.hpp): ξ against central finite differences of the players'
// objectives, J against finite differences of ξ (bilinear + quadratic, Dirac-GAN with every loss,
// R1 and instance noise, the mixture GAN's MLP gradients), the Dirac-GAN spectrum at the
// equilibrium (Mescheder et al. 2018), mode statistics and option validation.

#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <cmath>
#include <complex>
#include <random>

#include "adamant/gan/games.hpp"
#include "adamant/gan/mixture.hpp"
#include "adamant/gan/study.hpp"

namespace {

using namespace adamant::gan;
using Eigen::MatrixXd;
using Eigen::VectorXd;

// ξ_x = ∂f_x/∂x and ξ_y = −∂f_y/∂y by central differences of objectives().
VectorXd fd_field(Game<double>& g, const VectorXd& z, double h) {
  VectorXd out(z.size());
  for (Eigen::Index i = 0; i < z.size(); ++i) {
    VectorXd zp = z, zm = z;
    zp[i] += h;
    zm[i] -= h;
    double fxp, fyp, fxm, fym;
    g.objectives(zp, &fxp, &fyp);
    g.objectives(zm, &fxm, &fym);
    out[i] = i < g.x_dim() ? (fxp - fxm) / (2 * h) : -(fyp - fym) / (2 * h);
  }
  return out;
}

MatrixXd fd_jacobian(Game<double>& g, const VectorXd& z, double h) {
  MatrixXd J(z.size(), z.size());
  VectorXd a(z.size()), b(z.size());
  for (Eigen::Index i = 0; i < z.size(); ++i) {
    VectorXd zp = z, zm = z;
    zp[i] += h;
    zm[i] -= h;
    g.vector_field(zp, a);
    g.vector_field(zm, b);
    J.col(i) = (a - b) / (2 * h);
  }
  return J;
}

void check_game(Game<double>& g, const VectorXd& z, double tol) {
  VectorXd xi(g.dim());
  g.vector_field(z, xi);
  EXPECT_LT((xi - fd_field(g, z, 1e-5)).cwiseAbs().maxCoeff(), tol) << g.name();
  if (g.has_jacobian()) {
    MatrixXd J(g.dim(), g.dim());
    g.jacobian(z, J);
    EXPECT_LT((J - fd_jacobian(g, z, 1e-5)).cwiseAbs().maxCoeff(), tol) << g.name();
  }
}

TEST(Bilinear, FieldAndJacobianMatchFiniteDifferences) {
  std::mt19937_64 r(3);
  std::normal_distribution<double> n;
  BilinearOptions o;
  o.A = MatrixXd::NullaryExpr(3, 2, [&] { return n(r); });
  MatrixXd Bh = MatrixXd::NullaryExpr(3, 3, [&] { return n(r); });
  o.B = Bh * Bh.transpose();
  MatrixXd Ch = MatrixXd::NullaryExpr(2, 2, [&] { return n(r); });
  o.C = Ch * Ch.transpose();
  o.b = VectorXd::NullaryExpr(3, [&] { return n(r); });
  o.c = VectorXd::NullaryExpr(2, [&] { return n(r); });
  BilinearGame<double> g(o);
  check_game(g, VectorXd::NullaryExpr(5, [&] { return n(r); }), 1e-7);
  // The equilibrium is a zero of ξ.
  VectorXd xi(5);
  g.vector_field(g.equilibrium(), xi);
  EXPECT_LT(xi.norm(), 1e-12);
}

TEST(Bilinear, XyHasImaginaryEigenvalues) {
  BilinearGame<double> g(BilinearOptions{});
  const Eigen::VectorXcd e = jacobian_eigenvalues(g, VectorXd::Zero(2));
  for (Eigen::Index i = 0; i < 2; ++i) {
    EXPECT_NEAR(e[i].real(), 0, 1e-15);
    EXPECT_NEAR(std::abs(e[i].imag()), 1, 1e-15);
  }
}

TEST(Bilinear, ValidationMessages) {
  BilinearOptions o;
  o.B = MatrixXd::Ones(2, 2);
  EXPECT_NE(o.validate().find("B must be 1 x 1"), std::string::npos) << o.validate();
  BilinearOptions s;
  s.A = MatrixXd::Zero(1, 1);
  s.b = VectorXd::Ones(1);
  EXPECT_NE(s.validate().find("singular"), std::string::npos);
  EXPECT_THROW(BilinearGame<double>{s}, std::invalid_argument);
}

class DiracLosses : public ::testing::TestWithParam<GanLoss> {};

TEST_P(DiracLosses, FieldAndJacobianMatchFiniteDifferences) {
  for (double gamma : {0.0, 0.7})
    for (double noise : {0.0, 0.3}) {
      DiracOptions o;
      o.loss = GetParam();
      o.gamma = gamma;
      o.instance_noise = noise;
      DiracGan<double> g(o);
      for (const VectorXd& z :
           {VectorXd((VectorXd(2) << 0.8, -1.3).finished()),
            VectorXd((VectorXd(2) << -0.4, 0.6).finished()), VectorXd(VectorXd::Zero(2))}) {
        SCOPED_TRACE(std::string(to_string(o.loss)) + " gamma " + std::to_string(gamma) +
                     " noise " + std::to_string(noise));
        check_game(g, z, 1e-8);
      }
    }
}

// Mescheder et al. 2018: eig of the Jacobian of v = −ξ at 0 is −γ/2 ± √(γ²/4 − f'(0)²).
TEST_P(DiracLosses, SpectrumAtEquilibriumWithR1) {
  const double fp = GetParam() == GanLoss::kWasserstein ? 1.0 : 0.5;
  for (double gamma : {0.0, 0.3, 1.0, 2.5}) {
    DiracOptions o;
    o.loss = GetParam();
    o.gamma = gamma;
    DiracGan<double> g(o);
    MatrixXd J(2, 2);
    g.jacobian(VectorXd::Zero(2), J);
    const Eigen::VectorXcd e = Eigen::EigenSolver<MatrixXd>(-J).eigenvalues();
    const std::complex<double> root = std::sqrt(std::complex<double>(gamma * gamma / 4 - fp * fp));
    const std::complex<double> p = -gamma / 2 + root, m = -gamma / 2 - root;
    const bool direct = std::abs(e[0] - p) < std::abs(e[0] - m);
    EXPECT_LT(std::abs(e[0] - (direct ? p : m)), 1e-9) << gamma;
    EXPECT_LT(std::abs(e[1] - (direct ? m : p)), 1e-9) << gamma;
    VectorXd xi(2);
    g.vector_field(VectorXd::Zero(2), xi);
    EXPECT_EQ(xi.norm(), 0.0);
  }
}

INSTANTIATE_TEST_SUITE_P(Gan, DiracLosses,
                         ::testing::Values(GanLoss::kStandard, GanLoss::kNonSaturating,
                                           GanLoss::kWasserstein));

TEST(Dirac, GaussHermiteIntegratesMoments) {
  VectorXd x, w;
  gauss_hermite_normal(48, 0.3, x, w);
  EXPECT_NEAR(w.sum(), 1, 1e-14);
  EXPECT_NEAR(w.dot(x.cwiseAbs2()), 0.09, 1e-14);
  EXPECT_NEAR(w.dot(x.array().pow(4).matrix()), 3 * 0.0081, 1e-14);
}

TEST(Dirac, ParseLossAndValidate) {
  EXPECT_EQ(parse_gan_loss("ns"), GanLoss::kNonSaturating);
  EXPECT_THROW(parse_gan_loss("hinge"), std::invalid_argument);
  DiracOptions o;
  o.gamma = -1;
  EXPECT_NE(o.validate().find("gamma"), std::string::npos);
}

class MixtureLosses : public ::testing::TestWithParam<GanLoss> {};

TEST_P(MixtureLosses, FieldMatchesFiniteDifferences) {
  MixtureOptions o;
  o.loss = GetParam();
  o.generator_hidden = {5};
  o.discriminator_hidden = {6, 4};
  o.activation = adamant::core::Activation::kTanh;
  o.batch_size = 7;
  o.instance_noise = 0.1;
  o.seed = 5;
  MixtureGan<double> g(o);
  VectorXd z = g.initial_point();
  check_game(g, z, 1e-7);
  g.next_batch();
  check_game(g, z, 1e-7);
}

INSTANTIATE_TEST_SUITE_P(Gan, MixtureLosses,
                         ::testing::Values(GanLoss::kStandard, GanLoss::kNonSaturating,
                                           GanLoss::kWasserstein));

TEST(Mixture, ModesAndValidation) {
  const MatrixXd ring = mixture_modes(Mixture::kRing);
  ASSERT_EQ(ring.rows(), 8);
  EXPECT_NEAR(ring.row(3).norm(), 2, 1e-15);
  ASSERT_EQ(mixture_modes(Mixture::kGrid).rows(), 25);
  // 100 samples on 5 of the ring's modes, 100 far away.
  Eigen::Matrix<double, Eigen::Dynamic, 2, Eigen::RowMajor> s(200, 2);
  for (int i = 0; i < 100; ++i) s.row(i) = ring.row(i % 5) + Eigen::RowVector2d(0.01, -0.01);
  for (int i = 100; i < 200; ++i) s.row(i) << 0.0, 0.1 * i;
  const ModeStats st = mode_stats(Mixture::kRing, s);
  EXPECT_EQ(st.modes_captured, 5);
  EXPECT_EQ(st.num_modes, 8);
  EXPECT_DOUBLE_EQ(st.high_quality_share, 0.5);
  MixtureOptions o;
  o.gamma = 1;
  EXPECT_NE(o.validate().find("R1"), std::string::npos);
  EXPECT_THROW(MixtureGan<double>{o}, std::invalid_argument);
  EXPECT_THROW(parse_mixture("spiral"), std::invalid_argument);
}

TEST(Mixture, SameSeedSameBatches) {
  MixtureOptions o;
  o.seed = 11;
  MixtureGan<double> a(o), b(o);
  a.next_batch();
  b.next_batch();
  EXPECT_EQ(a.real(), b.real());
  EXPECT_EQ(a.latent(), b.latent());
  EXPECT_EQ(a.initial_point(), b.initial_point());
}

}  // namespace
