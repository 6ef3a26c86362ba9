#pragma once
// Every rule's element recurrence, written once (equations in rules.hpp), as code templated on
// the scalar type: the fused float / double step instantiates it on T, and the same source can
// be instantiated on derivative types (dual numbers for tangents, local Jacobians for adjoints).
//
// A rule is a policy: a struct with
//   Options<R>            its options struct (rules.hpp), R the type of the hyper-parameters
//   name(o), slots(o)     its name as reported and the names of its per-element slots
//   kCoeffs               the number of per-step coefficients
//   coefficients(o, s)    those coefficients (bias corrections, step sizes, β's), computed once
//                         per step in the type of the hyper-parameters; the step rounds them to T
//   variants(o, s, f)     calls f(Variant<k>{}) with the element loop to run this step
//                         (AMSGrad or not, RAdam's rectified or SGD-like phase, ...): a choice
//                         made once per step, never per element
//   element<k>(g, s, c)   the update d for one element from its composed gradient g, its slots
//                         s[0], s[1], ... (references, updated in place) and the coefficients c
// and, from PolicyBase, defaults for what most rules do not need (per-run scalars, a
// non-zero initial state, a begin-of-step hook, checks across fields).
//
// The shared pieces below are the moment estimates every Adam relative is built from; each is
// one expression, in PyTorch's order of operations, so each rule rounds as torch.optim does.

#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "adamant/core/rules.hpp"
#include "adamant/core/state.hpp"

