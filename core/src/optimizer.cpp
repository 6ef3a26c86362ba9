#include "adamant/core/optimizer.hpp"
#include "adamant/core/threads.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <tuple>

namespace adamant::core {
namespace {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

template <typename T>
std::size_t first_nonfinite(const T* x, std::size_t b, std::size_t e) {
  for (std::size_t i = b; i < e; ++i)
    if (!std::isfinite(x[i])) return i;
  return kNone;
}

// Sum of squares of x[b, e) in double with eight fixed lanes (vectorisable, and the same value
// whatever the address of x or the thread that runs it), plus the first non-finite index.
template <typename T>
double chunk_sumsq(const T* x, std::size_t b, std::size_t e, std::size_t* bad) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  std::size_t i = b;
  for (; i + 8 <= e; i += 8)
    for (int l = 0; l < 8; ++l) {
      const double v = static_cast<double>(x[i + l]);
      acc[l] += v * v;
    }
  double tail = 0;
  for (; i < e; ++i) tail += static_cast<double>(x[i]) * static_cast<double>(x[i]);
  const double s =
      ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])) + tail;
  *bad = std::isfinite(s) ? kNone : first_nonfinite(x, b, e);
  return s;
}

// First non-finite index of x[b, e): x·0 is 0 for finite x and NaN otherwise, so a lane sum
// tells whether the chunk needs a closer look.
template <typename T>
std::size_t chunk_check(const T* x, std::size_t b, std::size_t e) {
  T acc[16] = {};
  std::size_t i = b;
  for (; i + 16 <= e; i += 16)
    for (int l = 0; l < 16; ++l) acc[l] += x[i + l] * T(0);
  T s = 0;
  for (int l = 0; l < 16; ++l) s += acc[l];
  for (; i < e; ++i) s += x[i] * T(0);
  return s == T(0) ? kNone : first_nonfinite(x, b, e);
}

}  // namespace

NonFiniteGradientError::NonFiniteGradientError(std::size_t index, double value, std::int64_t step)
    : std::domain_error("non-finite gradient: element " + std::to_string(index) + " is " +
                        (std::isnan(value) ? std::string("NaN") : (value > 0 ? "+Inf" : "-Inf")) +
                        " at step " + std::to_string(step) +
                        " (parameters and optimizer state left unchanged)"),
      index_(index),
      value_(value) {}

std::string OptimizerOptions::validate(std::size_t n) const {
  std::ostringstream e;
  auto nonneg = [&](const char* name, double v) {
    if (!(std::isfinite(v) && v >= 0))
      e << (e.tellp() ? "; " : "") << name << " must be finite and >= 0 (0 = off), got " << v;
  };
  nonneg("clip_grad_value", clip_grad_value);
  nonneg("clip_grad_norm", clip_grad_norm);
  nonneg("clip_update_value", clip_update_value);
  nonneg("clip_update_norm", clip_update_norm);
  nonneg("hypergradient_lr", hypergradient_lr);
  if (hypergradient_lr > 0) {
    if (schedule)
      e << (e.tellp() ? "; " : "")
        << "hypergradient_lr adapts the learning rate itself: it takes no schedule";
    if (!groups.empty())
      e << (e.tellp() ? "; " : "") << "hypergradient_lr takes no parameter groups";
    if (clip_update_norm > 0)
      e << (e.tellp() ? "; " : "") << "hypergradient_lr cannot be combined with clip_update_norm";
  }
  if (num_threads < 0)
    e << (e.tellp() ? "; " : "") << "num_threads must be >= 0, got " << num_threads;
  if (schedule) {
    const std::string s = schedule->validate();
    if (!s.empty()) e << (e.tellp() ? "; " : "") << s;
  }
  std::size_t next = 0;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const ParamGroup& g = groups[i];
    const std::string label =
        "group " + std::to_string(i) + (g.name.empty() ? "" : " '" + g.name + "'");
    if (g.begin != next || g.end <= g.begin) {
      e << (e.tellp() ? "; " : "") << label << " covers [" << g.begin << ", " << g.end
        << ") but groups must tile [0, " << n << ") in order; expected it to start at " << next;
      break;
    }
    if (!(std::isfinite(g.lr_scale) && g.lr_scale >= 0))
      e << (e.tellp() ? "; " : "") << label << ": lr_scale must be finite and >= 0, got "
        << g.lr_scale;
    if (!std::isfinite(g.weight_decay))
      e << (e.tellp() ? "; " : "") << label << ": weight_decay must be finite, got "
        << g.weight_decay;
    if (g.rule) {
      if (const std::string w = core::validate(*g.rule); !w.empty())
        e << (e.tellp() ? "; " : "") << label << ": " << w;
    } else if (g.schedule) {
      e << (e.tellp() ? "; " : "") << label
        << ": a schedule of its own needs a rule of its own (the optimizer's schedule applies "
           "to the groups without one)";
    }
    if (g.schedule)
      if (const std::string w = g.schedule->validate(); !w.empty())
        e << (e.tellp() ? "; " : "") << label << ": " << w;
    next = g.end;
  }
  if (!groups.empty() && next != n && e.tellp() == 0)
    e << "groups end at " << next << " but the buffer has " << n << " elements";
  return e.str();
}

