#include "adamant/core/rules.hpp"

#include <cmath>
#include <sstream>

namespace adamant::core {
namespace {

// Collects messages for invalid hyper-parameters, each naming the rule and the parameter.
class Checker {
 public:
  explicit Checker(std::string rule) : rule_(std::move(rule)) {}
  void lr(double v) { check(std::isfinite(v) && v >= 0, "lr", "finite and >= 0", v); }
  void beta(const char* name, double v) { check(v >= 0 && v < 1, name, "in [0, 1)", v); }
  void eps(double v) { check(std::isfinite(v) && v > 0, "eps", "finite and > 0", v); }
  void nonneg(const char* name, double v) {
    check(std::isfinite(v) && v >= 0, name, "finite and >= 0", v);
  }
  void check(bool ok, const char* name, const char* expected, double got) {
    if (ok) return;
    if (!out_.tellp())
      out_ << rule_ << ": ";
    else
      out_ << "; ";
    out_ << name << " must be " << expected << ", got " << got;
  }
  std::string str() const { return out_.str(); }

 private:
  std::string rule_;
  std::ostringstream out_;
};

template <typename T>
class SgdRule final : public UpdateRule<T> {
 public:
  explicit SgdRule(const SgdOptions& o) : o_(o) {}
  std::string name() const override { return "sgd"; }
  std::string validate() const override {
    Checker c(name());
    c.lr(o_.lr);
    // Negative momentum is allowed: it stabilises games (Gidel et al. 2019).
    c.check(o_.momentum > -1 && o_.momentum < 1, "momentum", "in (-1, 1)", o_.momentum);
    c.check(o_.dampening >= 0 && o_.dampening <= 1, "dampening", "in [0, 1]", o_.dampening);
    c.nonneg("weight_decay", o_.weight_decay);
    c.check(!o_.nesterov || (o_.momentum != 0 && o_.dampening == 0), "dampening",
            "0 with a non-zero momentum for Nesterov", o_.dampening);
    return c.str();
  }
  double lr() const override { return o_.lr; }
  double weight_decay() const override { return o_.weight_decay; }
  bool maximize() const override { return o_.maximize; }
  std::vector<std::string> slot_names() const override {
    if (o_.momentum == 0) return {};
    return {"momentum_buffer"};
  }
  void update(const Kernel<T>& k) const override {
    const T neg_lr = static_cast<T>(-k.lr);
    if (o_.momentum == 0) {
      for_each_element(k, [=](std::size_t, T g) { return neg_lr * g; });
      return;
    }
    T* __restrict b = k.s[0];
    const T mu = static_cast<T>(o_.momentum);
    if (k.step == 1) {  // PyTorch seeds the buffer with the first gradient, undamped
      if (o_.nesterov)
        for_each_element(k, [=](std::size_t i, T g) { return neg_lr * (g + mu * (b[i] = g)); });
      else
        for_each_element(k, [=](std::size_t i, T g) { return neg_lr * (b[i] = g); });
      return;
    }
    const T damp = static_cast<T>(1.0 - o_.dampening);
    if (o_.nesterov)
      for_each_element(k, [=](std::size_t i, T g) {
        b[i] = b[i] * mu + damp * g;
        return neg_lr * (g + mu * b[i]);
      });
    else
      for_each_element(k,
                       [=](std::size_t i, T g) { return neg_lr * (b[i] = b[i] * mu + damp * g); });
  }
  std::unique_ptr<UpdateRule<T>> clone() const override { return std::make_unique<SgdRule>(*this); }

 private:
  SgdOptions o_;
};

template <typename T>
class AdagradRule final : public UpdateRule<T> {
 public:
  explicit AdagradRule(const AdagradOptions& o) : o_(o) {}
  std::string name() const override { return "adagrad"; }
  std::string validate() const override {
    Checker c(name());
    c.lr(o_.lr);
    c.nonneg("lr_decay", o_.lr_decay);
    c.nonneg("weight_decay", o_.weight_decay);
    c.nonneg("initial_accumulator_value", o_.initial_accumulator_value);
    c.eps(o_.eps);
    return c.str();
  }
  double lr() const override { return o_.lr; }
  double weight_decay() const override { return o_.weight_decay; }
  bool maximize() const override { return o_.maximize; }
  std::vector<std::string> slot_names() const override { return {"sum"}; }
  State<T> init(std::size_t n) const override {
    State<T> s = UpdateRule<T>::init(n);
    s.slots[0].assign(n, static_cast<T>(o_.initial_accumulator_value));
    return s;
  }
  void update(const Kernel<T>& k) const override {
    T* __restrict sum = k.s[0];
    const double clr = k.lr / (1 + static_cast<double>(k.step - 1) * o_.lr_decay);
    const T neg_clr = static_cast<T>(-clr), eps = static_cast<T>(o_.eps), one = 1;
    for_each_element(k, [=](std::size_t i, T g) {
      sum[i] = sum[i] + one * g * g;
      return neg_clr * g / (std::sqrt(sum[i]) + eps);
    });
  }
  std::unique_ptr<UpdateRule<T>> clone() const override {
    return std::make_unique<AdagradRule>(*this);
  }

