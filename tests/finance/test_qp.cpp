// The bound-specialised active-set solver (finance/qp.hpp, solve_bounded_qp) against the dense
// solve_qp on random and degenerate problems, its fallbacks and errors, its use by the portfolio
// problems, and thread-count independence of min_volatility.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>

#include "adamant/finance/portfolio.hpp"
#include "adamant/finance/qp.hpp"

#include "../common/sanitizer.hpp"

namespace {

using namespace adamant::finance;
using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr double kInf = std::numeric_limits<double>::infinity();

// A k-factor covariance B F Bᵀ + D with annualised magnitudes (market vol 16 %, idiosyncratic
// 10–45 %), as in bench/compare_cvxopt.py (different generator).
MatrixXd factor_cov(int n, int k, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> nd;
  std::uniform_real_distribution<double> ud;
  MatrixXd B(n, k);
  for (int i = 0; i < n; ++i) {
    B(i, 0) = 1.0 + 0.3 * nd(gen);
    for (int j = 1; j < k; ++j) B(i, j) = 0.5 * nd(gen);
  }
  VectorXd fvar(k);
  fvar[0] = 0.16 * 0.16;
  for (int j = 1; j < k; ++j) fvar[j] = std::pow(0.03 + 0.05 * ud(gen), 2);
  MatrixXd S = B * fvar.asDiagonal() * B.transpose();
  for (int i = 0; i < n; ++i) S(i, i) += std::pow(0.10 + 0.35 * ud(gen), 2);
  return 0.5 * (S + S.transpose());
}

BoundedQpProblem random_problem(std::mt19937_64& gen, int n, int m, bool psd_only,
                                VectorXd* feasible = nullptr) {
  std::normal_distribution<double> nd;
  std::uniform_real_distribution<double> ud;
  BoundedQpProblem p;
  const MatrixXd A = MatrixXd::NullaryExpr(n, n, [&] { return nd(gen); });
  p.H = A * A.transpose() + 0.05 * MatrixXd::Identity(n, n);
  if (psd_only) p.H.row(0).setZero(), p.H.col(0).setZero();
  p.c = VectorXd::NullaryExpr(n, [&] { return nd(gen); });
  p.lower.resize(n);
  p.upper.resize(n);
  for (int i = 0; i < n; ++i) {
    const double u = ud(gen);
    p.lower[i] = u < 0.1 ? -kInf : -ud(gen);
    p.upper[i] = u > 0.9 ? kInf : ud(gen) + 0.1;
  }
  if (psd_only) p.lower[0] = -1, p.upper[0] = 1;  // keep it bounded
  // A feasible point strictly inside, and equality rows through it.
  VectorXd xf(n);
  for (int i = 0; i < n; ++i) {
    const double lo = std::isfinite(p.lower[i]) ? p.lower[i] : -1.0;
    const double hi = std::isfinite(p.upper[i]) ? p.upper[i] : 1.0;
    xf[i] = lo + (0.2 + 0.6 * ud(gen)) * (hi - lo);
  }
  p.A_eq = MatrixXd::NullaryExpr(m, n, [&] { return m == 1 ? 1.0 + 0.5 * ud(gen) : nd(gen); });
  p.b_eq = p.A_eq * xf;
  if (feasible) *feasible = xf;
  return p;
}

void expect_kkt_optimal(const QpResult& r, const std::string& what) {
  ASSERT_EQ(r.status, QpStatus::kOptimal) << what;
  EXPECT_LT(r.kkt_residual, 1e-9) << what;
  EXPECT_LT(r.duality_gap, 1e-9) << what;
}

TEST(BoundedQp, RandomProblemsMatchTheDenseSolver) {
  std::mt19937_64 gen(17);
  int fast = 0;
  for (int trial = 0; trial < 60; ++trial) {
    const int n = 2 + trial % 23;
    const int m = trial % 5 == 4 ? 2 : 1;
    VectorXd xf;
    const BoundedQpProblem p = random_problem(gen, n, m, false, &xf);
    const QpResult d = solve_qp(p.to_general());
    expect_kkt_optimal(d, "dense " + std::to_string(trial));
    // One equality row: the vertex crash; two: a feasible interior start (every variable free).
    const QpResult b = solve_bounded_qp(p, {}, m == 2 ? &xf : nullptr);
    expect_kkt_optimal(b, "bounded " + std::to_string(trial));
    fast += !b.fallback;
    const double scale = std::max(1.0, std::abs(d.objective));
    EXPECT_NEAR(b.objective, d.objective, 1e-10 * scale) << trial;
    EXPECT_LT((b.x - d.x).cwiseAbs().maxCoeff(), 1e-7) << trial;  // strictly convex: unique
    EXPECT_LT((b.y_eq - d.y_eq).cwiseAbs().maxCoeff(), 1e-6 * std::max(1.0, d.y_eq.norm()))
        << trial;
    // Multipliers in to_general()'s numbering reproduce stationarity.
    const QpProblem g = p.to_general();
    const VectorXd stat =
        p.H * b.x + p.c - g.A_eq.transpose() * b.y_eq - g.A_in.transpose() * b.z_in;
    EXPECT_LT(stat.cwiseAbs().maxCoeff(), 1e-9) << trial;
    EXPECT_GE(b.z_in.minCoeff(), -1e-12) << trial;
  }
  EXPECT_GE(fast, 55);  // positive definite H: the specialised path finishes itself
}

TEST(BoundedQp, PsdOnlyAndLinearProgramsFallBackToTheDenseSolver) {
  std::mt19937_64 gen(5);
  for (int trial = 0; trial < 10; ++trial) {
    const BoundedQpProblem p = random_problem(gen, 3 + trial, 1, true);
    const QpResult d = solve_qp(p.to_general());
    const QpResult b = solve_bounded_qp(p);
    expect_kkt_optimal(b, std::to_string(trial));
    EXPECT_NEAR(b.objective, d.objective, 1e-10 * std::max(1.0, std::abs(d.objective)));
  }
  // LP: max of a linear function over the simplex → the best vertex.
  BoundedQpProblem lp;
  lp.H = MatrixXd::Zero(4, 4);
  lp.c = VectorXd(4);
  lp.c << 0.3, -0.2, 0.5, -0.7;
  lp.A_eq = MatrixXd::Ones(1, 4);
  lp.b_eq = VectorXd::Ones(1);
  lp.lower = VectorXd::Zero(4);
  lp.upper = VectorXd::Ones(4);
  const QpResult r = solve_bounded_qp(lp);
  expect_kkt_optimal(r, "lp");
  EXPECT_TRUE(r.fallback);
  EXPECT_NEAR(r.x[3], 1.0, 1e-12);
  EXPECT_NEAR(r.objective, -0.7, 1e-12);
}

TEST(BoundedQp, DegenerateProblems) {
  const MatrixXd S = factor_cov(8, 2, 3);
  BoundedQpProblem p;
  p.H = 2 * S;
  p.c = VectorXd::Zero(8);
  p.A_eq = MatrixXd::Ones(1, 8);
  p.b_eq = VectorXd::Ones(1);
  // Lower bounds that sum to the budget: the only feasible point.
  p.lower = VectorXd::Constant(8, 0.125);
  p.upper = VectorXd::Ones(8);
  QpResult r = solve_bounded_qp(p);
  expect_kkt_optimal(r, "single point");
  EXPECT_LT((r.x - VectorXd::Constant(8, 0.125)).cwiseAbs().maxCoeff(), 1e-14);
  // Upper bounds that sum to the budget.
  p.lower = VectorXd::Zero(8);
  p.upper = VectorXd::Constant(8, 0.125);
  r = solve_bounded_qp(p);
  expect_kkt_optimal(r, "upper single point");
  EXPECT_LT((r.x - VectorXd::Constant(8, 0.125)).cwiseAbs().maxCoeff(), 1e-14);
  // Some variables fixed by lower = upper, the rest long-only.
  p.lower = VectorXd::Zero(8);
  p.upper = VectorXd::Ones(8);
  p.lower[2] = p.upper[2] = 0.3;
  p.lower[5] = p.upper[5] = 0.0;
  r = solve_bounded_qp(p);
  expect_kkt_optimal(r, "fixed variables");
  EXPECT_EQ(r.x[2], 0.3);
  EXPECT_EQ(r.x[5], 0.0);
  const QpResult d = solve_qp(p.to_general());
  EXPECT_NEAR(r.objective, d.objective, 1e-14);
  // Two identical assets: H singular on the free set → the dense solver finishes; any split of
  // the pair is optimal, so compare objectives.
  MatrixXd S2 = factor_cov(6, 2, 4);
  S2.row(5) = S2.row(4);
  S2.col(5) = S2.col(4);
  BoundedQpProblem q = p;
  q.H = 2 * S2;
  q.c = VectorXd::Zero(6);
  q.A_eq = MatrixXd::Ones(1, 6);
  q.lower = VectorXd::Zero(6);
  q.upper = VectorXd::Ones(6);
  r = solve_bounded_qp(q);
  expect_kkt_optimal(r, "duplicate asset");
  EXPECT_NEAR(r.objective, solve_qp(q.to_general()).objective, 1e-14);
  // Dependent equality rows (the budget twice) with a feasible start.
  BoundedQpProblem dup = p;
  dup.A_eq = MatrixXd::Ones(2, 8);
  dup.b_eq = VectorXd::Ones(2);
  VectorXd x0 = VectorXd::Constant(8, 0.7 / 6);
  x0[2] = 0.3;
  x0[5] = 0.0;
  ASSERT_NEAR(x0.sum(), 1.0, 1e-15);
  r = solve_bounded_qp(dup, {}, &x0);
  expect_kkt_optimal(r, "dependent rows");
  EXPECT_NEAR(r.objective, d.objective, 1e-14);
  // Warm start at the solution: no working-set change is needed.
  const VectorXd xs = solve_bounded_qp(p).x;
  r = solve_bounded_qp(p, {}, &xs);
  expect_kkt_optimal(r, "warm start");
  EXPECT_LE(r.iterations, 2);
  EXPECT_LT((r.x - xs).cwiseAbs().maxCoeff(), 1e-15);
  // No bounds at all: one Cholesky solve.
  BoundedQpProblem fr = p;
  fr.lower = VectorXd::Constant(8, -kInf);
  fr.upper = VectorXd::Constant(8, kInf);
  r = solve_bounded_qp(fr);
  expect_kkt_optimal(r, "unbounded weights");
  EXPECT_FALSE(r.fallback);
  EXPECT_NEAR(r.objective, solve_qp(fr.to_general()).objective, 1e-14);
}

TEST(BoundedQp, InfeasibleBoundsAndInvalidInputs) {
  BoundedQpProblem p;
  p.H = MatrixXd::Identity(3, 3);
  p.c = VectorXd::Zero(3);
  p.A_eq = MatrixXd::Ones(1, 3);
  p.b_eq = VectorXd::Ones(1);
  p.lower = VectorXd::Zero(3);
  p.upper = VectorXd::Constant(3, 0.2);  // Σ upper = 0.6 < 1
  EXPECT_EQ(solve_bounded_qp(p).status, QpStatus::kInfeasible);
  p.upper = VectorXd::Ones(3);
  p.lower = VectorXd::Constant(3, 0.5);  // Σ lower = 1.5 > 1
  EXPECT_EQ(solve_bounded_qp(p).status, QpStatus::kInfeasible);
  // Two inconsistent equality rows: the dense phase 1 reports it.
  BoundedQpProblem q = p;
  q.lower = VectorXd::Zero(3);
  q.A_eq = MatrixXd::Ones(2, 3);
  q.b_eq = VectorXd(2);
  q.b_eq << 1.0, 2.0;
  const QpResult r = solve_bounded_qp(q);
  EXPECT_EQ(r.status, QpStatus::kInfeasible);
  EXPECT_TRUE(r.fallback);
  // Invalid problems name what is wrong.
  BoundedQpProblem bad = p;
  bad.lower = VectorXd::Zero(3);
  bad.lower[1] = 2.0;
  try {
    solve_bounded_qp(bad);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("invalid bounds for variable 1"), std::string::npos);
  }
  bad = p;
  bad.upper = VectorXd::Ones(2);
  EXPECT_THROW(solve_bounded_qp(bad), std::invalid_argument);
  bad = p;
  bad.H(0, 1) = 1;
  EXPECT_THROW(solve_bounded_qp(bad), std::invalid_argument);
  const VectorXd wrong = VectorXd::Zero(2);
  EXPECT_THROW(solve_bounded_qp(p, {}, &wrong), std::invalid_argument);
}

