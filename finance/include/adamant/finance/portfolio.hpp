#pragma once
// Mean-variance portfolio problems (Markowitz 1952) and two solvers for them.
//
// Problems, over weights w ∈ ℝⁿ, with expected returns μ and covariance Σ (annualised):
//   min_volatility         min  wᵀΣw + R(w)
//   max_quadratic_utility  min  −μᵀw + (δ/2) wᵀΣw + R(w)                  (risk aversion δ > 0)
//   efficient_return       min  wᵀΣw + R(w)          s.t. μᵀw = r*          (target return r*)
//   efficient_risk         max  μᵀw − R(w)           s.t. √(wᵀΣw) ≤ σ*      (target volatility)
//   max_sharpe             max  (μᵀw − r_f) / √(wᵀΣw)                        (risk-free rate r_f)
// with R(w) = γ‖w‖₂² + κ‖w − w_prev‖₁ (L2 regularisation, ℓ1 transaction costs), all over the
// feasible set C of PortfolioConstraints:
//   Σw = b (budget; 1 by default, 0 market-neutral),  loᵢ ≤ wᵢ ≤ hiᵢ (±∞ allowed),
//   lo_g ≤ Σ_{i∈g} wᵢ ≤ hi_g for each sector g.
//
// Solvers (PortfolioOptions::solver):
//  * kActiveSet — exact. With ActiveSetOptions::exploit_bounds on (default) every problem goes
//    through solve_structured_qp of qp.hpp: a primal active set that keeps a Cholesky factor of Σ
//    over the free assets only (O(k² + nk) per working-set change for k free assets), with
//    sectors and efficient_return's μᵀw = r* as general rows and ℓ1 costs as kinks at w_prev
//    (KKT-verified; it hands over to the dense solver when Σ is singular on the free set).
//    min_volatility, utility and efficient_return are one such QP. max_sharpe follows the path of
//    utility problems min wᵀΣw − tμᵀw: between working-set changes w(t) is affine and the
//    tangency condition t·(μᵀw − r_f b) = 2wᵀΣw is linear in t, so each step jumps to its root on
//    the current piece (bracketed) until the root lies on the piece it was computed from; a step
//    crosses at most 8 of the piece's breakpoints (assets reaching a bound), and the solves share
//    one StructuredQpWorkspace, so each updates the previous free-set factor.
//    efficient_risk by bisection on δ of the utility problem, warm-started: on the efficient
//    frontier the volatility σ(δ) of the utility optimum is continuous and non-increasing in δ and
//    the KKT conditions of efficient_risk are those of the utility problem with δ = 2λ (λ the
//    multiplier of the risk constraint), so bisection on log δ until |σ(δ) − σ*| ≤ 1e-13 σ* (or δ
//    is bracketed to machine precision) solves it exactly to ~1e-12; when even the max-return
//    portfolio (δ → 0; without L2 reached by the search itself below δ = 1e-15) has σ ≤ σ*, the
//    risk constraint is inactive and that portfolio is returned. With exploit_bounds off: the
//    dense solve_qp (Nocedal & Wright, Alg. 16.3) on the general form (ℓ1 costs by the split
//    w = w_prev + u⁺ − u⁻, u± ≥ 0), and max_sharpe by the convex reformulation of Cornuejols &
//    Tütüncü ("Optimization Methods in Finance", 2007, §8.2), as PyPortfolioOpt does:
//    min yᵀΣy s.t. (μ − r_f)ᵀy = 1, Σy = bκ, κ ≥ 0, loᵢκ ≤ yᵢ ≤ hiᵢκ, lo_gκ ≤ Σ_g y ≤ hi_gκ,
//    then w = y/κ (also used when Σ is singular on the free set).
//  * kAdam — the core Adam family (adamant::core::Optimizer<double> with AdamOptions) as a
//    projected / proximal method. With f the smooth part and h = κ‖· − w_prev‖₁ + ι_C, each
//    iteration forms the gradient mapping G = (w − prox_{ηh}(w − η∇f(w))) / η (Beck 2017,
//    "First-Order Methods in Optimization", §10.3; G = 0 exactly at a KKT point of the problem),
//    takes an Adam step on G (with an exponentially decaying learning rate, restarted when it has
//    decayed), and projects the result back onto C exactly. The returned weights are
//    prox_{ηh}(w − η∇f(w)) at the last iterate, so they are feasible to rounding. Stops when
//    η‖G‖∞ ≤ tolerance. Exact maps used:
//      - C = box ∩ {Σw = b} (no sectors, no extra equality): the O(n log n) breakpoint projection
//        of core/projection.hpp, and for κ > 0 the exact prox of κ‖· − w_prev‖₁ + ι_C by the
//        same breakpoint search (prox_l1_box_hyperplane);
//      - otherwise (sectors; efficient_return's μᵀw = r*): the projection QP
//        min ½‖x − z‖² s.t. x ∈ C solved exactly by the active-set solver, warm-started at the
//        current (feasible) iterate. ℓ1 costs are then not supported by kAdam
//        (std::invalid_argument; use kActiveSet).
//    max_sharpe under kAdam minimises −Sharpe(w) over C directly: on {μᵀw > r_f} it is a ratio of
//    an affine function to a convex positive one, hence pseudoconvex, so every KKT point is the
//    global optimum (Mangasarian 1969). efficient_risk always uses the exact path (its result
//    names the solver actually used).
//
// Errors: std::invalid_argument (InfeasibleError for infeasible problems) naming the problem:
// sizes that do not match, NaN/Inf in μ or Σ, Σ not symmetric or not PSD (suggesting
// finance::fix_nonpositive_semidefinite), bounds that cannot sum to the budget, a target return
// outside [min, max] achievable, a target volatility below the minimum volatility, no asset
// beating r_f in max_sharpe, an unbounded Sharpe ratio (a singular Σ with a feasible portfolio of
// volatility below 1e-7 × the largest asset volatility and a positive excess return), invalid
// options.
// Sources: Markowitz (1952); Cornuejols & Tütüncü (2007); Nocedal & Wright (2006) ch. 16; Held,
// Wolfe & Crowder (1974); Duchi et al. (2008); Kingma & Ba (2015); PyPortfolioOpt's conventions
// (efficient_frontier.py, objective_functions.py) for the problem definitions.