 private:
  AdagradOptions o_;
};

template <typename T>
class RmspropRule final : public UpdateRule<T> {
 public:
  explicit RmspropRule(const RmspropOptions& o) : o_(o) {}
  std::string name() const override { return "rmsprop"; }
  std::string validate() const override {
    Checker c(name());
    c.lr(o_.lr);
    c.beta("alpha", o_.alpha);
    c.eps(o_.eps);
    c.nonneg("weight_decay", o_.weight_decay);
    c.beta("momentum", o_.momentum);
    return c.str();
  }
  double lr() const override { return o_.lr; }
  double weight_decay() const override { return o_.weight_decay; }
  bool maximize() const override { return o_.maximize; }
  std::vector<std::string> slot_names() const override {
    std::vector<std::string> s{"square_avg"};
    if (o_.centered) s.push_back("grad_avg");
    if (o_.momentum > 0) s.push_back("momentum_buffer");
    return s;
  }
  void update(const Kernel<T>& k) const override {
    if (o_.centered)
      o_.momentum > 0 ? run<true, true>(k) : run<true, false>(k);
    else
      o_.momentum > 0 ? run<false, true>(k) : run<false, false>(k);
  }
  std::unique_ptr<UpdateRule<T>> clone() const override {
    return std::make_unique<RmspropRule>(*this);
  }

