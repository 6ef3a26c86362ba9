// Hyper-gradients through optimizer runs (hyper.hpp): the problems, forward mode and reverse
// mode with checkpointing, both built on the rules' recurrences instantiated on Dual lanes.

#include "adamant/core/hyper.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <type_traits>

#include "adamant/core/dual.hpp"
#include "adamant/core/optimizer.hpp"
#include "adamant/core/recurrences.hpp"

namespace adamant::core::hyper {
namespace {

// Lanes of the hyper-parameter duals: one per real field of the rule (at most 6 today), then one
// per real parameter of the schedule besides its base rate.
constexpr int kH = kHyperLanes;
using DH = Dual<kH>;
using Lift = std::function<DH(const double&)>;
// Tangent directions carried per pass in forward mode and in Hessian-vector products.
constexpr int kL = 8;
using DL = Dual<kL>;
constexpr int kMaxSlots = Kernel<double>::kMaxSlots;

[[noreturn]] void fail(const std::string& what) { throw std::invalid_argument("hyper: " + what); }

// ---- problems ---------------------------------------------------------------------------------

class TestProblem final : public Problem {
 public:
  explicit TestProblem(std::shared_ptr<const core::Problem<double>> p) : p_(std::move(p)) {
    if (!p_) fail("from_test_problem: no problem given");
  }
  std::string describe() const override { return p_->describe(); }
  std::size_t dim() const override { return static_cast<std::size_t>(p_->dim()); }
  double value(const double* theta, double* grad) const override {
    const Eigen::Map<const Eigen::VectorXd> x(theta, p_->dim());
    if (grad == nullptr) return p_->value(x);
    Eigen::Map<Eigen::VectorXd> g(grad, p_->dim());
    return p_->value_and_gradient(x, g);
  }
  void hvp(const double* theta, const double* u, double* hu, std::size_t k) const override {
    const Eigen::Index n = p_->dim();
    const Eigen::Map<const Eigen::VectorXd> x(theta, n);
    Eigen::VectorXd uj(n), hj(n);
    for (std::size_t j = 0; j < k; ++j) {
      for (Eigen::Index i = 0; i < n; ++i) uj[i] = u[static_cast<std::size_t>(i) * k + j];
      p_->hessian_vector(x, uj, hj);
      for (Eigen::Index i = 0; i < n; ++i) hu[static_cast<std::size_t>(i) * k + j] = hj[i];
    }
  }

 private:
  std::shared_ptr<const core::Problem<double>> p_;
};

// The activations of mlp.hpp on any scalar: σ(z) and σ'(z) given a = σ(z).
template <typename S>
S activate(Activation act, const S& z) {
  using std::exp;
  using std::log1p;
  using std::tanh;
  switch (act) {
    case Activation::kIdentity:
      return z;
    case Activation::kTanh:
      return tanh(z);
    case Activation::kReLU:
      return z > S(0) ? z : S(0);
    case Activation::kSiLU:
      return z * (S(1) / (S(1) + exp(-z)));
    case Activation::kSoftplus: {
      using std::abs;
      return (z > S(0) ? z : S(0)) + log1p(exp(-abs(z)));
    }
  }
  return z;
}
template <typename S>
S activate_derivative(Activation act, const S& z, const S& a) {
  using std::exp;
  switch (act) {
    case Activation::kIdentity:
      return S(1);
    case Activation::kTanh:
      return S(1) - a * a;
    case Activation::kReLU:
      return z > S(0) ? S(1) : S(0);
    case Activation::kSiLU: {
      const S s = S(1) / (S(1) + exp(-z));
      return s * (S(1) + z * (S(1) - s));
    }
    case Activation::kSoftplus:
      return S(1) / (S(1) + exp(-z));
  }
  return S(1);
}

class MlpProblem final : public Problem {
 public:
  MlpProblem(const MlpSpec& spec, Eigen::MatrixXd x, Eigen::MatrixXd y, Loss loss)
      : spec_(spec), x_(std::move(x)), y_(std::move(y)), loss_(loss) {
    const std::string e = spec_.validate();
    if (!e.empty()) fail("mlp_problem: " + e);
    const auto& sz = spec_.layer_sizes;
    if (x_.rows() == 0) fail("mlp_problem: X has no samples");
    if (x_.cols() != sz.front())
      fail("mlp_problem: X has " + std::to_string(x_.cols()) + " columns, the network takes " +
           std::to_string(sz.front()) + " inputs");
    if (y_.rows() != x_.rows())
      fail("mlp_problem: X has " + std::to_string(x_.rows()) + " samples but y has " +
           std::to_string(y_.rows()));
    if (!x_.allFinite()) fail("mlp_problem: X holds a NaN or infinite value");
    if (!y_.allFinite()) fail("mlp_problem: y holds a NaN or infinite value");
    if (loss_ == Loss::kMse) {
      if (y_.cols() != sz.back())
        fail("mlp_problem: y has " + std::to_string(y_.cols()) + " columns, the network has " +
             std::to_string(sz.back()) + " outputs");
    } else {
      if (y_.cols() != 1) fail("mlp_problem: cross_entropy takes one column of class indices");
      if (sz.back() < 2) fail("mlp_problem: cross_entropy needs at least 2 outputs (classes)");
      for (Eigen::Index i = 0; i < y_.rows(); ++i) {
        const double c = y_(i, 0);
        if (c != std::floor(c) || c < 0 || c >= sz.back())
          fail("mlp_problem: label " + std::to_string(c) + " of sample " + std::to_string(i) +
               " is not a class index in [0, " + std::to_string(sz.back()) + ")");
      }
    }
    n_ = 0;
    for (std::size_t l = 0; l + 1 < sz.size(); ++l)
      n_ += static_cast<std::size_t>(sz[l + 1]) * static_cast<std::size_t>(sz[l] + 1);
  }
  std::string describe() const override {
    std::ostringstream s;
    s << (loss_ == Loss::kMse ? "mlp_regression(" : "mlp_classification(");
    for (std::size_t l = 0; l < spec_.layer_sizes.size(); ++l)
      s << (l ? "-" : "") << spec_.layer_sizes[l];
    s << ", " << to_string(spec_.hidden) << ", " << x_.rows() << " samples)";
    return s.str();
  }
  std::size_t dim() const override { return n_; }
  double value(const double* theta, double* grad) const override {
    return run<double>(theta, grad);
  }
  void hvp(const double* theta, const double* u, double* hu, std::size_t k) const override {
    passes(theta, u, hu, k, nullptr);
  }
  double value_and_hvp(const double* theta, double* grad, const double* u, double* hu,
                       std::size_t k) const override {
    if (k == 0) return value(theta, grad);
    return passes(theta, u, hu, k, grad);
  }