#include <Eigen/Dense>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "adamant/core/rules.hpp"
#include "adamant/finance/qp.hpp"

namespace adamant::finance {

/// Thrown when a problem has no feasible (or no meaningful) solution.
class InfeasibleError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// lower ≤ Σ_{i ∈ assets} wᵢ ≤ upper.
struct SectorConstraint {
  std::string name;
  std::vector<int> assets;  ///< indices into w, each once
  double lower = -std::numeric_limits<double>::infinity();
  double upper = std::numeric_limits<double>::infinity();
};

struct PortfolioConstraints {
  /// Σw = budget (default 1: fully invested).
  double budget = 1.0;
  /// true: Σw = 0 instead of the budget (dollar-neutral long/short).
  bool market_neutral = false;
  /// Bounds for every asset when lower_bounds / upper_bounds are empty. Default long-only
  /// [0, 1]; ±∞ for no bound.
  double lower = 0.0;
  double upper = 1.0;
  /// Per-asset bounds (n entries each) overriding lower / upper when non-empty.
  Eigen::VectorXd lower_bounds, upper_bounds;
  std::vector<SectorConstraint> sectors;

  /// Long-only: 0 ≤ wᵢ ≤ 1, Σw = 1.
  static PortfolioConstraints long_only();
  /// No bounds on the weights (PyPortfolioOpt's weight_bounds=(None, None)), Σw = 1.
  static PortfolioConstraints unbounded();
  /// "" when consistent for n assets, else what is wrong.
  std::string validate(int n) const;
  /// Σw on the hyperplane: 0 when market_neutral, else budget.
  double target_sum() const { return market_neutral ? 0.0 : budget; }
  Eigen::VectorXd lower_vector(int n) const;
  Eigen::VectorXd upper_vector(int n) const;
};

enum class PortfolioSolver { kActiveSet, kAdam };

struct AdamSolverOptions {
  /// Adam's hyper-parameters (float64). lr is the initial learning rate, in weight units.
  core::AdamOptions adam = default_adam();
  /// Learning rate × lr_decay each step (core::Schedule::exponential); when it falls below
  /// restart_lr the Adam state and schedule restart from the current iterate.
  double lr_decay = 0.9985;
  double restart_lr = 1e-13;
  int max_iterations = 200000;
  /// Stop when η‖G‖∞ ≤ tolerance (the proximal-gradient step, in weight units).
  double tolerance = 1e-12;
  std::string validate() const;
  static core::AdamOptions default_adam() {
    core::AdamOptions o;
    o.lr = 1e-2;
    return o;
  }
};

/// Cardinality and minimum-holding constraints (PortfolioOptions::cardinality): at most
/// max_assets weights are non-zero, and every non-zero weight has |wᵢ| ≥ min_weight. Solved
/// exactly by branch and bound over the exact solver (finance/src/cardinality.cpp): each node
/// fixes some assets out (wᵢ = 0) and some in (wᵢ ≥ min_weight, or ≤ −min_weight for a short
/// position) and solves the problem with the other assets' bounds relaxed to their convex hull
/// and the count dropped, a lower bound on every portfolio below it. Nodes are taken best bound
/// first; a node is pruned when its bound is within gap_tolerance of the best portfolio found.
/// Every problem (min_volatility, max_sharpe, max_quadratic_utility, efficient_return,
/// efficient_risk) and every constraint kind takes them; the exact solver only (kActiveSet).
/// The state of a branch-and-bound search, for a progress display.
struct BranchProgress {
  long nodes = 0;        ///< relaxations solved so far
  long open = 0;         ///< nodes waiting
  double incumbent = 0;  ///< objective of the best portfolio found (+∞: none yet)
  double bound = 0;      ///< best proven lower bound
  double seconds = 0;    ///< elapsed
};

struct CardinalityOptions {
  int max_assets = 0;     ///< K ≥ 1; 0: no limit on the number of assets held
  double min_weight = 0;  ///< w_min ≥ 0 for every held asset's |wᵢ|; 0: none
  /// Wall-clock limit of the search in seconds (+∞: none). When it is reached the best portfolio
  /// found is returned with the proven gap (PortfolioResult::gap, optimal = false); the result
  /// then depends on the machine's speed — max_nodes is the reproducible limit.
  double time_limit = 60;
  long max_nodes = 0;  ///< 0: no limit on nodes solved
  /// Stop (proven optimal) when incumbent − bound ≤ gap_tolerance · max(|incumbent|, 1e-12).
  double gap_tolerance = 1e-9;
  /// |wᵢ| ≤ hold_tolerance counts as not held when a relaxation is checked (the portfolio
  /// returned is re-solved on its support, so its zeros are exact).
  double hold_tolerance = 1e-10;
  /// Called about once a second during the search and once at its end (none: silent).
  std::function<void(const BranchProgress&)> progress;
  bool active() const { return max_assets > 0 || min_weight > 0; }
  /// "" when valid for n assets, else a message naming the offending option.
  std::string validate(int n) const;
};

struct PortfolioOptions {
  PortfolioSolver solver = PortfolioSolver::kActiveSet;
  PortfolioConstraints constraints;  ///< default: long-only, Σw = 1
  double l2_gamma = 0.0;             ///< γ ≥ 0 in γ‖w‖²
  double l1_kappa = 0.0;             ///< κ ≥ 0 in κ‖w − w_prev‖₁
  Eigen::VectorXd w_prev;            ///< previous weights (n; empty = 0) for the ℓ1 costs
  double risk_free_rate = 0.02;      ///< for the reported Sharpe ratio and max_sharpe
  /// Exact solver: weights to start from (n entries; empty: a vertex of the box and budget).
  /// Used when they satisfy the bounds and the budget; assets exactly at a bound or at w_prev
  /// start fixed there, so the solution of a neighbouring problem (the previous point of a
  /// frontier, the previous rebalance) is a warm start. Any start gives the same optimum.
  Eigen::VectorXd start;
  ActiveSetOptions active_set;
  AdamSolverOptions adam;
  CardinalityOptions cardinality;  ///< none by default
  /// "" when valid for n assets, else a message naming the offending option.
  std::string validate(int n) const;
};

struct PortfolioResult {
  std::string problem;  ///< "min_volatility", "max_sharpe", ...
  std::string solver;   ///< "active_set" or "adam"
  Eigen::VectorXd weights;
  double expected_return = 0;  ///< μᵀw
  double volatility = 0;       ///< √(wᵀΣw)
  double sharpe = 0;           ///< (μᵀw − r_f) / volatility
  double objective = 0;        ///< the minimised objective (negated for max problems)
  int iterations = 0;
  bool converged = false;
  /// Active set: KKT residual of the final QP (qp.hpp). Adam: η‖G‖∞ at the end.
  double kkt_residual = 0;
  double duality_gap = 0;  ///< active set only
  /// Branch and bound (cardinality constraints): nodes whose relaxation was solved, the best
  /// proven lower bound on `objective`, the relative gap (objective − bound) / |objective| and
  /// whether the search proved the portfolio optimal (gap ≤ gap_tolerance). Without cardinality
  /// constraints: 0, objective, 0, true.
  long nodes = 0;
  double bound = 0;
  double gap = 0;
  bool optimal = true;
};

struct Performance {
  double expected_return = 0;
  double volatility = 0;
  double sharpe = 0;
};
/// (wᵀμ, √(wᵀΣw), (wᵀμ − r_f)/√(wᵀΣw)) as PyPortfolioOpt's portfolio_performance.
Performance portfolio_performance(const Eigen::VectorXd& w, const Eigen::VectorXd& mu,
                                  const Eigen::MatrixXd& cov, double risk_free_rate = 0.02);

PortfolioResult min_volatility(const Eigen::VectorXd& mu, const Eigen::MatrixXd& cov,
                               const PortfolioOptions& options = {});
PortfolioResult max_sharpe(const Eigen::VectorXd& mu, const Eigen::MatrixXd& cov,
                           const PortfolioOptions& options = {});
PortfolioResult max_quadratic_utility(const Eigen::VectorXd& mu, const Eigen::MatrixXd& cov,
                                      double risk_aversion, const PortfolioOptions& options = {});
PortfolioResult efficient_return(const Eigen::VectorXd& mu, const Eigen::MatrixXd& cov,
                                 double target_return, const PortfolioOptions& options = {});
PortfolioResult efficient_risk(const Eigen::VectorXd& mu, const Eigen::MatrixXd& cov,
                               double target_volatility, const PortfolioOptions& options = {});

/// Objectives and their gradients, for checks (finite differences) and custom solvers.
/// Quadratic: f(w) = ½wᵀQw + qᵀw + γ‖w‖² (the smooth parts above; κ-term excluded).
double quadratic_objective(const Eigen::MatrixXd& Q, const Eigen::VectorXd& q, double gamma,
                           const Eigen::VectorXd& w, Eigen::VectorXd* grad = nullptr);
/// f(w) = −(μᵀw − r_f)/√(wᵀΣw).
double negative_sharpe(const Eigen::VectorXd& mu, const Eigen::MatrixXd& cov, double rf,
                       const Eigen::VectorXd& w, Eigen::VectorXd* grad = nullptr);

/// [min, max] of μᵀw over the feasible set of `constraints` (±∞ when unbounded): without sectors
/// and with finite lower bounds a greedy fill in order of μ (exact, O(n log n)), else two LPs by
/// solve_qp. Throws InfeasibleError when the constraints are infeasible.
std::pair<double, double> attainable_return_range(const Eigen::VectorXd& mu,
                                                  const PortfolioConstraints& constraints,
                                                  const ActiveSetOptions& active_set = {});

/// The exact projection of z onto the feasible set C of `constraints` (n = z.size()): the
/// breakpoint method when C is box ∩ hyperplane, else the projection QP.
Eigen::VectorXd project_onto_constraints(const Eigen::VectorXd& z,
                                         const PortfolioConstraints& constraints);

}  // namespace adamant::finance
