#pragma once
// Forward-mode dual numbers with N tangent lanes: x = v + Σ_k d_k ε_k, ε_j ε_k = 0. Every rule's
// recurrence (recurrences.hpp), a problem's gradient code and the hyper-gradient machinery
// (hyper.hpp) are instantiated on Dual<N> to carry N directional derivatives at once.
//
// The value part of every operation is the same double operation the plain code performs, so a
// Dual run reproduces the double run bit for bit in its values.
//
// Sub-gradient conventions, those of torch autograd:
//   abs(x)       d|x| = sign(x) dx with sign(0) = 0
//   sqrt(x)      at x = 0 the tangent is 0. In the rules √ is taken of a second moment v, which
//                is 0 only where every gradient so far was 0; there m = 0 too, the step is 0
//                along any change of v alone, and v's own first-order change is 0, so the
//                derivative through √v is 0 (torch autograd gives 0 · ∞ = NaN there, which a
//                ReLU network's dead units reach in MAML with an Adam inner loop)
//   comparisons  compare values only, so a branch (Lion's sign, RAdam's phase) is
//                differentiated along the branch taken
//   running max  (recurrences.hpp's running_max, AMSGrad's v̂ and AdaMax's u) on a tie takes the
//                mean of both tangents, as torch.maximum / amax split the gradient evenly

#include <array>
#include <cmath>

namespace adamant::core {

/// Lanes of the duals hyper-gradients carry the hyper-parameters in: the rule's real fields and
/// the schedule's real parameters (hyper.cpp; Schedule::eval is instantiated for it).
inline constexpr int kHyperLanes = 16;

template <int N>
struct Dual {
  static constexpr int kLanes = N;
  double v = 0;
  std::array<double, N> d{};

  Dual() = default;
  Dual(double value) : v(value) {}  // NOLINT: implicit, a constant (zero tangent)
  /// value with tangent 1 in `lane`.
  static Dual variable(double value, int lane) {
    Dual x(value);
    x.d[lane] = 1;
    return x;
  }

  Dual& operator+=(const Dual& b) {
    v += b.v;
    for (int k = 0; k < N; ++k) d[k] += b.d[k];
    return *this;
  }
  Dual& operator-=(const Dual& b) {
    v -= b.v;
    for (int k = 0; k < N; ++k) d[k] -= b.d[k];
    return *this;
  }
  Dual& operator*=(const Dual& b) { return *this = *this * b; }
  Dual& operator/=(const Dual& b) { return *this = *this / b; }

  friend Dual operator-(const Dual& a) {
    Dual r(-a.v);
    for (int k = 0; k < N; ++k) r.d[k] = -a.d[k];
    return r;
  }
  friend Dual operator+(const Dual& a, const Dual& b) {
    Dual r(a.v + b.v);
    for (int k = 0; k < N; ++k) r.d[k] = a.d[k] + b.d[k];
    return r;
  }
  friend Dual operator+(const Dual& a, double b) {
    Dual r = a;
    r.v = a.v + b;
    return r;
  }
  friend Dual operator+(double a, const Dual& b) {
    Dual r = b;
    r.v = a + b.v;
    return r;
  }
  friend Dual operator-(const Dual& a, const Dual& b) {
    Dual r(a.v - b.v);
    for (int k = 0; k < N; ++k) r.d[k] = a.d[k] - b.d[k];
    return r;
  }
  friend Dual operator-(const Dual& a, double b) {
    Dual r = a;
    r.v = a.v - b;
    return r;
  }
  friend Dual operator-(double a, const Dual& b) {
    Dual r(a - b.v);
    for (int k = 0; k < N; ++k) r.d[k] = -b.d[k];
    return r;
  }
  friend Dual operator*(const Dual& a, const Dual& b) {
    Dual r(a.v * b.v);
    for (int k = 0; k < N; ++k) r.d[k] = a.d[k] * b.v + a.v * b.d[k];
    return r;
  }
  friend Dual operator*(const Dual& a, double b) {
    Dual r(a.v * b);
    for (int k = 0; k < N; ++k) r.d[k] = a.d[k] * b;
    return r;
  }
  friend Dual operator*(double a, const Dual& b) {
    Dual r(a * b.v);
    for (int k = 0; k < N; ++k) r.d[k] = a * b.d[k];
    return r;
  }
  friend Dual operator/(const Dual& a, const Dual& b) {
    Dual r(a.v / b.v);
    const double inv = 1 / b.v;
    for (int k = 0; k < N; ++k) r.d[k] = (a.d[k] - r.v * b.d[k]) * inv;
    return r;
  }
  friend Dual operator/(const Dual& a, double b) {
    Dual r(a.v / b);
    for (int k = 0; k < N; ++k) r.d[k] = a.d[k] / b;
    return r;
  }
  friend Dual operator/(double a, const Dual& b) {
    Dual r(a / b.v);
    const double f = -r.v / b.v;
    for (int k = 0; k < N; ++k) r.d[k] = f * b.d[k];
    return r;
  }