 private:
  // H·U in passes of up to eight lanes (a pass of Dual<L> costs ~ L); the first pass's values
  // are the loss and the gradient (the same double operations as run<double>), so grad, when
  // given, costs nothing more.
  double passes(const double* theta, const double* u, double* hu, std::size_t k,
                double* grad) const {
    double f = 0;
    std::size_t c0 = 0;
    auto pass = [&](auto lanes_tag, std::size_t lanes) {
      constexpr int L = decltype(lanes_tag)::value;
      const double v = hvp_pass<L>(theta, u, hu, k, c0, lanes, c0 == 0 ? grad : nullptr);
      if (c0 == 0) f = v;
      c0 += lanes;
    };
    while (k - c0 >= 8) pass(std::integral_constant<int, 8>{}, 8);
    const std::size_t rest = k - c0;
    if (rest > 4)
      pass(std::integral_constant<int, 8>{}, rest);
    else if (rest > 2)
      pass(std::integral_constant<int, 4>{}, rest);
    else if (rest == 2)
      pass(std::integral_constant<int, 2>{}, rest);
    else if (rest == 1)
      pass(std::integral_constant<int, 1>{}, rest);
    return f;
  }

  // Directions c0 … c0 + lanes − 1 of U in one forward-over-reverse pass on Dual<L>; the
  // gradient's values into grad when it is given.
  template <int L>
  double hvp_pass(const double* theta, const double* u, double* hu, std::size_t k, std::size_t c0,
                  std::size_t lanes, double* grad) const {
    std::vector<Dual<L>> th(n_), g(n_);
    for (std::size_t i = 0; i < n_; ++i) {
      th[i] = Dual<L>(theta[i]);
      for (std::size_t l = 0; l < lanes; ++l) th[i].d[l] = u[i * k + c0 + l];
    }
    const double f = run<Dual<L>>(th.data(), g.data());
    for (std::size_t i = 0; i < n_; ++i)
      for (std::size_t l = 0; l < lanes; ++l) hu[i * k + c0 + l] = g[i].d[l];
    if (grad != nullptr)
      for (std::size_t i = 0; i < n_; ++i) grad[i] = g[i].v;
    return f;
  }

  // The loss and (when grad is set) its gradient, in S arithmetic: the forward pass over the
  // batch, layer by layer, and the backward pass of mlp.hpp. Instantiated on DL, the gradient's
  // tangents are Hessian-vector products (forward over reverse).
  template <typename S, typename Theta>
  double run(const Theta* theta, S* grad) const {
    const auto& sz = spec_.layer_sizes;
    const std::size_t layers = sz.size() - 1, batch = static_cast<std::size_t>(x_.rows());
    std::vector<std::vector<S>> z(layers), a(layers + 1);  // a[0]: the input
    a[0].resize(batch * static_cast<std::size_t>(sz[0]));
    for (std::size_t b = 0; b < batch; ++b)
      for (int j = 0; j < sz[0]; ++j)
        a[0][b * static_cast<std::size_t>(sz[0]) + static_cast<std::size_t>(j)] =
            S(x_(static_cast<Eigen::Index>(b), j));
    std::vector<std::size_t> offset(layers);
    std::vector<S> wt;
    std::size_t off = 0;
    for (std::size_t l = 0; l < layers; ++l) {
      offset[l] = off;
      const std::size_t in = static_cast<std::size_t>(sz[l]),
                        out = static_cast<std::size_t>(sz[l + 1]);
      off += out * (in + 1);
      const Activation act = l + 1 == layers ? spec_.output : spec_.hidden;
      z[l].resize(batch * out);
      a[l + 1].resize(batch * out);
      const Theta* w = theta + offset[l];
      const Theta* bias = w + out * in;
      // z_bj = b_j + Σ_i w_ji a_bi, summed in i's order, the inner loop over j (contiguous in a
      // transposed copy of W, so it vectorises).
      wt.resize(in * out);
      for (std::size_t j = 0; j < out; ++j)
        for (std::size_t i = 0; i < in; ++i) wt[i * out + j] = S(w[j * in + i]);
      for (std::size_t b = 0; b < batch; ++b) {
        S* zb = &z[l][b * out];
        const S* ab = &a[l][b * in];
        for (std::size_t j = 0; j < out; ++j) zb[j] = S(bias[j]);
        for (std::size_t i = 0; i < in; ++i) {
          const S ai = ab[i];
          const S* wi = &wt[i * out];
          for (std::size_t j = 0; j < out; ++j) zb[j] += wi[j] * ai;
        }
        for (std::size_t j = 0; j < out; ++j) a[l + 1][b * out + j] = activate(act, zb[j]);
      }
    }
    // Loss and ∂L/∂Y.
    const std::size_t outs = static_cast<std::size_t>(sz.back());
    const std::vector<S>& yhat = a[layers];
    std::vector<S> delta(batch * outs);
    S loss = S(0);
    if (loss_ == Loss::kMse) {
      const double inv = 1.0 / static_cast<double>(batch * outs);
      for (std::size_t b = 0; b < batch; ++b)
        for (std::size_t j = 0; j < outs; ++j) {
          const S r =
              yhat[b * outs + j] - y_(static_cast<Eigen::Index>(b), static_cast<Eigen::Index>(j));
          loss += r * r;
          delta[b * outs + j] = (2 * inv) * r;
        }
      loss = loss * inv;
    } else {
      using std::exp;
      using std::log;
      const double inv = 1.0 / static_cast<double>(batch);
      for (std::size_t b = 0; b < batch; ++b) {
        const S* row = &yhat[b * outs];
        S mx = row[0];
        for (std::size_t j = 1; j < outs; ++j) mx = row[j] > mx ? row[j] : mx;
        S sum = S(0);
        for (std::size_t j = 0; j < outs; ++j) sum += exp(row[j] - mx);
        const std::size_t label = static_cast<std::size_t>(y_(static_cast<Eigen::Index>(b), 0));
        loss += (log(sum) + mx) - row[label];
        for (std::size_t j = 0; j < outs; ++j)
          delta[b * outs + j] = inv * (exp(row[j] - mx) / sum - S(j == label ? 1.0 : 0.0));
      }
      loss = loss * inv;
    }
    if (grad != nullptr) {
      for (std::size_t l = layers; l-- > 0;) {
        const std::size_t in = static_cast<std::size_t>(sz[l]),
                          out = static_cast<std::size_t>(sz[l + 1]);
        const Activation act = l + 1 == layers ? spec_.output : spec_.hidden;
        for (std::size_t q = 0; q < batch * out; ++q)
          delta[q] = delta[q] * activate_derivative(act, z[l][q], a[l + 1][q]);
        S* gw = grad + offset[l];
        S* gb = gw + out * in;
        for (std::size_t q = 0; q < out * in; ++q) gw[q] = S(0);
        for (std::size_t j = 0; j < out; ++j) gb[j] = S(0);
        // Sums over the batch in sample order, inner loops contiguous.
        for (std::size_t b = 0; b < batch; ++b) {
          const S* ab = &a[l][b * in];
          for (std::size_t j = 0; j < out; ++j) {
            const S dj = delta[b * out + j];
            S* row = gw + j * in;
            for (std::size_t i = 0; i < in; ++i) row[i] += dj * ab[i];
            gb[j] += dj;
          }
        }
        if (l == 0) break;
        const Theta* w = theta + offset[l];
        std::vector<S> prev(batch * in, S(0));
        for (std::size_t b = 0; b < batch; ++b) {
          S* pb = &prev[b * in];
          for (std::size_t j = 0; j < out; ++j) {
            const S dj = delta[b * out + j];
            const Theta* wj = w + j * in;
            for (std::size_t i = 0; i < in; ++i) pb[i] += dj * S(wj[i]);
          }
        }
        delta.swap(prev);
      }
    }
    return value_of(loss);
  }

