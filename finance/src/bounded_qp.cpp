// solve_bounded_qp: the primal active-set method of qp.hpp specialised to simple bounds (free-set
// Cholesky with row append / delete + rank-one update, range-space subproblem solve).
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "adamant/finance/qp.hpp"
#include "qp_internal.hpp"

namespace adamant::finance {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr double kInf = std::numeric_limits<double>::infinity();

using detail::Var;

double feasibility_violation(const BoundedQpProblem& p, const VectorXd& x) {
  double v = 0;
  if (p.A_eq.rows() > 0) v = (p.A_eq * x - p.b_eq).cwiseAbs().maxCoeff();
  for (Index i = 0; i < x.size(); ++i) v = std::max({v, p.lower[i] - x[i], x[i] - p.upper[i]});
  return v;
}

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

QpResult dense_fallback(const BoundedQpProblem& p, const ActiveSetOptions& o, const VectorXd* x,
                        int iterations_so_far) {
  QpResult r = solve_qp(p.to_general(), o, x);
  r.iterations += iterations_so_far;
  r.fallback = true;
  return r;
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
  const double tol = options.tolerance;
  const MatrixXd A = m > 0 ? p.A_eq : MatrixXd(0, n);
  const double bscale = std::max(
      {1.0, m > 0 ? p.b_eq.cwiseAbs().maxCoeff() : 0.0, m > 0 ? A.cwiseAbs().maxCoeff() : 0.0});

  // ---- starting point and free set ----
  VectorXd x;
  std::vector<Var> st;
  if (start && feasibility_violation(p, *start) <=
                   tol * bscale * std::max(1.0, start->cwiseAbs().maxCoeff())) {
    x = *start;
    st.assign(static_cast<std::size_t>(n), Var::kFree);
    for (Index i = 0; i < n; ++i) {
      if (x[i] <= p.lower[i]) {
        x[i] = p.lower[i];
        st[static_cast<std::size_t>(i)] = Var::kLower;
      } else if (x[i] >= p.upper[i]) {
        x[i] = p.upper[i];
        st[static_cast<std::size_t>(i)] = Var::kUpper;
      }
    }
  } else if (m == 1) {
    if (!detail::crash_vertex(p.H.diagonal(), p.A_eq.row(0).transpose(), p.b_eq[0], p.lower,
                              p.upper, x, st)) {
      QpResult r;
      r.status = QpStatus::kInfeasible;
      r.x = x;
      return r;
    }
  } else {
    return dense_fallback(p, options, start, 0);
  }

  const double hmax = std::max(1e-300, p.H.diagonal().cwiseAbs().maxCoeff());
  const double min_pivot2 = 1e-12 * hmax;
  detail::FreeCholesky chol(n);
  std::vector<Index> F;  // free variables, in Cholesky order
  VectorXd h;
  for (Index i = 0; i < n; ++i) {
    if (st[static_cast<std::size_t>(i)] != Var::kFree) continue;
    h.resize(static_cast<Index>(F.size()));
    for (std::size_t j = 0; j < F.size(); ++j) h[static_cast<Index>(j)] = p.H(F[j], i);
    if (!chol.append(h, p.H(i, i), min_pivot2)) return dense_fallback(p, options, &x, 0);
    F.push_back(i);
  }

  VectorXd g = p.c;
  g.noalias() += p.H * x;  // GEMV: no thread-count dependence
  bool g_fresh = true;
  VectorXd y = VectorXd::Zero(m), u, gF, pF;
  MatrixXd V, AF, S;
  int it = 0;
  bool optimal = false;
  const double gate_scale = std::max(1.0, p.c.cwiseAbs().maxCoeff());

  while (it < options.max_iterations) {
    ++it;
    const Index k = static_cast<Index>(F.size());
    const double xscale = std::max(1.0, x.cwiseAbs().maxCoeff());
    {
      // Range-space solve of the subproblem on F.
      gF.resize(k);
      AF.resize(m, k);
      for (Index j = 0; j < k; ++j) {
        gF[j] = g[F[static_cast<std::size_t>(j)]];
        AF.col(j) = A.col(F[static_cast<std::size_t>(j)]);
      }
      u = gF;
      chol.solve_in_place(u);
      if (m > 0) {
        V = AF.transpose();
        for (Index c = 0; c < m; ++c) chol.solve_in_place(V.col(c));
        S = AF.lazyProduct(V);  // no GEMM: bits independent of threads
        Eigen::LLT<MatrixXd> ls(S);
        const double smax = std::max(1e-300, S.diagonal().maxCoeff());
        if (ls.info() != Eigen::Success ||
            ls.matrixL().toDenseMatrix().diagonal().minCoeff() <= 1e-7 * std::sqrt(smax))
          return dense_fallback(p, options, &x, it);  // A_F rank-deficient
        y = ls.solve(AF * u);
        pF.noalias() = V * y;
        pF -= u;
      } else {
        pF = -u;
      }
    }
    const bool p_zero = k == 0 || pF.cwiseAbs().maxCoeff() <= tol * xscale;
    if (!p_zero) {
      // Ratio test over the free variables.
      const double pmax = pF.cwiseAbs().maxCoeff();
      double alpha = 1.0;
      Index block = -1;
      Var block_to = Var::kFree;
      for (Index j = 0; j < k; ++j) {
        const Index i = F[static_cast<std::size_t>(j)];
        const double pj = pF[j];
        if (pj < -1e-14 * pmax && std::isfinite(p.lower[i])) {
          const double a = std::max(0.0, x[i] - p.lower[i]) / -pj;
          if (a < alpha) alpha = a, block = j, block_to = Var::kLower;
        } else if (pj > 1e-14 * pmax && std::isfinite(p.upper[i])) {
          const double a = std::max(0.0, p.upper[i] - x[i]) / pj;
          if (a < alpha) alpha = a, block = j, block_to = Var::kUpper;
        }
      }
      if (alpha > 0) {
        for (Index j = 0; j < k; ++j) {
          const Index i = F[static_cast<std::size_t>(j)];
          const double d = alpha * pF[j];
          x[i] += d;
          g.noalias() += d * p.H.col(i);
        }
        g_fresh = false;
      }
      if (block >= 0) {
        const Index i = F[static_cast<std::size_t>(block)];
        const double bound = block_to == Var::kLower ? p.lower[i] : p.upper[i];
        const double d = bound - x[i];
        x[i] = bound;
        if (d != 0) g.noalias() += d * p.H.col(i);
        st[static_cast<std::size_t>(i)] = block_to;
        chol.remove(block);
        F.erase(F.begin() + block);
        continue;
      }
      // Full step: g_F = A_Fᵀy now, the subproblem's solution is 0 and y stays.
    }
    // p = 0: multipliers of the fixed variables.
    const double zgate = -tol * std::max(gate_scale, g.cwiseAbs().maxCoeff());
    Index worst = -1;
    double wv = zgate;
    for (Index i = 0; i < n; ++i) {
      const Var s = st[static_cast<std::size_t>(i)];
      if (s == Var::kFree || p.lower[i] == p.upper[i]) continue;
      const double r = g[i] - (m > 0 ? A.col(i).dot(y) : 0.0);
      const double z = s == Var::kLower ? r : -r;
      if (z < wv) wv = z, worst = i;
    }
    if (worst < 0) {
      if (g_fresh) {
        optimal = true;
        break;
      }
      // Confirm with a gradient computed from scratch (the incremental one drifts by rounding).
      g = p.c;
      g.noalias() += p.H * x;
      g_fresh = true;
      continue;
    }
    h.resize(k);
    for (Index j = 0; j < k; ++j) h[j] = p.H(F[static_cast<std::size_t>(j)], worst);
    if (!chol.append(h, p.H(worst, worst), min_pivot2)) return dense_fallback(p, options, &x, it);
    F.push_back(worst);
    st[static_cast<std::size_t>(worst)] = Var::kFree;
  }

  QpResult res;
  res.x = x;
  res.iterations = it;
  res.status = optimal ? QpStatus::kOptimal : QpStatus::kIterationLimit;
  res.objective = 0.5 * x.dot(p.H * x) + p.c.dot(x);
  std::vector<int> lo_row, hi_row;
  bound_rows(p, lo_row, hi_row);
  const Index mi =
      static_cast<Index>(std::count_if(lo_row.begin(), lo_row.end(), [](int r) { return r >= 0; }) +
                         std::count_if(hi_row.begin(), hi_row.end(), [](int r) { return r >= 0; }));
  res.y_eq = VectorXd::Zero(m);
  res.z_in = VectorXd::Zero(mi);
  // Stationarity residual: g − Aᵀy on free variables; fixed variables carry z.
  VectorXd stat = g;
  if (m > 0) stat.noalias() -= A.transpose() * y;
  double kkt = 0;
  if (optimal) {
    res.y_eq = y;
    for (Index i = 0; i < n; ++i) {
      const Var s = st[static_cast<std::size_t>(i)];
      if (s == Var::kFree) continue;
      const double r = stat[i];
      const auto si = static_cast<std::size_t>(i);
      // For lower == upper the row whose multiplier is ≥ 0 is the active one.
      const bool lower_row = p.lower[i] == p.upper[i] ? r >= 0 : s == Var::kLower;
      const int row = lower_row ? lo_row[si] : hi_row[si];
      res.z_in[row] = lower_row ? r : -r;
      res.active.push_back(row);
      kkt = std::max(kkt, -res.z_in[row]);
      stat[i] = 0;
    }
    std::sort(res.active.begin(), res.active.end());
  }
  kkt = std::max(kkt, stat.cwiseAbs().maxCoeff());
  kkt = std::max(kkt, feasibility_violation(p, x));
  res.kkt_residual = std::max(0.0, kkt);
  res.duality_gap = 0;  // fixed variables sit exactly at their bounds
  if (!optimal) return res;
  const double kkt_gate = 1e3 * tol * std::max({1.0, hmax, gate_scale, bscale}) *
                          std::max(1.0, x.cwiseAbs().maxCoeff());
  if (res.kkt_residual > kkt_gate) return dense_fallback(p, options, &x, it);
  return res;
}

}  // namespace adamant::finance
