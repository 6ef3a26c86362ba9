// solve_structured_qp (finance/qp.hpp) against the dense solve_qp on the same problem written out
// in general form (to_general), on random problems with every feature the portfolio problems use
// — bounds (some at ±∞ or equal), a budget, general inequality and equality rows, ℓ1 kinks —
// including degenerate and infeasible ones; warm starts; the parametric derivative dx/dc.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "adamant/finance/portfolio.hpp"
#include "adamant/finance/qp.hpp"

namespace {

using namespace adamant::finance;
using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr double kInf = std::numeric_limits<double>::infinity();

struct Features {
  bool rows = false, equality_row = false, kinks = false, wide_bounds = false;
};

StructuredQpProblem random_problem(std::mt19937_64& gen, int n, Features f) {
  std::normal_distribution<double> nd;
  std::uniform_real_distribution<double> ud;
  StructuredQpProblem p;
  const MatrixXd A = MatrixXd::NullaryExpr(n, n, [&] { return nd(gen); });
  p.H = A * A.transpose() / n + 0.02 * MatrixXd::Identity(n, n);
  p.c = 0.3 * VectorXd::NullaryExpr(n, [&] { return nd(gen); });
  p.a = VectorXd::Ones(n);
  p.b = 1;
  p.lower = VectorXd::Zero(n);
  p.upper = VectorXd::Constant(n, 0.5);
  if (f.wide_bounds)
    for (int i = 0; i < n; ++i) {
      const double r = ud(gen);
      p.lower[i] = r < 0.2 ? -kInf : -0.3;
      p.upper[i] = r > 0.8 ? kInf : 0.6;
      if (r > 0.45 && r < 0.5) p.lower[i] = p.upper[i] = 0.05;  // fixed
    }
  const int m = f.rows ? 3 : 0;
  p.R = MatrixXd::Zero(m + (f.equality_row ? 1 : 0), n);
  p.r_lower = VectorXd::Constant(p.R.rows(), -kInf);
  p.r_upper = VectorXd::Constant(p.R.rows(), kInf);
  for (int j = 0; j < m; ++j) {  // sector-like sums over a third of the assets
    for (int i = j; i < n; i += 3) p.R(j, i) = 1;
    p.r_lower[j] = j == 1 ? -kInf : 0.15 + 0.1 * ud(gen);
    p.r_upper[j] = j == 2 ? kInf : 0.45 + 0.1 * ud(gen);
  }
  if (f.equality_row) {  // a target return between the extremes
    const Eigen::Index j = p.R.rows() - 1;
    p.R.row(j) = 0.1 * VectorXd::NullaryExpr(n, [&] { return nd(gen); }).transpose();
    p.r_lower[j] = p.r_upper[j] = 0.02;
  }
  if (f.kinks) {
    p.kappa = 0.05 * VectorXd::NullaryExpr(n, [&] { return ud(gen); });
    p.kink = VectorXd::Constant(n, 1.0 / n);
    p.kink[0] = 0;  // a kink at the lower bound
  }
  return p;
}

// max violation of x's constraints (budget, bounds, rows).
double violation(const StructuredQpProblem& p, const VectorXd& x) {
  double v = p.a.size() ? std::abs(p.a.dot(x) - p.b) : 0.0;
  for (Eigen::Index i = 0; i < x.size(); ++i)
    v = std::max({v, p.lower[i] - x[i], x[i] - p.upper[i]});
  for (Eigen::Index j = 0; j < p.R.rows(); ++j) {
    const double r = p.R.row(j).dot(x);
    v = std::max({v, p.r_lower[j] - r, r - p.r_upper[j]});
  }
  return v;
}

// The KKT conditions of x with the solver's multipliers, recomputed here: stationarity with a
// subgradient of every variable's bound-and-ℓ1 cost, and the signs of the row multipliers.
double kkt_certificate(const StructuredQpProblem& p, const QpResult& r) {
  const Eigen::Index n = p.c.size();
  VectorXd g = p.H * r.x + p.c;
  if (p.a.size()) g -= r.y_eq[0] * p.a;
  if (p.R.rows()) g -= p.R.transpose() * r.z_in;
  double worst = violation(p, r.x);
  const double eps = 1e-12;
  for (Eigen::Index i = 0; i < n; ++i) {
    const double k = p.kappa.size() ? p.kappa[i] : 0.0, t = p.kappa.size() ? p.kink[i] : 0.0;
    // ν = −g must lie in ∂(ι_[l,u] + k|· − t|)(xᵢ) = [s⁻, s⁺].
    double sm = k == 0 ? 0.0 : (r.x[i] > t + eps ? k : -k);
    double sp = k == 0 ? 0.0 : (r.x[i] < t - eps ? -k : k);
    if (k > 0 && std::abs(r.x[i] - t) <= eps) sm = -k, sp = k;
    if (r.x[i] <= p.lower[i] + eps) sm = -kInf;
    if (r.x[i] >= p.upper[i] - eps) sp = kInf;
    const double nu = -g[i];
    worst = std::max({worst, sm - nu, nu - sp});
  }
  for (Eigen::Index j = 0; j < p.R.rows(); ++j) {
    if (p.r_lower[j] == p.r_upper[j]) continue;
    const double rj = p.R.row(j).dot(r.x);
    const double z = r.z_in[j];
    if (rj > p.r_lower[j] + 1e-10) worst = std::max(worst, z);   // not at the lower bound: z ≤ 0
    if (rj < p.r_upper[j] - 1e-10) worst = std::max(worst, -z);  // not at the upper: z ≥ 0
  }
  return worst;
}

void expect_same_optimum(const StructuredQpProblem& p, const QpResult& s, const QpResult& d,
                         const char* what) {
  ASSERT_EQ(d.status, QpStatus::kOptimal) << what;
  ASSERT_EQ(s.status, QpStatus::kOptimal) << what;
  const Eigen::Index n = p.c.size();
  const double fd = 0.5 * d.x.head(n).dot(p.H * d.x.head(n)) + p.c.dot(d.x.head(n)) +
                    (p.kappa.size() ? p.kappa.dot((d.x.head(n) - p.kink).cwiseAbs()) : 0.0);
  EXPECT_NEAR(s.objective, fd, 1e-10 * std::max(1.0, std::abs(fd))) << what;
  EXPECT_LE((s.x - d.x.head(n)).cwiseAbs().maxCoeff(), 1e-7) << what;  // H ≻ 0: unique x
  EXPECT_LE(s.kkt_residual, 1e-9) << what;
  EXPECT_LE(violation(p, s.x), 1e-10) << what;
  EXPECT_LE(violation(p, d.x.head(n)), 1e-10) << what << " (dense)";
}

TEST(StructuredQp, MatchesDenseSolverOnRandomProblems) {
  std::mt19937_64 gen(11);
  int n_fallback = 0, count = 0, dense_wrong = 0;
  for (int n : {4, 9, 16}) {
    for (int mask = 0; mask < 16; ++mask) {
      for (int rep = 0; rep < 4; ++rep) {
        const Features f{(mask & 1) != 0, (mask & 2) != 0, (mask & 4) != 0, (mask & 8) != 0};
        const StructuredQpProblem p = random_problem(gen, n, f);
        const QpResult d = solve_qp(p.to_general());
        if (d.status == QpStatus::kInfeasible) {
          const QpResult s = solve_structured_qp(p);
          if (s.status == QpStatus::kOptimal) {  // then the dense solver was wrong: certify
            EXPECT_LE(kkt_certificate(p, s), 1e-9) << n << " " << mask;
            ++dense_wrong;
          } else {
            EXPECT_EQ(s.status, QpStatus::kInfeasible) << n << " " << mask;
          }
          continue;
        }
        const QpResult s = solve_structured_qp(p);
        ASSERT_EQ(s.status, QpStatus::kOptimal);
        EXPECT_LE(kkt_certificate(p, s), 1e-9) << n << " " << mask;
        if (d.status != QpStatus::kOptimal || violation(p, d.x.head(n)) > 1e-10) {
          ++dense_wrong;  // solve_qp's own failures (closing note of issue 15)
          continue;
        }
        const std::string what = "n " + std::to_string(n) + " mask " + std::to_string(mask) +
                                 " rep " + std::to_string(rep);
        expect_same_optimum(p, s, d, what.c_str());
        n_fallback += s.fallback;
        ++count;
      }
    }
  }
  EXPECT_EQ(n_fallback, 0) << "of " << count;  // every random problem here is strictly convex
  EXPECT_GE(count, 150);                       // compared with the dense solver's optimum
  EXPECT_LE(dense_wrong, 8) << "dense reference failures";
}

TEST(StructuredQp, WarmStartFromANeighbouringSolutionGivesTheSameOptimum) {
  std::mt19937_64 gen(5);
  StructuredQpProblem p = random_problem(gen, 30, {true, false, true, false});
  const QpResult a = solve_structured_qp(p);
  ASSERT_EQ(a.status, QpStatus::kOptimal);
  p.c += 0.01 * VectorXd::Ones(30) - 0.02 * VectorXd::Unit(30, 3);
  const QpResult cold = solve_structured_qp(p);
  const QpResult warm = solve_structured_qp(p, {}, &a.x);
  ASSERT_EQ(warm.status, QpStatus::kOptimal);
  EXPECT_NEAR(warm.objective, cold.objective, 1e-12 * std::max(1.0, std::abs(cold.objective)));
  EXPECT_LE((warm.x - cold.x).cwiseAbs().maxCoeff(), 1e-9);
  EXPECT_LT(warm.iterations, cold.iterations);
}

TEST(StructuredQp, AWorkspaceAlongAPathGivesTheFreshSolvesOptima) {
  // A path of problems c + s·dc (rows, kinks, short positions), each warm-started from the last
  // with one workspace — reusing the factor of H and the previous free-set factor — against each
  // solved on its own; then a different H through the same workspace (detected, refactorised).
  std::mt19937_64 gen(21);
  for (const Features f : {Features{false, false, false, true}, Features{true, true, true, true}}) {
    StructuredQpProblem p = random_problem(gen, 40, f);
    const VectorXd c0 = p.c;
    const VectorXd dc =
        0.05 * VectorXd::NullaryExpr(40, [&] { return std::normal_distribution<>()(gen); });
    StructuredQpWorkspace ws;
    VectorXd x, dx, dx_fresh;
    int reused_work = 0, fresh_work = 0;
    for (int k = 0; k < 25; ++k) {
      p.c = c0 + k * dc;
      const QpResult a = solve_structured_qp(p, {}, k > 0 ? &x : nullptr, &dc, &dx, &ws);
      const QpResult b = solve_structured_qp(p, {}, nullptr, &dc, &dx_fresh);
      if (b.status != QpStatus::kOptimal) {
        EXPECT_NE(a.status, QpStatus::kOptimal) << k;
        break;
      }
      ASSERT_EQ(a.status, QpStatus::kOptimal) << k;
      EXPECT_NEAR(a.objective, b.objective, 1e-11 * std::max(1.0, std::abs(b.objective))) << k;
      EXPECT_LE((a.x - b.x).cwiseAbs().maxCoeff(), 1e-9) << k;
      if (!b.fallback && !a.fallback) {
        EXPECT_LE((dx - dx_fresh).cwiseAbs().maxCoeff(), 1e-8) << k;
      }
      EXPECT_LE(a.kkt_residual, 1e-9) << k;
      reused_work += a.iterations;
      fresh_work += b.iterations;
      x = a.x;
    }
    EXPECT_LT(reused_work, fresh_work);
    p.H *= 3;  // a new H in the same workspace
    p.c = c0;
    const QpResult a = solve_structured_qp(p, {}, &x, nullptr, nullptr, &ws);
    const QpResult b = solve_structured_qp(p);
    ASSERT_EQ(b.status, QpStatus::kOptimal);
    ASSERT_EQ(a.status, QpStatus::kOptimal);
    EXPECT_LE((a.x - b.x).cwiseAbs().maxCoeff(), 1e-9);
  }
}

TEST(StructuredQp, ParametricDerivativeMatchesFiniteDifferences) {
  std::mt19937_64 gen(8);
  for (int rep = 0; rep < 6; ++rep) {
    StructuredQpProblem p = random_problem(gen, 20, {rep % 2 == 0, rep % 3 == 0, rep >= 3, false});
    const VectorXd dc =
        VectorXd::NullaryExpr(20, [&] { return std::normal_distribution<>()(gen); });
    VectorXd dx;
    const QpResult r = solve_structured_qp(p, {}, nullptr, &dc, &dx);
    if (r.status != QpStatus::kOptimal) continue;
    const double h = 1e-7;
    StructuredQpProblem q = p;
    q.c += h * dc;
    const QpResult r2 = solve_structured_qp(q, {}, &r.x);
    ASSERT_EQ(r2.status, QpStatus::kOptimal);
    // Within one affine piece of the solution path (h small enough not to cross a breakpoint).
    EXPECT_LE(((r2.x - r.x) / h - dx).cwiseAbs().maxCoeff(), 1e-5) << rep;
  }
}

TEST(StructuredQp, ReportsInfeasibleRows) {
  std::mt19937_64 gen(3);
  StructuredQpProblem p = random_problem(gen, 9, {true, false, false, false});
  // Two disjoint thirds of the assets each summing to ≥ 0.6 cannot meet the budget of 1.
  p.r_lower[0] = p.r_lower[2] = 0.6;
  p.r_upper[0] = 1.0;
  EXPECT_EQ(solve_qp(p.to_general()).status, QpStatus::kInfeasible);
  EXPECT_EQ(solve_structured_qp(p).status, QpStatus::kInfeasible);
}

TEST(StructuredQp, TargetAtTheEdgeOfTheFeasibleRange) {
  // Budget 1, 0 ≤ x ≤ 1, μᵀx = max μ exactly: only the vertex at the best asset is feasible.
  StructuredQpProblem p;
  const int n = 6;
  p.H = MatrixXd::Identity(n, n);
  p.c = VectorXd::Zero(n);
  p.a = VectorXd::Ones(n);
  p.b = 1;
  p.lower = VectorXd::Zero(n);
  p.upper = VectorXd::Ones(n);
  p.R = MatrixXd(1, n);
  p.R << 0.1, 0.2, 0.05, 0.3, 0.15, 0.25;
  p.r_lower = p.r_upper = VectorXd::Constant(1, 0.3);
  const QpResult r = solve_structured_qp(p);
  ASSERT_EQ(r.status, QpStatus::kOptimal);
  EXPECT_NEAR(r.x[3], 1.0, 1e-12);
  EXPECT_NEAR(r.x.sum(), 1.0, 1e-14);
}

TEST(StructuredQp, SingularHessianFallsBackToTheDenseSolver) {
  std::mt19937_64 gen(4);
  StructuredQpProblem p = random_problem(gen, 8, {true, false, false, false});
  p.H.setZero();  // an LP
  const QpResult d = solve_qp(p.to_general());
  const QpResult s = solve_structured_qp(p);
  ASSERT_EQ(s.status, QpStatus::kOptimal);
  EXPECT_TRUE(s.fallback);
  EXPECT_NEAR(s.objective, d.objective, 1e-12);
}

TEST(StructuredQp, RejectsInvalidProblems) {
  StructuredQpProblem p;
  p.H = MatrixXd::Identity(2, 2);
  p.c = VectorXd::Zero(2);
  p.lower = VectorXd::Zero(2);
  p.upper = VectorXd::Ones(2);
  p.R = MatrixXd::Ones(1, 2);
  p.r_lower = VectorXd::Constant(1, 1.0);
  p.r_upper = VectorXd::Constant(1, 0.5);
  try {
    solve_structured_qp(p);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("row 0"), std::string::npos) << e.what();
  }
  p.r_upper[0] = 2;
  p.kappa = VectorXd::Constant(2, -1.0);
  p.kink = VectorXd::Zero(2);
  EXPECT_THROW(solve_structured_qp(p), std::invalid_argument);
}

}  // namespace

