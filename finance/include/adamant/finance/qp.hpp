#pragma once
// A dense primal active-set solver for convex quadratic programs — the exact reference solver
// of the portfolio problems (portfolio.hpp):
//
//   minimise ½ xᵀHx + cᵀx   s.t.   A_eq x = b_eq,   A_in x ≥ b_in,        H symmetric PSD.
//
// Method: Nocedal & Wright, "Numerical Optimization" (2nd ed.), Algorithm 16.3. From a feasible
// x with a working set W of linearly independent active constraints, solve the equality-
// constrained subproblem min ½pᵀHp + gᵀp s.t. A_W p = 0 (g = Hx + c) through its KKT system
//   [H  A_Wᵀ; A_W  0] [p; −λ] = [−g; 0]
// (full-pivoting LU). p = 0: when every inequality multiplier λ_i ≥ 0 the point is optimal
// (KKT: Hx + c = A_eqᵀy + A_inᵀz, z ≥ 0, z_i (a_iᵀx − b_i) = 0); else the inequality with the most
// negative λ leaves W. p ≠ 0: step x ← x + αp with the largest α ≤ 1 keeping feasibility; a
// blocking constraint joins W. H only PSD (LPs, ℓ1 splits): when the KKT matrix is singular and
// −g is not in its range, a kernel vector (p₀, ν₀) has Hp₀ = 0, A_W p₀ = 0 and gᵀp₀ ≠ 0, so
// the objective decreases linearly along ∓p₀; the solver moves to the first blocking
// constraint (none: the QP is unbounded below).
// Phase 1 (when no feasible start is given): the elastic LP min Σ s s.t. A_eq x + s⁺ − s⁻ = b_eq,
// A_in x + s_in ≥ b_in, s ≥ 0, solved by the same iteration from an obviously feasible point;
// a positive optimum means the constraints are inconsistent (status kInfeasible).
// In exact arithmetic the method terminates in finitely many steps with the exact optimum
// (no degeneracy cycling); results here are exact to rounding.
//
// solve_structured_qp / solve_bounded_qp: the same method specialised to QPs whose inequalities
// are simple bounds (plus, for solve_structured_qp, a few general rows and ℓ1 kinks, below),
//   minimise ½xᵀHx + cᵀx   s.t.   A_eq x = b_eq,   lᵢ ≤ xᵢ ≤ uᵢ   (±∞ allowed),
// the form of every box-and-budget portfolio problem. A bound in the working set fixes its
// variable, so the equality-constrained subproblem lives on the free set F only:
//   minimise ½p_Fᵀ H_FF p_F + g_Fᵀp_F   s.t.   A_F p_F = 0,
// solved by the range-space (Schur complement) method (Nocedal & Wright §16.2, eq. 16.16):
//   y = (A_F H_FF⁻¹ A_Fᵀ)⁻¹ A_F H_FF⁻¹ g_F,   p_F = H_FF⁻¹ (A_Fᵀ y − g_F),
// with a Cholesky factor H_FF = L Lᵀ that is updated, not recomputed, when the free set changes:
// a freed variable appends a row (one triangular solve, O(k²)); a variable fixed at a bound
// deletes a row and column, after which the trailing block is restored by the rank-one update
// L₃₃' L₃₃'ᵀ = L₃₃ L₃₃ᵀ + l₃₂ l₃₂ᵀ (Golub & Van Loan, "Matrix Computations", §6.5.4 / Gill,
// Golub, Murray & Saunders 1974), O(k²). Multipliers of the fixed variables are
// zᵢ = ±(gᵢ − a_iᵀy) (+ at a lower bound, − at an upper one). Per iteration the cost is O(k² +
// n·k) for k free variables, against O((n + m)³) for the dense KKT LU above.
// Starting point (no feasible `start`, one equality row aᵀx = b): a vertex of the feasible set.
// Every variable sits at a finite bound (a variable with none is free); then, in increasing
// order of H_ii / a_i², variables move to their opposite bound until aᵀx = b, the last one
// partially (it stays free). For a minimum-variance portfolio this starts from the lowest-
// variance assets and frees assets one at a time, so the work grows with the size of the
// optimal support, not with n.
// Exactness: the final point is re-checked with a freshly computed gradient, and its KKT
// residual is verified; the dense solve_qp takes over (warm-started at the current feasible
// point, QpResult::fallback = true) whenever this specialisation cannot proceed exactly: H_FF
// not numerically positive definite (PSD-only H, LPs), A_F rank-deficient, several equality
// rows without a feasible start (solve_bounded_qp), or a final KKT residual above
// 1e3·tolerance (scaled). solve_bounded_qp is solve_structured_qp with the first equality row as
// the budget row and the others as equality rows, its multipliers given in to_general()'s
// numbering.

#include <Eigen/Dense>
#include <string>
#include <vector>

