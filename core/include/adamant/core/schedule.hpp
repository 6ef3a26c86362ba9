#pragma once
// Learning-rate schedules: a schedule is a pure function of the step, t = 0 for the first update.
// Each kind reproduces the learning rate PyTorch's scheduler of the same name gives at step t
// (torch.optim.lr_scheduler, closed forms):
//   constant      lr_t = lr
//   step          lr_t = lr · γ^⌊t / step_size⌋                                       (StepLR)
//   exponential   lr_t = lr · γ^t                                                  (ExponentialLR)
//   linear        lr_t = lr · (s + (e − s) · min(t, T) / T)        (LinearLR, warm-up when s < e)
//   cosine        lr_t = η_min + (lr − η_min) · (1 + cos(π t / T)) / 2   (CosineAnnealingLR,
//                 SGDR without restarts; Loshchilov & Hutter 2017)
//   warmup_cosine linear warm-up over W steps from lr · s to lr, then cosine from lr to η_min
//                 over the remaining T − W steps, η_min after T
//   cyclic        triangular / triangular2 (Smith 2017, CyclicLR): with U steps up, D down,
//                 cycle = ⌊1 + t / (U + D)⌋, x = 1 + t / (U + D) − cycle, r = U / (U + D),
//                 s = x / r if x ≤ r else (x − 1) / (r − 1),
//                 lr_t = base + (max − base) · s · h, h = 1 (triangular), 1 / 2^(cycle − 1) (…2)
//   one_cycle     Smith & Topin 2019 (OneCycleLR): from max/div up to max over pct·T − 1 steps,
//                 then down to max/(div·final_div) at step T − 1, cosine or linear annealing.
// and three that compose any schedules (optax's names):
//   warmup        lr_t = s₀(0) · (f + (1 − f) · t / W) for t < W, then s₀(t − W)
//   join          s₀ until the first boundary b₁, then s₁(t − b₁) until b₂, ... (join_schedules)
//   scale         lr_t = c · s₀(t)
// Each kind is a struct of its own (Schedule::Cosine, ...); a Schedule holds one of them.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace adamant::core {

class Schedule {
 public:
  enum class Kind {
    kConstant,
    kStep,
    kExponential,
    kLinear,
    kCosine,
    kWarmupCosine,
    kCyclic,
    kOneCycle,
    kWarmup,
    kJoin,
    kScale
  };
  enum class CyclicMode { kTriangular, kTriangular2 };

  // ---- the kinds, one struct each, in Kind's order ----
  struct Constant {
    double lr;
  };
  struct Step {
    double lr;
    std::int64_t step_size;
    double gamma;
  };
  struct Exponential {
    double lr, gamma;
  };
  struct Linear {
    double lr, start_factor, end_factor;
    std::int64_t total_iters;
  };
  struct Cosine {
    double lr;
    std::int64_t t_max;
    double eta_min;
  };
  struct WarmupCosine {
    double lr;
    std::int64_t warmup_steps, total_steps;
    double eta_min, start_factor;
  };
  struct Cyclic {
    double base_lr, max_lr;
    std::int64_t step_size_up, step_size_down;
    CyclicMode mode;
  };
  struct OneCycle {
    double max_lr;
    std::int64_t total_steps;
    double pct_start;
    bool cosine_anneal;
    double div_factor, final_div_factor;
  };
  struct Warmup {
    std::int64_t steps;
    double start_factor;
    std::shared_ptr<const Schedule> then;
  };
  struct Join {
    std::shared_ptr<const std::vector<Schedule>> parts;
    std::vector<std::int64_t> boundaries;
  };
  struct Scale {
    double factor;
    std::shared_ptr<const Schedule> inner;
  };
  using Node = std::variant<Constant, Step, Exponential, Linear, Cosine, WarmupCosine, Cyclic,
                            OneCycle, Warmup, Join, Scale>;

  /// Constant 1e-3.
  Schedule() : node_(Constant{1e-3}) {}
  explicit Schedule(Node node) : node_(std::move(node)) {}

  /// Constant learning rate (the default of every optimizer).
  static Schedule constant(double lr);
  /// Multiply by gamma every step_size steps.
  static Schedule step(double lr, std::int64_t step_size, double gamma = 0.1);
  /// Multiply by gamma every step.
  static Schedule exponential(double lr, double gamma);
  /// Linear change of the factor from start_factor to end_factor over total_iters steps.
  static Schedule linear(double lr, double start_factor = 1.0 / 3.0, double end_factor = 1.0,
                         std::int64_t total_iters = 5);
  /// Cosine annealing from lr to eta_min over t_max steps (periodic continuation after t_max).
  static Schedule cosine(double lr, std::int64_t t_max, double eta_min = 0.0);
  /// Linear warm-up (from lr·start_factor) for warmup_steps, then cosine to eta_min at
  /// total_steps; eta_min afterwards.
  static Schedule warmup_cosine(double lr, std::int64_t warmup_steps, std::int64_t total_steps,
                                double eta_min = 0.0, double start_factor = 0.0);
  /// Cyclical learning rate between base_lr and max_lr, step_size_up steps per half cycle.
  static Schedule cyclic(double base_lr, double max_lr, std::int64_t step_size_up = 2000,
                         CyclicMode mode = CyclicMode::kTriangular,
                         std::int64_t step_size_down = -1 /* = step_size_up */);
  /// One-cycle policy.
  static Schedule one_cycle(double max_lr, std::int64_t total_steps, double pct_start = 0.3,
                            bool cosine_anneal = true, double div_factor = 25.0,
                            double final_div_factor = 1e4);
  /// Linear warm-up over `steps` steps from start_factor · then(0) to then(0), then `then`
  /// (shifted by `steps`).
  static Schedule warmup(std::int64_t steps, const Schedule& then, double start_factor = 0.0);
  /// parts[0] until boundaries[0], then parts[1] restarted at t − boundaries[0], ...
  /// (boundaries.size() == parts.size() − 1, increasing, > 0).
  static Schedule join(std::vector<Schedule> parts, std::vector<std::int64_t> boundaries);
  /// factor · inner(t).
  static Schedule scale(double factor, const Schedule& inner);

  /// Learning rate at step t (t = 0 for the first update); does not allocate. Call validate()
  /// first (optimizers do); throws std::invalid_argument for t < 0 or, for one_cycle, t beyond
  /// total_steps.
  double operator()(std::int64_t t) const;
  /// The same value in R arithmetic: every real parameter x of the schedule (and of the ones it
  /// composes) enters as lift(x), e.g. a dual number seeded for the parameters differentiated
  /// (core/hyper.hpp); operator() is eval<double> with lift the identity. Defined in
  /// schedule.cpp for double and for the dual types hyper-gradients use.
  template <typename R, typename Lift>
  R eval(std::int64_t t, const Lift& lift) const;
  /// The real parameters (not the integer step counts), named as describe() names them, those
  /// of composed schedules with their path ("then.lr", "parts.1.eta_min", "inner.factor"); the
  /// pointers address this schedule's own storage (what eval's lift receives).
  std::vector<std::pair<std::string, const double*>> real_parameters() const;
  /// "" when valid, else a message naming the offending parameter.
  std::string validate() const;
  /// Human-readable description, e.g. "cosine(lr=0.1, t_max=50, eta_min=0.001)".
  std::string describe() const;

  Kind kind() const { return static_cast<Kind>(node_.index()); }
  /// The kind's struct, or nullptr when the schedule is of another kind.
  template <typename K>
  const K* get() const {
    return std::get_if<K>(&node_);
  }
  const Node& node() const { return node_; }

 private:
  Node node_;
};

}  // namespace adamant::core