// Every portfolio objective × every constraint kind through the structured path agrees with
// the dense path (exploit_bounds = false: the general-form QP, ℓ1 split, homogenised max Sharpe).
TEST(StructuredQp, EveryPortfolioProblemMatchesTheDensePath) {
  const int n = 24;
  std::mt19937_64 gen(21);
  std::normal_distribution<double> nd;
  MatrixXd B = MatrixXd::NullaryExpr(n, 4, [&] { return 0.2 * nd(gen); });
  B.col(0).array() += 1.0;
  MatrixXd S = 0.03 * B * B.transpose();
  for (int i = 0; i < n; ++i) S(i, i) += 0.02 + 0.01 * (i % 5);
  const VectorXd mu = VectorXd::NullaryExpr(n, [&] { return 0.08 + 0.05 * nd(gen); });
  struct Case {
    const char* name;
    PortfolioOptions o;
  };
  std::vector<Case> cases;
  cases.push_back({"long-only", {}});
  Case bounds{"per-asset bounds", {}};
  bounds.o.constraints.lower_bounds = VectorXd::Constant(n, -0.05);
  bounds.o.constraints.upper_bounds = VectorXd::Constant(n, 0.12);
  bounds.o.constraints.upper_bounds[3] = 0.01;
  cases.push_back(bounds);
  Case sectors{"sectors", {}};
  sectors.o.constraints.upper = 0.3;
  sectors.o.constraints.sectors = {{"a", {0, 1, 2, 3, 4, 5}, 0.2, 0.35},
                                   {"b", {6, 7, 8, 9, 10, 11}, 0.0, 0.15},
                                   {"c", {12, 13, 14}, 0.1, kInf}};
  cases.push_back(sectors);
  Case l2{"L2", {}};
  l2.o.l2_gamma = 0.05;
  cases.push_back(l2);
  Case l1{"L1 costs", {}};
  l1.o.l1_kappa = 0.002;
  l1.o.w_prev = VectorXd::Constant(n, 1.0 / n);
  l1.o.w_prev[0] = 0.2;
  l1.o.w_prev[1] = 0;
  cases.push_back(l1);
  Case neutral{"market-neutral", {}};
  neutral.o.constraints.market_neutral = true;
  neutral.o.constraints.lower = -0.2;
  neutral.o.constraints.upper = 0.2;
  cases.push_back(neutral);
  for (const Case& c : cases) {
    PortfolioOptions fast = c.o, dense = c.o;
    dense.active_set.exploit_bounds = false;
    auto same = [&](const PortfolioResult& a, const PortfolioResult& b, const char* obj) {
      EXPECT_LT((a.weights - b.weights).cwiseAbs().maxCoeff(), 1e-8) << c.name << " " << obj;
      EXPECT_LT(a.kkt_residual, 1e-9) << c.name << " " << obj;
    };
    const bool neutral_case = c.o.constraints.market_neutral;
    if (!neutral_case) same(min_volatility(mu, S, fast), min_volatility(mu, S, dense), "min vol");
    same(max_quadratic_utility(mu, S, 2.5, fast), max_quadratic_utility(mu, S, 2.5, dense),
         "utility");
    const double r_mid = neutral_case ? 0.01 : 0.09;
    same(efficient_return(mu, S, r_mid, fast), efficient_return(mu, S, r_mid, dense), "return");
    if (!neutral_case && c.o.l1_kappa == 0 && c.o.l2_gamma == 0)
      same(max_sharpe(mu, S, fast), max_sharpe(mu, S, dense), "max sharpe");
    if (!neutral_case) {
      const double sig = 1.2 * min_volatility(mu, S, fast).volatility;
      const PortfolioResult a = efficient_risk(mu, S, sig, fast);
      const PortfolioResult b = efficient_risk(mu, S, sig, dense);
      EXPECT_LT((a.weights - b.weights).cwiseAbs().maxCoeff(), 1e-7) << c.name << " risk";
    }
  }
}