namespace adamant::finance {

struct QpProblem {
  Eigen::MatrixXd H;     ///< n × n, symmetric positive semidefinite
  Eigen::VectorXd c;     ///< n
  Eigen::MatrixXd A_eq;  ///< m_eq × n (0 rows: none)
  Eigen::VectorXd b_eq;
  Eigen::MatrixXd A_in;  ///< m_in × n; rows are constraints a_iᵀx ≥ b_i
  Eigen::VectorXd b_in;
  /// "" when the sizes agree and every entry is finite, else what is wrong.
  std::string validate() const;
};

struct ActiveSetOptions {
  int max_iterations = 10000;  ///< working-set changes, phase 1 included
  double tolerance = 1e-12;    ///< relative: activity of constraints, step and λ signs
  /// Portfolio problems (portfolio.hpp) are solved by solve_structured_qp when true (default);
  /// false forces the dense solve_qp on their general form. Both are exact; solve_qp itself
  /// ignores this field.
  bool exploit_bounds = true;
  /// "" when valid, else a message naming the offending option.
  std::string validate() const;
};

enum class QpStatus { kOptimal, kInfeasible, kUnbounded, kIterationLimit };
const char* to_string(QpStatus s);

struct QpResult {
  Eigen::VectorXd x;
  Eigen::VectorXd y_eq;  ///< multipliers of the equalities
  Eigen::VectorXd z_in;  ///< multipliers of the inequalities (≥ 0 at the optimum)
  double objective = 0;
  int iterations = 0;
  QpStatus status = QpStatus::kIterationLimit;
  /// max(‖Hx + c − A_eqᵀy − A_inᵀz‖∞, max primal violation, max(−z, 0)).
  double kkt_residual = 0;
  /// |Σ z_i (a_iᵀx − b_i)| — the duality gap of a convex QP at a primal-dual feasible pair.
  double duality_gap = 0;
  std::vector<int> active;  ///< inequality indices in the final working set
  /// solve_bounded_qp / solve_structured_qp: true when the dense solve_qp finished the solve.
  bool fallback = false;
};

/// Solves the QP. `start`: a point to begin from (used directly when feasible within the
/// tolerance, else the starting guess of phase 1; nullptr: 0). Throws std::invalid_argument when
/// the problem or options are invalid; infeasible / unbounded are reported in status.
QpResult solve_qp(const QpProblem& problem, const ActiveSetOptions& options = {},
                  const Eigen::VectorXd* start = nullptr);

/// minimise ½xᵀHx + cᵀx s.t. A_eq x = b_eq, lower ≤ x ≤ upper (entries may be ±∞).
struct BoundedQpProblem {
  Eigen::MatrixXd H;     ///< n × n, symmetric positive semidefinite
  Eigen::VectorXd c;     ///< n
  Eigen::MatrixXd A_eq;  ///< m_eq × n (0 rows: none)
  Eigen::VectorXd b_eq;
  Eigen::VectorXd lower;  ///< n; −∞ for no lower bound
  Eigen::VectorXd upper;  ///< n; +∞ for no upper bound
  /// "" when the sizes agree, H, c, A_eq, b_eq are finite, H is symmetric and no lowerᵢ > upperᵢ
  /// (or lowerᵢ = +∞, upperᵢ = −∞, NaN), else what is wrong.
  std::string validate() const;
  /// The same problem for solve_qp: for i = 0 … n−1 in turn, the row xᵢ ≥ lowerᵢ (when finite)
  /// and then the row −xᵢ ≥ −upperᵢ (when finite). QpResult::z_in / active of solve_bounded_qp
  /// use this row numbering.
  QpProblem to_general() const;
};

/// Solves the bound-constrained QP by the specialised active-set method above. `start`: a
/// feasible point to warm-start from (variables exactly at a bound start fixed there); nullptr
/// or an infeasible start: the vertex crash (one equality row) or, with several equality rows,
/// the dense solver with its phase 1. Same result conventions as solve_qp on to_general().
/// Throws std::invalid_argument when the problem or options are invalid.
QpResult solve_bounded_qp(const BoundedQpProblem& problem, const ActiveSetOptions& options = {},
                          const Eigen::VectorXd* start = nullptr);

/// The portfolio QP in its natural structure (solve_structured_qp):
///   minimise ½xᵀHx + cᵀx + Σᵢ κᵢ|xᵢ − tᵢ|
///   s.t.     aᵀx = b (one "budget" row; a empty: none),   lᵢ ≤ xᵢ ≤ uᵢ,   rlo_j ≤ R_j x ≤ rhi_j,
/// with a few general rows R (sectors, a target return: equality when rlo_j = rhi_j) and ℓ1
/// kinks at t (transaction costs against previous weights) kept as what they are instead of
/// being expanded into dense inequality rows and split variables.
struct StructuredQpProblem {
  Eigen::MatrixXd H;  ///< n × n, symmetric positive semidefinite
  Eigen::VectorXd c;  ///< n
  Eigen::VectorXd a;  ///< n, or empty: no budget row
  double b = 0;
  Eigen::VectorXd lower, upper;      ///< n each; ±∞ allowed
  Eigen::MatrixXd R;                 ///< m × n general rows (m may be 0)
  Eigen::VectorXd r_lower, r_upper;  ///< m each; ±∞ allowed; equal: an equality row
  Eigen::VectorXd kappa;             ///< n ℓ1 weights ≥ 0, or empty: no ℓ1 term
  Eigen::VectorXd kink;              ///< n kink points tᵢ (with kappa)
  /// "" when the sizes agree and the entries are valid, else what is wrong.
  std::string validate() const;
  /// The same problem for solve_qp (variables x, then u⁺, u⁻ ≥ 0 with x − u⁺ + u⁻ = t when
  /// there are kinks; rows: the budget, equality rows, then bound rows xᵢ ≥ lᵢ, −xᵢ ≥ −uᵢ, then
  /// general rows R_j x ≥ rlo_j, −R_j x ≥ −rhi_j, then u± ≥ 0).
  QpProblem to_general() const;
};

/// See solve_structured_qp. Opaque to callers: default-construct one and pass it to every call.
struct StructuredQpWorkspace {
  Eigen::VectorXd h_diagonal;          ///< diagonal of the H the factor belongs to
  Eigen::MatrixXd L;                   ///< lower Cholesky factor of H (empty: not computed)
  bool not_positive_definite = false;  ///< H's factorisation failed (no factor)
  bool h_checked = false;              ///< H validated (finite, symmetric) by an earlier call
  /// false: L serves one call only, and the solver may take it over instead of copying it.
  bool keep_factor = true;
  /// The last optimal call's free-set factor (leading k × k) and its free variables in factor
  /// order: the next call, warm-started near that solution, updates it instead of factorising.
  Eigen::MatrixXd free_L;
  std::vector<Eigen::Index> free_set;
};

/// Solves the structured QP by a primal active-set method on the free variables: the working
/// set fixes variables at a bound or at their kink and holds the budget row and the general rows
/// that sit at one of their bounds; the equality-constrained subproblem on the free set is
/// solved by the range-space method of solve_bounded_qp (a Cholesky factor of H_FF updated as
/// variables are freed and fixed; the Schur complement of the few active rows formed anew each
/// iteration). General rows start as an exact ℓ1 penalty M·dist(R_j x, [rlo_j, rhi_j]) (M raised
/// until no row is violated: exact once M exceeds the rows' multipliers), so no feasible start is
/// needed for them. The start is `start` when that is feasible for the box and the budget
/// (variables exactly at a bound or kink start fixed there: warm starts along a path of
/// problems); else, when some lower bound is negative and the budget row is all ones (short
/// positions), the minimiser over the budget and equality rows projected onto box ∩ budget; else
/// a vertex of box ∩ budget (the crash described above). Cost per working-set change O(k² + nk +
/// k²m_W) for k free variables and m_W active rows.
/// Result: QpResult with y_eq = {multiplier of the budget row}, z_in = the multipliers of the
/// general rows (νⱼ: ≥ 0 at the lower bound, ≤ 0 at the upper, signed so that
/// Hx + c + κ∘sᵢ − a·y − Rᵀν − (bound multipliers) = 0 with sᵢ ∈ ∂|xᵢ − tᵢ|), kkt_residual the
/// residual of those conditions. When a subproblem is not strictly convex on the free set
/// (singular H, LPs) or the final KKT check fails, solve_qp on to_general() takes over
/// (fallback = true). Status kInfeasible when no x satisfies the constraints.
/// `dx_dc`: when not null, the derivative of the solution x with respect to s along the
/// direction `dc` of a perturbation c + s·dc, on the final working set (the solution path of a
/// parametric problem is affine in s between working-set changes); `dc` must be given with it.
/// NaN when the solve did not end optimal in the structured method (infeasible, fallback).
/// `workspace`: when not null, state kept between calls on the same H (a path of problems that
/// differ in c, bounds or rows, such as max_sharpe's): the Cholesky factor of the whole H,
/// computed once, from which each call's free-set factor is derived. The caller keeps H unchanged
/// while it reuses a workspace (a changed diagonal is detected and the factor recomputed).
QpResult solve_structured_qp(const StructuredQpProblem& problem,
                             const ActiveSetOptions& options = {},
                             const Eigen::VectorXd* start = nullptr,
                             const Eigen::VectorXd* dc = nullptr, Eigen::VectorXd* dx_dc = nullptr,
                             StructuredQpWorkspace* workspace = nullptr);

}  // namespace adamant::finance
