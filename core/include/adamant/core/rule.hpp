#pragma once
// The update-rule interface and the fused element kernel every rule runs through.
//
// An update rule is a pure function (params, grad, state) -> (params', state'), like optax's
// GradientTransformation (init / update). Everything that composes around a rule is applied by
// one generic element loop, in PyTorch's order, inside the same pass over memory:
//
//   g ← clamp(s_clip · g, −c_g, c_g)          gradient clipping: global norm (s_clip), by value
//   g ← ±g + λ_L2 · p                          maximize; coupled L2 weight decay (Adam, SGD, ...)
//   d ← rule(g, slots)                         the rule's own recurrence (moments, max, sign, ...)
//   d ← clamp(d, −c_u, c_u)                    update clipping, after the moment estimates
//   p ← p · (1 − lr · λ_dec) + d               decoupled weight decay (AdamW, Lion), then step
//
// With the update-norm clip on, the pass stores d instead of applying it; the optimizer then
// scales every d by min(1, c / ‖d‖) and applies it in a second pass.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "adamant/core/state.hpp"

namespace adamant::core {

/// Arguments of one pass of a rule over the range [begin, end) of the flat buffers.
template <typename T>
struct Kernel {
  static constexpr int kMaxSlots = 4;
  T* p = nullptr;        // parameters
  const T* g = nullptr;  // gradients (never written)
  T* u = nullptr;        // when set: store the update here instead of applying it
  T* s[kMaxSlots] = {};  // the rule's slots, in slot_names() order
  const double* scalars = nullptr;
  std::size_t begin = 0, end = 0;
  std::int64_t step = 0;  // 1 on the first update
  double lr = 0;          // this group's learning rate at this step
  // Composition, set by the optimizer; the defaults leave g and d unchanged.
  T grad_scale = 1;
  T grad_lo = -std::numeric_limits<T>::infinity();
  T grad_hi = std::numeric_limits<T>::infinity();
  T sign = 1;   // −1 when maximizing
  T l2 = 0;     // coupled weight decay
  T decay = 1;  // decoupled weight decay factor 1 − lr·λ
  T upd_lo = -std::numeric_limits<T>::infinity();
  T upd_hi = std::numeric_limits<T>::infinity();
};

/// Runs `f(i, g_i) -> d_i` over the kernel's range with the composition above. `f` reads and
/// writes the rule's slots at index i. One pass, no allocation, vectorised (`omp simd`: the
/// buffers never alias).
template <typename T, typename F>
inline void for_each_element(const Kernel<T>& k, F&& f) {
  T* __restrict p = k.p;
  const T* __restrict g = k.g;
  const T scale = k.grad_scale, glo = k.grad_lo, ghi = k.grad_hi, sign = k.sign, l2 = k.l2;
  const T decay = k.decay, ulo = k.upd_lo, uhi = k.upd_hi;
  const std::size_t b = k.begin, e = k.end;
  if (k.u != nullptr) {
    T* __restrict u = k.u;
#pragma omp simd
    for (std::size_t i = b; i < e; ++i) {
      T gi = g[i] * scale;
      gi = gi < glo ? glo : (gi > ghi ? ghi : gi);
      gi = gi * sign + l2 * p[i];
      T d = f(i, gi);
      u[i] = d < ulo ? ulo : (d > uhi ? uhi : d);
    }
  } else {
#pragma omp simd
    for (std::size_t i = b; i < e; ++i) {
      T gi = g[i] * scale;
      gi = gi < glo ? glo : (gi > ghi ? ghi : gi);
      gi = gi * sign + l2 * p[i];
      T d = f(i, gi);
      d = d < ulo ? ulo : (d > uhi ? uhi : d);
      p[i] = p[i] * decay + d;
    }
  }
}

/// An optimizer's update rule over explicit state. Implementations: rules.hpp.
template <typename T>
class UpdateRule {
 public:
  virtual ~UpdateRule() = default;
  /// Short name, e.g. "adam", "adamw", "amsgrad".
  virtual std::string name() const = 0;
  /// "" when the hyper-parameters are valid, else a message naming the offending one.
  virtual std::string validate() const = 0;
  /// Base learning rate (used when no schedule is given).
  virtual double lr() const = 0;
  virtual double weight_decay() const = 0;
  /// True when weight decay multiplies the parameters (AdamW, Lion) instead of adding λ·p to g.
  virtual bool decoupled_weight_decay() const { return false; }
  virtual bool maximize() const { return false; }
  /// Names of the per-element buffers, at most Kernel<T>::kMaxSlots.
  virtual std::vector<std::string> slot_names() const = 0;
  virtual std::vector<std::string> scalar_names() const { return {}; }
  /// Fresh state for n parameters: every slot zero (rules override for other initial values).
  virtual State<T> init(std::size_t n) const {
    State<T> s;
    s.slot_names = slot_names();
    s.slots.assign(s.slot_names.size(), AlignedVector<T>(n, T(0)));
    s.scalar_names = scalar_names();
    s.scalars.assign(s.scalar_names.size(), 0.0);
    return s;
  }
  /// Once per step, after state.step was incremented and before the element passes.
  virtual void begin_step(State<T>& state) const { (void)state; }
  /// The element pass over one range.
  virtual void update(const Kernel<T>& k) const = 0;
  virtual std::unique_ptr<UpdateRule<T>> clone() const = 0;
};

}  // namespace adamant::core
