// solve_structured_qp (qp.hpp): the primal active-set method on the free variables (free-set
// Cholesky, range-space subproblem) with bounds, a few general rows and ℓ1 kinks, all handled as
// breakpoints of piecewise-linear convex costs. solve_bounded_qp (bounded_qp.cpp) calls it.
//
// Every variable carries the cost ι_[l,u](x) + κ|x − t|: a piecewise-linear convex function with
// breakpoints l (slope −∞ to its left), t (when l < t < u) and u (slope +∞ to its right). Every
// general row carries the exact penalty M·dist(R_j x, [rlo, rhi]): breakpoints rlo and rhi with
// slopes −M, 0, +M between them. A free variable (row) sits inside one linear piece, whose slope
// enters the gradient; a fixed variable (active row) sits at a breakpoint, and its multiplier must
// lie in the breakpoint's subgradient interval [s⁻, s⁺] — outside it, the variable (row) is
// released into the piece on the side that decreases the cost. The ratio test stops a step at the
// first breakpoint a free variable or an inactive row reaches. With M larger than every row's
// multiplier the penalty is exact; M starts at 100× the problem's scale and is raised 100× at a
// time while some row is still violated at an optimum (kInfeasible past 1e14×).
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "adamant/core/projection.hpp"
#include "adamant/finance/qp.hpp"

namespace adamant::finance {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr double kInf = std::numeric_limits<double>::infinity();

// ---- the free-set Cholesky factor and the vertex crash ----

enum class Var : signed char { kFree, kLower, kUpper };

// L Lᵀ = H_FF for the free variables F (in the order they were freed). L lives in the leading
// k × k block of a matrix whose capacity doubles when needed (up to n); only its lower triangle
// is used.
class FreeCholesky {
 public:
  explicit FreeCholesky(Index n) : n_(n), L_(std::min<Index>(n, 64), std::min<Index>(n, 64)) {}
  Index size() const { return k_; }

  // Starts from the free set F (empty before): L Lᵀ = H_FF by one blocked factorisation, the
  // same factor as appending F's variables one at a time. False when a pivot² is ≤ min_pivot2.
  bool assign(const MatrixXd& H, const std::vector<Index>& F, double min_pivot2) {
    const Index k = static_cast<Index>(F.size());
    MatrixXd HF(k, k);
    for (Index c = 0; c < k; ++c)
      for (Index r = 0; r < k; ++r)
        HF(r, c) = H(F[static_cast<std::size_t>(r)], F[static_cast<std::size_t>(c)]);
    Eigen::LLT<Eigen::Ref<MatrixXd>> llt(HF);  // in place
    if (llt.info() != Eigen::Success) return false;
    if (k > 0 && !(HF.diagonal().cwiseAbs2().minCoeff() > min_pivot2)) return false;
    if (L_.rows() < k) L_.resize(std::max<Index>(k, L_.rows()), std::max<Index>(k, L_.rows()));
    L_.topLeftCorner(k, k) = HF.triangularView<Eigen::Lower>();
    k_ = k;
    return true;
  }

  // Starts from the factor of the whole H (F = 0 … n−1); the caller then removes the variables
  // that are not free, from the last one down.
  void assign_full(const MatrixXd& L) {
    L_ = L;
    k_ = L.rows();
  }

  // Takes over a factor kept from an earlier solve (k × k leading block of L) / hands it out.
  void adopt(MatrixXd&& L, Index k) {
    L_ = std::move(L);
    k_ = k;
    if (L_.rows() == 0) L_.resize(std::min<Index>(n_, 64), std::min<Index>(n_, 64));
  }
  void release(MatrixXd& L) {
    L = std::move(L_);
    k_ = 0;
  }

  // Appends variable j: h = H(F, j), hjj = H(j, j). False (and nothing changed) when the new
  // pivot² is ≤ min_pivot2, i.e. H_FF ∪ {j} is not numerically positive definite.
  bool append(VectorXd& h, double hjj, double min_pivot2) {
    if (k_ > 0) L_.topLeftCorner(k_, k_).triangularView<Eigen::Lower>().solveInPlace(h);
    const double d2 = hjj - (k_ > 0 ? h.squaredNorm() : 0.0);
    if (!(d2 > min_pivot2)) return false;
    if (k_ == L_.rows()) {
      const Index cap = std::min(n_, 2 * k_);
      L_.conservativeResize(cap, cap);
    }
    if (k_ > 0) L_.row(k_).head(k_) = h.transpose();
    L_(k_, k_) = std::sqrt(d2);
    ++k_;
    return true;
  }

  // Deletes row and column pos; the trailing block gets the rank-one update with the deleted
  // column below the diagonal.
  void remove(Index pos) {
    const Index t = k_ - pos - 1;  // trailing size
    v_ = L_.col(pos).segment(pos + 1, t);
    for (Index c = 0; c < pos; ++c)
      for (Index r = pos; r < pos + t; ++r) L_(r, c) = L_(r + 1, c);
    for (Index c = 0; c < t; ++c)
      for (Index r = c; r < t; ++r) L_(pos + r, pos + c) = L_(pos + r + 1, pos + c + 1);
    // Rank-one update of the trailing lower-triangular block T: T' T'ᵀ = T Tᵀ + v vᵀ.
    for (Index i = 0; i < t; ++i) {
      double& tii = L_(pos + i, pos + i);
      const double r = std::hypot(tii, v_[i]);
      const double c = r / tii, s = v_[i] / tii;
      tii = r;
      for (Index l = i + 1; l < t; ++l) {
        double& tli = L_(pos + l, pos + i);
        tli = (tli + s * v_[l]) / c;
        v_[l] = c * v_[l] - s * tli;
      }
    }
    --k_;
  }

  // v ← H_FF⁻¹ v.
  template <typename V>
  void solve_in_place(V&& v) const {
    if (k_ == 0) return;
    const auto L = L_.topLeftCorner(k_, k_);
    L.triangularView<Eigen::Lower>().solveInPlace(v);
    L.transpose().triangularView<Eigen::Upper>().solveInPlace(v);
  }

