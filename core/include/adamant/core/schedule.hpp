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

#include <cstdint>
#include <string>

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
    kOneCycle
  };
  enum class CyclicMode { kTriangular, kTriangular2 };

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

  /// Learning rate at step t (t = 0 for the first update); does not allocate. Call validate()
  /// first (optimizers do); throws std::invalid_argument for t < 0 or, for one_cycle, t beyond
  /// total_steps.
  double operator()(std::int64_t t) const;
  /// "" when valid, else a message naming the offending parameter.
  std::string validate() const;
  /// Human-readable description, e.g. "cosine(lr=0.1, t_max=50, eta_min=0.001)".
  std::string describe() const;

  Kind kind() const { return kind_; }

 private:
  Kind kind_ = Kind::kConstant;
  double lr_ = 1e-3;     // base (or max for one_cycle / cyclic) learning rate
  double a_ = 0.0;       // gamma | start_factor | eta_min | base_lr (cyclic) | pct_start
  double b_ = 0.0;       // end_factor | div_factor | start_factor (warmup_cosine)
  double c_ = 0.0;       // final_div_factor | eta_min (warmup_cosine)
  std::int64_t n1_ = 0;  // step_size | total_iters | t_max | warmup | step_size_up | total
  std::int64_t n2_ = 0;  // total_steps (warmup_cosine) | step_size_down (cyclic)
  bool flag_ = false;    // triangular2 | cosine anneal
};

}  // namespace adamant::core
