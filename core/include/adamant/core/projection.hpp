#pragma once
// Exact Euclidean projections (and one proximal map) onto simple convex sets, for projected and
// proximal first-order methods. Domain-free: the sets are boxes and hyperplanes.
//
//   box                    P(y) = clamp(y, lo, hi)
//   box ∩ hyperplane       P(y) = argmin ½‖x − y‖²  s.t.  lo ≤ x ≤ hi,  Σᵢ xᵢ = b
//   simplex                the case lo = 0, hi = +∞, b = r (Δ_r = {x ≥ 0, Σx = r})
//   ℓ1 prox ∩ box ∩ hyp.   argmin ½‖x − y‖² + t‖x − c‖₁  s.t.  lo ≤ x ≤ hi,  Σᵢ xᵢ = b
//
// Method (Held, Wolfe & Crowder 1974; Brucker 1984; Duchi, Shalev-Shwartz, Singer & Chandra
// 2008, "Efficient projections onto the ℓ1-ball"): the KKT conditions give, for the multiplier τ
// of the hyperplane, xᵢ(τ) = clamp(cᵢ + soft_t(yᵢ − τ − cᵢ), loᵢ, hiᵢ) with
// soft_t(u) = sign(u)·max(|u| − t, 0) (t = 0: xᵢ(τ) = clamp(yᵢ − τ, loᵢ, hiᵢ)). Every xᵢ(τ) is
// continuous, piecewise linear and non-increasing in τ, so g(τ) = Σᵢ xᵢ(τ) is too; its kinks
// ("breakpoints") are τ = yᵢ − hiᵢ, yᵢ − loᵢ (and yᵢ − cᵢ ± t, yᵢ − hiᵢ ± t, yᵢ − loᵢ ± t with the
// ℓ1 term). We sort the finite breakpoints (O(n log n)), binary-search them for the segment on
// which g crosses b (O(log n) evaluations of g, O(n) each), and solve the linear equation on that
// segment exactly; a final Newton correction on the free coordinates removes rounding in Σx.
// Infinite bounds are allowed (their breakpoints are absent); so are degenerate boxes lo = hi.
// The problem is feasible iff loᵢ ≤ hiᵢ and Σ lo ≤ b ≤ Σ hi; otherwise std::invalid_argument.
// The projection is unique (strictly convex objective), so ties in y need no special care.

#include <Eigen/Core>
#include <vector>

namespace adamant::core {

/// Scratch for the breakpoint sort: reuse one across calls of the same size and
/// project_box_hyperplane / prox_l1_box_hyperplane allocate nothing after the first call.
struct ProjectionWorkspace {
  std::vector<double> breakpoints;
};

/// x = clamp(y, lo, hi). Throws std::invalid_argument on mismatched sizes or lo > hi.
void project_box(Eigen::Ref<const Eigen::VectorXd> y, Eigen::Ref<const Eigen::VectorXd> lo,
                 Eigen::Ref<const Eigen::VectorXd> hi, Eigen::Ref<Eigen::VectorXd> x);

/// x = argmin ½‖x − y‖² s.t. lo ≤ x ≤ hi, Σx = b. Returns the multiplier τ (x = clamp(y − τ)).
/// Entries of lo may be −∞ and of hi +∞. x may alias y.
double project_box_hyperplane(Eigen::Ref<const Eigen::VectorXd> y,
                              Eigen::Ref<const Eigen::VectorXd> lo,
                              Eigen::Ref<const Eigen::VectorXd> hi, double b,
                              Eigen::Ref<Eigen::VectorXd> x, ProjectionWorkspace* ws = nullptr);

/// x = argmin ½‖x − y‖² s.t. x ≥ 0, Σx = radius (> 0). Returns τ.
double project_simplex(Eigen::Ref<const Eigen::VectorXd> y, double radius,
                       Eigen::Ref<Eigen::VectorXd> x, ProjectionWorkspace* ws = nullptr);

/// x = argmin ½‖x − y‖² + t‖x − c‖₁ s.t. lo ≤ x ≤ hi, Σx = b (t ≥ 0): the proximal map of
/// t‖· − c‖₁ plus the indicator of box ∩ hyperplane, exactly. Returns τ.
double prox_l1_box_hyperplane(Eigen::Ref<const Eigen::VectorXd> y,
                              Eigen::Ref<const Eigen::VectorXd> c, double t,
                              Eigen::Ref<const Eigen::VectorXd> lo,
                              Eigen::Ref<const Eigen::VectorXd> hi, double b,
                              Eigen::Ref<Eigen::VectorXd> x, ProjectionWorkspace* ws = nullptr);

/// x = argmin ½‖x − y‖² + t‖x − c‖₁ s.t. lo ≤ x ≤ hi (no hyperplane): clamp(c + soft_t(y − c)).
void prox_l1_box(Eigen::Ref<const Eigen::VectorXd> y, Eigen::Ref<const Eigen::VectorXd> c, double t,
                 Eigen::Ref<const Eigen::VectorXd> lo, Eigen::Ref<const Eigen::VectorXd> hi,
                 Eigen::Ref<Eigen::VectorXd> x);

}  // namespace adamant::core