// An 8-factor covariance 0.01·BBᵀ + D (market exposure around 1) drawn from gen.
MatrixXd factor_covariance(int n, std::mt19937_64& gen) {
  std::normal_distribution<double> nd;
  MatrixXd B = MatrixXd::NullaryExpr(n, 8, [&] { return 0.5 * nd(gen); });
  B.col(0).array() += 1;
  MatrixXd S = 0.01 * B * B.transpose();
  for (int i = 0; i < n; ++i) S(i, i) += 0.04 + 0.1 * std::abs(nd(gen));
  return S;
}

// A small H (utility at a low risk aversion) makes the unconstrained step H_FF⁻¹g large, and with
// it the rounding in the subproblem's solution: it must still be recognised as zero. Before, on
// this market-neutral problem the last free asset was "blocked" by a rounding-sized step, no asset
// was left free for the budget row, and the dense solver took over (about a minute at n = 400).
TEST(StructuredQp, SmallHessianMarketNeutralStaysOnTheStructuredPath) {
  const int n = 400;
  std::mt19937_64 gen(1);
  std::normal_distribution<double> nd;
  const MatrixXd S = factor_covariance(n, gen);
  StructuredQpProblem p;
  p.H = 1e-4 * S;
  p.c = -VectorXd::NullaryExpr(n, [&] { return 0.08 + 0.05 * nd(gen); });
  p.a = VectorXd::Ones(n);
  p.b = 0;
  p.lower = VectorXd::Constant(n, -0.1);
  p.upper = VectorXd::Constant(n, 0.1);
  const QpResult r = solve_structured_qp(p);
  ASSERT_EQ(r.status, QpStatus::kOptimal);
  EXPECT_FALSE(r.fallback);
  EXPECT_LE(r.kkt_residual, 1e-12);
  EXPECT_LE(kkt_certificate(p, r), 1e-12);
}