 private:
  template <bool kCentered, bool kMomentum>
  void run(const Kernel<T>& k) const {
    T* __restrict sq = k.s[0];
    T* __restrict ga = kCentered ? k.s[1] : nullptr;
    T* __restrict buf = kMomentum ? k.s[kCentered ? 2 : 1] : nullptr;
    const T a = static_cast<T>(o_.alpha), oma = static_cast<T>(1.0 - o_.alpha);
    const T eps = static_cast<T>(o_.eps), mu = static_cast<T>(o_.momentum), one = 1, m_one = -1;
    const T neg_lr = static_cast<T>(-k.lr);
    for_each_element(k, [=](std::size_t i, T g) {
      sq[i] = sq[i] * a + oma * g * g;
      T avg;
      if constexpr (kCentered) {
        ga[i] = ga[i] * a + oma * g;
        avg = std::sqrt(sq[i] + m_one * ga[i] * ga[i]) + eps;
      } else {
        avg = std::sqrt(sq[i]) + eps;
      }
      if constexpr (kMomentum) {
        buf[i] = buf[i] * mu + one * g / avg;
        return neg_lr * buf[i];
      } else {
        return neg_lr * g / avg;
      }
    });
  }
  RmspropOptions o_;
};

template <typename T>
class AdamRule final : public UpdateRule<T> {
 public:
  explicit AdamRule(const AdamOptions& o) : o_(o) {}
  std::string name() const override {
    if (o_.decoupled_weight_decay) return o_.amsgrad ? "adamw_amsgrad" : "adamw";
    return o_.amsgrad ? "amsgrad" : "adam";
  }
  std::string validate() const override {
    Checker c(name());
    c.lr(o_.lr);
    c.beta("beta1", o_.beta1);
    c.beta("beta2", o_.beta2);
    c.eps(o_.eps);
    c.nonneg("weight_decay", o_.weight_decay);
    return c.str();
  }
  double lr() const override { return o_.lr; }
  double weight_decay() const override { return o_.weight_decay; }
  bool decoupled_weight_decay() const override { return o_.decoupled_weight_decay; }
  bool maximize() const override { return o_.maximize; }
  std::vector<std::string> slot_names() const override {
    if (o_.amsgrad) return {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"};
    return {"exp_avg", "exp_avg_sq"};
  }
  void update(const Kernel<T>& k) const override { o_.amsgrad ? run<true>(k) : run<false>(k); }
  std::unique_ptr<UpdateRule<T>> clone() const override {
    return std::make_unique<AdamRule>(*this);
  }

 private:
  template <bool kAmsgrad>
  void run(const Kernel<T>& k) const {
    T* __restrict m = k.s[0];
    T* __restrict v = k.s[1];
    T* __restrict vmax = kAmsgrad ? k.s[2] : nullptr;
    const double t = static_cast<double>(k.step);
    const double bc1 = 1 - std::pow(o_.beta1, t), bc2 = 1 - std::pow(o_.beta2, t);
    const T b1 = static_cast<T>(o_.beta1), omb1 = static_cast<T>(1 - o_.beta1);
    const T b2 = static_cast<T>(o_.beta2), omb2 = static_cast<T>(1 - o_.beta2);
    const T neg_step = static_cast<T>(-(k.lr / bc1)), bc2_sqrt = static_cast<T>(std::sqrt(bc2));
    const T eps = static_cast<T>(o_.eps);
    for_each_element(k, [=](std::size_t i, T g) {
      m[i] = m[i] * b1 + omb1 * g;
      v[i] = v[i] * b2 + omb2 * g * g;
      T denom;
      if constexpr (kAmsgrad) {
        vmax[i] = vmax[i] < v[i] ? v[i] : vmax[i];
        denom = std::sqrt(vmax[i]) / bc2_sqrt + eps;
      } else {
        denom = std::sqrt(v[i]) / bc2_sqrt + eps;
      }
      return neg_step * m[i] / denom;
    });
  }
  AdamOptions o_;
};

template <typename T>
class AdamaxRule final : public UpdateRule<T> {
 public:
  explicit AdamaxRule(const AdamaxOptions& o) : o_(o) {}
  std::string name() const override { return "adamax"; }
  std::string validate() const override {
    Checker c(name());
    c.lr(o_.lr);
    c.beta("beta1", o_.beta1);
    c.beta("beta2", o_.beta2);
    c.eps(o_.eps);
    c.nonneg("weight_decay", o_.weight_decay);
    return c.str();
  }
  double lr() const override { return o_.lr; }
  double weight_decay() const override { return o_.weight_decay; }
  bool maximize() const override { return o_.maximize; }
  std::vector<std::string> slot_names() const override { return {"exp_avg", "exp_inf"}; }
  void update(const Kernel<T>& k) const override {
    T* __restrict m = k.s[0];
    T* __restrict u = k.s[1];
    const double bc1 = 1 - std::pow(o_.beta1, static_cast<double>(k.step));
    const T b1 = static_cast<T>(o_.beta1), omb1 = static_cast<T>(1 - o_.beta1);
    const T b2 = static_cast<T>(o_.beta2), eps = static_cast<T>(o_.eps);
    const T neg_clr = static_cast<T>(-(k.lr / bc1));
    for_each_element(k, [=](std::size_t i, T g) {
      m[i] = m[i] * b1 + omb1 * g;
      const T decayed = u[i] * b2, ag = std::abs(g) + eps;
      u[i] = decayed < ag ? ag : decayed;
      return neg_clr * m[i] / u[i];
    });
  }
  std::unique_ptr<UpdateRule<T>> clone() const override {
    return std::make_unique<AdamaxRule>(*this);
  }

 private:
  AdamaxOptions o_;
};

template <typename T>
class NadamRule final : public UpdateRule<T> {
 public:
  explicit NadamRule(const NadamOptions& o) : o_(o) {}
  std::string name() const override { return "nadam"; }
  std::string validate() const override {
    Checker c(name());
    c.lr(o_.lr);
    c.beta("beta1", o_.beta1);
    c.beta("beta2", o_.beta2);
    c.eps(o_.eps);
    c.nonneg("weight_decay", o_.weight_decay);
    c.nonneg("momentum_decay", o_.momentum_decay);
    return c.str();
  }
  double lr() const override { return o_.lr; }
  double weight_decay() const override { return o_.weight_decay; }
  std::vector<std::string> slot_names() const override { return {"exp_avg", "exp_avg_sq"}; }
  std::vector<std::string> scalar_names() const override { return {"mu_product"}; }
  State<T> init(std::size_t n) const override {
    State<T> s = UpdateRule<T>::init(n);
    s.scalars[0] = 1.0;
    return s;
  }
  void begin_step(State<T>& s) const override { s.scalars[0] *= mu(s.step); }
  void update(const Kernel<T>& k) const override {
    T* __restrict m = k.s[0];
    T* __restrict v = k.s[1];
    const double t = static_cast<double>(k.step);
    const double bc2 = 1 - std::pow(o_.beta2, t);
    const double mu_t = mu(k.step), mu_next = mu(k.step + 1);
    const double mu_product = k.scalars[0], mu_product_next = mu_product * mu_t * mu_next;
    const T c_grad = static_cast<T>(-k.lr * (1. - mu_t) / (1. - mu_product));
    const T c_avg = static_cast<T>(-k.lr * mu_next / (1. - mu_product_next));
    const T b1 = static_cast<T>(o_.beta1), omb1 = static_cast<T>(1 - o_.beta1);
    const T b2 = static_cast<T>(o_.beta2), omb2 = static_cast<T>(1 - o_.beta2);
    const T bc2_t = static_cast<T>(bc2), eps = static_cast<T>(o_.eps);
    for_each_element(k, [=](std::size_t i, T g) {
      m[i] = m[i] * b1 + omb1 * g;
      v[i] = v[i] * b2 + omb2 * g * g;
      const T denom = std::sqrt(v[i] / bc2_t) + eps;
      return c_grad * g / denom + c_avg * m[i] / denom;
    });
  }
  std::unique_ptr<UpdateRule<T>> clone() const override {
    return std::make_unique<NadamRule>(*this);
  }