 private:
  Index n_;
  MatrixXd L_;
  Index k_ = 0;
  VectorXd v_;
};

// The vertex crash for one equality row aᵀx = b. Returns false when the bounds cannot meet it.
bool crash_vertex(const VectorXd& hdiag, const VectorXd& a, double b, const VectorXd& lower,
                  const VectorXd& upper, VectorXd& x, std::vector<Var>& st) {
  const Index n = a.size();
  x.resize(n);
  st.assign(static_cast<std::size_t>(n), Var::kFree);
  Index free_with_a = -1;
  for (Index i = 0; i < n; ++i) {
    auto& s = st[static_cast<std::size_t>(i)];
    if (std::isfinite(lower[i])) {
      x[i] = lower[i];
      s = Var::kLower;
    } else if (std::isfinite(upper[i])) {
      x[i] = upper[i];
      s = Var::kUpper;
    } else {
      x[i] = 0;
      if (a[i] != 0 && (free_with_a < 0 || std::abs(a[i]) > std::abs(a[free_with_a])))
        free_with_a = i;
    }
  }
  auto solve_for = [&](Index i) {  // x_i from the equation, others fixed
    double rest = 0;
    for (Index j = 0; j < n; ++j)
      if (j != i) rest += a[j] * x[j];
    x[i] = std::clamp((b - rest) / a[i], lower[i], upper[i]);
  };
  if (free_with_a >= 0) {
    solve_for(free_with_a);
    return true;
  }
  // Candidates in increasing H_ii / a_i² (ties: index).
  std::vector<Index> order;
  for (Index i = 0; i < n; ++i)
    if (a[i] != 0 && st[static_cast<std::size_t>(i)] != Var::kFree) order.push_back(i);
  if (order.empty()) return false;
  std::stable_sort(order.begin(), order.end(), [&](Index i, Index j) {
    return hdiag[i] / (a[i] * a[i]) < hdiag[j] / (a[j] * a[j]);
  });
  double r = b - a.dot(x);
  const double scale = std::max(1.0, std::abs(b));
  for (Index i : order) {
    auto& s = st[static_cast<std::size_t>(i)];
    const double other = s == Var::kLower ? upper[i] : lower[i];
    // Moving x_i towards `other` changes aᵀx at rate a_i·dir per unit; it must reduce |r|.
    const double dir = other > x[i] ? 1.0 : -1.0;
    if (other == x[i] || a[i] * dir * r < 0) continue;
    const double cap = std::abs(a[i]) * std::abs(other - x[i]);  // may be ∞
    if (cap >= std::abs(r)) {
      s = Var::kFree;
      solve_for(i);
      return true;
    }
    x[i] = other;
    s = s == Var::kLower ? Var::kUpper : Var::kLower;
    r = b - a.dot(x);
  }
  if (std::abs(r) > 1e-12 * scale) return false;
  // The budget is met exactly with every variable at a bound: free the cheapest one (it sits at
  // its bound) so that A_F has full row rank.
  for (Index i : order)
    if (lower[i] < upper[i]) {
      st[static_cast<std::size_t>(i)] = Var::kFree;
      return true;
    }
  return true;  // every variable is fixed (lower = upper): nothing to optimise
}

// Where a variable is: free in piece 0 ([l, t], or [l, u] without a kink) or piece 1 ([t, u]),
// or fixed at its lower bound, its kink or its upper bound.
enum class At : signed char { kFree0, kFree1, kLower, kKink, kUpper };
// Where a row is: inactive below rlo, inside [rlo, rhi] or above rhi; or active at rlo or rhi.
enum class Row : signed char { kBelow, kInside, kAbove, kAtLower, kAtUpper };

struct Vars {
  VectorXd lo, hi, kappa, t;
  std::vector<char> kinked;  // lo < t < hi and κ > 0: two pieces
  // Slope of the ℓ1 term on piece `piece` of variable i.
  double slope(Index i, int piece) const {
    if (kappa.size() == 0 || kappa[i] == 0) return 0;
    if (kinked[static_cast<std::size_t>(i)]) return piece == 0 ? -kappa[i] : kappa[i];
    return t[i] <= lo[i] ? kappa[i] : -kappa[i];
  }
  bool has_kink(Index i) const { return kinked[static_cast<std::size_t>(i)] != 0; }
  // Piece bounds.
  double piece_lo(Index i, int piece) const { return piece == 1 ? t[i] : lo[i]; }
  double piece_hi(Index i, int piece) const { return piece == 0 && has_kink(i) ? t[i] : hi[i]; }
  int last_piece(Index i) const { return has_kink(i) ? 1 : 0; }
};

double row_slope(Row s, double M) { return s == Row::kBelow ? -M : s == Row::kAbove ? M : 0.0; }

bool is_free(At a) { return a == At::kFree0 || a == At::kFree1; }

}  // namespace

