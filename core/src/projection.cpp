#include "adamant/core/projection.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

namespace adamant::core {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

void check_sizes(const char* what, Eigen::Index n, Eigen::Index lo, Eigen::Index hi,
                 Eigen::Index x) {
  if (lo != n || hi != n || x != n) {
    std::ostringstream os;
    os << what << ": size mismatch: y has " << n << " entries, lo " << lo << ", hi " << hi << ", x "
       << x;
    throw std::invalid_argument(os.str());
  }
}

void check_box(const char* what, Eigen::Ref<const Eigen::VectorXd> y,
               Eigen::Ref<const Eigen::VectorXd> lo, Eigen::Ref<const Eigen::VectorXd> hi) {
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    if (std::isnan(y[i]) || std::isinf(y[i])) {
      std::ostringstream os;
      os << what << ": y[" << i << "] = " << y[i] << " is not finite";
      throw std::invalid_argument(os.str());
    }
    if (std::isnan(lo[i]) || std::isnan(hi[i]) || lo[i] > hi[i] || lo[i] == kInf ||
        hi[i] == -kInf) {
      std::ostringstream os;
      os << what << ": empty or invalid box at index " << i << ": lo = " << lo[i]
         << ", hi = " << hi[i] << " (need −∞ < hi, lo < +∞, lo ≤ hi)";
      throw std::invalid_argument(os.str());
    }
  }
}

// One coordinate of the solution as a function of the multiplier τ.
inline double coord(double yi, double ci, double t, double lo, double hi, double tau) {
  double u = yi - tau - ci;
  double v;
  if (t > 0) {
    v = ci + (u > t ? u - t : (u < -t ? u + t : 0.0));
  } else {
    v = yi - tau;
  }
  return std::min(std::max(v, lo), hi);
}

struct Problem {
  Eigen::Ref<const Eigen::VectorXd> y;
  Eigen::Ref<const Eigen::VectorXd> cref;
  bool has_c;  // false: no ℓ1 term
  double t;
  Eigen::Ref<const Eigen::VectorXd> lo, hi;

  double center(Eigen::Index i) const { return has_c ? cref[i] : 0.0; }
  double g(double tau) const {
    double s = 0;
    for (Eigen::Index i = 0; i < y.size(); ++i) s += coord(y[i], center(i), t, lo[i], hi[i], tau);
    return s;
  }
  // Number of coordinates strictly inside their linear (slope −1) piece at τ.
  double slope_count(double tau) const {
    double m = 0;
    for (Eigen::Index i = 0; i < y.size(); ++i) {
      double ci = center(i);
      double u = yi_minus(i, tau) - ci;
      bool moving = t > 0 ? std::abs(u) > t : true;
      if (!moving) continue;
      double v = coord(y[i], ci, t, -kInf, kInf, tau);
      if (v > lo[i] && v < hi[i]) m += 1;
    }
    return m;
  }
  double yi_minus(Eigen::Index i, double tau) const { return y[i] - tau; }
};

double solve_tau(const Problem& p, double b, ProjectionWorkspace* ws, const char* what) {
  const Eigen::Index n = p.y.size();
  // Feasibility: Σ lo ≤ b ≤ Σ hi.
  double slo = 0, shi = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    slo += p.lo[i];
    shi += p.hi[i];
  }
  if (!std::isfinite(b) || slo > b || shi < b) {
    std::ostringstream os;
    os << what << ": infeasible: the bounds cannot sum to b = " << b << " (Σ lo = " << slo
       << ", Σ hi = " << shi << ")";
    throw std::invalid_argument(os.str());
  }
  ProjectionWorkspace local;
  std::vector<double>& bp = ws ? ws->breakpoints : local.breakpoints;
  bp.clear();
  bp.reserve(static_cast<std::size_t>(p.has_c ? 6 * n : 2 * n));
  auto push = [&bp](double v) {
    if (std::isfinite(v)) bp.push_back(v);
  };
  for (Eigen::Index i = 0; i < n; ++i) {
    const double yi = p.y[i];
    if (p.has_c && p.t > 0) {
      const double ci = p.cref[i];
      for (double s : {-p.t, p.t}) {
        push(yi - ci + s);
        push(yi - p.hi[i] + s);
        push(yi - p.lo[i] + s);
      }
    } else {
      push(yi - p.hi[i]);
      push(yi - p.lo[i]);
    }
  }
  if (bp.empty()) {
    // Every coordinate free everywhere (no bounds, no ℓ1 kink): g(τ) = Σy − nτ.
    return (p.y.sum() - b) / static_cast<double>(n);
  }
  std::sort(bp.begin(), bp.end());
  const std::size_t k = bp.size();
  // Largest index j with g(bp[j]) ≥ b (g non-increasing); −1 when none.
  std::ptrdiff_t lo_i = -1, hi_i = static_cast<std::ptrdiff_t>(k);
  double g_lo = kInf, g_hi = -kInf;
  while (hi_i - lo_i > 1) {
    std::ptrdiff_t mid = lo_i + (hi_i - lo_i) / 2;
    double gm = p.g(bp[static_cast<std::size_t>(mid)]);
    if (gm == b) return bp[static_cast<std::size_t>(mid)];
    if (gm > b) {
      lo_i = mid;
      g_lo = gm;
    } else {
      hi_i = mid;
      g_hi = gm;
    }
  }
  double tau;
  if (lo_i >= 0 && hi_i < static_cast<std::ptrdiff_t>(k)) {
    // g is linear on [bp[lo_i], bp[hi_i]]: interpolate exactly.
    const double a = bp[static_cast<std::size_t>(lo_i)], c = bp[static_cast<std::size_t>(hi_i)];
    tau = a + (g_lo - b) / (g_lo - g_hi) * (c - a);
  } else if (lo_i < 0) {
    // Root left of the first breakpoint: g linear with slope −m there.
    const double a = bp.front();
    const double ga = g_hi;  // hi_i == 0 here
    const double m = p.slope_count(a - 1.0 - std::abs(a));
    if (m <= 0) return a;  // flat (only when Σhi == b within rounding)
    tau = a - (b - ga) / m;
  } else {
    const double a = bp.back();
    const double ga = g_lo;
    const double m = p.slope_count(a + 1.0 + std::abs(a));
    if (m <= 0) return a;
    tau = a + (ga - b) / m;
  }
  // Newton correction on the free coordinates (removes rounding of the interpolation).
  for (int it = 0; it < 2; ++it) {
    const double r = p.g(tau) - b;
    const double m = p.slope_count(tau);
    if (r == 0 || m <= 0) break;
    const double step = r / m;
    const double next = tau + step;
    if (std::abs(p.g(next) - b) >= std::abs(r)) break;
    tau = next;
  }
  return tau;
}

}  // namespace