  MlpSpec spec_;
  Eigen::MatrixXd x_, y_;
  Loss loss_;
  std::size_t n_ = 0;
};

// ---- the rule's fields as duals ---------------------------------------------------------------

template <typename O>
std::vector<std::string> real_field_names() {
  std::vector<std::string> names;
  struct Visit {
    std::vector<std::string>& names;
    void operator()(const char* name, double O::*, Range, const char*) const {
      names.emplace_back(name);
    }
    void operator()(const char*, bool O::*, const char*) const {}
  };
  O::fields(Visit{names});
  return names;
}

// The options with every real field j a dual seeded in lane j.
template <typename Od, typename O>
Od to_dual(const O& o) {
  std::vector<double> reals;
  std::vector<bool> flags;
  struct Read {
    const O& o;
    std::vector<double>& reals;
    std::vector<bool>& flags;
    void operator()(const char*, double O::*m, Range, const char*) const { reals.push_back(o.*m); }
    void operator()(const char*, bool O::*m, const char*) const { flags.push_back(o.*m); }
  };
  O::fields(Read{o, reals, flags});
  if (reals.size() > static_cast<std::size_t>(kH)) fail("a rule with more than 16 real fields");
  Od od;
  std::size_t r = 0, f = 0;
  struct Write {
    Od& od;
    const std::vector<double>& reals;
    const std::vector<bool>& flags;
    std::size_t& r;
    std::size_t& f;
    void operator()(const char*, DH Od::*m, Range, const char*) const {
      od.*m = DH::variable(reals[r], static_cast<int>(r));
      ++r;
    }
    void operator()(const char*, bool Od::*m, const char*) const { od.*m = flags[f++]; }
  };
  Od::fields(Write{od, reals, flags, r, f});
  return od;
}

template <typename O>
bool flag(const O& o, const char* name) {
  bool v = false;
  struct Visit {
    const O& o;
    const char* want;
    bool& v;
    void operator()(const char*, double O::*, Range, const char*) const {}
    void operator()(const char* n, bool O::*m, const char*) const {
      if (std::string(n) == want) v = o.*m;
    }
  };
  O::fields(Visit{o, name, v});
  return v;
}

// Where a schedule keeps its base rate (the parameter rebase() replaces).
const double* base_parameter(const Schedule& s) {
  return std::visit(
      [](const auto& node) -> const double* {
        using N = std::decay_t<decltype(node)>;
        if constexpr (std::is_same_v<N, Schedule::Cyclic>) {
          return &node.base_lr;
        } else if constexpr (std::is_same_v<N, Schedule::OneCycle>) {
          return &node.max_lr;
        } else if constexpr (std::is_same_v<N, Schedule::Warmup>) {
          return base_parameter(*node.then);
        } else if constexpr (std::is_same_v<N, Schedule::Scale>) {
          return base_parameter(*node.inner);
        } else if constexpr (std::is_same_v<N, Schedule::Join>) {
          return nullptr;
        } else {
          return &node.lr;
        }
      },
      s.node());
}

// A state-like holder for init / begin_step on duals (one element per slot).
struct DualState {
  std::int64_t step = 0;
  std::vector<std::vector<DH>> slots;
  std::vector<DH> scalars;
};

// for_each_element's clamp (rule.hpp): x itself on the bounds; a dual outside them is the
// bound, a constant (torch's clamp passes the derivative on [lo, hi] and 0 outside).
inline double clamp(double x, double lo, double hi) { return x < lo ? lo : (x > hi ? hi : x); }
template <int N>
Dual<N> clamp(const Dual<N>& x, double lo, double hi) {
  return x.v < lo ? Dual<N>(lo) : (x.v > hi ? Dual<N>(hi) : x);
}

template <typename S>
struct SlotRefs {
  S* s;
  S& operator[](int k) const { return s[k]; }
};

// Everything about a step that does not depend on θ: the rule's coefficients, the coupled L2
// factor and the decoupled decay factor, as duals over the rule's real fields.
template <int KC>
struct StepCoeffs {
  std::array<DH, KC> c;
  DH l2, decay;
  double lr = 0;  // this step's learning rate (the schedule's value), for the variant choice
};

// ---- the unroll -------------------------------------------------------------------------------

template <typename O>
class Unroller {
  using P = typename recurrence::PolicyOf<O>::type;
  using Od = typename P::template Options<DH>;
  static constexpr int KC = P::kCoeffs;
  // Reverse mode's local Jacobian lanes: g, the slots, the coefficients.
  static constexpr int kJ = 1 + kMaxSlots + KC;
  using DJ = Dual<kJ>;

