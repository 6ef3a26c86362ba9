#pragma once
// Branch and bound for cardinality and minimum-holding constraints (portfolio.hpp,
// CardinalityOptions); internal to adamant::finance.

#include <functional>
#include <string>

#include "adamant/finance/portfolio.hpp"

namespace adamant::finance::detail {

/// Solves one problem (min_volatility, max_sharpe, ...) for the options given — the caller's
/// options with the per-asset bounds of a node and no cardinality constraints. Throws
/// InfeasibleError when the node has no feasible portfolio. `explain`: the error may spend time
/// explaining why (only the root's error reaches the user).
using NodeSolver = std::function<PortfolioResult(const PortfolioOptions&, bool explain)>;

/// The best portfolio with at most o.cardinality.max_assets assets held, each with
/// |wᵢ| ≥ o.cardinality.min_weight, by best-first branch and bound over `solve` (options already
/// validated, n assets). PortfolioResult::nodes, bound, gap and optimal report the search.
PortfolioResult branch_and_bound(const char* problem, int n, const PortfolioOptions& o,
                                 const NodeSolver& solve);

}  // namespace adamant::finance::detail
