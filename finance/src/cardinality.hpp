#pragma once
// Branch and bound for cardinality and minimum-holding constraints (portfolio.hpp,
// CardinalityOptions); internal to adamant::finance.

#include <functional>
#include <string>

#include <Eigen/Dense>

#include "adamant/finance/portfolio.hpp"

namespace adamant::finance::detail {

/// Solves one problem (min_volatility, max_sharpe, ...) for the options given — the caller's
/// options with the per-asset bounds of a node and no cardinality constraints. Throws
/// InfeasibleError when the node has no feasible portfolio. `explain`: the error may spend time
/// explaining why (only the root's error reaches the user). `cov_add`: when not null, solve with
/// the covariance Σ + diag(cov_add) instead (the perspective bound below; only problems that
/// declare a PerspectiveTerm are asked to).
using NodeSolver = std::function<PortfolioResult(const PortfolioOptions&, bool explain,
                                                 const Eigen::VectorXd* cov_add)>;

/// The part of the objective the perspective bound may move: with s the objective's coefficient
/// of wᵀΣw (min_volatility 1, utility δ/2) and d ≤ λ_min(Σ), the term
/// coefficient · Σᵢ wᵢ² (coefficient = s·d + γ, γ the L2 weight) becomes coefficient · Σᵢ wᵢ²/zᵢ
/// with zᵢ ∈ [0, 1] the relaxed indicator of holding asset i, Σzᵢ ≤ K (Frangioni & Gentile 2006,
/// "Perspective cuts for a class of convex 0–1 mixed integer programs", Math. Programming 106).
/// coefficient = 0: no such term (max_sharpe, efficient_risk).
struct PerspectiveTerm {
  double coefficient = 0;
  double cov_scale = 1;  ///< s
};

/// The best portfolio with at most o.cardinality.max_assets assets held, each with
/// |wᵢ| ≥ o.cardinality.min_weight, by best-first branch and bound over `solve` (options already
/// validated, n assets). PortfolioResult::nodes, bound, gap and optimal report the search.
PortfolioResult branch_and_bound(const char* problem, int n, const PortfolioOptions& o,
                                 const NodeSolver& solve, PerspectiveTerm perspective = {});

}  // namespace adamant::finance::detail