void project_box(Eigen::Ref<const Eigen::VectorXd> y, Eigen::Ref<const Eigen::VectorXd> lo,
                 Eigen::Ref<const Eigen::VectorXd> hi, Eigen::Ref<Eigen::VectorXd> x) {
  check_sizes("project_box", y.size(), lo.size(), hi.size(), x.size());
  check_box("project_box", y, lo, hi);
  for (Eigen::Index i = 0; i < y.size(); ++i) x[i] = std::min(std::max(y[i], lo[i]), hi[i]);
}

double project_box_hyperplane(Eigen::Ref<const Eigen::VectorXd> y,
                              Eigen::Ref<const Eigen::VectorXd> lo,
                              Eigen::Ref<const Eigen::VectorXd> hi, double b,
                              Eigen::Ref<Eigen::VectorXd> x, ProjectionWorkspace* ws) {
  const char* what = "project_box_hyperplane";
  check_sizes(what, y.size(), lo.size(), hi.size(), x.size());
  if (y.size() == 0) throw std::invalid_argument(std::string(what) + ": empty vector");
  check_box(what, y, lo, hi);
  Problem p{y, y, false, 0.0, lo, hi};
  const double tau = solve_tau(p, b, ws, what);
  for (Eigen::Index i = 0; i < y.size(); ++i) x[i] = coord(y[i], 0.0, 0.0, lo[i], hi[i], tau);
  return tau;
}

double project_simplex(Eigen::Ref<const Eigen::VectorXd> y, double radius,
                       Eigen::Ref<Eigen::VectorXd> x, ProjectionWorkspace* ws) {
  if (!(radius > 0) || !std::isfinite(radius)) {
    std::ostringstream os;
    os << "project_simplex: radius must be finite and > 0, got " << radius;
    throw std::invalid_argument(os.str());
  }
  const Eigen::Index n = y.size();
  if (x.size() != n) throw std::invalid_argument("project_simplex: size mismatch between y and x");
  if (n == 0) throw std::invalid_argument("project_simplex: empty vector");
  // Lower bounds 0, upper bounds +∞: a box ∩ hyperplane projection.
  const Eigen::VectorXd lo = Eigen::VectorXd::Zero(n);
  const Eigen::VectorXd hi = Eigen::VectorXd::Constant(n, kInf);
  return project_box_hyperplane(y, lo, hi, radius, x, ws);
}

double prox_l1_box_hyperplane(Eigen::Ref<const Eigen::VectorXd> y,
                              Eigen::Ref<const Eigen::VectorXd> c, double t,
                              Eigen::Ref<const Eigen::VectorXd> lo,
                              Eigen::Ref<const Eigen::VectorXd> hi, double b,
                              Eigen::Ref<Eigen::VectorXd> x, ProjectionWorkspace* ws) {
  const char* what = "prox_l1_box_hyperplane";
  check_sizes(what, y.size(), lo.size(), hi.size(), x.size());
  if (c.size() != y.size()) throw std::invalid_argument("prox_l1_box_hyperplane: c size mismatch");
  if (y.size() == 0) throw std::invalid_argument(std::string(what) + ": empty vector");
  if (!(t >= 0) || !std::isfinite(t)) {
    std::ostringstream os;
    os << what << ": threshold t must be finite and ≥ 0, got " << t;
    throw std::invalid_argument(os.str());
  }
  check_box(what, y, lo, hi);
  if (!c.allFinite()) throw std::invalid_argument(std::string(what) + ": c is not finite");
  Problem p{y, c, t > 0, t, lo, hi};
  const double tau = solve_tau(p, b, ws, what);
  for (Eigen::Index i = 0; i < y.size(); ++i) x[i] = coord(y[i], c[i], t, lo[i], hi[i], tau);
  return tau;
}

void prox_l1_box(Eigen::Ref<const Eigen::VectorXd> y, Eigen::Ref<const Eigen::VectorXd> c, double t,
                 Eigen::Ref<const Eigen::VectorXd> lo, Eigen::Ref<const Eigen::VectorXd> hi,
                 Eigen::Ref<Eigen::VectorXd> x) {
  check_sizes("prox_l1_box", y.size(), lo.size(), hi.size(), x.size());
  if (c.size() != y.size()) throw std::invalid_argument("prox_l1_box: c size mismatch");
  if (!(t >= 0)) throw std::invalid_argument("prox_l1_box: threshold t must be ≥ 0");
  check_box("prox_l1_box", y, lo, hi);
  for (Eigen::Index i = 0; i < y.size(); ++i) x[i] = coord(y[i], c[i], t, lo[i], hi[i], 0.0);
}

}  // namespace adamant::core