 public:
  Unroller(const O& o, const UnrollOptions& opt, const Problem& train, const Problem* meta)
      : o_(o), od_(to_dual<Od>(o)), opt_(opt), train_(train), meta_(meta ? *meta : train) {
    names_ = real_field_names<O>();
    const std::size_t rule_fields = names_.size();
    if (opt.schedule) {
      // A schedule with one base rate is rebased on the rule's lr; a join sets the rate by its
      // parts, whose rates are then parameters like any other (and the rule's lr does nothing).
      const bool based = base_parameter(*opt.schedule) != nullptr;
      sched_ = based ? rebase(*opt.schedule, static_cast<double>(o.lr)) : *opt.schedule;
      const std::string e = sched_->validate();
      if (!e.empty()) fail("schedule: " + e);
      // The base rate is the rule's lr; the schedule's other real parameters get lanes of their
      // own after the rule's fields.
      base_param_ = based ? base_parameter(*sched_) : nullptr;
      for (const auto& [name, ptr] : sched_->real_parameters()) {
        if (ptr == base_param_) continue;
        names_.push_back("schedule." + name);
        sched_params_.push_back(ptr);
      }
      if (names_.size() > static_cast<std::size_t>(kH))
        fail("more than " + std::to_string(kH) +
             " hyper-parameters (the rule's real fields and the schedule's parameters)");
    }
    n_ = train.dim();
    ns_ = P::slots(o).size();
    if (opt.clip_grad_value > 0) ghi_ = opt.clip_grad_value, glo_ = -ghi_;
    if (opt.clip_update_value > 0) uhi_ = opt.clip_update_value, ulo_ = -uhi_;
    groups_ = opt.groups;
    if (groups_.empty()) groups_.push_back(ParamGroup{0, n_, 1.0, -1.0, "all"});
    sign_ = flag(o, "maximize") ? -1.0 : 1.0;
    decoupled_ = P::decoupled(o);
    for (const auto& w : opt.wrt) {
      if (w == "theta0") {
        want_theta0_ = true;
        continue;
      }
      const auto it = std::find(names_.begin(), names_.end(), w);
      lanes_.push_back(static_cast<int>(it - names_.begin()));
    }
    lr_lane_ = static_cast<int>(std::find(names_.begin(), names_.end(), "lr") - names_.begin());
    wd_lane_ =
        static_cast<int>(std::find(names_.begin(), names_.end(), "weight_decay") - names_.begin());
    lift_ = [this, rule_fields](const double& x) -> DH {
      if (&x == base_param_) return lr_lane_ < kH ? DH::variable(x, lr_lane_) : DH(x);
      for (std::size_t k = 0; k < sched_params_.size(); ++k)
        if (&x == sched_params_[k]) return DH::variable(x, static_cast<int>(rule_fields + k));
      return DH(x);
    };
    precompute();
  }

  UnrollResult run(const Eigen::VectorXd& theta0) {
    // Nothing to differentiate: the run alone (forward mode with no directions), either mode.
    if (opt_.wrt.empty() || opt_.mode == Mode::kForward) return forward(theta0);
    return reverse(theta0);
  }

 private:
  // Per-step coefficients and the initial state, as duals over the real fields.
  void precompute() {
    const std::int64_t T = opt_.steps;
    DualState st;
    st.slots.assign(ns_, std::vector<DH>(1, DH(0.0)));
    st.scalars.assign(P::scalars(o_).size(), DH(0.0));
    P::init(od_, st);
    init_slots_.resize(ns_);
    for (std::size_t s = 0; s < ns_; ++s) init_slots_[s] = st.slots[s][0];
    coeffs_.assign(groups_.size(), std::vector<StepCoeffs<KC>>(static_cast<std::size_t>(T)));
    scalar_values_.assign(static_cast<std::size_t>(T), std::vector<double>(st.scalars.size()));
    for (std::int64_t t = 1; t <= T; ++t) {
      st.step = t;
      P::begin_step(od_, st);
      const DH lr = sched_ ? sched_->eval<DH>(t - 1, lift_) : od_.lr;
      // Each group's: its lr scale times the step's rate, its weight decay (a constant when it
      // sets its own), as Optimizer::fill_kernel composes them.
      for (std::size_t gi = 0; gi < groups_.size(); ++gi) {
        const ParamGroup& grp = groups_[gi];
        const DH glr = lr * grp.lr_scale;
        recurrence::StepInfo<DH> info{t, glr, st.scalars.data()};
        StepCoeffs<KC>& c = coeffs_[gi][static_cast<std::size_t>(t - 1)];
        c.c = P::coefficients(od_, info);
        const DH wd = grp.weight_decay >= 0 ? DH(grp.weight_decay)
                      : wd_lane_ < kH       ? od_.weight_decay
                                            : DH(0.0);
        c.l2 = decoupled_ ? DH(0.0) : wd;
        c.decay = decoupled_ ? DH(1.0) - glr * wd : DH(1.0);
        c.lr = glr.v;
      }
      for (std::size_t k = 0; k < st.scalars.size(); ++k)
        scalar_values_[static_cast<std::size_t>(t - 1)][k] = st.scalars[k].v;
    }
  }

  // Calls f(Variant<K>{}) for step t (1-based) and group gi as the fused step chooses it.
  template <typename F>
  void with_variant(std::int64_t t, std::size_t gi, F&& f) const {
    recurrence::StepInfo<double> info{t, coeffs_[gi][static_cast<std::size_t>(t - 1)].lr,
                                      scalar_values_[static_cast<std::size_t>(t - 1)].data()};
    P::variants(o_, info, std::forward<F>(f));
  }

  // g ← ∇f(θ); throws when not finite.
  double gradient(const double* theta, double* g, std::int64_t t) {
    const double f = train_.value(theta, g);
    check_gradient(g, t);
    return f;
  }
  void check_gradient(const double* g, std::int64_t t) {
    ++result_.gradient_evals;
    for (std::size_t i = 0; i < n_; ++i)
      if (!std::isfinite(g[i]))
        throw std::domain_error("hyper: the gradient at step " + std::to_string(t) +
                                " is not finite (element " + std::to_string(i) + " = " +
                                std::to_string(g[i]) + ")");
  }

