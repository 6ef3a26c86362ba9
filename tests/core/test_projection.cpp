// Exact projections (core/projection.hpp): KKT conditions on random inputs (ties, infinite
// bounds, degenerate boxes), brute force on small cases, errors.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>

#include "adamant/core/projection.hpp"

namespace {

using adamant::core::project_box;
using adamant::core::project_box_hyperplane;
using adamant::core::project_simplex;
using adamant::core::ProjectionWorkspace;
using adamant::core::prox_l1_box;
using adamant::core::prox_l1_box_hyperplane;
using Eigen::VectorXd;

constexpr double kInf = std::numeric_limits<double>::infinity();

// KKT of argmin ½‖x − y‖² + t‖x − c‖₁ s.t. lo ≤ x ≤ hi, Σx = b: there is τ with
// y − x − τ ∈ t ∂|x − c| + N_[lo,hi](x) coordinate-wise.
void expect_kkt(const VectorXd& y, const VectorXd& c, double t, const VectorXd& lo,
                const VectorXd& hi, double b, const VectorXd& x, double tau) {
  const double tol = 1e-10 * (1 + y.cwiseAbs().maxCoeff());
  EXPECT_NEAR(x.sum(), b, tol * x.size());
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    ASSERT_GE(x[i], lo[i] - tol);
    ASSERT_LE(x[i], hi[i] + tol);
    double r = y[i] - x[i] - tau;  // must lie in t∂|x−c| + normal cone
    double s_lo = -t, s_hi = t;    // subgradient interval of t|x − c|
    if (x[i] > c[i] + tol) s_lo = s_hi = t;
    if (x[i] < c[i] - tol) s_lo = s_hi = -t;
    double n_lo = 0, n_hi = 0;  // normal cone of the box
    if (x[i] <= lo[i] + tol) n_lo = -kInf;
    if (x[i] >= hi[i] - tol) n_hi = kInf;
    EXPECT_GE(r, s_lo + n_lo - tol) << "i=" << i;
    EXPECT_LE(r, s_hi + n_hi + tol) << "i=" << i;
  }
}

TEST(Projection, BoxHyperplaneKktRandom) {
  std::mt19937_64 gen(7);
  std::normal_distribution<double> nd;
  std::uniform_real_distribution<double> ud(0, 1);
  ProjectionWorkspace ws;
  for (int trial = 0; trial < 500; ++trial) {
    const int n = 1 + static_cast<int>(gen() % 40);
    VectorXd y(n), lo(n), hi(n);
    for (int i = 0; i < n; ++i) {
      y[i] = trial % 5 == 0 ? std::round(nd(gen)) : nd(gen);  // ties
      double a = nd(gen), w = std::abs(nd(gen));
      lo[i] = a - w;
      hi[i] = a + w;
      const double u = ud(gen);
      if (u < 0.1)
        lo[i] = -kInf;
      else if (u < 0.2)
        hi[i] = kInf;
      else if (u < 0.25)
        lo[i] = hi[i] = a;  // degenerate box
      else if (u < 0.3)
        lo[i] = -kInf, hi[i] = kInf;
    }
    // A feasible b.
    double slo = 0, shi = 0;
    for (int i = 0; i < n; ++i) {
      const double l = std::isfinite(lo[i]) ? lo[i] : (std::isfinite(hi[i]) ? hi[i] : 0.0) - 5;
      const double h = std::isfinite(hi[i]) ? hi[i] : (std::isfinite(lo[i]) ? lo[i] : 0.0) + 5;
      slo += l;
      shi += h;
    }
    const double b = slo + ud(gen) * (shi - slo);
    VectorXd x(n);
    const double tau = project_box_hyperplane(y, lo, hi, b, x, &ws);
    expect_kkt(y, VectorXd::Zero(n), 0.0, lo, hi, b, x, tau);
  }
}

TEST(Projection, SimplexMatchesBruteForce) {
  // Brute force: for every support set S, x_S = y_S − τ with τ = (Σ_S y − r)/|S|; the projection
  // is the feasible candidate nearest to y.
  std::mt19937_64 gen(11);
  std::normal_distribution<double> nd;
  for (int trial = 0; trial < 200; ++trial) {
    const int n = 1 + static_cast<int>(gen() % 8);
    VectorXd y(n);
    for (int i = 0; i < n; ++i) y[i] = trial % 3 == 0 ? std::round(2 * nd(gen)) / 2 : nd(gen);
    const double r = 0.5 + std::abs(nd(gen));
    VectorXd best(n);
    double bestd = kInf;
    for (int mask = 1; mask < (1 << n); ++mask) {
      double s = 0;
      int k = 0;
      for (int i = 0; i < n; ++i)
        if (mask >> i & 1) s += y[i], ++k;
      const double tau = (s - r) / k;
      VectorXd c = VectorXd::Zero(n);
      bool ok = true;
      for (int i = 0; i < n; ++i)
        if (mask >> i & 1) {
          c[i] = y[i] - tau;
          if (c[i] < -1e-15) ok = false;
        }
      if (ok && (c - y).squaredNorm() < bestd) {
        bestd = (c - y).squaredNorm();
        best = c;
      }
    }
    VectorXd x(n);
    project_simplex(y, r, x);
    EXPECT_LE((x - best).cwiseAbs().maxCoeff(), 1e-12) << "trial " << trial;
  }
}

