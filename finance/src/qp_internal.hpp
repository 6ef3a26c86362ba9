#pragma once
// Internal to adamant_finance, shared by the active-set solvers of qp.hpp (bounded_qp.cpp,
// structured_qp.cpp): the Cholesky factor of H over a changing free set, and the vertex crash.
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace adamant::finance::detail {

enum class Var : signed char { kFree, kLower, kUpper };

// L Lᵀ = H_FF for the free variables F (in the order they were freed). L lives in the leading
// k × k block of a matrix whose capacity doubles when needed (up to n); only its lower triangle
// is used.
class FreeCholesky {
 public:
  explicit FreeCholesky(Eigen::Index n)
      : n_(n), L_(std::min<Eigen::Index>(n, 64), std::min<Eigen::Index>(n, 64)) {}
  Eigen::Index size() const { return k_; }

  // Appends variable j: h = H(F, j), hjj = H(j, j). False (and nothing changed) when the new
  // pivot² is ≤ min_pivot2, i.e. H_FF ∪ {j} is not numerically positive definite.
  bool append(Eigen::VectorXd& h, double hjj, double min_pivot2) {
    if (k_ > 0) L_.topLeftCorner(k_, k_).triangularView<Eigen::Lower>().solveInPlace(h);
    const double d2 = hjj - (k_ > 0 ? h.squaredNorm() : 0.0);
    if (!(d2 > min_pivot2)) return false;
    if (k_ == L_.rows()) {
      const Eigen::Index cap = std::min(n_, 2 * k_);
      L_.conservativeResize(cap, cap);
    }
    if (k_ > 0) L_.row(k_).head(k_) = h.transpose();
    L_(k_, k_) = std::sqrt(d2);
    ++k_;
    return true;
  }

  // Deletes row and column pos; the trailing block gets the rank-one update with the deleted
  // column below the diagonal.
  void remove(Eigen::Index pos) {
    const Eigen::Index t = k_ - pos - 1;  // trailing size
    v_ = L_.col(pos).segment(pos + 1, t);
    for (Eigen::Index c = 0; c < pos; ++c)
      for (Eigen::Index r = pos; r < pos + t; ++r) L_(r, c) = L_(r + 1, c);
    for (Eigen::Index c = 0; c < t; ++c)
      for (Eigen::Index r = c; r < t; ++r) L_(pos + r, pos + c) = L_(pos + r + 1, pos + c + 1);
    // Rank-one update of the trailing lower-triangular block T: T' T'ᵀ = T Tᵀ + v vᵀ.
    for (Eigen::Index i = 0; i < t; ++i) {
      double& tii = L_(pos + i, pos + i);
      const double r = std::hypot(tii, v_[i]);
      const double c = r / tii, s = v_[i] / tii;
      tii = r;
      for (Eigen::Index l = i + 1; l < t; ++l) {
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
  Eigen::Index n_;
  Eigen::MatrixXd L_;
  Eigen::Index k_ = 0;
  Eigen::VectorXd v_;
};

// The vertex crash for one equality row aᵀx = b. Returns false when the bounds cannot meet it.
inline bool crash_vertex(const Eigen::VectorXd& hdiag, const Eigen::VectorXd& a, double b,
                         const Eigen::VectorXd& lower, const Eigen::VectorXd& upper,
                         Eigen::VectorXd& x, std::vector<Var>& st) {
  using Eigen::Index;
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

}  // namespace adamant::finance::detail