template <typename T>
Optimizer<T>::Optimizer(const UpdateRule<T>& rule, std::size_t n, OptimizerOptions options)
    : rule_(rule.clone()), n_(n), options_(std::move(options)) {
  std::string err = rule_->validate();
  if (err.empty()) err = options_.validate(n);
  if (err.empty() && rule_->slot_names().size() > static_cast<std::size_t>(Kernel<T>::kMaxSlots))
    err = rule_->name() + ": too many slots";
  if (!err.empty()) throw std::invalid_argument(err);
  state_ = rule_->init(n);
  groups_ = options_.groups;
  if (groups_.empty()) groups_.push_back(ParamGroup{0, n, 1.0, -1.0, "all"});
  // The groups' own rules: their slots and scalars follow the optimizer rule's in the state.
  slot_offset_.push_back(0);
  scalar_offset_.push_back(0);
  slot_count_.push_back(state_.slots.size());
  rule_of_group_.assign(groups_.size(), 0);
  for (std::size_t gi = 0; gi < groups_.size(); ++gi) {
    if (!groups_[gi].rule) continue;
    std::unique_ptr<UpdateRule<T>> r = make_rule<T>(*groups_[gi].rule);
    if (r->slot_names().size() > static_cast<std::size_t>(Kernel<T>::kMaxSlots))
      throw std::invalid_argument("group " + std::to_string(gi) + ": " + r->name() +
                                  ": too many slots");
    State<T> own = r->init(n);
    const std::string prefix = "group" + std::to_string(gi) + ".";
    slot_offset_.push_back(state_.slots.size());
    scalar_offset_.push_back(state_.scalars.size());
    slot_count_.push_back(own.slots.size());
    for (std::size_t k = 0; k < own.slots.size(); ++k) {
      state_.slot_names.push_back(prefix + own.slot_names[k]);
      state_.slots.push_back(std::move(own.slots[k]));
    }
    for (std::size_t k = 0; k < own.scalars.size(); ++k) {
      state_.scalar_names.push_back(prefix + own.scalar_names[k]);
      state_.scalars.push_back(own.scalars[k]);
    }
    own.slots.clear();
    own.slot_names.clear();
    group_scalars_.push_back(std::move(own));
    group_rules_.push_back(std::move(r));
    rule_of_group_[gi] = group_rules_.size();
  }
  if (options_.hypergradient_lr > 0) {
    hd_ = true;
    hd_slot_ = state_.slots.size();
    hd_scalar_ = state_.scalars.size();
    state_.slot_names.push_back("hd_prev_update");
    state_.slots.emplace_back(n, T(0));
    state_.scalar_names.push_back("hd_lr");
    state_.scalars.push_back(rule_->lr());
  }
  slot_names_ = state_.slot_names;
  scalar_names_ = state_.scalar_names;
  group_lr_.assign(groups_.size(), 0.0);
  for (std::size_t gi = 0; gi < groups_.size(); ++gi)
    for (std::size_t b = groups_[gi].begin; b < groups_[gi].end; b += kChunk)
      items_.push_back(Item{gi, b, std::min(b + kChunk, groups_[gi].end)});
  partial_.assign(items_.size(), 0.0);
  bad_.assign(items_.size(), kNone);
  if (options_.clip_update_norm > 0) update_.assign(n, T(0));
  threads_ = resolve_threads(options_.num_threads);  // validate() refused n < 0
}