 private:
  double mu(std::int64_t step) const {
    return o_.beta1 * (1. - 0.5 * std::pow(0.96, static_cast<double>(step) * o_.momentum_decay));
  }
  NadamOptions o_;
};

template <typename T>
class RadamRule final : public UpdateRule<T> {
 public:
  explicit RadamRule(const RadamOptions& o) : o_(o) {}
  std::string name() const override { return "radam"; }
  std::string validate() const override {
    Checker c(name());
    c.lr(o_.lr);
    c.beta("beta1", o_.beta1);
    c.beta("beta2", o_.beta2);
    c.eps(o_.eps);
    c.nonneg("weight_decay", o_.weight_decay);
    return c.str();
  }
  double lr() const override { return o_.lr; }
  double weight_decay() const override { return o_.weight_decay; }
  std::vector<std::string> slot_names() const override { return {"exp_avg", "exp_avg_sq"}; }
  void update(const Kernel<T>& k) const override {
    T* __restrict m = k.s[0];
    T* __restrict v = k.s[1];
    const double t = static_cast<double>(k.step);
    const double b2t = std::pow(o_.beta2, t);
    const double bc1 = 1 - std::pow(o_.beta1, t), bc2 = 1 - b2t;
    const double rho_inf = 2 / (1 - o_.beta2) - 1;
    const double rho_t = rho_inf - 2 * t * b2t / bc2;
    const T b1 = static_cast<T>(o_.beta1), omb1 = static_cast<T>(1 - o_.beta1);
    const T b2 = static_cast<T>(o_.beta2), omb2 = static_cast<T>(1 - o_.beta2);
    const T bc1_t = static_cast<T>(bc1), lr = static_cast<T>(k.lr);
    if (rho_t > 5.) {
      const T rect = static_cast<T>(
          std::sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)));
      const T bc2_sqrt = static_cast<T>(std::sqrt(bc2)), eps = static_cast<T>(o_.eps);
      for_each_element(k, [=](std::size_t i, T g) {
        m[i] = m[i] * b1 + omb1 * g;
        v[i] = v[i] * b2 + omb2 * g * g;
        const T adaptive = bc2_sqrt / (std::sqrt(v[i]) + eps);
        return -(m[i] / bc1_t * lr * adaptive * rect);
      });
    } else {
      for_each_element(k, [=](std::size_t i, T g) {
        m[i] = m[i] * b1 + omb1 * g;
        v[i] = v[i] * b2 + omb2 * g * g;
        return -(m[i] / bc1_t * lr);
      });
    }
  }
  std::unique_ptr<UpdateRule<T>> clone() const override {
    return std::make_unique<RadamRule>(*this);
  }