namespace {

// StructuredQpProblem::validate; `check_h` false skips H's O(n²) checks (finite, symmetric) for a
// workspace that has seen this H already.
std::string validate_problem(const StructuredQpProblem& p, bool check_h) {
  const MatrixXd &H = p.H, &R = p.R;
  const VectorXd &c = p.c, &a = p.a, &lower = p.lower, &upper = p.upper, &r_lower = p.r_lower,
                 &r_upper = p.r_upper, &kappa = p.kappa, &kink = p.kink;
  const double b = p.b;
  const Index n = c.size();
  std::ostringstream os;
  if (n == 0) return "StructuredQpProblem: no variables (c is empty)";
  if (H.rows() != n || H.cols() != n)
    os << "StructuredQpProblem: H is " << H.rows() << "×" << H.cols() << ", expected " << n << "×"
       << n;
  else if (a.size() != 0 && a.size() != n)
    os << "StructuredQpProblem: a has " << a.size() << " entries, expected " << n;
  else if (lower.size() != n || upper.size() != n)
    os << "StructuredQpProblem: lower/upper have " << lower.size() << "/" << upper.size()
       << " entries, expected " << n;
  else if (R.rows() > 0 && R.cols() != n)
    os << "StructuredQpProblem: R has " << R.cols() << " columns, expected " << n;
  else if (r_lower.size() != R.rows() || r_upper.size() != R.rows())
    os << "StructuredQpProblem: R has " << R.rows() << " rows but r_lower/r_upper have "
       << r_lower.size() << "/" << r_upper.size() << " entries";
  else if (kappa.size() != 0 && (kappa.size() != n || kink.size() != n))
    os << "StructuredQpProblem: kappa/kink have " << kappa.size() << "/" << kink.size()
       << " entries, expected " << n << " each (or none)";
  else if ((check_h && !H.allFinite()) || !c.allFinite() || !a.allFinite() || !std::isfinite(b) ||
           !R.allFinite() || !kappa.allFinite() || !kink.allFinite())
    os << "StructuredQpProblem: non-finite entry (NaN or ±Inf) in H, c, a, b, R, kappa or kink";
  else if (check_h && (H - H.transpose()).cwiseAbs().maxCoeff() >
                          1e-12 * std::max(1.0, H.cwiseAbs().maxCoeff()))
    os << "StructuredQpProblem: H is not symmetric";
  else if (kappa.size() != 0 && (kappa.array() < 0).any())
    os << "StructuredQpProblem: kappa has a negative entry";
  else {
    for (Index i = 0; i < n; ++i)
      if (std::isnan(lower[i]) || std::isnan(upper[i]) || lower[i] == kInf || upper[i] == -kInf ||
          lower[i] > upper[i]) {
        os << "StructuredQpProblem: invalid bounds for variable " << i << ": [" << lower[i] << ", "
           << upper[i] << "]";
        return os.str();
      }
    for (Index j = 0; j < R.rows(); ++j)
      if (std::isnan(r_lower[j]) || std::isnan(r_upper[j]) || r_lower[j] == kInf ||
          r_upper[j] == -kInf || r_lower[j] > r_upper[j]) {
        os << "StructuredQpProblem: invalid bounds for row " << j << ": [" << r_lower[j] << ", "
           << r_upper[j] << "]";
        return os.str();
      }
  }
  return os.str();
}

}  // namespace

std::string StructuredQpProblem::validate() const { return validate_problem(*this, true); }

QpProblem StructuredQpProblem::to_general() const {
  const Index n = c.size(), m = R.rows();
  const bool l1 = kappa.size() == n && (kappa.array() > 0).any();
  const Index nv = l1 ? 3 * n : n;
  QpProblem q;
  q.H = MatrixXd::Zero(nv, nv);
  q.H.topLeftCorner(n, n) = H;
  q.c = VectorXd::Zero(nv);
  q.c.head(n) = c;
  if (l1) {
    q.c.segment(n, n) = kappa;
    q.c.tail(n) = kappa;
  }
  std::vector<std::pair<VectorXd, double>> eq, in;
  auto row = [nv, n](const VectorXd& r) {
    VectorXd v = VectorXd::Zero(nv);
    v.head(n) = r;
    return v;
  };
  if (a.size() == n) eq.emplace_back(row(a), b);
  for (Index j = 0; j < m; ++j)
    if (r_lower[j] == r_upper[j]) eq.emplace_back(row(R.row(j).transpose()), r_lower[j]);
  if (l1)
    for (Index i = 0; i < n; ++i) {
      VectorXd v = VectorXd::Zero(nv);
      v[i] = 1;
      v[n + i] = -1;
      v[2 * n + i] = 1;
      eq.emplace_back(v, kink[i]);
    }
  for (Index i = 0; i < n; ++i) {
    VectorXd v = VectorXd::Zero(nv);
    v[i] = 1;
    if (std::isfinite(lower[i])) in.emplace_back(v, lower[i]);
    if (std::isfinite(upper[i])) in.emplace_back(-v, -upper[i]);
  }
  for (Index j = 0; j < m; ++j) {
    if (r_lower[j] == r_upper[j]) continue;
    const VectorXd v = row(R.row(j).transpose());
    if (std::isfinite(r_lower[j])) in.emplace_back(v, r_lower[j]);
    if (std::isfinite(r_upper[j])) in.emplace_back(-v, -r_upper[j]);
  }
  if (l1)
    for (Index i = n; i < nv; ++i) {
      VectorXd v = VectorXd::Zero(nv);
      v[i] = 1;
      in.emplace_back(v, 0.0);
    }
  auto fill = [nv](const std::vector<std::pair<VectorXd, double>>& rows, MatrixXd& A,
                   VectorXd& bb) {
    A = MatrixXd::Zero(static_cast<Index>(rows.size()), nv);
    bb = VectorXd::Zero(static_cast<Index>(rows.size()));
    for (std::size_t r = 0; r < rows.size(); ++r) {
      A.row(static_cast<Index>(r)) = rows[r].first.transpose();
      bb[static_cast<Index>(r)] = rows[r].second;
    }
  };
  fill(eq, q.A_eq, q.b_eq);
  fill(in, q.A_in, q.b_in);
  return q;
}

