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

//
// Each options struct is written once, as a template on the real type R of its hyper-parameters
// (double for every ordinary use; a derivative type when the hyper-gradients are wanted), with a
// field list, `fields(visitor)`, from which validation, descriptions and the bindings are
// generated. Each rule's element recurrence is written once too, in recurrences.hpp, and the
// name of every rule, with its aliases, is in one table here (rule_names, rule_options).

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "adamant/core/rule.hpp"

namespace adamant::core {

/// The range a real hyper-parameter must lie in; validation messages say it in these words.
enum class Range {
  kNonNegative,  ///< "finite and >= 0"
  kPositive,     ///< "finite and > 0"
  kUnit,         ///< "in [0, 1)": β's, RMSprop's α and momentum
  kSymmetric,    ///< "in (-1, 1)": SGD's momentum (negative momentum stabilises games)
  kClosedUnit,   ///< "in [0, 1]"
};
/// The words of a range in a message, e.g. "in [0, 1)".
const char* range_text(Range r);
bool in_range(double v, Range r);

// Every field list, fields(v), calls v(name, &Options::member, Range, doc) for each real
// hyper-parameter and v(name, &Options::member, doc) for each flag, in torch.optim's order of
// keyword arguments (Python's constructors take them in this order).

template <typename R = double>
struct BasicSgdOptions {
  R lr = 1e-3;
  R momentum = 0.0;
  R dampening = 0.0;
  bool nesterov = false;
  R weight_decay = 0.0;  // coupled (L2)
  bool maximize = false;
  template <typename V>
  static void fields(V&& v) {
    v("lr", &BasicSgdOptions::lr, Range::kNonNegative, "learning rate");
    v("momentum", &BasicSgdOptions::momentum, Range::kSymmetric, "momentum factor μ");
    v("dampening", &BasicSgdOptions::dampening, Range::kClosedUnit, "dampening τ of the momentum");
    v("weight_decay", &BasicSgdOptions::weight_decay, Range::kNonNegative,
      "L2 penalty added to the gradient");
    v("nesterov", &BasicSgdOptions::nesterov, "Nesterov momentum");
    v("maximize", &BasicSgdOptions::maximize, "ascend instead of descend");
  }
};

template <typename R = double>
struct BasicAdagradOptions {
  R lr = 1e-2;
  R lr_decay = 0.0;
  R weight_decay = 0.0;
  R initial_accumulator_value = 0.0;
  R eps = 1e-10;
  bool maximize = false;
  template <typename V>
  static void fields(V&& v) {
    v("lr", &BasicAdagradOptions::lr, Range::kNonNegative, "learning rate");
    v("lr_decay", &BasicAdagradOptions::lr_decay, Range::kNonNegative, "learning-rate decay η");
    v("weight_decay", &BasicAdagradOptions::weight_decay, Range::kNonNegative,
      "L2 penalty added to the gradient");
    v("initial_accumulator_value", &BasicAdagradOptions::initial_accumulator_value,
      Range::kNonNegative, "initial sum of squares");
    v("eps", &BasicAdagradOptions::eps, Range::kPositive, "term added to the denominator");
    v("maximize", &BasicAdagradOptions::maximize, "ascend instead of descend");
  }
};

template <typename R = double>
struct BasicRmspropOptions {
  R lr = 1e-2;
  R alpha = 0.99;
  R eps = 1e-8;
  R weight_decay = 0.0;
  R momentum = 0.0;
  bool centered = false;
  bool maximize = false;
  template <typename V>
  static void fields(V&& v) {
    v("lr", &BasicRmspropOptions::lr, Range::kNonNegative, "learning rate");
    v("alpha", &BasicRmspropOptions::alpha, Range::kUnit,
      "smoothing constant of the squared-gradient average");
    v("eps", &BasicRmspropOptions::eps, Range::kPositive, "term added to the denominator");
    v("weight_decay", &BasicRmspropOptions::weight_decay, Range::kNonNegative,
      "L2 penalty added to the gradient");
    v("momentum", &BasicRmspropOptions::momentum, Range::kUnit, "momentum factor");
    v("centered", &BasicRmspropOptions::centered,
      "normalise by the variance estimate instead of the second moment");
    v("maximize", &BasicRmspropOptions::maximize, "ascend instead of descend");
  }
};

template <typename R = double>
struct BasicAdamOptions {
  R lr = 1e-3;
  R beta1 = 0.9;
  R beta2 = 0.999;
  R eps = 1e-8;
  R weight_decay = 0.0;
  /// false: L2 added to the gradient (torch.optim.Adam); true: p ← p (1 − lr λ) (AdamW).
  bool decoupled_weight_decay = false;
  bool amsgrad = false;
  bool maximize = false;
  /// AdamW's defaults (torch.optim.AdamW): decoupled decay 1e-2.
  static BasicAdamOptions adamw() {
    BasicAdamOptions o;
    o.weight_decay = 1e-2;
    o.decoupled_weight_decay = true;
    return o;
  }
  template <typename V>
  static void fields(V&& v) {
    v("lr", &BasicAdamOptions::lr, Range::kNonNegative, "learning rate");
    v("beta1", &BasicAdamOptions::beta1, Range::kUnit, "decay of the first-moment average");
    v("beta2", &BasicAdamOptions::beta2, Range::kUnit, "decay of the second-moment average");
    v("eps", &BasicAdamOptions::eps, Range::kPositive, "term added to the denominator");
    v("weight_decay", &BasicAdamOptions::weight_decay, Range::kNonNegative, "weight decay λ");
    v("decoupled_weight_decay", &BasicAdamOptions::decoupled_weight_decay,
      "decay the parameters (AdamW) instead of adding λ·p to the gradient");
    v("amsgrad", &BasicAdamOptions::amsgrad,
      "divide by the running maximum of the second moment (AMSGrad)");
    v("maximize", &BasicAdamOptions::maximize, "ascend instead of descend");
  }
};

template <typename R = double>
struct BasicAdamaxOptions {
  R lr = 2e-3;
  R beta1 = 0.9;
  R beta2 = 0.999;
  R eps = 1e-8;
  R weight_decay = 0.0;
  bool maximize = false;
  template <typename V>
  static void fields(V&& v) {
    v("lr", &BasicAdamaxOptions::lr, Range::kNonNegative, "learning rate");
    v("beta1", &BasicAdamaxOptions::beta1, Range::kUnit, "decay of the first-moment average");
    v("beta2", &BasicAdamaxOptions::beta2, Range::kUnit, "decay of the infinity norm");
    v("eps", &BasicAdamaxOptions::eps, Range::kPositive, "term added to |g|");
    v("weight_decay", &BasicAdamaxOptions::weight_decay, Range::kNonNegative,
      "L2 penalty added to the gradient");
    v("maximize", &BasicAdamaxOptions::maximize, "ascend instead of descend");
  }
};

template <typename R = double>
struct BasicNadamOptions {
  R lr = 2e-3;
  R beta1 = 0.9;
  R beta2 = 0.999;
  R eps = 1e-8;
  R weight_decay = 0.0;
  R momentum_decay = 4e-3;
  template <typename V>
  static void fields(V&& v) {
    v("lr", &BasicNadamOptions::lr, Range::kNonNegative, "learning rate");
    v("beta1", &BasicNadamOptions::beta1, Range::kUnit, "decay of the first-moment average");
    v("beta2", &BasicNadamOptions::beta2, Range::kUnit, "decay of the second-moment average");
    v("eps", &BasicNadamOptions::eps, Range::kPositive, "term added to the denominator");
    v("weight_decay", &BasicNadamOptions::weight_decay, Range::kNonNegative,
      "L2 penalty added to the gradient");
    v("momentum_decay", &BasicNadamOptions::momentum_decay, Range::kNonNegative,
      "momentum decay ψ");
  }
};

template <typename R = double>
struct BasicRadamOptions {
  R lr = 1e-3;
  R beta1 = 0.9;
  R beta2 = 0.999;
  R eps = 1e-8;
  R weight_decay = 0.0;
  template <typename V>
  static void fields(V&& v) {
    v("lr", &BasicRadamOptions::lr, Range::kNonNegative, "learning rate");
    v("beta1", &BasicRadamOptions::beta1, Range::kUnit, "decay of the first-moment average");
    v("beta2", &BasicRadamOptions::beta2, Range::kUnit, "decay of the second-moment average");
    v("eps", &BasicRadamOptions::eps, Range::kPositive, "term added to the denominator");
    v("weight_decay", &BasicRadamOptions::weight_decay, Range::kNonNegative,
      "L2 penalty added to the gradient");
  }
};

template <typename R = double>
struct BasicLionOptions {
  R lr = 1e-4;
  R beta1 = 0.9;
  R beta2 = 0.99;
  R weight_decay = 0.0;  // decoupled, as in the paper
  bool maximize = false;
  template <typename V>
  static void fields(V&& v) {
    v("lr", &BasicLionOptions::lr, Range::kNonNegative, "learning rate");
    v("beta1", &BasicLionOptions::beta1, Range::kUnit, "interpolation of the update direction");
    v("beta2", &BasicLionOptions::beta2, Range::kUnit, "decay of the momentum");
    v("weight_decay", &BasicLionOptions::weight_decay, Range::kNonNegative,
      "decoupled weight decay");
    v("maximize", &BasicLionOptions::maximize, "ascend instead of descend");
  }
};

template <typename R = double>
struct BasicOptimisticAdamOptions {
  R lr = 1e-3;
  R beta1 = 0.9;
  R beta2 = 0.999;
  R eps = 1e-8;
  R weight_decay = 0.0;  // coupled (L2)
  bool maximize = false;
  template <typename V>
  static void fields(V&& v) {
    v("lr", &BasicOptimisticAdamOptions::lr, Range::kNonNegative, "learning rate");
    v("beta1", &BasicOptimisticAdamOptions::beta1, Range::kUnit,
      "decay of the first-moment average");
    v("beta2", &BasicOptimisticAdamOptions::beta2, Range::kUnit,
      "decay of the second-moment average");
    v("eps", &BasicOptimisticAdamOptions::eps, Range::kPositive, "term added to the denominator");
    v("weight_decay", &BasicOptimisticAdamOptions::weight_decay, Range::kNonNegative,
      "L2 penalty added to the gradient");
    v("maximize", &BasicOptimisticAdamOptions::maximize, "ascend instead of descend");
  }
};

using SgdOptions = BasicSgdOptions<>;
using AdagradOptions = BasicAdagradOptions<>;
using RmspropOptions = BasicRmspropOptions<>;
using AdamOptions = BasicAdamOptions<>;
using AdamaxOptions = BasicAdamaxOptions<>;
using NadamOptions = BasicNadamOptions<>;
using RadamOptions = BasicRadamOptions<>;
using LionOptions = BasicLionOptions<>;
using OptimisticAdamOptions = BasicOptimisticAdamOptions<>;

/// The options of any rule.
using RuleOptions =
    std::variant<SgdOptions, AdagradOptions, RmspropOptions, AdamOptions, AdamaxOptions,
                 NadamOptions, RadamOptions, LionOptions, OptimisticAdamOptions>;

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
template <typename T>
std::unique_ptr<UpdateRule<T>> make_rule(const RuleOptions& o);

// ---- the one table of rule names --------------------------------------------------------------
// sgd, momentum (SGD with μ = 0.9), nesterov (the same, Nesterov), adagrad, rmsprop, adam, adamw,
// amsgrad, adamax, nadam, radam, lion, optimistic_adam (alias oadam), each with PyTorch's
// defaults.

/// The rule names, in table order (aliases not included).
const std::vector<std::string>& rule_names();
/// "alias = name" for every alias, e.g. "oadam = optimistic_adam".
const std::vector<std::string>& rule_aliases();
/// The names (and aliases) as one line for messages: "sgd, momentum, ..., optimistic_adam
/// (also: oadam = optimistic_adam)".
std::string known_rules_text();
/// True when `name` is a rule name or an alias.
bool is_rule_name(const std::string& name);
/// The table name for a name or an alias; throws std::invalid_argument ("unknown rule 'x'
/// (known: ...)") otherwise.
std::string canonical_rule_name(const std::string& name);
/// The named rule with its defaults; throws like canonical_rule_name.
RuleOptions rule_options(const std::string& name);

/// The rule's name as rules report it (UpdateRule::name), e.g. "adamw_amsgrad".
std::string rule_name(const RuleOptions& o);
/// The first table name whose options are of the same kind ("adam" for adam, adamw and amsgrad;
/// "sgd" for every SGD): rule_options(rule_kind(o)) with o's fields set gives o back.
std::string rule_kind(const RuleOptions& o);

/// One field of some rule's options, for interfaces generated from the field lists (command-line
/// flags, Python keywords).
struct RuleField {
  std::string name;  ///< e.g. "beta1"
  std::string doc;   ///< the field list's description (of the first rule that has the field)
  bool boolean = false;
};
/// Every field any rule has, once each, in the order the rules list them (table order).
const std::vector<RuleField>& all_rule_fields();
/// True when the rule's options have field `name`.
bool has_field(const RuleOptions& o, const std::string& name);
/// Names of the options' fields, in field-list order.
std::vector<std::string> field_names(const RuleOptions& o);
/// Sets the real (or, for 0 / 1, boolean) field `name`; false when the rule has no such field.
bool set_field(RuleOptions& o, const std::string& name, double value);
/// The value of field `name` (booleans as 0 / 1); throws std::invalid_argument when absent.
double get_field(const RuleOptions& o, const std::string& name);
/// "" when every field lies in its range, else "rule: beta1 must be in [0, 1), got 1; ...".
std::string validate(const RuleOptions& o);
/// Every field, e.g. "adam(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-08, weight_decay=0,
/// decoupled_weight_decay=false, amsgrad=false, maximize=false)".
std::string describe(const RuleOptions& o);

}  // namespace adamant::core
