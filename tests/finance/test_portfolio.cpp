// Mean-variance problems (finance/portfolio.hpp) and the active-set QP solver (finance/qp.hpp):
// PyPortfolioOpt's published values on stock_prices_20, gradients by finite differences,
// feasibility, constraints against the exact solver, every infeasibility error.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "adamant/datasets/schema.hpp"
#include "adamant/finance/estimators.hpp"
#include "adamant/finance/portfolio.hpp"
#include "adamant/finance/qp.hpp"

#include "finance_test_util.hpp"

namespace {

using adamant::finance::test::expect_feasible;

using namespace adamant::finance;
using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr double kInf = std::numeric_limits<double>::infinity();

struct Market {
  VectorXd mu;
  MatrixXd cov;
};

const Market& market() {
  static const Market m = [] {
    const auto panel = adamant::datasets::read_prices(ADAMANT_DATA_DIR "/stock_prices_20.h5");
    const auto r = returns_from_prices(panel.prices, ReturnKind::kSimple);
    return Market{mean_historical_return(r, true, 252), sample_cov(r, 252)};
  }();
  return m;
}

// PyPortfolioOpt's test expectations (tests/test_efficient_frontier.py) on the same data:
// (expected return, volatility, Sharpe with r_f = 0.02).
struct Golden {
  const char* name;
  double ret, vol, sharpe;
};
constexpr Golden kMinVolLong{"min_volatility long-only", 0.15056821399482578, 0.15915084514118694,
                             0.8204054077060996};
constexpr Golden kMinVolFree{"min_volatility no bounds", 0.1516319319875544, 0.1555915367269669,
                             0.8460095886741129};
constexpr Golden kSharpeLong{"max_sharpe long-only", 0.3047768672819914, 0.22165566922402932,
                             1.2847714127003216};
constexpr Golden kSharpeFree{"max_sharpe no bounds", 0.4937195216716211, 0.29516576454651955,
                             1.6049270564945908};

void expect_golden(const PortfolioResult& r, const Golden& g, double rel) {
  EXPECT_NEAR(r.expected_return, g.ret, rel * std::abs(g.ret)) << g.name << " (" << r.solver << ")";
  EXPECT_NEAR(r.volatility, g.vol, rel * std::abs(g.vol)) << g.name << " (" << r.solver << ")";
  EXPECT_NEAR(r.sharpe, g.sharpe, rel * std::abs(g.sharpe)) << g.name << " (" << r.solver << ")";
}

PortfolioOptions with(PortfolioSolver s, PortfolioConstraints c) {
  PortfolioOptions o;
  o.solver = s;
  o.constraints = std::move(c);
  return o;
}

TEST(PortfolioGolden, ExactSolverReproducesPyPortfolioOpt) {
  const auto& m = market();
  ASSERT_EQ(m.mu.size(), 20);
  const auto longo = with(PortfolioSolver::kActiveSet, PortfolioConstraints::long_only());
  const auto free = with(PortfolioSolver::kActiveSet, PortfolioConstraints::unbounded());
  const double rel = 1e-10;
  auto r1 = min_volatility(m.mu, m.cov, longo);
  expect_golden(r1, kMinVolLong, rel);
  expect_feasible(r1.weights, longo.constraints, 1e-13);
  EXPECT_LT(r1.kkt_residual, 1e-12);
  EXPECT_LT(r1.duality_gap, 1e-12);
  auto r2 = min_volatility(m.mu, m.cov, free);
  expect_golden(r2, kMinVolFree, rel);
  auto r3 = max_sharpe(m.mu, m.cov, longo);
  expect_golden(r3, kSharpeLong, rel);
  expect_feasible(r3.weights, longo.constraints, 1e-13);
  auto r4 = max_sharpe(m.mu, m.cov, free);
  expect_golden(r4, kSharpeFree, rel);
  EXPECT_NEAR(r4.weights.sum(), 1.0, 1e-13);
}

TEST(PortfolioGolden, AdamReproducesPyPortfolioOpt) {
  const auto& m = market();
  const auto longo = with(PortfolioSolver::kAdam, PortfolioConstraints::long_only());
  const auto free = with(PortfolioSolver::kAdam, PortfolioConstraints::unbounded());
  const double rel = 1e-7;
  auto r1 = min_volatility(m.mu, m.cov, longo);
  EXPECT_TRUE(r1.converged) << r1.iterations << " " << r1.kkt_residual;
  expect_golden(r1, kMinVolLong, rel);
  expect_feasible(r1.weights, longo.constraints, 1e-13);
  auto r2 = min_volatility(m.mu, m.cov, free);
  EXPECT_TRUE(r2.converged) << r2.iterations << " " << r2.kkt_residual;
  expect_golden(r2, kMinVolFree, rel);
  auto r3 = max_sharpe(m.mu, m.cov, longo);
  EXPECT_TRUE(r3.converged) << r3.iterations << " " << r3.kkt_residual;
  expect_golden(r3, kSharpeLong, rel);
  expect_feasible(r3.weights, longo.constraints, 1e-13);
  auto r4 = max_sharpe(m.mu, m.cov, free);
  EXPECT_TRUE(r4.converged) << r4.iterations << " " << r4.kkt_residual;
  expect_golden(r4, kSharpeFree, rel);
  std::printf("adam iterations: %d %d %d %d\n", r1.iterations, r2.iterations, r3.iterations,
              r4.iterations);
}

TEST(PortfolioObjectives, GradientsMatchFiniteDifferences) {
  const auto& m = market();
  std::mt19937_64 gen(5);
  std::normal_distribution<double> nd;
  const int n = static_cast<int>(m.mu.size());
  for (int trial = 0; trial < 5; ++trial) {
    VectorXd w(n);
    for (int i = 0; i < n; ++i) w[i] = 0.05 + 0.02 * nd(gen);
    VectorXd gq, gs;
    const MatrixXd Q = 3.0 * m.cov;
    const VectorXd q = -m.mu;
    quadratic_objective(Q, q, 0.7, w, &gq);
    negative_sharpe(m.mu, m.cov, 0.02, w, &gs);
    const double h = 1e-6;
    for (int i = 0; i < n; ++i) {
      VectorXd wp = w, wm = w;
      wp[i] += h;
      wm[i] -= h;
      const double fq =
          (quadratic_objective(Q, q, 0.7, wp) - quadratic_objective(Q, q, 0.7, wm)) / (2 * h);
      const double fs =
          (negative_sharpe(m.mu, m.cov, 0.02, wp) - negative_sharpe(m.mu, m.cov, 0.02, wm)) /
          (2 * h);
      EXPECT_NEAR(gq[i], fq, 1e-7 * (1 + std::abs(fq))) << i;
      EXPECT_NEAR(gs[i], fs, 1e-6 * (1 + std::abs(fs))) << i;
    }
  }
}

TEST(PortfolioQp, RandomQpsSatisfyKkt) {
  std::mt19937_64 gen(9);
  std::normal_distribution<double> nd;
  for (int trial = 0; trial < 40; ++trial) {
    const int n = 2 + trial % 9, me = trial % 3, mi = 2 * n;
    QpProblem p;
    MatrixXd A = MatrixXd::NullaryExpr(n, n, [&] { return nd(gen); });
    p.H = A * A.transpose() + 0.1 * MatrixXd::Identity(n, n);
    if (trial % 4 == 0) p.H.row(0).setZero(), p.H.col(0).setZero();  // only PSD
    p.c = VectorXd::NullaryExpr(n, [&] { return nd(gen); });
    const VectorXd x_feas = VectorXd::NullaryExpr(n, [&] { return 0.3 * nd(gen); });
    p.A_eq = MatrixXd::NullaryExpr(me, n, [&] { return nd(gen); });
    p.b_eq = p.A_eq * x_feas;
    // Box |x_i| ≤ 2 keeps it bounded, plus random cuts through x_feas's neighbourhood.
    p.A_in = MatrixXd::Zero(mi + 3, n);
    p.b_in = VectorXd::Zero(mi + 3);
    p.A_in.topRows(n) = MatrixXd::Identity(n, n);
    p.A_in.middleRows(n, n) = -MatrixXd::Identity(n, n);
    p.b_in.head(2 * n).setConstant(-2.0);
    for (int j = 0; j < 3; ++j) {
      p.A_in.row(mi + j) = VectorXd::NullaryExpr(n, [&] { return nd(gen); }).transpose();
      p.b_in[mi + j] = p.A_in.row(mi + j).dot(x_feas) - std::abs(nd(gen));
    }
    const QpResult r = solve_qp(p);  // phase 1 from 0
    ASSERT_EQ(r.status, QpStatus::kOptimal) << trial;
    EXPECT_LT(r.kkt_residual, 1e-9) << trial;
    EXPECT_LT(r.duality_gap, 1e-9) << trial;
    // No feasible random perturbation does better (convexity: check a few).
    for (int k = 0; k < 20; ++k) {
      const VectorXd d = VectorXd::NullaryExpr(n, [&] { return 1e-3 * nd(gen); });
      const VectorXd y = r.x + d;
      bool feas = (p.A_in * y - p.b_in).minCoeff() >= 0 &&
                  (me == 0 || (p.A_eq * y - p.b_eq).cwiseAbs().maxCoeff() < 1e-12);
      if (feas) {
        EXPECT_GE(0.5 * y.dot(p.H * y) + p.c.dot(y), r.objective - 1e-12);
      }
    }
  }
  // Infeasible and unbounded are reported.
  QpProblem p;
  p.H = MatrixXd::Identity(2, 2);
  p.c = VectorXd::Zero(2);
  p.A_in = MatrixXd::Identity(2, 2);
  p.b_in = VectorXd::Ones(2);
  p.A_eq = MatrixXd::Ones(1, 2);
  p.b_eq = VectorXd::Zero(1);
  EXPECT_EQ(solve_qp(p).status, QpStatus::kInfeasible);
  QpProblem u;
  u.H = MatrixXd::Zero(2, 2);
  u.c = VectorXd::Ones(2);
  u.A_eq = MatrixXd(0, 2);
  u.b_eq = VectorXd(0);
  u.A_in = MatrixXd(0, 2);
  u.b_in = VectorXd(0);
  EXPECT_EQ(solve_qp(u).status, QpStatus::kUnbounded);
}

TEST(PortfolioQp, ProjectionQpMatchesBreakpointProjection) {
  std::mt19937_64 gen(2);
  std::normal_distribution<double> nd;
  PortfolioConstraints c;
  c.lower = -0.1;
  c.upper = 0.3;
  const int n = 12;
  for (int trial = 0; trial < 20; ++trial) {
    const VectorXd z = VectorXd::NullaryExpr(n, [&] { return 0.2 * nd(gen); });
    const VectorXd a = project_onto_constraints(z, c);  // breakpoint method
    PortfolioConstraints g = c;  // a sector that never binds forces the QP path
    g.sectors.push_back({"all", {0, 1, 2}, -10.0, 10.0});
    const VectorXd b = project_onto_constraints(z, g);
    EXPECT_LE((a - b).cwiseAbs().maxCoeff(), 1e-13);
  }
}

PortfolioConstraints sector_constraints() {
  PortfolioConstraints c;
  c.lower = -0.05;
  c.upper = 0.4;
  c.sectors.push_back({"tech", {0, 1, 2, 3, 4}, 0.1, 0.25});
  c.sectors.push_back({"energy", {13, 14}, 0.15, kInf});
  c.sectors.push_back({"banks", {8, 18}, -kInf, 0.05});
  return c;
}

TEST(PortfolioConstraints, SectorsAdamMatchesExact) {
  const auto& m = market();
  const auto c = sector_constraints();
  auto ex = min_volatility(m.mu, m.cov, with(PortfolioSolver::kActiveSet, c));
  auto ad = min_volatility(m.mu, m.cov, with(PortfolioSolver::kAdam, c));
  expect_feasible(ex.weights, c, 1e-12);
  expect_feasible(ad.weights, c, 1e-12);
  EXPECT_TRUE(ad.converged);
  EXPECT_LE((ex.weights - ad.weights).cwiseAbs().maxCoeff(), 1e-8);
  // A sector bound binds (the unconstrained tech weight differs).
  double tech = ex.weights.head(5).sum();
  EXPECT_TRUE(std::abs(tech - 0.1) < 1e-12 || std::abs(tech - 0.25) < 1e-12) << tech;
  auto sx = max_sharpe(m.mu, m.cov, with(PortfolioSolver::kActiveSet, c));
  auto sa = max_sharpe(m.mu, m.cov, with(PortfolioSolver::kAdam, c));
  expect_feasible(sx.weights, c, 1e-12);
  expect_feasible(sa.weights, c, 1e-12);
  EXPECT_NEAR(sa.sharpe, sx.sharpe, 1e-9);
  EXPECT_LE((sx.weights - sa.weights).cwiseAbs().maxCoeff(), 1e-6);
}

TEST(PortfolioConstraints, MarketNeutralAdamMatchesExact) {
  const auto& m = market();
  PortfolioConstraints c;
  c.market_neutral = true;
  c.lower = -1;
  c.upper = 1;
  auto ex = max_quadratic_utility(m.mu, m.cov, 2.0, with(PortfolioSolver::kActiveSet, c));
  auto ad = max_quadratic_utility(m.mu, m.cov, 2.0, with(PortfolioSolver::kAdam, c));
  EXPECT_NEAR(ex.weights.sum(), 0.0, 1e-13);
  expect_feasible(ad.weights, c, 1e-12);
  EXPECT_LE((ex.weights - ad.weights).cwiseAbs().maxCoeff(), 1e-8);
  EXPECT_GT(ex.expected_return, 0.0);
  // Unbounded market-neutral utility has the closed form w = Σ⁻¹(μ − λ1)/δ.
  c.lower = -kInf;
  c.upper = kInf;
  auto u = max_quadratic_utility(m.mu, m.cov, 2.0, with(PortfolioSolver::kActiveSet, c));
  const MatrixXd Si = m.cov.inverse();
  const VectorXd one = VectorXd::Ones(20);
  const double lam = one.dot(Si * m.mu) / one.dot(Si * one);
  const VectorXd w = Si * (m.mu - lam * one) / 2.0;
  EXPECT_LE((u.weights - w).cwiseAbs().maxCoeff(), 1e-10);
  // Per-asset bounds.
  PortfolioConstraints pb;
  pb.lower_bounds = VectorXd::Constant(20, 0.01);
  pb.upper_bounds = VectorXd::Constant(20, 0.12);
  auto b1 = min_volatility(m.mu, m.cov, with(PortfolioSolver::kActiveSet, pb));
  auto b2 = min_volatility(m.mu, m.cov, with(PortfolioSolver::kAdam, pb));
  expect_feasible(b1.weights, pb, 1e-13);
  expect_feasible(b2.weights, pb, 1e-13);
  EXPECT_LE((b1.weights - b2.weights).cwiseAbs().maxCoeff(), 1e-8);
}

TEST(PortfolioCosts, L1AndL2AdamMatchExactAndHugeKappaKeepsWPrev) {
  const auto& m = market();
  PortfolioOptions o = with(PortfolioSolver::kActiveSet, PortfolioConstraints::long_only());
  o.w_prev = VectorXd::Constant(20, 0.05);
  o.l1_kappa = 0.01;
  o.l2_gamma = 0.05;
  auto ex = max_quadratic_utility(m.mu, m.cov, 3.0, o);
  o.solver = PortfolioSolver::kAdam;
  auto ad = max_quadratic_utility(m.mu, m.cov, 3.0, o);
  EXPECT_TRUE(ad.converged);
  EXPECT_LE((ex.weights - ad.weights).cwiseAbs().maxCoeff(), 1e-8);
  EXPECT_NEAR(ex.objective, ad.objective, 1e-10);
  // Some weights stick to w_prev (the ℓ1 kink), others move.
  int stuck = 0;
  for (int i = 0; i < 20; ++i) stuck += std::abs(ex.weights[i] - 0.05) < 1e-12;
  EXPECT_GT(stuck, 0);
  EXPECT_LT(stuck, 20);
  // Huge κ: no trade.
  o.l1_kappa = 1e3;
  for (auto s : {PortfolioSolver::kActiveSet, PortfolioSolver::kAdam}) {
    o.solver = s;
    auto r = min_volatility(m.mu, m.cov, o);
    EXPECT_LE((r.weights - o.w_prev).cwiseAbs().maxCoeff(), 1e-12) << r.solver;
  }
}

TEST(PortfolioTargets, EfficientReturnAndRiskHitTheirTargets) {
  const auto& m = market();
  const auto lo = with(PortfolioSolver::kActiveSet, PortfolioConstraints::long_only());
  const auto mv = min_volatility(m.mu, m.cov, lo);
  for (double target : {0.2, 0.3, 0.38}) {
    auto ex = efficient_return(m.mu, m.cov, target, lo);
    EXPECT_NEAR(ex.expected_return, target, 1e-13);
    EXPECT_GE(ex.volatility, mv.volatility);
    expect_feasible(ex.weights, lo.constraints, 1e-13);
    auto ad = efficient_return(m.mu, m.cov, target,
                               with(PortfolioSolver::kAdam, PortfolioConstraints::long_only()));
    EXPECT_NEAR(ad.expected_return, target, 1e-12);
    EXPECT_NEAR(ad.volatility, ex.volatility, 1e-7 * ex.volatility);
  }
  for (double vol : {0.17, 0.2, 0.25}) {
    auto r = efficient_risk(m.mu, m.cov, vol, lo);
    EXPECT_NEAR(r.volatility, vol, 1e-10 * vol);
    expect_feasible(r.weights, lo.constraints, 1e-12);
    // On the frontier: efficient_return at that return gives the same volatility.
    auto back = efficient_return(m.mu, m.cov, r.expected_return, lo);
    EXPECT_NEAR(back.volatility, vol, 1e-9 * vol);
  }
  // Max Sharpe lies on the frontier too.
  auto ms = max_sharpe(m.mu, m.cov, lo);
  auto er = efficient_risk(m.mu, m.cov, ms.volatility, lo);
  EXPECT_NEAR(er.expected_return, ms.expected_return, 1e-9);
  // Unbounded: efficient risk against the two-fund closed form.
  const auto fr = with(PortfolioSolver::kActiveSet, PortfolioConstraints::unbounded());
  auto ur = efficient_risk(m.mu, m.cov, 0.3, fr);
  EXPECT_NEAR(ur.volatility, 0.3, 3e-11);
  // A very large target: the risk constraint is inactive for long-only (max return portfolio).
  auto big = efficient_risk(m.mu, m.cov, 5.0, lo);
  EXPECT_NEAR(big.expected_return, m.mu.maxCoeff(), 1e-12);
}

template <typename F>
void expect_error(F&& f, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "no exception, expected one containing '" << needle << "'";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(PortfolioErrors, InfeasibleAndInvalidInputsAreNamed) {
  const auto& m = market();
  const auto lo = with(PortfolioSolver::kActiveSet, PortfolioConstraints::long_only());
  // No asset beats r_f (long-only).
  PortfolioOptions hi_rf = lo;
  hi_rf.risk_free_rate = 10.0;
  expect_error([&] { max_sharpe(m.mu, m.cov, hi_rf); }, "risk-free rate");
  EXPECT_THROW(max_sharpe(m.mu, m.cov, hi_rf), InfeasibleError);
  // Target return outside the achievable range.
  expect_error([&] { efficient_return(m.mu, m.cov, 10.0, lo); }, "outside the achievable range");
  expect_error([&] { efficient_return(m.mu, m.cov, -10.0, lo); }, "outside the achievable range");
  // Bounds cannot sum to the budget.
  PortfolioOptions tight = lo;
  tight.constraints.upper = 0.04;  // 20 × 0.04 < 1
  expect_error([&] { min_volatility(m.mu, m.cov, tight); }, "cannot sum to 1");
  tight.constraints.upper = 1;
  tight.constraints.lower = 0.06;  // 20 × 0.06 > 1
  expect_error([&] { min_volatility(m.mu, m.cov, tight); }, "cannot sum to 1");
  // Target volatility below the minimum.
  expect_error([&] { efficient_risk(m.mu, m.cov, 0.1, lo); }, "below the minimum volatility");
  // Non-PSD covariance.
  MatrixXd bad = m.cov;
  bad(0, 1) = bad(1, 0) = 10.0;
  expect_error([&] { min_volatility(m.mu, bad, lo); }, "fix_nonpositive_semidefinite");
  // Sizes.
  expect_error([&] { min_volatility(m.mu.head(19), m.cov, lo); }, "size mismatch");
  // NaN.
  VectorXd mun = m.mu;
  mun[3] = std::nan("");
  expect_error([&] { max_sharpe(mun, m.cov, lo); }, "NaN");
  MatrixXd covn = m.cov;
  covn(2, 2) = std::nan("");
  expect_error([&] { min_volatility(m.mu, covn, lo); }, "NaN");
  // Infeasible sectors.
  PortfolioOptions sec = lo;
  sec.constraints.sectors.push_back({"a", {0, 1}, 0.8, kInf});
  sec.constraints.sectors.push_back({"b", {2, 3}, 0.8, kInf});
  expect_error([&] { min_volatility(m.mu, m.cov, sec); }, "infeasible");
  // Options.
  PortfolioOptions neg = lo;
  neg.l2_gamma = -1;
  expect_error([&] { min_volatility(m.mu, m.cov, neg); }, "l2_gamma");
  expect_error([&] { max_quadratic_utility(m.mu, m.cov, 0.0, lo); }, "risk aversion");
  PortfolioOptions mn = lo;
  mn.constraints.market_neutral = true;
  mn.constraints.lower = -1;
  expect_error([&] { max_sharpe(m.mu, m.cov, mn); }, "market-neutral");
  PortfolioOptions badw = lo;
  badw.w_prev = VectorXd::Zero(3);
  expect_error([&] { min_volatility(m.mu, m.cov, badw); }, "w_prev");
}

}  // namespace