namespace {

double objective_of(const StructuredQpProblem& p, const VectorXd& x) {
  double f = 0.5 * x.dot(p.H * x) + p.c.dot(x);
  if (p.kappa.size() == x.size()) f += p.kappa.dot((x - p.kink).cwiseAbs());
  return f;
}

// The dense solver on to_general(), mapped back. `x`: a start (any point; phase 1 repairs it).
QpResult dense_fallback(const StructuredQpProblem& p, const ActiveSetOptions& o, const VectorXd& x,
                        int iterations_so_far) {
  const Index n = p.c.size(), m = p.R.rows();
  const QpProblem g = p.to_general();
  VectorXd start = VectorXd::Zero(g.c.size());
  start.head(n) = x;
  if (g.c.size() == 3 * n) {
    start.segment(n, n) = (x - p.kink).cwiseMax(0.0);
    start.tail(n) = (p.kink - x).cwiseMax(0.0);
  }
  const QpResult d = solve_qp(g, o, &start);
  QpResult r;
  r.x = d.x.head(n);
  r.status = d.status;
  r.iterations = d.iterations + iterations_so_far;
  r.fallback = true;
  r.kkt_residual = d.kkt_residual;
  r.duality_gap = d.duality_gap;
  r.objective = objective_of(p, r.x);
  r.y_eq = VectorXd::Zero(p.a.size() == n ? 1 : 0);
  r.z_in = VectorXd::Zero(m);
  if (d.status != QpStatus::kOptimal) return r;
  Index e = 0;
  if (p.a.size() == n) r.y_eq[0] = d.y_eq[e++];
  for (Index j = 0; j < m; ++j)
    if (p.r_lower[j] == p.r_upper[j]) r.z_in[j] = d.y_eq[e++];
  Index k = 0;
  for (Index i = 0; i < n; ++i) k += std::isfinite(p.lower[i]) + std::isfinite(p.upper[i]);
  for (Index j = 0; j < m; ++j) {
    if (p.r_lower[j] == p.r_upper[j]) continue;
    if (std::isfinite(p.r_lower[j])) r.z_in[j] += d.z_in[k++];
    if (std::isfinite(p.r_upper[j])) r.z_in[j] -= d.z_in[k++];
  }
  return r;
}

}  // namespace

