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
};

/// Solves the QP. `start`: a point to begin from (used directly when feasible within the
/// tolerance, else the starting guess of phase 1; nullptr: 0). Throws std::invalid_argument when
/// the problem or options are invalid; infeasible / unbounded are reported in status.
QpResult solve_qp(const QpProblem& problem, const ActiveSetOptions& options = {},
                  const Eigen::VectorXd* start = nullptr);

}  // namespace adamant::finance