  // The clip factor and, when it acts (c / (‖g‖ + 1e-6) ≤ 1), ∂scale/∂‖g‖ (else 0).
  void clip_scale(const double* g, double* scale, double* dscale_dnorm, double* norm) const {
    *scale = 1;
    *dscale_dnorm = 0;
    *norm = 0;
    if (!(opt_.clip_grad_norm > 0)) return;
    *norm = global_norm(g, n_);
    const double c = opt_.clip_grad_norm, x = c / (*norm + 1e-6);
    *scale = std::min(x, 1.0);
    if (x <= 1.0) *dscale_dnorm = -c / ((*norm + 1e-6) * (*norm + 1e-6));
  }

  // One plain step in double: what Optimizer<double>::step does.
  void plain_step(std::int64_t t, double* theta, std::vector<std::vector<double>>& slots,
                  const double* g) const {
    double scale, ds, norm;
    clip_scale(g, &scale, &ds, &norm);
    for (std::size_t grp = 0; grp < groups_.size(); ++grp) {
      const StepCoeffs<KC>& sc = coeffs_[grp][static_cast<std::size_t>(t - 1)];
      std::array<double, KC> c;
      for (int k = 0; k < KC; ++k) c[k] = sc.c[k].v;
      const double l2 = sc.l2.v, decay = sc.decay.v, sign = sign_;
      with_variant(t, grp, [&](auto variant) {
        constexpr int K = decltype(variant)::value;
        double sv[kMaxSlots];
        for (std::size_t i = groups_[grp].begin; i < groups_[grp].end; ++i) {
          for (std::size_t s = 0; s < ns_; ++s) sv[s] = slots[s][i];
          double gi = clamp(g[i] * scale, glo_, ghi_);
          gi = gi * sign + l2 * theta[i];
          const double d = clamp(P::template element<K>(gi, SlotRefs<double>{sv}, c), ulo_, uhi_);
          theta[i] = theta[i] * decay + d;
          for (std::size_t s = 0; s < ns_; ++s) slots[s][i] = sv[s];
        }
      });
    }
  }

  std::vector<std::vector<double>> initial_slots() const {
    std::vector<std::vector<double>> s(ns_, std::vector<double>(n_));
    for (std::size_t k = 0; k < ns_; ++k) std::fill(s[k].begin(), s[k].end(), init_slots_[k].v);
    return s;
  }

  double finish(const Eigen::VectorXd& theta, Eigen::VectorXd& grad_f) {
    grad_f.resize(static_cast<Eigen::Index>(n_));
    const double f = meta_.value(theta.data(), grad_f.data());
    if (!std::isfinite(f)) throw std::domain_error("hyper: the meta-loss at θ_T is not finite");
    if (!grad_f.allFinite())
      throw std::domain_error("hyper: the meta-loss's gradient at θ_T is not finite");
    result_.theta = theta;
    result_.meta_loss = f;
    return f;
  }

  // ---- forward mode ----
  UnrollResult forward(const Eigen::VectorXd& theta0) {
    const std::size_t kh = lanes_.size(), m = kh + (want_theta0_ ? n_ : 0);
    Eigen::VectorXd theta = theta0;
    std::vector<std::vector<double>> slots = initial_slots();
    std::vector<double> dtheta(n_ * m, 0.0), g(n_), dg(n_ * m, 0.0);
    std::vector<std::vector<double>> dslots(ns_, std::vector<double>(n_ * m, 0.0));
    if (want_theta0_)
      for (std::size_t i = 0; i < n_; ++i) dtheta[i * m + kh + i] = 1;
    for (std::size_t s = 0; s < ns_; ++s)
      for (std::size_t i = 0; i < n_; ++i)
        for (std::size_t l = 0; l < kh; ++l) dslots[s][i * m + l] = init_slots_[s].d[lanes_[l]];
    result_.peak_bytes = sizeof(double) * (n_ * (1 + ns_) * (1 + m) + n_ * (1 + m));
    for (std::int64_t t = 1; t <= opt_.steps; ++t) {
      if (m == 0) {  // the run only
        gradient(theta.data(), g.data(), t);
        plain_step(t, theta.data(), slots, g.data());
        continue;
      }
      train_.value_and_hvp(theta.data(), g.data(), dtheta.data(), dg.data(), m);
      check_gradient(g.data(), t);
      result_.hvp_directions += static_cast<std::int64_t>(m);
      double scale, ds_dnorm, norm;
      clip_scale(g.data(), &scale, &ds_dnorm, &norm);
      // ∂scale along each direction: ds/d‖g‖ · (g · ∂g) / ‖g‖.
      std::vector<double> dscale(m, 0.0);
      if (ds_dnorm != 0 && norm > 0)
        for (std::size_t l = 0; l < m; ++l) {
          double s = 0;
          for (std::size_t i = 0; i < n_; ++i) s += g[i] * dg[i * m + l];
          dscale[l] = ds_dnorm * s / norm;
        }
      const std::size_t passes = (m + kL - 1) / kL;
      for (std::size_t grp = 0; grp < groups_.size(); ++grp) {
        const StepCoeffs<KC>& sc = coeffs_[grp][static_cast<std::size_t>(t - 1)];
        // The coefficients' tangents along each pass's directions.
        std::vector<std::array<DL, KC>> cc(passes);
        std::vector<DL> l2c(passes), decayc(passes), scalec(passes);
        for (std::size_t p = 0; p < passes; ++p) {
          auto lift = [&](const DH& x) {
            DL r(x.v);
            for (int l = 0; l < kL; ++l) {
              const std::size_t dir = p * kL + static_cast<std::size_t>(l);
              if (dir < kh) r.d[l] = x.d[lanes_[dir]];
            }
            return r;
          };
          for (int k = 0; k < KC; ++k) cc[p][k] = lift(sc.c[k]);
          l2c[p] = lift(sc.l2);
          decayc[p] = lift(sc.decay);
          scalec[p] = DL(scale);
          for (int l = 0; l < kL; ++l) {
            const std::size_t dir = p * kL + static_cast<std::size_t>(l);
            if (dir < m) scalec[p].d[l] = dscale[dir];
          }
        }
        with_variant(t, grp, [&](auto variant) {
          constexpr int K = decltype(variant)::value;
          DL sv[kMaxSlots];
          for (std::size_t i = groups_[grp].begin; i < groups_[grp].end; ++i) {
            double theta_new = 0, slots_new[kMaxSlots] = {};
            for (std::size_t p = 0; p < passes; ++p) {
              const std::size_t lanes = std::min<std::size_t>(kL, m - p * kL);
              DL gd(g[i]), pd(theta[static_cast<Eigen::Index>(i)]);
              for (std::size_t l = 0; l < lanes; ++l) {
                gd.d[l] = dg[i * m + p * kL + l];
                pd.d[l] = dtheta[i * m + p * kL + l];
              }
              for (std::size_t s = 0; s < ns_; ++s) {
                sv[s] = DL(slots[s][i]);
                for (std::size_t l = 0; l < lanes; ++l) sv[s].d[l] = dslots[s][i * m + p * kL + l];
              }
              DL gi = clamp(gd * scalec[p], glo_, ghi_);
              gi = gi * sign_ + l2c[p] * pd;
              const DL d = clamp(P::template element<K>(gi, SlotRefs<DL>{sv}, cc[p]), ulo_, uhi_);
              const DL pn = pd * decayc[p] + d;
              theta_new = pn.v;
              for (std::size_t l = 0; l < lanes; ++l) dtheta[i * m + p * kL + l] = pn.d[l];
              for (std::size_t s = 0; s < ns_; ++s) {
                slots_new[s] = sv[s].v;
                for (std::size_t l = 0; l < lanes; ++l) dslots[s][i * m + p * kL + l] = sv[s].d[l];
              }
            }
            theta[static_cast<Eigen::Index>(i)] = theta_new;
            for (std::size_t s = 0; s < ns_; ++s) slots[s][i] = slots_new[s];
          }
        });
      }
    }
    Eigen::VectorXd gf;
    finish(theta, gf);
    for (std::size_t l = 0; l < kh; ++l) {
      double s = 0;
      for (std::size_t i = 0; i < n_; ++i)
        s += gf[static_cast<Eigen::Index>(i)] * dtheta[i * m + l];
      result_.grad.emplace_back(names_[static_cast<std::size_t>(lanes_[l])], s);
    }
    if (want_theta0_) {
      result_.grad_theta0 = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(n_));
      for (std::size_t i = 0; i < n_; ++i)
        for (std::size_t c = 0; c < n_; ++c)
          result_.grad_theta0[static_cast<Eigen::Index>(c)] +=
              gf[static_cast<Eigen::Index>(i)] * dtheta[i * m + kh + c];
    }
    return std::move(result_);
  }