namespace adamant::core::recurrence {

template <int K>
using Variant = std::integral_constant<int, K>;

/// What a policy's per-step coefficients depend on besides its options.
template <typename C>
struct StepInfo {
  std::int64_t t = 1;          ///< the step, 1 on the first update
  C lr = 0;                    ///< this group's learning rate at this step
  const C* scalars = nullptr;  ///< the rule's per-run scalars (State::scalars), in C
};

// ---- shared pieces ----------------------------------------------------------------------------

/// Exponential moving average of x: m ← β m + (1 − β) x.
template <typename S, typename C>
inline S& ema(S& m, const C& beta, const C& one_minus_beta, const S& x) {
  m = m * beta + one_minus_beta * x;
  return m;
}
/// Exponential moving average of x²: v ← β v + (1 − β) x x.
template <typename S, typename C>
inline S& ema_sq(S& v, const C& beta, const C& one_minus_beta, const S& x) {
  v = v * beta + one_minus_beta * x * x;
  return v;
}
/// Running maximum: a ← max(a, b) (b when a < b, so a NaN in a is replaced).
template <typename S>
inline S& running_max(S& a, const S& b) {
  a = a < b ? b : a;
  return a;
}
/// Adam's denominator √v / √(1 − β₂ᵗ) + ε.
template <typename S, typename C>
inline S adam_denominator(const S& v, const C& bc2_sqrt, const C& eps) {
  using std::sqrt;
  return sqrt(v) / bc2_sqrt + eps;
}
/// Bias correction 1 − βᵗ.
template <typename C>
inline C bias_correction(const C& beta, std::int64_t t) {
  using std::pow;
  return C(1) - pow(beta, static_cast<double>(t));
}

/// Defaults for the optional parts of a policy.
struct PolicyBase {
  template <typename O>
  static bool decoupled(const O&) {
    return false;
  }
  template <typename O>
  static std::vector<std::string> scalars(const O&) {
    return {};
  }
  /// Adjusts a fresh all-zero state (e.g. Adagrad's initial accumulator). St is a State<T> or
  /// anything with its `slots` and `scalars` (hyper.cpp instantiates it on derivative types).
  template <typename O, typename St>
  static void init(const O&, St&) {}
  /// Once per step, after state.step was incremented.
  template <typename O, typename St>
  static void begin_step(const O&, St&) {}
  /// Checks across fields, beyond each field's range: Check(ok, field, expected, value).
  template <typename O, typename Check>
  static void check(const O&, Check&&) {}
  template <typename O, typename C, typename F>
  static void variants(const O&, const StepInfo<C>&, F&& f) {
    f(Variant<0>{});
  }
};

// ---- the rules --------------------------------------------------------------------------------

struct Sgd : PolicyBase {
  template <typename R>
  using Options = BasicSgdOptions<R>;
  static std::string name(const SgdOptions&) { return "sgd"; }
  static std::vector<std::string> slots(const SgdOptions& o) {
    if (o.momentum == 0) return {};
    return {"momentum_buffer"};
  }
  template <typename Check>
  static void check(const SgdOptions& o, Check&& c) {
    c(!o.nesterov || (o.momentum != 0 && o.dampening == 0), "dampening",
      "0 with a non-zero momentum for Nesterov", o.dampening);
  }
  enum : int { kNegLr, kMu, kDamp, kCoeffs };
  template <typename C>
  static std::array<C, kCoeffs> coefficients(const BasicSgdOptions<C>& o, const StepInfo<C>& s) {
    return {-s.lr, o.momentum, C(1) - o.dampening};
  }
  // 0: no momentum; 1, 2: the first step (PyTorch seeds the buffer with the first gradient,
  // undamped), Nesterov or not; 3, 4: later steps, Nesterov or not.
  template <typename C, typename F>
  static void variants(const SgdOptions& o, const StepInfo<C>& s, F&& f) {
    if (o.momentum == 0) return f(Variant<0>{});
    if (s.t == 1) return o.nesterov ? f(Variant<1>{}) : f(Variant<2>{});
    o.nesterov ? f(Variant<3>{}) : f(Variant<4>{});
  }
  template <int K, typename S, typename Slots, typename C>
  static S element(S g, Slots s, const std::array<C, kCoeffs>& c) {
    if constexpr (K == 0) {
      return c[kNegLr] * g;
    } else {
      S& b = s[0];
      if constexpr (K == 1) return c[kNegLr] * (g + c[kMu] * (b = g));
      if constexpr (K == 2) return c[kNegLr] * (b = g);
      if constexpr (K == 3) {
        b = b * c[kMu] + c[kDamp] * g;
        return c[kNegLr] * (g + c[kMu] * b);
      }
      if constexpr (K == 4) return c[kNegLr] * (b = b * c[kMu] + c[kDamp] * g);
    }
  }
};

struct Adagrad : PolicyBase {
  template <typename R>
  using Options = BasicAdagradOptions<R>;
  static std::string name(const AdagradOptions&) { return "adagrad"; }
  static std::vector<std::string> slots(const AdagradOptions&) { return {"sum"}; }
  template <typename O, typename St>
  static void init(const O& o, St& s) {
    for (auto& x : s.slots[0]) x = o.initial_accumulator_value;
  }
  enum : int { kNegLr, kEps, kCoeffs };
  template <typename C>
  static std::array<C, kCoeffs> coefficients(const BasicAdagradOptions<C>& o,
                                             const StepInfo<C>& s) {
    return {-(s.lr / (C(1) + static_cast<double>(s.t - 1) * o.lr_decay)), o.eps};
  }
  template <int K, typename S, typename Slots, typename C>
  static S element(S g, Slots s, const std::array<C, kCoeffs>& c) {
    using std::sqrt;
    S& sum = s[0];
    sum = sum + g * g;
    return c[kNegLr] * g / (sqrt(sum) + c[kEps]);
  }
};

struct Rmsprop : PolicyBase {
  template <typename R>
  using Options = BasicRmspropOptions<R>;
  static std::string name(const RmspropOptions&) { return "rmsprop"; }
  static std::vector<std::string> slots(const RmspropOptions& o) {
    std::vector<std::string> s{"square_avg"};
    if (o.centered) s.push_back("grad_avg");
    if (o.momentum > 0) s.push_back("momentum_buffer");
    return s;
  }
  enum : int { kAlpha, kOneMinusAlpha, kEps, kMu, kNegLr, kCoeffs };
  template <typename C>
  static std::array<C, kCoeffs> coefficients(const BasicRmspropOptions<C>& o,
                                             const StepInfo<C>& s) {
    return {o.alpha, C(1) - o.alpha, o.eps, o.momentum, -s.lr};
  }
  // Bit 1: centred; bit 0: momentum.
  template <typename C, typename F>
  static void variants(const RmspropOptions& o, const StepInfo<C>&, F&& f) {
    if (o.centered)
      o.momentum > 0 ? f(Variant<3>{}) : f(Variant<2>{});
    else
      o.momentum > 0 ? f(Variant<1>{}) : f(Variant<0>{});
  }
  template <int K, typename S, typename Slots, typename C>
  static S element(S g, Slots s, const std::array<C, kCoeffs>& c) {
    using std::sqrt;
    constexpr bool kCentered = (K & 2) != 0, kMomentum = (K & 1) != 0;
    S& sq = ema_sq(s[0], c[kAlpha], c[kOneMinusAlpha], g);
    S avg;
    if constexpr (kCentered) {
      S& ga = ema(s[1], c[kAlpha], c[kOneMinusAlpha], g);
      avg = sqrt(sq - ga * ga) + c[kEps];
    } else {
      avg = sqrt(sq) + c[kEps];
    }
    if constexpr (kMomentum) {
      S& b = s[kCentered ? 2 : 1];
      b = b * c[kMu] + g / avg;
      return c[kNegLr] * b;
    } else {
      return c[kNegLr] * g / avg;
    }
  }
};

struct Adam : PolicyBase {
  template <typename R>
  using Options = BasicAdamOptions<R>;
  static std::string name(const AdamOptions& o) {
    if (o.decoupled_weight_decay) return o.amsgrad ? "adamw_amsgrad" : "adamw";
    return o.amsgrad ? "amsgrad" : "adam";
  }
  static std::vector<std::string> slots(const AdamOptions& o) {
    if (o.amsgrad) return {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"};
    return {"exp_avg", "exp_avg_sq"};
  }
  static bool decoupled(const AdamOptions& o) { return o.decoupled_weight_decay; }
  enum : int { kB1, kOmb1, kB2, kOmb2, kNegStep, kBc2Sqrt, kEps, kCoeffs };
  template <typename C>
  static std::array<C, kCoeffs> coefficients(const BasicAdamOptions<C>& o, const StepInfo<C>& s) {
    using std::sqrt;
    return {o.beta1,
            C(1) - o.beta1,
            o.beta2,
            C(1) - o.beta2,
            -(s.lr / bias_correction(o.beta1, s.t)),
            sqrt(bias_correction(o.beta2, s.t)),
            o.eps};
  }
  template <typename C, typename F>
  static void variants(const AdamOptions& o, const StepInfo<C>&, F&& f) {
    o.amsgrad ? f(Variant<1>{}) : f(Variant<0>{});
  }
  template <int K, typename S, typename Slots, typename C>
  static S element(S g, Slots s, const std::array<C, kCoeffs>& c) {
    S& m = ema(s[0], c[kB1], c[kOmb1], g);
    S& v = ema_sq(s[1], c[kB2], c[kOmb2], g);
    if constexpr (K == 1)  // AMSGrad: divide by the running max of v
      return c[kNegStep] * m / adam_denominator(running_max(s[2], v), c[kBc2Sqrt], c[kEps]);
    else
      return c[kNegStep] * m / adam_denominator(v, c[kBc2Sqrt], c[kEps]);
  }
};

struct Adamax : PolicyBase {
  template <typename R>
  using Options = BasicAdamaxOptions<R>;
  static std::string name(const AdamaxOptions&) { return "adamax"; }
  static std::vector<std::string> slots(const AdamaxOptions&) { return {"exp_avg", "exp_inf"}; }
  enum : int { kB1, kOmb1, kB2, kEps, kNegStep, kCoeffs };
  template <typename C>
  static std::array<C, kCoeffs> coefficients(const BasicAdamaxOptions<C>& o, const StepInfo<C>& s) {
    return {o.beta1, C(1) - o.beta1, o.beta2, o.eps, -(s.lr / bias_correction(o.beta1, s.t))};
  }
  template <int K, typename S, typename Slots, typename C>
  static S element(S g, Slots s, const std::array<C, kCoeffs>& c) {
    using std::abs;
    S& m = ema(s[0], c[kB1], c[kOmb1], g);
    S& u = s[1];
    u = u * c[kB2];
    running_max(u, S(abs(g) + c[kEps]));  // u ← max(β₂ u, |g| + ε)
    return c[kNegStep] * m / u;
  }
};

struct Nadam : PolicyBase {
  template <typename R>
  using Options = BasicNadamOptions<R>;
  static std::string name(const NadamOptions&) { return "nadam"; }
  static std::vector<std::string> slots(const NadamOptions&) { return {"exp_avg", "exp_avg_sq"}; }
  static std::vector<std::string> scalars(const NadamOptions&) { return {"mu_product"}; }
  template <typename O, typename St>
  static void init(const O&, St& s) {
    s.scalars[0] = 1.0;
  }
  template <typename O, typename St>
  static void begin_step(const O& o, St& s) {
    s.scalars[0] *= mu(o, s.step);
  }
  /// μ_t = β₁ (1 − ½ · 0.96^(t ψ)).
  template <typename C>
  static C mu(const BasicNadamOptions<C>& o, std::int64_t t) {
    using std::pow;
    return o.beta1 * (C(1) - 0.5 * pow(0.96, static_cast<double>(t) * o.momentum_decay));
  }
  enum : int { kB1, kOmb1, kB2, kOmb2, kGrad, kAvg, kBc2, kEps, kCoeffs };
  template <typename C>
  static std::array<C, kCoeffs> coefficients(const BasicNadamOptions<C>& o, const StepInfo<C>& s) {
    const C mu_t = mu(o, s.t), mu_next = mu(o, s.t + 1);
    const C mu_product = C(s.scalars[0]), mu_product_next = mu_product * mu_t * mu_next;
    return {o.beta1,
            C(1) - o.beta1,
            o.beta2,
            C(1) - o.beta2,
            -s.lr * (C(1) - mu_t) / (C(1) - mu_product),
            -s.lr * mu_next / (C(1) - mu_product_next),
            bias_correction(o.beta2, s.t),
            o.eps};
  }
  template <int K, typename S, typename Slots, typename C>
  static S element(S g, Slots s, const std::array<C, kCoeffs>& c) {
    using std::sqrt;
    S& m = ema(s[0], c[kB1], c[kOmb1], g);
    S& v = ema_sq(s[1], c[kB2], c[kOmb2], g);
    const S denom = sqrt(v / c[kBc2]) + c[kEps];
    return c[kGrad] * g / denom + c[kAvg] * m / denom;
  }
};

struct Radam : PolicyBase {
  template <typename R>
  using Options = BasicRadamOptions<R>;
  static std::string name(const RadamOptions&) { return "radam"; }
  static std::vector<std::string> slots(const RadamOptions&) { return {"exp_avg", "exp_avg_sq"}; }
  /// ρ_t = ρ_∞ − 2 t β₂ᵗ / (1 − β₂ᵗ), ρ_∞ = 2 / (1 − β₂) − 1: the variance is tractable when
  /// ρ_t > 5 (double: the phase is a choice, not a value to differentiate).
  static double rho(double beta2, std::int64_t t) {
    const double b2t = std::pow(beta2, static_cast<double>(t));
    return (2 / (1 - beta2) - 1) - 2 * static_cast<double>(t) * b2t / (1 - b2t);
  }
  enum : int { kB1, kOmb1, kB2, kOmb2, kBc1, kLr, kBc2Sqrt, kEps, kRect, kCoeffs };
  template <typename C>
  static std::array<C, kCoeffs> coefficients(const BasicRadamOptions<C>& o, const StepInfo<C>& s) {
    using std::pow;
    using std::sqrt;
    const double t = static_cast<double>(s.t);
    const C b2t = pow(o.beta2, t), bc2 = C(1) - b2t;
    const C rho_inf = C(2) / (C(1) - o.beta2) - C(1);
    const C rho_t = rho_inf - 2 * t * b2t / bc2;
    C rect = C(0);
    if (rho_t > 5.)
      rect = sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t));
    return {o.beta1,   C(1) - o.beta1, o.beta2, C(1) - o.beta2, bias_correction(o.beta1, s.t), s.lr,
            sqrt(bc2), o.eps,          rect};
  }
  template <typename C, typename F>
  static void variants(const RadamOptions& o, const StepInfo<C>& s, F&& f) {
    rho(o.beta2, s.t) > 5. ? f(Variant<1>{}) : f(Variant<0>{});
  }
  template <int K, typename S, typename Slots, typename C>
  static S element(S g, Slots s, const std::array<C, kCoeffs>& c) {
    using std::sqrt;
    S& m = ema(s[0], c[kB1], c[kOmb1], g);
    S& v = ema_sq(s[1], c[kB2], c[kOmb2], g);
    if constexpr (K == 1) {
      const S adaptive = c[kBc2Sqrt] / (sqrt(v) + c[kEps]);
      return -(m / c[kBc1] * c[kLr] * adaptive * c[kRect]);
    } else {
      return -(m / c[kBc1] * c[kLr]);
    }
  }
};