// min_volatility / max_quadratic_utility / efficient_risk through the bounded path agree with
// the dense path (exploit_bounds = false) on factor models and several bound settings.
TEST(BoundedQp, PortfolioProblemsMatchTheDensePath) {
  const int n = 40;
  const MatrixXd S = factor_cov(n, 5, 11);
  std::mt19937_64 gen(1);
  std::normal_distribution<double> nd;
  const VectorXd mu = VectorXd::NullaryExpr(n, [&] { return 0.08 + 0.05 * nd(gen); });
  std::vector<PortfolioConstraints> cs;
  cs.push_back(PortfolioConstraints::long_only());
  cs.push_back(PortfolioConstraints::unbounded());
  PortfolioConstraints box;
  box.lower = -0.05;
  box.upper = 0.08;
  cs.push_back(box);
  PortfolioConstraints mn;
  mn.market_neutral = true;
  mn.lower = -0.1;
  mn.upper = 0.1;
  cs.push_back(mn);
  for (std::size_t ci = 0; ci < cs.size(); ++ci) {
    PortfolioOptions fast, dense;
    fast.constraints = dense.constraints = cs[ci];
    dense.active_set.exploit_bounds = false;
    fast.l2_gamma = dense.l2_gamma = ci == 2 ? 0.01 : 0.0;
    if (!cs[ci].market_neutral) {
      const PortfolioResult a = min_volatility(mu, S, fast), b = min_volatility(mu, S, dense);
      EXPECT_LT((a.weights - b.weights).cwiseAbs().maxCoeff(), 1e-10) << ci;
      EXPECT_NEAR(a.objective, b.objective, 1e-14) << ci;
    }
    const PortfolioResult u = max_quadratic_utility(mu, S, 3.0, fast);
    const PortfolioResult v = max_quadratic_utility(mu, S, 3.0, dense);
    EXPECT_LT((u.weights - v.weights).cwiseAbs().maxCoeff(), 1e-10) << ci;
    EXPECT_LT(u.kkt_residual, 1e-10) << ci;
  }
  PortfolioOptions fast, dense;
  dense.active_set.exploit_bounds = false;
  const double target = 1.3 * min_volatility(mu, S, fast).volatility;
  const PortfolioResult a = efficient_risk(mu, S, target, fast);
  const PortfolioResult b = efficient_risk(mu, S, target, dense);
  EXPECT_NEAR(a.volatility, target, 1e-10);
  EXPECT_LT((a.weights - b.weights).cwiseAbs().maxCoeff(), 1e-8);
}