  // ---- reverse mode ----
  struct Saved {
    Eigen::VectorXd theta;
    std::vector<std::vector<double>> slots;
  };

  UnrollResult reverse(const Eigen::VectorXd& theta0) {
    const std::int64_t T = opt_.steps;
    const std::int64_t K =
        opt_.checkpoint_every > 0
            ? opt_.checkpoint_every
            : static_cast<std::int64_t>(std::ceil(std::sqrt(static_cast<double>(T))));
    result_.checkpoint_every = K;
    const std::size_t state_bytes = sizeof(double) * n_ * (1 + ns_);
    // Forward: keep the state at t = 0, K, 2K, ... and the last segment whole (its states and
    // gradients), whose adjoint steps come first and so need no recomputation.
    const std::int64_t last = (T - 1) / K * K;
    std::vector<Saved> checkpoints, seg;
    std::vector<std::vector<double>> seg_g;
    Saved cur{theta0, initial_slots()};
    std::vector<double> g(n_);
    for (std::int64_t t = 1; t <= T; ++t) {
      if (t - 1 < last && (t - 1) % K == 0) checkpoints.push_back(cur);
      if (t - 1 >= last) seg.push_back(cur);
      gradient(cur.theta.data(), g.data(), t);
      if (t - 1 >= last) seg_g.push_back(g);
      plain_step(t, cur.theta.data(), cur.slots, g.data());
    }
    Eigen::VectorXd gf;
    finish(cur.theta, gf);
    // Adjoints.
    std::vector<double> theta_bar(gf.data(), gf.data() + n_), graw_bar(n_), hv(n_);
    std::vector<std::vector<double>> slots_bar(ns_, std::vector<double>(n_, 0.0));
    std::array<double, kH> h_bar{};
    // Held at most: the checkpoints, one segment's states and gradients, the current state (and
    // then the adjoints θ̄, s̄, of the same size), the gradient and two adjoint work vectors.
    const std::size_t peak =
        checkpoints.size() * state_bytes +
        static_cast<std::size_t>(std::min(K, T)) * (state_bytes + n_ * sizeof(double)) +
        state_bytes + 3 * n_ * sizeof(double);
    for (std::int64_t a = last; a >= 0; a -= K) {
      const std::int64_t b = std::min(a + K, T);
      if (a != last) {
        // Recompute the segment's states θ_{t−1}, s_{t−1} and gradients g_t, t = a+1 … b.
        seg.assign(1, checkpoints[static_cast<std::size_t>(a / K)]);
        seg_g.assign(static_cast<std::size_t>(b - a), std::vector<double>(n_));
        for (std::int64_t t = a + 1; t <= b; ++t) {
          const std::size_t j = static_cast<std::size_t>(t - a - 1);
          gradient(seg[j].theta.data(), seg_g[j].data(), t);
          if (t < b) {
            seg.push_back(seg[j]);
            plain_step(t, seg.back().theta.data(), seg.back().slots, seg_g[j].data());
          }
        }
      }
      for (std::int64_t t = b; t > a; --t) {
        const std::size_t j = static_cast<std::size_t>(t - a - 1);
        adjoint_step(t, seg[j], seg_g[j].data(), theta_bar, slots_bar, h_bar, graw_bar, hv);
      }
    }
    result_.peak_bytes = peak;
    // The initial state's dependence on the hyper-parameters (Adagrad's accumulator).
    for (std::size_t s = 0; s < ns_; ++s) {
      double sum = 0;
      for (std::size_t i = 0; i < n_; ++i) sum += slots_bar[s][i];
      for (int j = 0; j < kH; ++j) h_bar[j] += sum * init_slots_[s].d[j];
    }
    for (int lane : lanes_)
      result_.grad.emplace_back(names_[static_cast<std::size_t>(lane)], h_bar[lane]);
    if (want_theta0_)
      result_.grad_theta0 =
          Eigen::Map<const Eigen::VectorXd>(theta_bar.data(), static_cast<Eigen::Index>(n_));
    return std::move(result_);
  }