struct Lion : PolicyBase {
  template <typename R>
  using Options = BasicLionOptions<R>;
  static std::string name(const LionOptions&) { return "lion"; }
  static std::vector<std::string> slots(const LionOptions&) { return {"exp_avg"}; }
  static bool decoupled(const LionOptions&) { return true; }
  enum : int { kB1, kOmb1, kB2, kOmb2, kLr, kCoeffs };
  template <typename C>
  static std::array<C, kCoeffs> coefficients(const BasicLionOptions<C>& o, const StepInfo<C>& s) {
    return {o.beta1, C(1) - o.beta1, o.beta2, C(1) - o.beta2, s.lr};
  }
  /// d = −lr sign(c) with sign(0) = 0; the derivative of sign is 0 everywhere (torch's
  /// convention), so d depends on lr only.
  template <int K, typename S, typename Slots, typename C>
  static S element(S g, Slots s, const std::array<C, kCoeffs>& c) {
    const S dir = s[0] * c[kB1] + c[kOmb1] * g;
    ema(s[0], c[kB2], c[kOmb2], g);
    const S zero = S(0);
    return dir > zero ? S(-c[kLr]) : (dir < zero ? S(c[kLr]) : zero);
  }
};

struct OptimisticAdam : PolicyBase {
  template <typename R>
  using Options = BasicOptimisticAdamOptions<R>;
  static std::string name(const OptimisticAdamOptions&) { return "optimistic_adam"; }
  static std::vector<std::string> slots(const OptimisticAdamOptions&) {
    return {"exp_avg", "exp_avg_sq", "prev_direction"};
  }
  enum : int { kB1, kOmb1, kB2, kOmb2, kInvBc1, kBc2Sqrt, kEps, kLr, kCoeffs };
  template <typename C>
  static std::array<C, kCoeffs> coefficients(const BasicOptimisticAdamOptions<C>& o,
                                             const StepInfo<C>& s) {
    using std::sqrt;
    return {o.beta1,
            C(1) - o.beta1,
            o.beta2,
            C(1) - o.beta2,
            C(1) / bias_correction(o.beta1, s.t),
            sqrt(bias_correction(o.beta2, s.t)),
            o.eps,
            s.lr};
  }
  template <int K, typename S, typename Slots, typename C>
  static S element(S g, Slots s, const std::array<C, kCoeffs>& c) {
    S& m = ema(s[0], c[kB1], c[kOmb1], g);
    S& v = ema_sq(s[1], c[kB2], c[kOmb2], g);
    S& q = s[2];  // Adam's direction of the previous step
    const S dir = m * c[kInvBc1] / adam_denominator(v, c[kBc2Sqrt], c[kEps]);
    const S d = -c[kLr] * (S(2) * dir - q);
    q = dir;
    return d;
  }
};

/// The policy of each options struct (double hyper-parameters).
template <typename O>
struct PolicyOf;
#define ADAMANT_POLICY_OF(Policy)            \
  template <>                                \
  struct PolicyOf<Policy::Options<double>> { \
    using type = Policy;                     \
  };
ADAMANT_POLICY_OF(Sgd)
ADAMANT_POLICY_OF(Adagrad)
ADAMANT_POLICY_OF(Rmsprop)
ADAMANT_POLICY_OF(Adam)
ADAMANT_POLICY_OF(Adamax)
ADAMANT_POLICY_OF(Nadam)
ADAMANT_POLICY_OF(Radam)
ADAMANT_POLICY_OF(Lion)
ADAMANT_POLICY_OF(OptimisticAdam)
#undef ADAMANT_POLICY_OF

}  // namespace adamant::core::recurrence