template <typename T>
Optimizer<T>::Optimizer(const Optimizer& o)
    : rule_(o.rule_->clone()),
      slot_offset_(o.slot_offset_),
      slot_count_(o.slot_count_),
      scalar_offset_(o.scalar_offset_),
      rule_of_group_(o.rule_of_group_),
      group_scalars_(o.group_scalars_),
      slot_names_(o.slot_names_),
      scalar_names_(o.scalar_names_),
      group_lr_(o.group_lr_),
      hd_slot_(o.hd_slot_),
      hd_scalar_(o.hd_scalar_),
      hd_(o.hd_),
      lr_(o.lr_),
      n_(o.n_),
      options_(o.options_),
      state_(o.state_),
      groups_(o.groups_),
      items_(o.items_),
      threads_(o.threads_),
      partial_(o.partial_),
      bad_(o.bad_),
      update_(o.update_) {
  for (const auto& r : o.group_rules_) group_rules_.push_back(r->clone());
}

template <typename T>
Optimizer<T>& Optimizer<T>::operator=(const Optimizer& o) {
  if (this != &o) *this = Optimizer(o);
  return *this;
}

template <typename T>
template <typename F>
void Optimizer<T>::parallel_items(F&& f) const {
  const std::ptrdiff_t count = static_cast<std::ptrdiff_t>(items_.size());
  if (threads_ > 1 && n_ >= kParallelMin) {
#pragma omp parallel for num_threads(threads_) schedule(static)
    for (std::ptrdiff_t i = 0; i < count; ++i) f(static_cast<std::size_t>(i));
  } else {
    for (std::ptrdiff_t i = 0; i < count; ++i) f(static_cast<std::size_t>(i));
  }
}

template <typename T>
double Optimizer<T>::sum_partials() const {
  if (reducer_ != nullptr) return reducer_->sum(partial_);
  double s = 0;
  for (std::size_t i = 0; i < items_.size(); ++i) s += partial_[i];
  return s;
}

template <typename T>
bool Optimizer<T>::scan(const T* buf, bool norm, double* sumsq, std::size_t* bad,
                        double* bad_value) const {
  parallel_items([&](std::size_t i) {
    const Item& it = items_[i];
    if (norm)
      partial_[i] = chunk_sumsq(buf, it.begin, it.end, &bad_[i]);
    else
      bad_[i] = chunk_check(buf, it.begin, it.end);
  });
  *bad = kNone;
  for (std::size_t i = 0; i < items_.size() && *bad == kNone; ++i) *bad = bad_[i];
  *bad_value = *bad == kNone ? 0.0 : static_cast<double>(buf[*bad]);
  if (reducer_ != nullptr) std::tie(*bad, *bad_value) = reducer_->first_nonfinite(*bad, *bad_value);
  *sumsq = norm ? sum_partials() : 0.0;
  return *bad == kNone;
}

template <typename T>
void Optimizer<T>::fill_kernel(Kernel<T>& k, const Item& it, T* p, const T* g, double lr) {
  const ParamGroup& grp = groups_[it.group];
  const std::size_t r = rule_of_group_[it.group];
  const UpdateRule<T>& rule = rule_at(r);
  const std::size_t slots = slot_count_[r];
  k.p = p;
  k.g = g;
  for (std::size_t s = 0; s < slots; ++s) k.s[s] = state_.slots[slot_offset_[r] + s].data();
  k.scalars = state_.scalars.data() + scalar_offset_[r];
  k.begin = it.begin;
  k.end = it.end;
  k.step = state_.step;
  if (r > 0) lr = group_lr_[it.group];  // the group's own rule: its own schedule or lr
  k.lr = lr * grp.lr_scale;
  const double wd = grp.weight_decay >= 0 ? grp.weight_decay : rule.weight_decay();
  if (rule.decoupled_weight_decay())
    k.decay = static_cast<T>(1 - k.lr * wd);
  else
    k.l2 = static_cast<T>(wd);
  k.sign = rule.maximize() ? T(-1) : T(1);
  if (options_.clip_grad_value > 0) {
    k.grad_hi = static_cast<T>(options_.clip_grad_value);
    k.grad_lo = -k.grad_hi;
  }
  if (options_.clip_update_value > 0) {
    k.upd_hi = static_cast<T>(options_.clip_update_value);
    k.upd_lo = -k.upd_hi;
  }
}

template <typename T>
double Optimizer<T>::current_lr() const {
  if (hd_) return state_.scalars[hd_scalar_];
  if (options_.schedule) return (*options_.schedule)(state_.step);
  return lr_ ? *lr_ : rule_->lr();
}