TEST(Projection, UnboundedIsMeanShiftAndBoxIsClamp) {
  VectorXd y(4);
  y << 1, -2, 3.5, 0.25;
  VectorXd lo = VectorXd::Constant(4, -kInf), hi = VectorXd::Constant(4, kInf), x(4);
  project_box_hyperplane(y, lo, hi, 1.0, x);
  const VectorXd expect = y.array() - (y.sum() - 1.0) / 4;
  EXPECT_LE((x - expect).cwiseAbs().maxCoeff(), 1e-15);
  VectorXd l2 = VectorXd::Constant(4, -1), h2 = VectorXd::Constant(4, 1);
  project_box(y, l2, h2, x);
  EXPECT_EQ(x[0], 1);
  EXPECT_EQ(x[1], -1);
  EXPECT_EQ(x[2], 1);
  EXPECT_EQ(x[3], 0.25);
  // Aliasing: x == y.
  VectorXd z = y;
  project_simplex(z, 1.0, z);
  EXPECT_NEAR(z.sum(), 1.0, 1e-15);
  EXPECT_GE(z.minCoeff(), 0.0);
}

TEST(Projection, ProxL1KktRandomAndLimits) {
  std::mt19937_64 gen(3);
  std::normal_distribution<double> nd;
  for (int trial = 0; trial < 300; ++trial) {
    const int n = 1 + static_cast<int>(gen() % 30);
    VectorXd y(n), c(n), lo(n), hi(n);
    for (int i = 0; i < n; ++i) {
      y[i] = nd(gen);
      lo[i] = trial % 4 == 0 ? -kInf : -1.0 - std::abs(nd(gen));
      hi[i] = trial % 4 == 1 ? kInf : 1.0 + std::abs(nd(gen));
      c[i] = 0.5 * nd(gen);
      c[i] = std::min(std::max(c[i], lo[i]), hi[i]);
    }
    const double t = std::abs(nd(gen));
    const double b = c.sum() + 0.3 * nd(gen);
    VectorXd x(n);
    const double tau = prox_l1_box_hyperplane(y, c, t, lo, hi, b, x);
    expect_kkt(y, c, t, lo, hi, b, x, tau);
    // Huge threshold with Σc = b: x = c exactly.
    prox_l1_box_hyperplane(y, c, 1e6, lo, hi, c.sum(), x);
    EXPECT_LE((x - c).cwiseAbs().maxCoeff(), 1e-12);
  }
  VectorXd y(3), c(3), lo = VectorXd::Constant(3, -1), hi = VectorXd::Constant(3, 1), x(3);
  y << 0.5, -0.05, 3;
  c << 0, 0, 0;
  prox_l1_box(y, c, 0.1, lo, hi, x);
  EXPECT_NEAR(x[0], 0.4, 1e-15);
  EXPECT_EQ(x[1], 0.0);
  EXPECT_EQ(x[2], 1.0);
}

TEST(Projection, ErrorsNameTheProblem) {
  VectorXd y = VectorXd::Ones(3), lo = VectorXd::Zero(3), hi = VectorXd::Constant(3, 0.2), x(3);
  try {
    project_box_hyperplane(y, lo, hi, 1.0, x);  // Σhi = 0.6 < 1
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("infeasible"), std::string::npos) << e.what();
  }
  hi[1] = -1;  // lo > hi
  EXPECT_THROW(project_box_hyperplane(y, lo, hi, 0.0, x), std::invalid_argument);
  VectorXd x2(2);
  EXPECT_THROW(project_box_hyperplane(y, lo, VectorXd::Ones(3), 1.0, x2), std::invalid_argument);
  EXPECT_THROW(project_simplex(y, 0.0, x), std::invalid_argument);
  y[0] = std::nan("");
  EXPECT_THROW(project_simplex(y, 1.0, x), std::invalid_argument);
}

}  // namespace
