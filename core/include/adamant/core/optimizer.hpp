#pragma once
// Optimizer<T>: an update rule (rules.hpp) over one flat parameter buffer, with what composes
// around it — gradient clipping by value and by global norm (PyTorch's clip_grad_norm_: the
// gradient is scaled by min(1, c / (‖g‖₂ + 10⁻⁶))), update clipping, a learning-rate schedule
// (schedule.hpp), parameter groups, a non-finite gradient policy, and threads.
//
// A step is one fused pass over memory per buffer (plus one read of the gradient for the
// finite check or the norm), allocates nothing, and gives bit-identical results on any thread
// count: the buffer is cut into fixed chunks whatever the number of threads, element-wise work
// does not depend on the cut, and reductions (norms) add per-chunk partial sums in chunk order.

#include <Eigen/Core>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "adamant/core/rule.hpp"
#include "adamant/core/rules.hpp"
#include "adamant/core/schedule.hpp"
#include "adamant/core/state.hpp"

namespace adamant::core {

/// What a step does when a gradient element is NaN or ±Inf.
enum class NonFinitePolicy {
  kRaise,  ///< throw NonFiniteGradientError naming the first offending index; nothing changes
  kSkip,   ///< leave parameters and state untouched, count the step in State::skipped_steps
};

class NonFiniteGradientError : public std::domain_error {
 public:
  NonFiniteGradientError(std::size_t index, double value, std::int64_t step);
  std::size_t index() const { return index_; }
  double value() const { return value_; }

 private:
  std::size_t index_;
  double value_;
};

/// A range [begin, end) of the buffer with its own learning-rate scale and weight decay
/// (e.g. no decay on biases), and optionally a rule of its own (optax's multi_transform: Lion on
/// the embeddings, Adam on the rest).
struct ParamGroup {
  ParamGroup(std::size_t begin_ = 0, std::size_t end_ = 0, double lr_scale_ = 1.0,
             double weight_decay_ = -1, std::string name_ = {},
             std::optional<RuleOptions> rule_ = {}, std::optional<Schedule> schedule_ = {})
      : begin(begin_),
        end(end_),
        lr_scale(lr_scale_),
        weight_decay(weight_decay_),
        name(std::move(name_)),
        rule(std::move(rule_)),
        schedule(std::move(schedule_)) {}
  std::size_t begin = 0;
  std::size_t end = 0;
  double lr_scale = 1.0;     ///< multiplies the (scheduled) learning rate
  double weight_decay = -1;  ///< < 0: the group's rule's weight decay
  std::string name;
  /// The group's own rule, with all its hyper-parameters. Its learning rate is
  /// `schedule ? (*schedule)(t) : rule->lr` (times lr_scale): the optimizer's schedule applies to
  /// the groups without a rule of their own. Its slots are kept in the state as
  /// "group<i>.<slot>" (i the group's index) and its scalars likewise.
  std::optional<RuleOptions> rule;
  std::optional<Schedule> schedule;  ///< only with `rule`
};

struct OptimizerOptions {
  double clip_grad_value = 0;    ///< > 0: clamp each gradient element to [−c, c]
  double clip_grad_norm = 0;     ///< > 0: scale g by min(1, c / (‖g‖₂ + 1e-6)) (PyTorch)
  double clip_update_value = 0;  ///< > 0: clamp each update element to [−c, c]
  double clip_update_norm = 0;   ///< > 0: scale the update by min(1, c / ‖d‖₂)
  /// > 0: hypergradient descent on the learning rate (Baydin et al. 2018, "Online Learning Rate
  /// Adaptation with Hypergradient Descent": SGD-HD, Adam-HD, ... for any rule). Before each
  /// step lr_t = lr_{t−1} + β g_t · u_{t−1}, β this value, g_t the gradient as the rule sees it
  /// (after clipping, sign and coupled L2) and u_{t−1} = −d_{t−1} / lr_{t−1} the previous step's
  /// update per unit learning rate (Adam's m̂ / (√v̂ + ε), SGD's g); lr_0 is the rule's lr, and
  /// u = 0 while lr is 0. The state keeps d_{t−1} (slot "hd_prev_update") and lr (scalar
  /// "hd_lr"). Takes no schedule, no groups and no update-norm clipping.
  double hypergradient_lr = 0;
  NonFinitePolicy non_finite = NonFinitePolicy::kRaise;
  /// Learning rate as a function of the step; unset: the rule's constant lr.
  std::optional<Schedule> schedule;
  /// Groups tiling [0, n) in order without gaps or overlaps; empty: one group over everything.
  std::vector<ParamGroup> groups;
  /// Threads for buffers of at least kParallelMin elements; 0: all hardware threads.
  int num_threads = 1;