 private:
  RadamOptions o_;
};

template <typename T>
class LionRule final : public UpdateRule<T> {
 public:
  explicit LionRule(const LionOptions& o) : o_(o) {}
  std::string name() const override { return "lion"; }
  std::string validate() const override {
    Checker c(name());
    c.lr(o_.lr);
    c.beta("beta1", o_.beta1);
    c.beta("beta2", o_.beta2);
    c.nonneg("weight_decay", o_.weight_decay);
    return c.str();
  }
  double lr() const override { return o_.lr; }
  double weight_decay() const override { return o_.weight_decay; }
  bool decoupled_weight_decay() const override { return true; }
  bool maximize() const override { return o_.maximize; }
  std::vector<std::string> slot_names() const override { return {"exp_avg"}; }
  void update(const Kernel<T>& k) const override {
    T* __restrict m = k.s[0];
    const T b1 = static_cast<T>(o_.beta1), omb1 = static_cast<T>(1 - o_.beta1);
    const T b2 = static_cast<T>(o_.beta2), omb2 = static_cast<T>(1 - o_.beta2);
    const T lr = static_cast<T>(k.lr), zero = 0;
    for_each_element(k, [=](std::size_t i, T g) {
      const T c = m[i] * b1 + omb1 * g;
      m[i] = m[i] * b2 + omb2 * g;
      return c > zero ? -lr : (c < zero ? lr : zero);
    });
  }
  std::unique_ptr<UpdateRule<T>> clone() const override {
    return std::make_unique<LionRule>(*this);
  }

 private:
  LionOptions o_;
};

template <typename T>
class OptimisticAdamRule final : public UpdateRule<T> {
 public:
  explicit OptimisticAdamRule(const OptimisticAdamOptions& o) : o_(o) {}
  std::string name() const override { return "optimistic_adam"; }
  std::string validate() const override {
    Checker c(name());
    c.lr(o_.lr);
    c.beta("beta1", o_.beta1);
    c.beta("beta2", o_.beta2);
    c.eps(o_.eps);
    c.nonneg("weight_decay", o_.weight_decay);
    return c.str();
  }
  double lr() const override { return o_.lr; }
  double weight_decay() const override { return o_.weight_decay; }
  bool maximize() const override { return o_.maximize; }
  std::vector<std::string> slot_names() const override {
    return {"exp_avg", "exp_avg_sq", "prev_direction"};
  }
  void update(const Kernel<T>& k) const override {
    T* __restrict m = k.s[0];
    T* __restrict v = k.s[1];
    T* __restrict q = k.s[2];
    const double t = static_cast<double>(k.step);
    const double bc1 = 1 - std::pow(o_.beta1, t), bc2 = 1 - std::pow(o_.beta2, t);
    const T b1 = static_cast<T>(o_.beta1), omb1 = static_cast<T>(1 - o_.beta1);
    const T b2 = static_cast<T>(o_.beta2), omb2 = static_cast<T>(1 - o_.beta2);
    const T inv_bc1 = static_cast<T>(1 / bc1), bc2_sqrt = static_cast<T>(std::sqrt(bc2));
    const T eps = static_cast<T>(o_.eps), lr = static_cast<T>(k.lr), two = 2;
    for_each_element(k, [=](std::size_t i, T g) {
      m[i] = m[i] * b1 + omb1 * g;
      v[i] = v[i] * b2 + omb2 * g * g;
      const T dir = m[i] * inv_bc1 / (std::sqrt(v[i]) / bc2_sqrt + eps);
      const T d = -lr * (two * dir - q[i]);
      q[i] = dir;
      return d;
    });
  }
  std::unique_ptr<UpdateRule<T>> clone() const override {
    return std::make_unique<OptimisticAdamRule>(*this);
  }

 private:
  OptimisticAdamOptions o_;
};

}  // namespace

#define ADAMANT_RULE_FACTORY(Options, Rule)                              \
  template <typename T>                                                  \
  std::unique_ptr<UpdateRule<T>> make_rule(const Options& o) {           \
    return std::make_unique<Rule<T>>(o);                                 \
  }                                                                      \
  template std::unique_ptr<UpdateRule<float>> make_rule(const Options&); \
  template std::unique_ptr<UpdateRule<double>> make_rule(const Options&);

ADAMANT_RULE_FACTORY(SgdOptions, SgdRule)
ADAMANT_RULE_FACTORY(AdagradOptions, AdagradRule)
ADAMANT_RULE_FACTORY(RmspropOptions, RmspropRule)
ADAMANT_RULE_FACTORY(AdamOptions, AdamRule)
ADAMANT_RULE_FACTORY(AdamaxOptions, AdamaxRule)
ADAMANT_RULE_FACTORY(NadamOptions, NadamRule)
ADAMANT_RULE_FACTORY(RadamOptions, RadamRule)
ADAMANT_RULE_FACTORY(LionOptions, LionRule)
ADAMANT_RULE_FACTORY(OptimisticAdamOptions, OptimisticAdamRule)
#undef ADAMANT_RULE_FACTORY

}  // namespace adamant::core