template <typename T>
void Optimizer<T>::set_lr(double lr) {
  if (!(lr >= 0) || !std::isfinite(lr))
    throw std::invalid_argument(
        "Optimizer::set_lr: the learning rate must be finite and >= 0, got " + std::to_string(lr));
  if (options_.schedule)
    throw std::logic_error("Optimizer::set_lr: the optimizer's schedule sets its learning rate");
  if (hd_)
    throw std::logic_error(
        "Optimizer::set_lr: hypergradient descent (hypergradient_lr) sets its learning rate");
  lr_ = lr;
}

template <typename T>
StepResult Optimizer<T>::step(Eigen::Ref<Vector> params, Eigen::Ref<const Vector> grads) {
  if (static_cast<std::size_t>(params.size()) != n_ || static_cast<std::size_t>(grads.size()) != n_)
    throw std::invalid_argument("Optimizer::step: expected " + std::to_string(n_) +
                                " parameters and gradients, got " + std::to_string(params.size()) +
                                " and " + std::to_string(grads.size()));
  return step(params.data(), grads.data(), n_);
}

template <typename T>
StepResult Optimizer<T>::step(T* p, const T* g, std::size_t n) {
  return step(p, g, n, nullptr, nullptr);
}

template <typename T>
StepResult Optimizer<T>::step(T* p, const T* g, std::size_t n, ChunkHook hook, void* context) {
  if (n != n_)
    throw std::invalid_argument("Optimizer::step: expected " + std::to_string(n_) +
                                " elements, got " + std::to_string(n));
  StepResult r;
  r.lr = current_lr();
  // The groups' own schedules too, before anything changes (one_cycle throws past its end).
  for (std::size_t gi = 0; gi < groups_.size(); ++gi)
    if (rule_of_group_[gi] > 0)
      group_lr_[gi] = groups_[gi].schedule ? (*groups_[gi].schedule)(state_.step)
                                           : rule_at(rule_of_group_[gi]).lr();
  const bool clip_norm = options_.clip_grad_norm > 0;
  double sumsq = 0;
  std::size_t bad = kNone;
  double bad_value = 0;
  if (!scan(g, clip_norm, &sumsq, &bad, &bad_value)) {
    if (options_.non_finite == NonFinitePolicy::kRaise)
      throw NonFiniteGradientError(bad, bad_value, state_.step + 1);
    ++state_.skipped_steps;
    r.nonfinite_index = bad;
    return r;
  }
  T grad_scale = 1;
  if (clip_norm) {
    r.grad_norm = std::sqrt(sumsq);
    r.grad_scale = std::min(options_.clip_grad_norm / (r.grad_norm + 1e-6), 1.0);
    grad_scale = static_cast<T>(r.grad_scale);
  }
  if (hd_) {
    // lr_t = lr_{t−1} − β g_t · d_{t−1} / lr_{t−1}, the dot product summed per chunk in chunk
    // order (the same value on any thread count), g_t composed as the kernel composes it.
    const T* dprev = state_.slots[hd_slot_].data();
    const double lr_prev = state_.scalars[hd_scalar_];
    parallel_items([&](std::size_t i) {
      Kernel<T> k;
      fill_kernel(k, items_[i], p, g, lr_prev);
      double s = 0;
      for (std::size_t j = k.begin; j < k.end; ++j) {
        T gi = g[j] * grad_scale;
        gi = gi < k.grad_lo ? k.grad_lo : (gi > k.grad_hi ? k.grad_hi : gi);
        gi = gi * k.sign + k.l2 * p[j];
        s += static_cast<double>(gi) * static_cast<double>(dprev[j]);
      }
      partial_[i] = s;
    });
    const double dot = sum_partials();
    const double lr = lr_prev != 0 ? lr_prev - options_.hypergradient_lr * dot / lr_prev : lr_prev;
    state_.scalars[hd_scalar_] = lr;
    r.lr = lr;
  }
  ++state_.step;
  rule_->begin_step(state_);
  for (std::size_t gr = 1; gr <= group_rules_.size(); ++gr) {
    State<T>& own = group_scalars_[gr - 1];
    if (own.scalars.empty()) continue;
    const auto first = state_.scalars.begin() + static_cast<std::ptrdiff_t>(scalar_offset_[gr]);
    own.step = state_.step;
    std::copy(first, first + static_cast<std::ptrdiff_t>(own.scalars.size()), own.scalars.begin());
    group_rules_[gr - 1]->begin_step(own);
    std::copy(own.scalars.begin(), own.scalars.end(), first);
  }
  const bool store = options_.clip_update_norm > 0 || hd_;
  // Hypergradient descent keeps this step's update d_t in its slot for the next step.
  T* u = hd_ ? state_.slots[hd_slot_].data() : (store ? update_.data() : nullptr);
  parallel_items([&](std::size_t i) {
    Kernel<T> k;
    fill_kernel(k, items_[i], p, g, r.lr);
    k.grad_scale = grad_scale;
    k.u = u;
    rule_at(rule_of_group_[items_[i].group]).update(k);
    if (hook != nullptr && !store) hook(context, p, k.begin, k.end);
  });
  if (store) {
    double usq = 0;
    std::size_t ubad = kNone;
    T s = 1;
    bool finite = true;
    if (options_.clip_update_norm > 0) {
      double ubad_value;
      scan(u, true, &usq, &ubad, &ubad_value);
      r.update_norm = std::sqrt(usq);
      const double c = options_.clip_update_norm;
      s = static_cast<T>(r.update_norm > c ? c / r.update_norm : 1.0);
      finite = std::isfinite(r.update_norm);
    }
    parallel_items([&](std::size_t i) {
      Kernel<T> k;
      fill_kernel(k, items_[i], p, g, r.lr);
      const T decay = k.decay;
      T* __restrict pp = p;
      const T* __restrict uu = u;
      if (finite) {
#pragma omp simd
        for (std::size_t j = k.begin; j < k.end; ++j) pp[j] = pp[j] * decay + uu[j] * s;
      }
      if (hook != nullptr) hook(context, p, k.begin, k.end);
    });
  }
  r.applied = true;
  return r;
}

