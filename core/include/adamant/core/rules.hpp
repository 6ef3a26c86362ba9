#pragma once
// The Adam family and its relatives as update rules (rule.hpp). Numerics follow PyTorch 1.13's
// single-tensor implementations operation by operation (eps outside the bias-corrected square
// root, AMSGrad's running max over the raw second moment), so a run reproduces torch.optim's to
// rounding; tests/golden/torch_optim.h5 holds the reference trajectories. Per-step scalars
// (bias corrections, step sizes) are computed in double and rounded to T once.
//
// t is the step (1 on the first update), g the gradient after composition (rule.hpp), d the
// update added to the parameters.
//
//   SGD      b ← g (t = 1), μ b + (1 − τ) g;  d = −lr (g + μ b) (Nesterov) or −lr b
//            (Sutskever et al. 2013)
//   Adagrad  s ← s + g²;  d = −lr_t g / (√s + ε),  lr_t = lr / (1 + (t − 1) η)   (Duchi 2011)
//   RMSprop  v ← α v + (1 − α) g²;  centred: ḡ ← α ḡ + (1 − α) g, v̂ = v − ḡ²;  a = √v̂ + ε;
//            momentum: b ← μ b + g / a, d = −lr b;  else d = −lr g / a       (Hinton 2012)
//   Adam     m ← β₁ m + (1 − β₁) g;  v ← β₂ v + (1 − β₂) g²;  AMSGrad: v̂ ← max(v̂, v)
//            d = −(lr / (1 − β₁ᵗ)) m / (√v / √(1 − β₂ᵗ) + ε)          (Kingma & Ba 2015;
//            AMSGrad: Reddi et al. 2018; AdamW: decoupled decay, Loshchilov & Hutter 2019)
//   AdaMax   m as Adam;  u ← max(β₂ u, |g| + ε);  d = −(lr / (1 − β₁ᵗ)) m / u  (Kingma & Ba)
//   NAdam    μ_t = β₁ (1 − ½ · 0.96^(t ψ)),  Π_t = Π_{t−1} μ_t;  m, v as Adam;
//            a = √(v / (1 − β₂ᵗ)) + ε;
//            d = −lr (1 − μ_t) / (1 − Π_t) · g / a − lr μ_{t+1} / (1 − Π_t μ_t μ_{t+1}) · m / a
//            (Dozat 2016, PyTorch 1.13's form; PyTorch ≥ 2.0 uses 1 − Π_t μ_{t+1} in the second
//            denominator)
//   RAdam    ρ_∞ = 2 / (1 − β₂) − 1,  ρ_t = ρ_∞ − 2 t β₂ᵗ / (1 − β₂ᵗ);  m̂ = m / (1 − β₁ᵗ);
//            ρ_t > 5: r = √((ρ_t − 4)(ρ_t − 2) ρ_∞ / ((ρ_∞ − 4)(ρ_∞ − 2) ρ_t)),
//            d = −m̂ lr √(1 − β₂ᵗ) / (√v + ε) · r;  else d = −m̂ lr            (Liu et al. 2020)
//   Lion     c = β₁ m + (1 − β₁) g;  d = −lr sign(c);  m ← β₂ m + (1 − β₂) g  (Chen et al. 2023)
//   OptimisticAdam  Adam's direction q_t = m̂_t / (√v̂_t + ε);  d = −lr (2 q_t − q_{t−1})
//            (Daskalakis, Ilyas, Syrgkanis & Zeng 2018, "Training GANs with Optimism")

#include <memory>
#include <string>

#include "adamant/core/rule.hpp"

namespace adamant::core {

struct SgdOptions {
  double lr = 1e-3;
  double momentum = 0.0;
  double dampening = 0.0;
  bool nesterov = false;
  double weight_decay = 0.0;  // coupled (L2)
  bool maximize = false;
};

struct AdagradOptions {
  double lr = 1e-2;
  double lr_decay = 0.0;
  double weight_decay = 0.0;
  double initial_accumulator_value = 0.0;
  double eps = 1e-10;
  bool maximize = false;
};

struct RmspropOptions {
  double lr = 1e-2;
  double alpha = 0.99;
  double eps = 1e-8;
  double weight_decay = 0.0;
  double momentum = 0.0;
  bool centered = false;
  bool maximize = false;
};

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
  /// false: L2 added to the gradient (torch.optim.Adam); true: p ← p (1 − lr λ) (AdamW).
  bool decoupled_weight_decay = false;
  bool amsgrad = false;
  bool maximize = false;
  /// AdamW's defaults (torch.optim.AdamW): decoupled decay 1e-2.
  static AdamOptions adamw() {
    AdamOptions o;
    o.weight_decay = 1e-2;
    o.decoupled_weight_decay = true;
    return o;
  }
};

struct AdamaxOptions {
  double lr = 2e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
  bool maximize = false;
};

struct NadamOptions {
  double lr = 2e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
  double momentum_decay = 4e-3;
};

struct RadamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
};

struct LionOptions {
  double lr = 1e-4;
  double beta1 = 0.9;
  double beta2 = 0.99;
  double weight_decay = 0.0;  // decoupled, as in the paper
  bool maximize = false;
};

struct OptimisticAdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;  // coupled (L2)
  bool maximize = false;
};

template <typename T>
std::unique_ptr<UpdateRule<T>> make_rule(const SgdOptions& o);
template <typename T>
std::unique_ptr<UpdateRule<T>> make_rule(const AdagradOptions& o);
template <typename T>
std::unique_ptr<UpdateRule<T>> make_rule(const RmspropOptions& o);
template <typename T>
std::unique_ptr<UpdateRule<T>> make_rule(const AdamOptions& o);
template <typename T>
std::unique_ptr<UpdateRule<T>> make_rule(const AdamaxOptions& o);
template <typename T>
std::unique_ptr<UpdateRule<T>> make_rule(const NadamOptions& o);
template <typename T>
std::unique_ptr<UpdateRule<T>> make_rule(const RadamOptions& o);
template <typename T>
std::unique_ptr<UpdateRule<T>> make_rule(const LionOptions& o);
template <typename T>
std::unique_ptr<UpdateRule<T>> make_rule(const OptimisticAdamOptions& o);

}  // namespace adamant::core