  // Step t's adjoint: from (θ̄_t, s̄_t) to (θ̄_{t−1}, s̄_{t−1}), accumulating h̄.
  void adjoint_step(std::int64_t t, const Saved& prev, const double* g,
                    std::vector<double>& theta_bar, std::vector<std::vector<double>>& slots_bar,
                    std::array<double, kH>& h_bar, std::vector<double>& graw_bar,
                    std::vector<double>& hv) {
    double scale, ds_dnorm, norm;
    clip_scale(g, &scale, &ds_dnorm, &norm);
    double scale_bar = 0;
    for (std::size_t grp = 0; grp < groups_.size(); ++grp) {
      const StepCoeffs<KC>& sc = coeffs_[grp][static_cast<std::size_t>(t - 1)];
      std::array<DJ, KC> c;
      for (int k = 0; k < KC; ++k) c[k] = DJ::variable(sc.c[k].v, 1 + kMaxSlots + k);
      const double l2 = sc.l2.v, decay = sc.decay.v;
      std::array<double, KC> c_bar{};
      double l2_bar = 0, decay_bar = 0;
      with_variant(t, grp, [&](auto variant) {
        constexpr int K = decltype(variant)::value;
        DJ sv[kMaxSlots];
        for (std::size_t i = groups_[grp].begin; i < groups_[grp].end; ++i) {
          const double p = prev.theta[static_cast<Eigen::Index>(i)];
          const double gs = g[i] * scale, gc = clamp(gs, glo_, ghi_);
          const double gi = gc * sign_ + l2 * p;
          for (std::size_t s = 0; s < ns_; ++s)
            sv[s] = DJ::variable(prev.slots[s][i], 1 + static_cast<int>(s));
          const DJ d = P::template element<K>(DJ::variable(gi, 0), SlotRefs<DJ>{sv}, c);
          const double tb = theta_bar[i];
          // A clipped update is a constant: d̄ reaches nothing through it.
          const double db = clamp(d.v, ulo_, uhi_) == d.v ? tb : 0.0;
          // out̄ = (d̄ = θ̄_t,i, s̄_t): the inputs' adjoints.
          std::array<double, kJ> in_bar;
          for (int q = 0; q < kJ; ++q) in_bar[q] = db * d.d[q];
          for (std::size_t s = 0; s < ns_; ++s) {
            const double sb = slots_bar[s][i];
            if (sb != 0)
              for (int q = 0; q < kJ; ++q) in_bar[q] += sb * sv[s].d[q];
          }
          const double gi_bar = in_bar[0];
          for (std::size_t s = 0; s < ns_; ++s) slots_bar[s][i] = in_bar[1 + s];
          for (int k = 0; k < KC; ++k) c_bar[k] += in_bar[1 + kMaxSlots + k];
          theta_bar[i] = tb * decay + gi_bar * l2;
          decay_bar += tb * p;
          l2_bar += gi_bar * p;
          // A clipped gradient element is a constant too.
          const double gc_bar = gc == gs ? gi_bar * sign_ : 0.0;
          graw_bar[i] = gc_bar * scale;
          scale_bar += gc_bar * g[i];
        }
      });
      for (int j = 0; j < kH; ++j) {
        double s = l2_bar * sc.l2.d[j] + decay_bar * sc.decay.d[j];
        for (int k = 0; k < KC; ++k) s += c_bar[k] * sc.c[k].d[j];
        h_bar[j] += s;
      }
    }
    if (ds_dnorm != 0 && norm > 0)
      for (std::size_t i = 0; i < n_; ++i) graw_bar[i] += scale_bar * ds_dnorm * g[i] / norm;
    train_.hvp(prev.theta.data(), graw_bar.data(), hv.data(), 1);
    ++result_.hvp_directions;
    for (std::size_t i = 0; i < n_; ++i) theta_bar[i] += hv[i];
  }

  O o_;
  Od od_;
  const UnrollOptions& opt_;
  const Problem& train_;
  const Problem& meta_;
  std::vector<std::string> names_;
  std::size_t n_ = 0, ns_ = 0;
  double sign_ = 1;
  bool decoupled_ = false, want_theta0_ = false;
  std::vector<int> lanes_;  // the real-field lanes asked for, in wrt order
  int lr_lane_ = kH, wd_lane_ = kH;
  std::optional<Schedule> sched_;
  const double* base_param_ = nullptr;       // the rebased schedule's base rate (= the rule's lr)
  std::vector<const double*> sched_params_;  // its other real parameters, by lane
  Lift lift_;
  std::vector<DH> init_slots_;
  // Clipping by value, as the fused kernel's bounds (±∞ when off).
  double glo_ = -std::numeric_limits<double>::infinity(), ghi_ = -glo_, ulo_ = glo_, uhi_ = ghi_;
  std::vector<ParamGroup> groups_;  // tiling [0, n); one "all" group when none is given
  std::vector<std::vector<StepCoeffs<KC>>> coeffs_;  // [group][t − 1]
  std::vector<std::vector<double>> scalar_values_;
  UnrollResult result_;
};

}  // namespace

// ---- public functions -------------------------------------------------------------------------

std::unique_ptr<Problem> from_test_problem(std::shared_ptr<const core::Problem<double>> p) {
  return std::make_unique<TestProblem>(std::move(p));
}

std::unique_ptr<Problem> rosenbrock(int dim) {
  RosenbrockOptions o;
  o.dim = dim;
  return from_test_problem(std::make_shared<RosenbrockProblem<double>>(o));
}

const char* to_string(Loss l) { return l == Loss::kMse ? "mse" : "cross_entropy"; }
Loss parse_loss(const std::string& name) {
  if (name == "mse") return Loss::kMse;
  if (name == "cross_entropy") return Loss::kCrossEntropy;
  throw std::invalid_argument("unknown loss '" + name + "' (known: mse, cross_entropy)");
}

std::unique_ptr<Problem> mlp_problem(const MlpSpec& spec, Eigen::MatrixXd x, Eigen::MatrixXd y,
                                     Loss loss) {
  return std::make_unique<MlpProblem>(spec, std::move(x), std::move(y), loss);
}

const char* to_string(Mode m) { return m == Mode::kForward ? "forward" : "reverse"; }
Mode parse_mode(const std::string& name) {
  if (name == "forward") return Mode::kForward;
  if (name == "reverse") return Mode::kReverse;
  throw std::invalid_argument("unknown mode '" + name + "' (known: forward, reverse)");
}