template <typename T>
void Optimizer<T>::set_state(State<T> state) {
  std::ostringstream e;
  if (state.slot_names != slot_names_ || state.slots.size() != state.slot_names.size()) {
    e << rule_->name() << ": state has slots [";
    for (const auto& s : state.slot_names) e << " " << s;
    e << " ], expected [";
    for (const auto& s : slot_names_) e << " " << s;
    e << " ]";
  } else if (state.scalar_names != scalar_names_ ||
             state.scalars.size() != state.scalar_names.size()) {
    e << rule_->name() << ": state scalars do not match the rule's";
  } else if (state.step < 0 || state.skipped_steps < 0) {
    e << rule_->name() << ": state step counters must be >= 0";
  } else {
    for (std::size_t i = 0; i < state.slots.size(); ++i)
      if (state.slots[i].size() != n_)
        e << rule_->name() << ": state slot '" << state.slot_names[i] << "' has "
          << state.slots[i].size() << " elements, expected " << n_;
  }
  if (e.tellp()) throw std::invalid_argument(e.str());
  state_ = std::move(state);
}

template <typename T>
double global_norm(const T* g, std::size_t n) {
  double s = 0;
  std::size_t bad;
  for (std::size_t b = 0; b < n; b += Optimizer<T>::kChunk)
    s += chunk_sumsq(g, b, std::min(b + Optimizer<T>::kChunk, n), &bad);
  return std::sqrt(s);
}

template <typename T>
double clip_grad_norm(Eigen::Ref<Eigen::Matrix<T, Eigen::Dynamic, 1>> g, double max_norm) {
  if (!(max_norm > 0))
    throw std::invalid_argument("clip_grad_norm: max_norm must be > 0, got " +
                                std::to_string(max_norm));
  const double norm = global_norm(g.data(), static_cast<std::size_t>(g.size()));
  const T coef = static_cast<T>(std::min(max_norm / (norm + 1e-6), 1.0));
  g *= coef;
  return norm;
}

template <typename T>
void clip_grad_value(Eigen::Ref<Eigen::Matrix<T, Eigen::Dynamic, 1>> g, double c) {
  if (!(c > 0))
    throw std::invalid_argument("clip_grad_value: clip value must be > 0, got " +
                                std::to_string(c));
  g = g.cwiseMax(static_cast<T>(-c)).cwiseMin(static_cast<T>(c));
}

template class Optimizer<float>;
template class Optimizer<double>;
template double global_norm(const float*, std::size_t);
template double global_norm(const double*, std::size_t);
template double clip_grad_norm<float>(Eigen::Ref<Eigen::VectorXf>, double);
template double clip_grad_norm<double>(Eigen::Ref<Eigen::VectorXd>, double);
template void clip_grad_value<float>(Eigen::Ref<Eigen::VectorXf>, double);
template void clip_grad_value<double>(Eigen::Ref<Eigen::VectorXd>, double);

}  // namespace adamant::core