  /// "" when valid for a buffer of n elements, else a message naming the offending option.
  std::string validate(std::size_t n) const;
};

/// What one step did.
struct StepResult {
  bool applied = false;     ///< false when skipped for a non-finite gradient
  double lr = 0;            ///< learning rate used (before group scales)
  double grad_norm = -1;    ///< ‖g‖₂ when clip_grad_norm is on, else −1
  double grad_scale = 1;    ///< factor applied by clip_grad_norm
  double update_norm = -1;  ///< ‖d‖₂ when clip_update_norm is on, else −1
  std::size_t nonfinite_index = static_cast<std::size_t>(-1);  ///< when skipped
};

/// Lets several Optimizers, each over a consecutive part of one buffer (one per process, the
/// parts in buffer order, each cut where the whole buffer's chunks are cut), step as one
/// Optimizer over the whole buffer: the sums of per-chunk partial results (global gradient norm,
/// update norm, hypergradient dot product) run over every part in buffer order, which gives the
/// bits one Optimizer over the whole buffer computes, and a non-finite gradient anywhere is seen
/// by every part. Each call is collective: every part makes the same calls in the same order.
/// dist::ShardedOptimizer implements it over MPI.
class StepReducer {
 public:
  virtual ~StepReducer() = default;
  /// 0 + p₀ + p₁ + ... over every part's partial sums concatenated in buffer order.
  virtual double sum(const std::vector<double>& partials) = 0;
  /// The first non-finite element of the whole buffer, from this part's first (`index` local,
  /// static_cast<size_t>(-1) when none; `value` the element): (index in the whole buffer, value),
  /// index static_cast<size_t>(-1) when no part has one.
  virtual std::pair<std::size_t, double> first_nonfinite(std::size_t index, double value) = 0;
};

template <typename T>
class Optimizer {
 public:
  using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;
  /// Elements per chunk: the unit of threading and of partial sums.
  static constexpr std::size_t kChunk = std::size_t{1} << 15;
  /// Buffers shorter than this run on one thread.
  static constexpr std::size_t kParallelMin = std::size_t{1} << 17;

  /// Throws std::invalid_argument naming the problem when the rule's hyper-parameters or the
  /// options are invalid.
  Optimizer(const UpdateRule<T>& rule, std::size_t n, OptimizerOptions options = {});
  template <typename Options, typename = decltype(make_rule<T>(std::declval<Options>()))>
  Optimizer(const Options& rule_options, std::size_t n, OptimizerOptions options = {})
      : Optimizer(*make_rule<T>(rule_options), n, std::move(options)) {}

  Optimizer(const Optimizer& o);
  Optimizer& operator=(const Optimizer& o);
  Optimizer(Optimizer&&) noexcept = default;
  Optimizer& operator=(Optimizer&&) noexcept = default;

  /// One update of `params` in place from `grads` (both of length size()).
  StepResult step(Eigen::Ref<Vector> params, Eigen::Ref<const Vector> grads);
  StepResult step(T* params, const T* grads, std::size_t n);
  /// Called after the update of each chunk [begin, end) of the parameters, in the thread that
  /// updated it while the chunk is still in cache (concurrently for disjoint chunks), e.g. to
  /// round the new values to a 16-bit copy (MixedPrecisionOptimizer). Not called on a skipped
  /// step.
  using ChunkHook = void (*)(void* context, const T* params, std::size_t begin, std::size_t end);
  /// step(params, grads, n) with `hook(context, params, begin, end)` after each chunk's update.
  StepResult step(T* params, const T* grads, std::size_t n, ChunkHook hook, void* context);