QpResult solve_structured_qp(const StructuredQpProblem& p, const ActiveSetOptions& options,
                             const VectorXd* start, const VectorXd* dc, VectorXd* dx_dc,
                             StructuredQpWorkspace* workspace) {
  // H's own checks are O(n²): once per workspace (its caller keeps H unchanged).
  const bool h_seen = workspace && workspace->h_checked &&
                      workspace->h_diagonal.size() == p.H.rows() &&
                      workspace->h_diagonal == p.H.diagonal();
  if (auto msg = validate_problem(p, !h_seen); !msg.empty()) throw std::invalid_argument(msg);
  if (auto msg = options.validate(); !msg.empty()) throw std::invalid_argument(msg);
  const Index n = p.c.size(), m = p.R.rows();
  if (start && start->size() != n)
    throw std::invalid_argument("solve_structured_qp: start has the wrong size");
  if ((dc == nullptr) != (dx_dc == nullptr) || (dc && dc->size() != n))
    throw std::invalid_argument("solve_structured_qp: dc and dx_dc go together (dc: n entries)");
  const bool budget = p.a.size() == n;
  const double tol = options.tolerance;
  // NaN unless set on the final working set below (not when the dense solver finishes).
  if (dx_dc) dx_dc->setConstant(n, std::numeric_limits<double>::quiet_NaN());

  Vars v;
  v.lo = p.lower;
  v.hi = p.upper;
  v.kappa = p.kappa;
  v.t = p.kink;
  v.kinked.assign(static_cast<std::size_t>(n), 0);
  if (v.kappa.size() == n)
    for (Index i = 0; i < n; ++i)
      v.kinked[static_cast<std::size_t>(i)] =
          v.kappa[i] > 0 && v.lo[i] < v.t[i] && v.t[i] < v.hi[i];

  const double bscale = std::max({1.0, std::abs(p.b), budget ? p.a.cwiseAbs().maxCoeff() : 0.0,
                                  m > 0 ? p.R.cwiseAbs().maxCoeff() : 0.0});
  auto box_budget_violation = [&](const VectorXd& x) {
    double viol = budget ? std::abs(p.a.dot(x) - p.b) : 0.0;
    for (Index i = 0; i < n; ++i) viol = std::max({viol, v.lo[i] - x[i], x[i] - v.hi[i]});
    return viol;
  };

  // ---- starting point (feasible for box and budget) ----
  VectorXd x;
  std::vector<At> at(static_cast<std::size_t>(n), At::kFree0);
  auto place = [&](Index i) {  // state of a variable from its value
    auto& s = at[static_cast<std::size_t>(i)];
    if (x[i] <= v.lo[i]) {
      x[i] = v.lo[i];
      s = At::kLower;
    } else if (x[i] >= v.hi[i]) {
      x[i] = v.hi[i];
      s = At::kUpper;
    } else if (v.has_kink(i) && x[i] == v.t[i]) {
      s = At::kKink;
    } else {
      s = v.has_kink(i) && x[i] > v.t[i] ? At::kFree1 : At::kFree0;
    }
  };
  // Where short positions are allowed (some lower bound below 0; a budget row of ones, as every
  // portfolio problem has), the optimum typically holds many assets strictly inside their
  // bounds, and a vertex start would free them one at a time (one working-set change each). Start
  // instead from the minimiser over the budget and equality rows alone (a target return),
  // projected onto box ∩ budget: its free set is usually close to the optimal one. Long-only
  // problems keep the vertex start, whose work grows with the (small) optimal support. Either
  // start gives the same optimum.
  const bool short_positions = budget && (v.lo.array() < 0).any() && (p.a.array() == 1).all();
  // The lower Cholesky factor of the whole H (null when H is not positive definite): computed at
  // most once per call, and kept in the workspace across calls on the same H.
  StructuredQpWorkspace local;
  StructuredQpWorkspace& ws = workspace ? *workspace : local;
  ws.h_checked = true;
  if (ws.h_diagonal.size() != n || ws.h_diagonal != p.H.diagonal()) {
    ws.L.resize(0, 0);
    ws.not_positive_definite = false;
    ws.h_diagonal = p.H.diagonal();
    ws.free_L.resize(0, 0);
    ws.free_set.clear();
  }
  auto full_factor = [&]() -> const MatrixXd* {
    if (ws.L.size() == 0 && !ws.not_positive_definite) {
      Eigen::LLT<MatrixXd> llt(p.H);
      if (llt.info() == Eigen::Success) {
        ws.L = llt.matrixL();
      } else {
        ws.not_positive_definite = true;
      }
    }
    return ws.not_positive_definite ? nullptr : &ws.L;
  };
  auto projected_start = [&]() {
    const MatrixXd* L = full_factor();
    if (!L) return false;
    const auto llt_solve = [L](MatrixXd B) {
      L->triangularView<Eigen::Lower>().solveInPlace(B);
      L->transpose().triangularView<Eigen::Upper>().solveInPlace(B);
      return B;
    };
    // min ½xᵀHx + cᵀx s.t. Ax = d for A = [budget; equality rows]: x = H⁻¹(Aᵀν − c) with
    // (AH⁻¹Aᵀ)ν = d + AH⁻¹c.
    std::vector<Index> eq;
    for (Index j = 0; j < m; ++j)
      if (p.r_lower[j] == p.r_upper[j]) eq.push_back(j);
    const Index me = 1 + static_cast<Index>(eq.size());
    MatrixXd A(me, n);
    VectorXd d(me);
    A.row(0) = p.a.transpose();
    d[0] = p.b;
    for (std::size_t q = 0; q < eq.size(); ++q) {
      A.row(static_cast<Index>(q) + 1) = p.R.row(eq[q]);
      d[static_cast<Index>(q) + 1] = p.r_lower[eq[q]];
    }
    const MatrixXd HA = llt_solve(A.transpose());
    const VectorXd hc = llt_solve(p.c);
    const VectorXd nu = (A * HA).ldlt().solve(d + A * hc);
    if (!nu.allFinite()) return false;
    x.resize(n);
    core::project_box_hyperplane(HA * nu - hc, v.lo, v.hi, p.b, x);
    if (!x.allFinite()) return false;
    for (Index i = 0; i < n; ++i) place(i);
    if (std::none_of(at.begin(), at.end(), is_free))  // the budget row needs a free column
      for (Index i = 0; i < n; ++i)
        if (v.lo[i] < v.hi[i]) {
          at[static_cast<std::size_t>(i)] =
              x[i] == v.hi[i] && v.has_kink(i) ? At::kFree1 : At::kFree0;
          break;
        }
    return true;
  };
  if (start &&
      box_budget_violation(*start) <= tol * bscale * std::max(1.0, start->cwiseAbs().maxCoeff())) {
    x = *start;
    for (Index i = 0; i < n; ++i) place(i);
  } else if (short_positions && projected_start()) {
    // x and the states are set by projected_start
  } else if (budget) {
    std::vector<Var> st;
    if (!crash_vertex(p.H.diagonal(), p.a, p.b, v.lo, v.hi, x, st)) {
      QpResult r;
      r.status = QpStatus::kInfeasible;
      r.x = x;
      r.y_eq = VectorXd::Zero(1);
      r.z_in = VectorXd::Zero(m);
      return r;
    }
    for (Index i = 0; i < n; ++i) {
      place(i);
      // The crash leaves one variable free at a bound so that the budget row has a free column.
      if (st[static_cast<std::size_t>(i)] == Var::kFree && !is_free(at[i]))
        at[static_cast<std::size_t>(i)] =
            x[i] == v.hi[i] && v.has_kink(i) ? At::kFree1 : At::kFree0;
    }
  } else {
    x = VectorXd::Zero(n);
    for (Index i = 0; i < n; ++i) x[i] = std::clamp(0.0, v.lo[i], v.hi[i]);
    for (Index i = 0; i < n; ++i) place(i);
  }

  // ---- rows ----
  const double hmax = std::max(1e-300, p.H.diagonal().cwiseAbs().maxCoeff());
  const double scale =
      std::max({1.0, p.c.cwiseAbs().maxCoeff(), hmax * std::max(1.0, x.cwiseAbs().maxCoeff()),
                v.kappa.size() ? v.kappa.maxCoeff() : 0.0});
  double M = 1e2 * scale;
  const double M_max = 1e14 * scale;
  std::vector<Row> rs(static_cast<std::size_t>(m), Row::kInside);
  std::vector<Index> act;  // active rows, in working-set order
  {
    const VectorXd r = m > 0 ? VectorXd(p.R * x) : VectorXd();
    for (Index j = 0; j < m; ++j)
      rs[static_cast<std::size_t>(j)] = r[j] < p.r_lower[j]   ? Row::kBelow
                                        : r[j] > p.r_upper[j] ? Row::kAbove
                                                              : Row::kInside;
    // An equality row is never "inside".
  }

  // gH = Hx + c + Σ_rows ρ_j R_jᵀ (ρ the slope of the row's piece); free variables add their
  // ℓ1 slope on top.
  auto fresh_gradient = [&]() {
    VectorXd g = p.c;
    g.noalias() += p.H * x;  // GEMV: no thread-count dependence
    for (Index j = 0; j < m; ++j) {
      const double rho = row_slope(rs[static_cast<std::size_t>(j)], M);
      if (rho != 0) g.noalias() += rho * p.R.row(j).transpose();
    }
    return g;
  };
  VectorXd gH = fresh_gradient();
  bool g_fresh = true;

  const double min_pivot2 = 1e-12 * hmax;
  FreeCholesky chol(n);
  std::vector<Index> F;
  VectorXd h;
  auto append_free = [&](Index i) {
    h.resize(static_cast<Index>(F.size()));
    for (std::size_t j = 0; j < F.size(); ++j) h[static_cast<Index>(j)] = p.H(F[j], i);
    if (!chol.append(h, p.H(i, i), min_pivot2)) return false;
    F.push_back(i);
    return true;
  };
  for (Index i = 0; i < n; ++i)
    if (is_free(at[static_cast<std::size_t>(i)])) F.push_back(i);
  // The free-set factor, cheapest first. A warm start next to the previous call's solution
  // (workspace) updates that call's free-set factor: O(k²) per variable whose state differs.
  // Else, with few variables fixed and the factor of the whole H at hand (the projected start
  // computed it, or the workspace holds it), deleting the fixed ones from it (O(k²) each) is
  // cheaper than factorising H_FF afresh (O(k³/3)).
  bool reused = false;
  if (workspace && !ws.free_set.empty()) {
    std::vector<char> in_new(static_cast<std::size_t>(n), 0), in_old(in_new);
    for (Index i : F) in_new[static_cast<std::size_t>(i)] = 1;
    for (Index i : ws.free_set) in_old[static_cast<std::size_t>(i)] = 1;
    Index diff = 0;
    for (Index i = 0; i < n; ++i)
      diff += in_new[static_cast<std::size_t>(i)] != in_old[static_cast<std::size_t>(i)];
    if (diff <= std::max<Index>(8, n / 8)) {
      std::vector<Index> Fn = std::move(ws.free_set);
      ws.free_set.clear();
      chol.adopt(std::move(ws.free_L), static_cast<Index>(Fn.size()));
      for (Index pos = static_cast<Index>(Fn.size()) - 1; pos >= 0; --pos)
        if (!in_new[static_cast<std::size_t>(Fn[static_cast<std::size_t>(pos)])]) {
          chol.remove(pos);
          Fn.erase(Fn.begin() + pos);
        }
      F.swap(Fn);
      for (Index i : Fn)
        if (!in_old[static_cast<std::size_t>(i)] && !append_free(i))
          return dense_fallback(p, options, x, 0);
      reused = true;
    }
    ws.free_set.clear();
  }
  const Index n_fixed = n - static_cast<Index>(F.size());
  if (!reused && workspace && 8 * n_fixed <= n) full_factor();  // paid once for later calls
  const bool have_full = ws.L.size() > 0 && !ws.not_positive_definite;
  if (reused) {
    // F and its factor come from the previous call
  } else if (have_full && 8 * n_fixed <= n && ws.L.diagonal().cwiseAbs2().minCoeff() > min_pivot2) {
    if (ws.keep_factor) {
      chol.assign_full(ws.L);
    } else {
      chol.adopt(std::move(ws.L), n);
      ws.L.resize(0, 0);
    }
    for (Index i = n - 1; i >= 0; --i)
      if (!is_free(at[static_cast<std::size_t>(i)])) chol.remove(i);
  } else if (!chol.assign(p.H, F, min_pivot2)) {
    return dense_fallback(p, options, x, 0);
  }

  VectorXd y, u, gF, pF, d_rows;
  MatrixXd V, AF, S;
  Eigen::LLT<MatrixXd> ls;
  int it = 0;
  bool optimal = false, infeasible = false;
  const double gate_scale = std::max(1.0, p.c.cwiseAbs().maxCoeff());

  // The range-space solve on F with W = [budget; active rows]: returns false when A_WF is
  // (numerically) rank-deficient.
  auto factor_rows = [&](Index k, Index mw) {
    AF.resize(mw, k);
    for (Index c = 0; c < k; ++c) {
      const Index i = F[static_cast<std::size_t>(c)];
      Index r = 0;
      if (budget) AF(r++, c) = p.a[i];
      for (Index j : act) AF(r++, c) = p.R(j, i);
    }
    if (mw == 0) return true;
    if (k == 0) return false;
    V = AF.transpose();
    for (Index c = 0; c < mw; ++c) chol.solve_in_place(V.col(c));
    S = AF.lazyProduct(V);  // no GEMM: bits independent of threads
    ls.compute(S);
    const double smax = std::max(1e-300, S.diagonal().maxCoeff());
    return ls.info() == Eigen::Success &&
           ls.matrixL().toDenseMatrix().diagonal().minCoeff() > 1e-7 * std::sqrt(smax);
  };
  auto solve_eqp = [&](const VectorXd& rhsF, Index mw, VectorXd& yy, VectorXd& pp) {
    u = rhsF;
    chol.solve_in_place(u);
    if (mw > 0) {
      yy = ls.solve(AF * u);
      pp.noalias() = V * yy;
      pp -= u;
    } else {
      yy.resize(0);
      pp = -u;
    }
  };

  while (it < options.max_iterations) {
    ++it;
    const Index k = static_cast<Index>(F.size());
    const Index mw = (budget ? 1 : 0) + static_cast<Index>(act.size());
    const double xscale = std::max(1.0, x.cwiseAbs().maxCoeff());
    if (!factor_rows(k, mw)) return dense_fallback(p, options, x, it);
    gF.resize(k);
    for (Index c = 0; c < k; ++c) {
      const Index i = F[static_cast<std::size_t>(c)];
      gF[c] = gH[i] + v.slope(i, at[static_cast<std::size_t>(i)] == At::kFree1 ? 1 : 0);
    }
    solve_eqp(gF, mw, y, pF);
    // Zero to rounding: p = V·y − H_FF⁻¹g_F cancels two terms of the size of u = H_FF⁻¹g_F (large
    // with the penalty M, or with a small H such as utility at a low risk aversion), so its
    // rounding error is relative to u, not to x.
    const double gFmax = k > 0 ? gF.cwiseAbs().maxCoeff() : 0.0;
    const double umax = k > 0 ? u.cwiseAbs().maxCoeff() : 0.0;
    const bool p_zero =
        k == 0 || pF.cwiseAbs().maxCoeff() <=
                      tol * std::max(xscale * std::max(1.0, gFmax / gate_scale), umax);
    if (!p_zero) {
      const double pmax = pF.cwiseAbs().maxCoeff();
      double alpha = 1.0;
      Index block_var = -1, block_row = -1;
      At var_to = At::kLower;
      Row row_to = Row::kAtLower;
      for (Index c = 0; c < k; ++c) {
        const Index i = F[static_cast<std::size_t>(c)];
        const int piece = at[static_cast<std::size_t>(i)] == At::kFree1 ? 1 : 0;
        const double pc = pF[c];
        if (pc < -1e-14 * pmax) {
          const double lo = v.piece_lo(i, piece);
          if (!std::isfinite(lo)) continue;
          const double a = std::max(0.0, x[i] - lo) / -pc;
          if (a < alpha) {
            alpha = a, block_var = c, block_row = -1;
            var_to = piece == 1 ? At::kKink : At::kLower;
          }
        } else if (pc > 1e-14 * pmax) {
          const double hi = v.piece_hi(i, piece);
          if (!std::isfinite(hi)) continue;
          const double a = std::max(0.0, hi - x[i]) / pc;
          if (a < alpha) {
            alpha = a, block_var = c, block_row = -1;
            var_to = piece == 0 && v.has_kink(i) ? At::kKink : At::kUpper;
          }
        }
      }
      if (m > 0) {
        d_rows = VectorXd::Zero(m);
        for (Index c = 0; c < k; ++c) d_rows.noalias() += pF[c] * p.R.col(F[c]);
        for (Index j = 0; j < m; ++j) {
          const Row s = rs[static_cast<std::size_t>(j)];
          if (s == Row::kAtLower || s == Row::kAtUpper) continue;
          const double dj = d_rows[j];
          const double dscale = 1e-14 * pmax * std::max(1.0, p.R.row(j).cwiseAbs().maxCoeff());
          if (std::abs(dj) <= dscale) continue;
          const double rj = p.R.row(j).dot(x);
          double target;
          Row to;
          if (dj > 0) {
            if (s == Row::kAbove) continue;
            target = s == Row::kBelow ? p.r_lower[j] : p.r_upper[j];
            to = s == Row::kBelow ? Row::kAtLower : Row::kAtUpper;
          } else {
            if (s == Row::kBelow) continue;
            target = s == Row::kAbove ? p.r_upper[j] : p.r_lower[j];
            to = s == Row::kAbove ? Row::kAtUpper : Row::kAtLower;
          }
          if (!std::isfinite(target)) continue;
          const double a = std::max(0.0, (target - rj) / dj);
          if (a < alpha) alpha = a, block_row = j, block_var = -1, row_to = to;
        }
      }
      if (alpha > 0) {
        for (Index c = 0; c < k; ++c) {
          const Index i = F[static_cast<std::size_t>(c)];
          const double d = alpha * pF[c];
          x[i] += d;
          gH.noalias() += d * p.H.col(i);
        }
        g_fresh = false;
      }
      if (block_var >= 0) {
        const Index i = F[static_cast<std::size_t>(block_var)];
        const double to = var_to == At::kLower ? v.lo[i] : var_to == At::kUpper ? v.hi[i] : v.t[i];
        const double d = to - x[i];
        x[i] = to;
        if (d != 0) gH.noalias() += d * p.H.col(i);
        at[static_cast<std::size_t>(i)] = var_to;
        chol.remove(block_var);
        F.erase(F.begin() + block_var);
        continue;
      }
      if (block_row >= 0) {
        const double rho = row_slope(rs[static_cast<std::size_t>(block_row)], M);
        if (rho != 0) gH.noalias() -= rho * p.R.row(block_row).transpose();
        rs[static_cast<std::size_t>(block_row)] = row_to;
        act.push_back(block_row);
        continue;
      }
      // Full step: the subproblem's solution is now 0 and y stays.
    }
    // ---- multipliers: the most violated subgradient interval ----
    const double zgate = tol * std::max({gate_scale, gH.cwiseAbs().maxCoeff()});
    double worst = zgate;
    Index worst_var = -1, worst_row = -1;
    bool release_right = false;
    const double yb = budget ? y[0] : 0.0;
    for (Index i = 0; i < n; ++i) {
      const At s = at[static_cast<std::size_t>(i)];
      if (is_free(s) || v.lo[i] == v.hi[i]) continue;
      double r = gH[i] - yb * (budget ? p.a[i] : 0.0);
      for (std::size_t q = 0; q < act.size(); ++q)
        r -= y[static_cast<Index>(q) + (budget ? 1 : 0)] * p.R(act[q], i);
      const double nu = -r;
      double sm, sp;
      if (s == At::kLower) {
        sm = -kInf, sp = v.slope(i, 0);
      } else if (s == At::kUpper) {
        sm = v.slope(i, v.last_piece(i)), sp = kInf;
      } else {
        sm = -v.kappa[i], sp = v.kappa[i];
      }
      if (nu - sp > worst) worst = nu - sp, worst_var = i, worst_row = -1, release_right = true;
      if (sm - nu > worst) worst = sm - nu, worst_var = i, worst_row = -1, release_right = false;
    }
    for (std::size_t q = 0; q < act.size(); ++q) {
      const Index j = act[q];
      const double nu = -y[static_cast<Index>(q) + (budget ? 1 : 0)];
      const bool eq = p.r_lower[j] == p.r_upper[j];
      const Row s = rs[static_cast<std::size_t>(j)];
      const double sm = s == Row::kAtLower ? -M : (eq ? -M : 0.0);
      const double sp = s == Row::kAtUpper ? M : (eq ? M : 0.0);
      if (nu - sp > worst) worst = nu - sp, worst_row = j, worst_var = -1, release_right = true;
      if (sm - nu > worst) worst = sm - nu, worst_row = j, worst_var = -1, release_right = false;
    }
    if (worst_var < 0 && worst_row < 0) {
      if (!g_fresh) {
        // Confirm with a gradient computed from scratch (the incremental one drifts by rounding).
        gH = fresh_gradient();
        g_fresh = true;
        continue;
      }
      // A row still in a penalty piece but violated only to rounding (a target at the edge of
      // the feasible range, reached at a vertex where it cannot join the working set) is met:
      // its multiplier is then the penalty slope itself.
      bool violated = false;
      const double feas_tol = tol * bscale * std::max(1.0, x.cwiseAbs().maxCoeff());
      for (Index j = 0; j < m; ++j) {
        const Row s = rs[static_cast<std::size_t>(j)];
        if (s != Row::kBelow && s != Row::kAbove) continue;
        const double rj = p.R.row(j).dot(x);
        const double dist = s == Row::kBelow ? p.r_lower[j] - rj : rj - p.r_upper[j];
        violated = violated || dist > feas_tol;
      }
      if (!violated) {
        optimal = true;
        break;
      }
      if (M >= M_max) {
        infeasible = true;
        break;
      }
      M *= 1e2;  // the penalty was not exact: raise it and go on from here
      gH = fresh_gradient();
      continue;
    }
    if (worst_var >= 0) {
      const Index i = worst_var;
      const At s = at[static_cast<std::size_t>(i)];
      At to;
      if (s == At::kLower)
        to = At::kFree0;
      else if (s == At::kUpper)
        to = v.has_kink(i) ? At::kFree1 : At::kFree0;
      else
        to = release_right ? At::kFree1 : At::kFree0;
      at[static_cast<std::size_t>(i)] = to;
      if (!append_free(i)) return dense_fallback(p, options, x, it);
    } else {
      const Index j = worst_row;
      const Row s = rs[static_cast<std::size_t>(j)];
      const bool eq = p.r_lower[j] == p.r_upper[j];
      Row to;
      if (release_right)
        to = s == Row::kAtLower && !eq ? Row::kInside : Row::kAbove;
      else
        to = s == Row::kAtUpper && !eq ? Row::kInside : Row::kBelow;
      rs[static_cast<std::size_t>(j)] = to;
      const double rho = row_slope(to, M);
      if (rho != 0) gH.noalias() += rho * p.R.row(j).transpose();
      act.erase(std::find(act.begin(), act.end(), j));
    }
  }

  QpResult res;
  res.x = x;
  res.iterations = it;
  res.objective = objective_of(p, x);
  res.y_eq = VectorXd::Zero(budget ? 1 : 0);
  res.z_in = VectorXd::Zero(m);
  if (infeasible) {
    res.status = QpStatus::kInfeasible;
    return res;
  }
  res.status = optimal ? QpStatus::kOptimal : QpStatus::kIterationLimit;
  if (!optimal) return res;
  if (budget) res.y_eq[0] = y[0];
  for (std::size_t q = 0; q < act.size(); ++q)
    res.z_in[act[q]] = y[static_cast<Index>(q) + (budget ? 1 : 0)];
  for (Index j = 0; j < m; ++j)  // rows met to rounding in a penalty piece (above)
    res.z_in[j] -= row_slope(rs[static_cast<std::size_t>(j)], M);
  // KKT residual: stationarity on the free variables, subgradient intervals of the fixed ones,
  // signs of the row multipliers, primal feasibility.
  VectorXd stat = gH;  // gH = Hx + c + Σ ρ_j R_jᵀ = Hx + c − Σ_{penalty pieces} z_j R_jᵀ
  if (budget) stat.noalias() -= res.y_eq[0] * p.a;
  for (std::size_t q = 0; q < act.size(); ++q)
    stat.noalias() -= res.z_in[act[q]] * p.R.row(act[q]).transpose();
  double kkt = 0;
  for (Index i = 0; i < n; ++i) {
    const At s = at[static_cast<std::size_t>(i)];
    if (is_free(s)) {
      kkt = std::max(kkt, std::abs(stat[i] + v.slope(i, s == At::kFree1 ? 1 : 0)));
      continue;
    }
    if (v.lo[i] == v.hi[i]) continue;
    const double nu = -stat[i];
    if (s == At::kLower) kkt = std::max(kkt, nu - v.slope(i, 0));
    if (s == At::kUpper) kkt = std::max(kkt, v.slope(i, v.last_piece(i)) - nu);
    if (s == At::kKink) kkt = std::max({kkt, std::abs(nu) - v.kappa[i]});
  }
  for (Index j = 0; j < m; ++j) {
    const Row s = rs[static_cast<std::size_t>(j)];
    if (p.r_lower[j] == p.r_upper[j]) continue;
    if (s == Row::kAtLower) kkt = std::max(kkt, -res.z_in[j]);
    if (s == Row::kAtUpper) kkt = std::max(kkt, res.z_in[j]);
  }
  kkt = std::max(kkt, box_budget_violation(x));
  if (m > 0) {
    const VectorXd r = p.R * x;
    for (Index j = 0; j < m; ++j) kkt = std::max({kkt, p.r_lower[j] - r[j], r[j] - p.r_upper[j]});
  }
  res.kkt_residual = std::max(0.0, kkt);
  res.active.assign(act.begin(), act.end());
  std::sort(res.active.begin(), res.active.end());
  const double kkt_gate = 1e3 * tol * std::max({1.0, hmax, gate_scale, bscale}) *
                          std::max(1.0, x.cwiseAbs().maxCoeff());
  if (res.kkt_residual > kkt_gate) return dense_fallback(p, options, x, it);
  if (dc) {
    const Index k = static_cast<Index>(F.size());
    const Index mw = (budget ? 1 : 0) + static_cast<Index>(act.size());
    dx_dc->setZero(n);
    if (k > 0 && factor_rows(k, mw)) {  // else x is a vertex: dx/dc = 0
      VectorXd dcF(k), yy, pp;
      for (Index c = 0; c < k; ++c) dcF[c] = (*dc)[F[static_cast<std::size_t>(c)]];
      solve_eqp(dcF, mw, yy, pp);
      for (Index c = 0; c < k; ++c) (*dx_dc)[F[static_cast<std::size_t>(c)]] = pp[c];
    }
  }
  if (workspace) {  // the next call of the path starts from this free set
    chol.release(ws.free_L);
    ws.free_set = F;
  }
  return res;
}

}  // namespace adamant::finance