std::vector<std::string> real_fields(const RuleOptions& o) {
  return std::visit([](const auto& x) { return real_field_names<std::decay_t<decltype(x)>>(); }, o);
}

std::string UnrollOptions::validate(std::size_t n) const {
  std::ostringstream e;
  auto add = [&](const std::string& m) { e << (e.tellp() ? "; " : "") << m; };
  const std::string r = core::validate(rule);
  if (!r.empty()) add(r);
  if (steps < 1) add("steps must be >= 1, got " + std::to_string(steps));
  if (!(clip_grad_norm >= 0) || !std::isfinite(clip_grad_norm))
    add("clip_grad_norm must be finite and >= 0, got " + std::to_string(clip_grad_norm));
  if (!(clip_grad_value >= 0) || !std::isfinite(clip_grad_value))
    add("clip_grad_value must be finite and >= 0, got " + std::to_string(clip_grad_value));
  if (!(clip_update_value >= 0) || !std::isfinite(clip_update_value))
    add("clip_update_value must be finite and >= 0, got " + std::to_string(clip_update_value));
  if (checkpoint_every < 0)
    add("checkpoint_every must be >= 0, got " + std::to_string(checkpoint_every));
  if (schedule) {
    const std::string s = schedule->validate();
    if (!s.empty()) add("schedule: " + s);
  }
  if (!groups.empty()) {
    OptimizerOptions tiling;
    tiling.groups = groups;
    const std::string g = tiling.validate(n);
    if (!g.empty()) add(g);
    for (std::size_t i = 0; i < groups.size(); ++i)
      if (groups[i].rule || groups[i].schedule)
        add("group " + std::to_string(i) +
            ": a rule or schedule of its own is not differentiated (only lr_scale and "
            "weight_decay)");
  }
  const std::vector<std::string> reals = real_fields(rule);
  const bool has_base = schedule && base_parameter(*schedule) != nullptr;
  for (std::size_t i = 0; i < wrt.size(); ++i) {
    const std::string& w = wrt[i];
    if (std::find(wrt.begin(), wrt.begin() + static_cast<std::ptrdiff_t>(i), w) !=
        wrt.begin() + static_cast<std::ptrdiff_t>(i)) {
      add("wrt names '" + w + "' twice");
      continue;
    }
    if (w == "theta0") continue;
    if (w.rfind("schedule.", 0) == 0) {
      std::string known;
      bool found = false;
      if (schedule) {
        const Schedule based = has_base ? rebase(*schedule, 1.0) : *schedule;
        const double* base = has_base ? base_parameter(based) : nullptr;
        for (const auto& [name, ptr] : based.real_parameters()) {
          if (ptr == base) continue;
          known += (known.empty() ? "" : ", ") + ("schedule." + name);
          found = found || w == "schedule." + name;
        }
      }
      if (!found)
        add("wrt: " +
            (schedule ? "the schedule " + schedule->describe() : std::string("no schedule")) +
            " has no parameter '" + w.substr(9) + "' (known: " + (known.empty() ? "none" : known) +
            (has_base ? "; its base rate is the rule's lr)" : ")"));
      continue;
    }
    if (w == "lr" && schedule && !has_base) {
      add("wrt: lr does nothing under the schedule " + schedule->describe() +
          ", which takes its rates from its parts; ask for those (schedule.parts.0.lr, ...)");
      continue;
    }
    if (std::find(reals.begin(), reals.end(), w) != reals.end()) {
      // SGD and RMSprop drop their momentum buffer at momentum = 0 (a choice of the step, not a
      // value), so the derivative there would be that of a rule without momentum.
      if (w == "momentum" && get_field(rule, "momentum") == 0)
        add("d/d momentum at momentum = 0 is not computed (" + rule_name(rule) +
            " drops its momentum buffer there); differentiate at a momentum != 0");
      continue;
    }
    std::string known;
    for (const auto& x : reals) known += x + ", ";
    add("wrt: " + rule_name(rule) + " has no real hyper-parameter '" + w + "' (known: " + known +
        "theta0)");
  }
  if (n == 0) add("the problem has no parameters");
  return e.str();
}

double UnrollResult::d(const std::string& name) const {
  for (const auto& [k, v] : grad)
    if (k == name) return v;
  throw std::out_of_range("hyper: d/d" + name + " was not asked for (wrt)");
}

UnrollResult unroll(const Problem& train, const Eigen::VectorXd& theta0,
                    const UnrollOptions& options, const Problem* meta) {
  const std::size_t n = train.dim();
  const std::string e = options.validate(n);
  if (!e.empty()) fail(e);
  if (static_cast<std::size_t>(theta0.size()) != n)
    fail("theta0 has " + std::to_string(theta0.size()) + " entries, the problem " +
         train.describe() + " has " + std::to_string(n) + " parameters");
  if (!theta0.allFinite()) fail("theta0 holds a NaN or infinite value");
  if (meta != nullptr && meta->dim() != n)
    fail("the meta problem " + meta->describe() + " has " + std::to_string(meta->dim()) +
         " parameters, the training problem " + std::to_string(n));
  return std::visit(
      [&](const auto& o) {
        using O = std::decay_t<decltype(o)>;
        Unroller<O> u(o, options, train, meta);
        return u.run(theta0);
      },
      options.rule);
}

Schedule rebase(const Schedule& s, double lr) {
  return std::visit(
      [&](auto node) -> Schedule {
        using N = std::decay_t<decltype(node)>;
        if constexpr (std::is_same_v<N, Schedule::Cyclic>) {
          node.base_lr = lr;
        } else if constexpr (std::is_same_v<N, Schedule::OneCycle>) {
          node.max_lr = lr;
        } else if constexpr (std::is_same_v<N, Schedule::Warmup>) {
          node.then = std::make_shared<const Schedule>(rebase(*node.then, lr));
        } else if constexpr (std::is_same_v<N, Schedule::Scale>) {
          node.inner = std::make_shared<const Schedule>(rebase(*node.inner, lr));
        } else if constexpr (std::is_same_v<N, Schedule::Join>) {
          fail("a join schedule has no single base learning rate (" + s.describe() +
               "); differentiate its parts separately");
        } else {
          node.lr = lr;
        }
        return Schedule(node);
      },
      s.node());
}

}  // namespace adamant::core::hyper