  std::size_t size() const { return n_; }
  const UpdateRule<T>& rule() const { return *rule_; }
  const OptimizerOptions& options() const { return options_; }
  const State<T>& state() const { return state_; }
  /// Replaces the state (e.g. restored from a checkpoint); throws std::invalid_argument when its
  /// slots do not match this rule and size.
  void set_state(State<T> state);
  /// Learning rate the next step will use (before group scales).
  double current_lr() const;
  /// Replaces the base learning rate of the following steps (the rule's lr), as a torch user
  /// writes `param_group["lr"] = x` between steps; groups with their own rule keep theirs. Throws
  /// std::invalid_argument for a negative or non-finite lr and std::logic_error when a schedule
  /// or hypergradient descent sets the rate.
  void set_lr(double lr);
  int num_threads() const { return threads_; }
  /// Makes this optimizer one part of a larger buffer (StepReducer; not owned, must outlive the
  /// steps); nullptr: the optimizer's buffer is the whole buffer (the default).
  void set_reducer(StepReducer* reducer) { reducer_ = reducer; }

 private:
  struct Item {
    std::size_t group, begin, end;
  };
  bool scan(const T* buf, bool norm, double* sumsq, std::size_t* bad, double* bad_value) const;
  double sum_partials() const;
  StepReducer* reducer_ = nullptr;
  void fill_kernel(Kernel<T>& k, const Item& it, T* p, const T* g, double lr);
  template <typename F>
  void parallel_items(F&& f) const;

  std::unique_ptr<UpdateRule<T>> rule_;
  // The rules of the groups that have their own (rule r + 1 of the step is group_rules_[r]), and
  // for every rule (0: rule_) where its slots and scalars start in the state.
  std::vector<std::unique_ptr<UpdateRule<T>>> group_rules_;
  std::vector<std::size_t> slot_offset_, slot_count_, scalar_offset_;
  std::vector<std::size_t> rule_of_group_;  // 0: rule_, r > 0: group_rules_[r - 1]
  // Per-run scalars of each group rule between steps (begin_step works on a State): sized once.
  std::vector<State<T>> group_scalars_;
  std::vector<std::string> slot_names_, scalar_names_;  // the whole state's, in order
  std::vector<double> group_lr_;  // this step's learning rate of each group with its own rule
  // Hypergradient descent (OptimizerOptions::hypergradient_lr): where its slot and its scalar
  // are in the state.
  std::size_t hd_slot_ = 0, hd_scalar_ = 0;
  bool hd_ = false;
  const UpdateRule<T>& rule_at(std::size_t r) const {
    return r == 0 ? *rule_ : *group_rules_[r - 1];
  }
  std::optional<double> lr_;  // set_lr's rate, replacing rule_->lr()
  std::size_t n_ = 0;
  OptimizerOptions options_;
  State<T> state_;
  std::vector<ParamGroup> groups_;
  std::vector<Item> items_;
  int threads_ = 1;
  // Scratch, sized once: per-chunk partial sums and first non-finite index, stored updates.
  mutable std::vector<double> partial_;
  mutable std::vector<std::size_t> bad_;
  AlignedVector<T> update_;
};

/// ‖g‖₂, summed in double over fixed chunks (same value on any thread count).
template <typename T>
double global_norm(const T* g, std::size_t n);
/// PyTorch's clip_grad_norm_ on one flat buffer: scales g by min(1, max_norm / (‖g‖ + 1e-6)),
/// returns ‖g‖ before clipping. Throws std::invalid_argument for max_norm ≤ 0.
template <typename T>
double clip_grad_norm(Eigen::Ref<Eigen::Matrix<T, Eigen::Dynamic, 1>> g, double max_norm);
/// PyTorch's clip_grad_value_: clamps every element to [−c, c].
template <typename T>
void clip_grad_value(Eigen::Ref<Eigen::Matrix<T, Eigen::Dynamic, 1>> g, double c);

extern template class Optimizer<float>;
extern template class Optimizer<double>;

}  // namespace adamant::core
