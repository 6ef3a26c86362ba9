// Cardinality and minimum-holding constraints (CardinalityOptions, portfolio.hpp): branch and
// bound against brute-force enumeration of every support (and, with short positions, every sign
// pattern) on small random factor-model problems, for every objective and constraint kind; limits,
// errors and the reported gap.
#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "adamant/finance/frontier.hpp"
#include "adamant/finance/portfolio.hpp"
#include "finance_test_util.hpp"

namespace {

using namespace adamant::finance;
using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr double kInf = std::numeric_limits<double>::infinity();

struct Market {
  VectorXd mu;
  MatrixXd cov;
};

// Σ = BBᵀ + D with 3 factors, μ spread around 8 %: correlated assets, so the best supports are
// not simply the best single assets.
Market random_market(int n, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> nd;
  const MatrixXd B = 0.12 * MatrixXd::NullaryExpr(n, 3, [&] { return nd(gen); });
  Market m;
  m.cov = B * B.transpose();
  for (int i = 0; i < n; ++i) m.cov(i, i) += 0.01 + 0.03 * std::abs(nd(gen));
  m.mu = VectorXd::NullaryExpr(n, [&] { return 0.08 + 0.05 * nd(gen); });
  return m;
}

using Problem = std::function<PortfolioResult(const PortfolioOptions&)>;

// The best objective over every support of at most K assets (each held at least w_min, in every
// sign its bounds allow), by solving the problem with the other assets fixed at 0.
double brute_force(int n, const PortfolioOptions& o, const Problem& solve, VectorXd* best_w) {
  const int K = o.cardinality.max_assets > 0 ? o.cardinality.max_assets : n;
  const double wmin = o.cardinality.min_weight;
  const VectorXd lo = o.constraints.lower_vector(n), hi = o.constraints.upper_vector(n);
  double best = kInf;
  // state per asset: 0 out, 1 long, 2 short
  std::vector<int> st(static_cast<std::size_t>(n), 0);
  std::function<void(int, int)> rec = [&](int i, int held) {
    if (i == n) {
      PortfolioOptions p = o;
      p.cardinality = CardinalityOptions{};
      p.constraints.lower_bounds.resize(n);
      p.constraints.upper_bounds.resize(n);
      for (int j = 0; j < n; ++j) {
        double l = 0, h = 0;
        if (st[static_cast<std::size_t>(j)] == 1) {
          l = std::max(lo[j], wmin);
          h = hi[j];
          if (wmin == 0) l = lo[j];
        } else if (st[static_cast<std::size_t>(j)] == 2) {
          l = lo[j];
          h = std::min(hi[j], -wmin);
        } else if (!(lo[j] <= 0 && hi[j] >= 0)) {
          return;  // cannot be out
        }
        if (l > h) return;
        p.constraints.lower_bounds[j] = l;
        p.constraints.upper_bounds[j] = h;
      }
      if (p.constraints.lower_bounds.sum() > p.constraints.target_sum() + 1e-12 ||
          p.constraints.upper_bounds.sum() < p.constraints.target_sum() - 1e-12)
        return;
      try {
        const PortfolioResult r = solve(p);
        if (r.objective < best) {
          best = r.objective;
          if (best_w) *best_w = r.weights;
        }
      } catch (const InfeasibleError&) {
      }
      return;
    }
    st[static_cast<std::size_t>(i)] = 0;
    rec(i + 1, held);
    if (held < K) {
      st[static_cast<std::size_t>(i)] = 1;
      rec(i + 1, held + 1);
      if (wmin > 0 && lo[i] < 0) {  // a separate short piece only with a minimum holding
        st[static_cast<std::size_t>(i)] = 2;
        rec(i + 1, held + 1);
      }
    }
    st[static_cast<std::size_t>(i)] = 0;
  };
  rec(0, 0);
  return best;
}

void expect_limits(const VectorXd& w, const CardinalityOptions& c) {
  int held = 0;
  for (Eigen::Index i = 0; i < w.size(); ++i) {
    if (w[i] == 0) continue;
    ++held;
    EXPECT_GE(std::abs(w[i]), c.min_weight - 1e-12) << "asset " << i;
  }
  if (c.max_assets > 0) {
    EXPECT_LE(held, c.max_assets);
  }
}

// Branch and bound reaches the enumerated optimum, proves it, and satisfies every constraint.
void expect_matches_enumeration(int n, const PortfolioOptions& o, const Problem& solve,
                                const std::string& what) {
  SCOPED_TRACE(what);
  VectorXd wb;
  const double best = brute_force(n, o, solve, &wb);
  ASSERT_TRUE(std::isfinite(best)) << "no feasible support: the test problem is wrong";
  const PortfolioResult r = solve(o);
  EXPECT_TRUE(r.optimal);
  EXPECT_GT(r.nodes, 0);
  EXPECT_LE(r.gap, o.cardinality.gap_tolerance);
  EXPECT_LE(r.bound, r.objective + 1e-15);
  EXPECT_NEAR(r.objective, best, 1e-9 * std::max(1.0, std::abs(best)))
      << "branch and bound " << r.weights.transpose() << "\nenumeration " << wb.transpose();
  expect_limits(r.weights, o.cardinality);
  adamant::finance::test::expect_feasible(r.weights, o.constraints, 1e-9);
}

PortfolioOptions with_limits(int K, double wmin) {
  PortfolioOptions o;
  o.cardinality.max_assets = K;
  o.cardinality.min_weight = wmin;
  o.cardinality.time_limit = kInf;
  return o;
}

struct Objectives {
  Market m;
  double target_return = 0, target_vol = 0;
  std::vector<std::pair<std::string, Problem>> all() const {
    const Market& mk = m;
    const double tr = target_return, tv = target_vol;
    return {
        {"min_volatility",
         [&mk](const PortfolioOptions& o) { return min_volatility(mk.mu, mk.cov, o); }},
        {"max_sharpe", [&mk](const PortfolioOptions& o) { return max_sharpe(mk.mu, mk.cov, o); }},
        {"max_quadratic_utility",
         [&mk](const PortfolioOptions& o) { return max_quadratic_utility(mk.mu, mk.cov, 4.0, o); }},
        {"efficient_return",
         [&mk, tr](const PortfolioOptions& o) { return efficient_return(mk.mu, mk.cov, tr, o); }},
        {"efficient_risk",
         [&mk, tv](const PortfolioOptions& o) { return efficient_risk(mk.mu, mk.cov, tv, o); }},
    };
  }
};

// Targets inside every support's reach: a return between the mean and the best asset, a
// volatility above the cardinality-constrained minimum.
Objectives objectives(int n, unsigned seed, const PortfolioOptions& o) {
  Objectives ob;
  ob.m = random_market(n, seed);
  ob.target_return = 0.5 * (ob.m.mu.mean() + ob.m.mu.maxCoeff());
  PortfolioOptions mv = o;
  mv.l1_kappa = mv.l2_gamma = 0;
  // (a market-neutral minimum is 0: then a volatility a few assets reach)
  ob.target_vol = std::max(1.3 * min_volatility(ob.m.mu, ob.m.cov, mv).volatility, 0.1);
  return ob;
}

TEST(Cardinality, EveryObjectiveLongOnlyMatchesEnumeration) {
  const int n = 12;
  for (const auto& [K, wmin] : std::vector<std::pair<int, double>>{{3, 0.0}, {4, 0.1}, {0, 0.15}}) {
    const PortfolioOptions o = with_limits(K, wmin);
    const Objectives ob = objectives(n, 11, o);
    for (const auto& [name, solve] : ob.all())
      expect_matches_enumeration(
          n, o, solve, name + " K=" + std::to_string(K) + " wmin=" + std::to_string(wmin));
  }
}

TEST(Cardinality, SixteenAssetsMatchEnumeration) {
  const int n = 16;
  const PortfolioOptions o = with_limits(4, 0.05);
  const Objectives ob = objectives(n, 5, o);
  for (const auto& [name, solve] : ob.all()) {
    if (name == "min_volatility" || name == "max_sharpe")
      expect_matches_enumeration(n, o, solve, name);
  }
}

TEST(Cardinality, EveryConstraintKindMatchesEnumeration) {
  constexpr int n = 9;
  struct Case {
    std::string name;
    std::function<void(PortfolioOptions&)> set;
    bool sharpe = true;  // max_sharpe defined
  };
  const std::vector<Case> cases = {
      {"sectors",
       [](PortfolioOptions& o) {
         o.constraints.sectors = {{"a", {0, 1, 2, 3}, 0.2, 0.6}, {"b", {4, 5, 6}, -kInf, 0.3}};
       }},
      {"per-asset bounds",
       [](PortfolioOptions& o) {
         o.constraints.lower_bounds = VectorXd::Zero(n);
         o.constraints.upper_bounds = VectorXd::LinSpaced(n, 0.3, 0.7);
       }},
      {"short positions",
       [](PortfolioOptions& o) {
         o.constraints.lower = -0.3;
         o.constraints.upper = 0.6;
       }},
      {"market neutral",
       [](PortfolioOptions& o) {
         o.constraints.lower = -0.5;
         o.constraints.upper = 0.5;
         o.constraints.market_neutral = true;
       },
       false},
      {"L2", [](PortfolioOptions& o) { o.l2_gamma = 0.05; }, false},
      {"L1 costs",
       [](PortfolioOptions& o) {
         o.l1_kappa = 0.002;
         o.w_prev = VectorXd::Constant(n, 1.0 / n);
       },
       false},
  };
  for (const Case& c : cases) {
    PortfolioOptions o = with_limits(3, 0.08);
    c.set(o);
    const Objectives ob = objectives(n, 23, o);
    for (const auto& [name, solve] : ob.all()) {
      if (name == "max_sharpe" && !c.sharpe) continue;
      if (name == "efficient_return" && c.name == "market neutral") continue;  // tested below
      expect_matches_enumeration(n, o, solve, c.name + ": " + name);
    }
  }
  // Market-neutral efficient return: a target that the 3-asset supports reach.
  PortfolioOptions o = with_limits(3, 0.08);
  o.constraints.lower = -0.5;
  o.constraints.upper = 0.5;
  o.constraints.market_neutral = true;
  const Market m = random_market(n, 23);
  expect_matches_enumeration(
      n, o, [&m](const PortfolioOptions& p) { return efficient_return(m.mu, m.cov, 0.02, p); },
      "market neutral: efficient_return");
}

TEST(Cardinality, TiesAndAssetsAtBothBounds) {
  // Duplicated assets (exact ties between supports) and bounds that pin assets: the search must
  // still prove the enumerated optimum.
  const int n = 10;
  Market m = random_market(n, 3);
  for (int i = 5; i < n; ++i) {  // assets 5..9 copy 0..4 (plus a little idiosyncratic risk)
    m.mu[i] = m.mu[i - 5];
    m.cov.row(i) = m.cov.row(i - 5);
    m.cov.col(i) = m.cov.col(i - 5);
    m.cov(i, i) = m.cov(i - 5, i - 5) + 1e-4;
  }
  m.cov = 0.5 * (m.cov + m.cov.transpose()).eval();
  PortfolioOptions o = with_limits(3, 0.1);
  o.constraints.lower_bounds = VectorXd::Zero(n);
  o.constraints.upper_bounds = VectorXd::Constant(n, 0.6);
  o.constraints.lower_bounds[2] = 0.2;  // asset 2 must be held
  o.constraints.upper_bounds[7] = 0.0;  // asset 7 cannot be
  const PortfolioResult r = min_volatility(m.mu, m.cov, o);
  EXPECT_GE(r.weights[2], 0.2 - 1e-12);
  EXPECT_EQ(r.weights[7], 0.0);
  expect_matches_enumeration(
      n, o, [&m](const PortfolioOptions& p) { return min_volatility(m.mu, m.cov, p); }, "ties");
  expect_matches_enumeration(
      n, o, [&m](const PortfolioOptions& p) { return max_sharpe(m.mu, m.cov, p); }, "ties sharpe");
}

TEST(Cardinality, WithoutLimitsNothingChanges) {
  const Market m = random_market(8, 1);
  const PortfolioResult r = min_volatility(m.mu, m.cov);
  EXPECT_EQ(r.nodes, 0);
  EXPECT_TRUE(r.optimal);
  EXPECT_EQ(r.gap, 0);
  EXPECT_EQ(r.bound, r.objective);
}

TEST(Cardinality, NodeLimitReportsTheGap) {
  const int n = 40;
  const Market m = random_market(n, 9);
  PortfolioOptions o = with_limits(5, 0.02);
  const PortfolioResult full = min_volatility(m.mu, m.cov, o);
  ASSERT_TRUE(full.optimal);
  ASSERT_GT(full.nodes, 3) << "the problem is too easy to test a limit";
  o.cardinality.max_nodes = 3;
  const PortfolioResult r = min_volatility(m.mu, m.cov, o);
  EXPECT_LE(r.nodes, 3);
  expect_limits(r.weights, o.cardinality);
  EXPECT_GE(r.objective, full.objective - 1e-12);
  EXPECT_LE(r.bound, full.objective + 1e-12);  // a valid lower bound
  if (r.optimal) {
    EXPECT_NEAR(r.objective, full.objective, 1e-9 * full.objective);
  } else {
    EXPECT_GT(r.gap, 0);
    EXPECT_NEAR(r.gap, (r.objective - r.bound) / r.objective, 1e-12);
  }
  // The same limit gives the same numbers.
  const PortfolioResult again = min_volatility(m.mu, m.cov, o);
  EXPECT_EQ(again.weights, r.weights);
  EXPECT_EQ(again.nodes, r.nodes);
}

TEST(Cardinality, ProgressIsReported) {
  const Market m = random_market(20, 4);
  PortfolioOptions o = with_limits(3, 0.05);
  int calls = 0;
  BranchProgress last;
  o.cardinality.progress = [&](const BranchProgress& p) {
    ++calls;
    last = p;
  };
  const PortfolioResult r = min_volatility(m.mu, m.cov, o);
  EXPECT_GE(calls, 1);
  EXPECT_EQ(last.nodes, r.nodes);
  EXPECT_EQ(last.incumbent, r.objective);
}

TEST(Cardinality, ImpossibleLimitsAreClearErrors) {
  const Market m = random_market(6, 2);
  // Two assets of at most 0.4 cannot hold a budget of 1.
  PortfolioOptions o = with_limits(2, 0.0);
  o.constraints.upper = 0.4;
  try {
    min_volatility(m.mu, m.cov, o);
    FAIL() << "expected InfeasibleError";
  } catch (const InfeasibleError& e) {
    EXPECT_NE(std::string(e.what()).find("at most 2 assets"), std::string::npos) << e.what();
  }
  // A minimum holding above every upper bound and above 0 in the lower ones.
  o = with_limits(0, 0.5);
  o.constraints.lower = 0.1;
  o.constraints.upper = 0.3;
  EXPECT_THROW(min_volatility(m.mu, m.cov, o), InfeasibleError);
  // More assets forced in (lower bounds > 0) than max_assets.
  o = with_limits(2, 0.0);
  o.constraints.lower = 0.05;
  EXPECT_THROW(min_volatility(m.mu, m.cov, o), InfeasibleError);

  auto expect_invalid = [&m](const PortfolioOptions& p, const std::string& needle) {
    try {
      min_volatility(m.mu, m.cov, p);
      FAIL() << "expected std::invalid_argument naming " << needle;
    } catch (const InfeasibleError& e) {
      FAIL() << "got InfeasibleError " << e.what();
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  o = with_limits(-1, 0);
  expect_invalid(o, "max_assets");
  o = with_limits(7, 0);
  expect_invalid(o, "max_assets");
  o = with_limits(2, std::nan(""));
  expect_invalid(o, "min_weight");
  o = with_limits(2, 0);
  o.cardinality.time_limit = 0;
  expect_invalid(o, "time_limit");
  o = with_limits(2, 0);
  o.solver = PortfolioSolver::kAdam;
  expect_invalid(o, "exact solver");
  FrontierOptions fo;
  fo.portfolio = with_limits(2, 0);
  EXPECT_THROW(efficient_frontier(m.mu, m.cov, fo), std::invalid_argument);
}

}  // namespace
