// solve_bounded_qp: the bound-constrained QP, solved by solve_structured_qp (structured_qp.cpp)
// with its results in to_general()'s numbering.
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "adamant/finance/qp.hpp"

namespace adamant::finance {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr double kInf = std::numeric_limits<double>::infinity();

// Rows of to_general(): index of the lower row and of the upper row of each variable (−1: none).
void bound_rows(const BoundedQpProblem& p, std::vector<int>& lo_row, std::vector<int>& hi_row) {
  const Index n = p.c.size();
  lo_row.assign(static_cast<std::size_t>(n), -1);
  hi_row.assign(static_cast<std::size_t>(n), -1);
  int r = 0;
  for (Index i = 0; i < n; ++i) {
    if (std::isfinite(p.lower[i])) lo_row[static_cast<std::size_t>(i)] = r++;
    if (std::isfinite(p.upper[i])) hi_row[static_cast<std::size_t>(i)] = r++;
  }
}

}  // namespace

std::string BoundedQpProblem::validate() const {
  const Index n = c.size();
  std::ostringstream os;
  if (n == 0) return "BoundedQpProblem: no variables (c is empty)";
  if (H.rows() != n || H.cols() != n)
    os << "BoundedQpProblem: H is " << H.rows() << "×" << H.cols() << ", expected " << n << "×"
       << n;
  else if (A_eq.rows() > 0 && A_eq.cols() != n)
    os << "BoundedQpProblem: A_eq has " << A_eq.cols() << " columns, expected " << n;
  else if (A_eq.rows() != b_eq.size())
    os << "BoundedQpProblem: A_eq has " << A_eq.rows() << " rows but b_eq " << b_eq.size()
       << " entries";
  else if (lower.size() != n || upper.size() != n)
    os << "BoundedQpProblem: lower/upper have " << lower.size() << "/" << upper.size()
       << " entries, expected " << n;
  else if (!H.allFinite() || !c.allFinite() || !A_eq.allFinite() || !b_eq.allFinite())
    os << "BoundedQpProblem: non-finite entry (NaN or ±Inf) in H, c, A_eq or b_eq";
  else if ((H - H.transpose()).cwiseAbs().maxCoeff() >
           1e-12 * std::max(1.0, H.cwiseAbs().maxCoeff()))
    os << "BoundedQpProblem: H is not symmetric";
  else
    for (Index i = 0; i < n; ++i)
      if (std::isnan(lower[i]) || std::isnan(upper[i]) || lower[i] == kInf || upper[i] == -kInf ||
          lower[i] > upper[i]) {
        os << "BoundedQpProblem: invalid bounds for variable " << i << ": [" << lower[i] << ", "
           << upper[i] << "]";
        break;
      }
  return os.str();
}

QpProblem BoundedQpProblem::to_general() const {
  const Index n = c.size();
  QpProblem q;
  q.H = H;
  q.c = c;
  q.A_eq = A_eq.rows() > 0 ? A_eq : MatrixXd(0, n);
  q.b_eq = b_eq;
  Index rows = 0;
  for (Index i = 0; i < n; ++i) rows += std::isfinite(lower[i]) + std::isfinite(upper[i]);
  q.A_in = MatrixXd::Zero(rows, n);
  q.b_in = VectorXd::Zero(rows);
  Index r = 0;
  for (Index i = 0; i < n; ++i) {
    if (std::isfinite(lower[i])) {
      q.A_in(r, i) = 1;
      q.b_in[r++] = lower[i];
    }
    if (std::isfinite(upper[i])) {
      q.A_in(r, i) = -1;
      q.b_in[r++] = -upper[i];
    }
  }
  return q;
}

QpResult solve_bounded_qp(const BoundedQpProblem& p, const ActiveSetOptions& options,
                          const VectorXd* start) {
  if (auto m = p.validate(); !m.empty()) throw std::invalid_argument(m);
  if (auto m = options.validate(); !m.empty()) throw std::invalid_argument(m);
  const Index n = p.c.size(), m = p.A_eq.rows();
  if (start && start->size() != n)
    throw std::invalid_argument("solve_bounded_qp: start has the wrong size");
  if (m > 1) {
    // Several equality rows: from a feasible start only (as documented); else the dense solver
    // with its phase 1.
    double viol = (p.A_eq * (start ? *start : VectorXd::Zero(n)) - p.b_eq).cwiseAbs().maxCoeff();
    if (start)
      for (Index i = 0; i < n; ++i)
        viol = std::max({viol, p.lower[i] - (*start)[i], (*start)[i] - p.upper[i]});
    const double scale =
        std::max({1.0, p.b_eq.cwiseAbs().maxCoeff(), p.A_eq.cwiseAbs().maxCoeff()}) *
        std::max(1.0, start ? start->cwiseAbs().maxCoeff() : 0.0);
    if (!start || viol > options.tolerance * scale) {
      QpResult r = solve_qp(p.to_general(), options, start);
      r.fallback = true;
      return r;
    }
  }
  // The first equality row is the structured problem's budget row, the others its equality rows.
  StructuredQpProblem sp;
  sp.H = p.H;
  sp.c = p.c;
  if (m > 0) {
    sp.a = p.A_eq.row(0).transpose();
    sp.b = p.b_eq[0];
  }
  sp.lower = p.lower;
  sp.upper = p.upper;
  sp.R = m > 1 ? MatrixXd(p.A_eq.bottomRows(m - 1)) : MatrixXd(0, n);
  sp.r_lower = sp.r_upper = m > 1 ? VectorXd(p.b_eq.tail(m - 1)) : VectorXd(0);
  QpResult r = solve_structured_qp(sp, options, start);
  // Multipliers in to_general()'s numbering: the equality rows, then one per finite bound,
  // zᵢ = ±(Hx + c − A_eqᵀy)ᵢ on the variables at a bound (+ lower, − upper).
  VectorXd y(m);
  if (m > 0) y[0] = r.y_eq.size() ? r.y_eq[0] : 0.0;
  if (m > 1) y.tail(m - 1) = r.z_in;
  r.y_eq = y;
  std::vector<int> lo_row, hi_row;
  bound_rows(p, lo_row, hi_row);
  Index rows = 0;
  for (Index i = 0; i < n; ++i) rows += std::isfinite(p.lower[i]) + std::isfinite(p.upper[i]);
  r.z_in = VectorXd::Zero(rows);
  r.active.clear();
  if (r.status != QpStatus::kOptimal) return r;
  VectorXd stat = p.H * r.x + p.c;
  if (m > 0) stat.noalias() -= p.A_eq.transpose() * y;
  for (Index i = 0; i < n; ++i) {
    const auto si = static_cast<std::size_t>(i);
    const bool at_lo = r.x[i] == p.lower[i], at_hi = r.x[i] == p.upper[i];
    if (!at_lo && !at_hi) continue;
    // For lower == upper the row whose multiplier is ≥ 0 is the active one.
    const bool lower_row = at_lo && at_hi ? stat[i] >= 0 : at_lo;
    const int row = lower_row ? lo_row[si] : hi_row[si];
    r.z_in[row] = lower_row ? stat[i] : -stat[i];
    r.active.push_back(row);
  }
  std::sort(r.active.begin(), r.active.end());
  r.duality_gap = 0;  // fixed variables sit exactly at their bounds
  return r;
}

}  // namespace adamant::finance