  friend bool operator<(const Dual& a, const Dual& b) { return a.v < b.v; }
  friend bool operator>(const Dual& a, const Dual& b) { return a.v > b.v; }
  friend bool operator<=(const Dual& a, const Dual& b) { return a.v <= b.v; }
  friend bool operator>=(const Dual& a, const Dual& b) { return a.v >= b.v; }
  friend bool operator==(const Dual& a, const Dual& b) { return a.v == b.v; }
  friend bool operator!=(const Dual& a, const Dual& b) { return a.v != b.v; }
  friend bool operator<(const Dual& a, double b) { return a.v < b; }
  friend bool operator>(const Dual& a, double b) { return a.v > b; }
  friend bool operator<=(const Dual& a, double b) { return a.v <= b; }
  friend bool operator>=(const Dual& a, double b) { return a.v >= b; }
  friend bool operator<(double a, const Dual& b) { return a < b.v; }
  friend bool operator>(double a, const Dual& b) { return a > b.v; }
  friend bool operator<=(double a, const Dual& b) { return a <= b.v; }
  friend bool operator>=(double a, const Dual& b) { return a >= b.v; }

  /// r = f(v) with tangent f'(v)·d.
  static Dual chain(double value, double slope, const Dual& a) {
    Dual r(value);
    for (int k = 0; k < N; ++k) r.d[k] = slope * a.d[k];
    return r;
  }

  friend Dual sqrt(const Dual& a) {
    Dual r(std::sqrt(a.v));
    if (a.v == 0) return r;  // zero tangent at 0: see the header comment
    const double inv = 0.5 / r.v;
    for (int k = 0; k < N; ++k) r.d[k] = a.d[k] * inv;
    return r;
  }
  friend Dual abs(const Dual& a) {
    const double s = a.v > 0 ? 1.0 : (a.v < 0 ? -1.0 : 0.0);
    return chain(std::abs(a.v), s, a);
  }
  friend Dual pow(const Dual& a, double e) {
    return chain(std::pow(a.v, e), e * std::pow(a.v, e - 1), a);
  }
  friend Dual pow(double a, const Dual& e) {
    const double r = std::pow(a, e.v);
    return chain(r, r * std::log(a), e);
  }
  friend Dual exp(const Dual& a) {
    const double r = std::exp(a.v);
    return chain(r, r, a);
  }
  friend Dual log(const Dual& a) { return chain(std::log(a.v), 1 / a.v, a); }
  friend Dual log1p(const Dual& a) { return chain(std::log1p(a.v), 1 / (1 + a.v), a); }
  friend Dual cos(const Dual& a) { return chain(std::cos(a.v), -std::sin(a.v), a); }
  friend Dual sin(const Dual& a) { return chain(std::sin(a.v), std::cos(a.v), a); }
  friend Dual tanh(const Dual& a) {
    const double t = std::tanh(a.v);
    return chain(t, 1 - t * t, a);
  }
};

/// AMSGrad's / AdaMax's running maximum a ← max(a, b) on duals: the branch's tangent, the mean
/// of both on a tie (torch.maximum's convention). Found by argument-dependent lookup from the
/// recurrences, where it is more specialised than the generic running_max.
template <int N>
inline Dual<N>& running_max(Dual<N>& a, const Dual<N>& b) {
  if (a.v < b.v) {
    a = b;
  } else if (a.v == b.v) {
    for (int k = 0; k < N; ++k) a.d[k] = 0.5 * (a.d[k] + b.d[k]);
  }
  return a;
}

/// The value of a double or a dual.
inline double value_of(double x) { return x; }
template <int N>
inline double value_of(const Dual<N>& x) {
  return x.v;
}

}  // namespace adamant::core