// The bounded path at benchmark scale: exact (KKT-verified, Frank-Wolfe certified) and quick.
TEST(BoundedQp, FiveHundredAssetFactorModelIsSolvedExactly) {
#ifdef ADAMANT_TEST_ASAN
  const int n = 150;  // sanitizer builds are ~10x slower
#else
  const int n = 500;
#endif
  const MatrixXd S = factor_cov(n, 10, 7);
  const PortfolioResult r = min_volatility(VectorXd::Zero(n), S);
  EXPECT_TRUE(r.converged);
  EXPECT_LT(r.kkt_residual, 1e-12);
  const VectorXd& w = r.weights;
  EXPECT_NEAR(w.sum(), 1.0, 1e-12);
  EXPECT_GE(w.minCoeff(), 0.0);
  // Frank-Wolfe certificate: f(w) − f* ≤ gᵀw − min g.
  const VectorXd g = 2 * S * w;
  EXPECT_LT(g.dot(w) - g.minCoeff(), 1e-12 * w.dot(S * w));
  EXPECT_LT(r.iterations, n);  // grows with the support, not with n
}

// Same weights, bit for bit, on 1 and 2 Eigen threads (both solvers).
TEST(BoundedQp, MinVolatilityIsIndependentOfTheThreadCount) {
#ifdef ADAMANT_TEST_ASAN
  const int n = 80;
#else
  const int n = 200;
#endif
  const MatrixXd S = factor_cov(n, 10, 21);
  const VectorXd mu = VectorXd::Zero(n);
  const int saved = Eigen::nbThreads();
  for (PortfolioSolver s : {PortfolioSolver::kActiveSet, PortfolioSolver::kAdam}) {
    PortfolioOptions o;
    o.solver = s;
    Eigen::setNbThreads(1);
    const VectorXd w1 = min_volatility(mu, S, o).weights;
    Eigen::setNbThreads(2);
    const VectorXd w2 = min_volatility(mu, S, o).weights;
    Eigen::setNbThreads(saved);
    ASSERT_EQ(w1.size(), w2.size());
    for (int i = 0; i < n; ++i)
      EXPECT_EQ(w1[i], w2[i]) << "asset " << i << " solver " << static_cast<int>(s);
  }
}

}  // namespace