// With short positions allowed the solver starts from the projected minimiser over the budget
// (and equality) rows, not from a vertex: its free set is nearly the optimal one, so the work is
// a few working-set changes instead of one per held asset (a vertex start needs ≥ n/2 here).
TEST(StructuredQp, ShortPositionsStartNearTheOptimalFreeSet) {
  const int n = 200;
  std::mt19937_64 gen(2);
  std::normal_distribution<double> nd;
  const MatrixXd S = factor_covariance(n, gen);
  StructuredQpProblem p;
  p.H = 2 * S;
  p.c = VectorXd::Zero(n);
  p.a = VectorXd::Ones(n);
  p.b = 1;
  p.lower = VectorXd::Constant(n, -0.05);
  p.upper = VectorXd::Constant(n, 0.1);
  const QpResult r = solve_structured_qp(p);
  ASSERT_EQ(r.status, QpStatus::kOptimal);
  EXPECT_FALSE(r.fallback);
  EXPECT_LE(kkt_certificate(p, r), 1e-12);
  int inside = 0;
  for (int i = 0; i < n; ++i) inside += r.x[i] > p.lower[i] && r.x[i] < p.upper[i];
  EXPECT_GE(inside, n / 2);         // many assets held strictly inside their bounds …
  EXPECT_LE(r.iterations, n / 10);  // … yet few working-set changes
}
