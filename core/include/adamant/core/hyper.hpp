#pragma once
// Hyper-gradients through whole optimizer runs. A run of T steps of a rule from θ₀,
//   g_t = ∇f(θ_{t−1}),  (θ_t, s_t) = step(θ_{t−1}, s_{t−1}, g_t; h, t),
// is one deterministic function of the hyper-parameters h (lr, β₁, β₂, ε, weight decay, every
// real field of the rule) and of θ₀, so a meta-loss F(θ_T) can be differentiated through it:
//
//   forward mode  tangents of θ and of every slot with respect to m chosen directions (k
//                 hyper-parameters, and the n coordinates of θ₀ when asked), carried through
//                 each step: ∂g_t = H(θ_{t−1}) ∂θ_{t−1} (m Hessian-vector products per step), the
//                 step's own derivative from the rule's recurrence instantiated on Dual<8>
//                 (dual.hpp), eight directions per pass. Memory (1 + m) × the optimizer state,
//                 independent of T.
//   reverse mode  the adjoint run backwards: θ̄_T = ∇F(θ_T), s̄_T = 0, and per step
//                 θ̄_{t−1} = ∂step/∂θᵀ θ̄_t + H(θ_{t−1}) ḡ_t, s̄_{t−1} = ∂step/∂sᵀ (θ̄_t, s̄_t),
//                 h̄ += ∂step/∂hᵀ (θ̄_t, s̄_t), with each element's local Jacobian from the same
//                 recurrence on Dual lanes (one lane per input: g, each slot, each coefficient)
//                 and one Hessian-vector product per step. The states are recomputed from
//                 checkpoints: every K-th state is kept (K = ⌈√T⌉ by default) and each segment
//                 rerun forward, storing its K states and gradients, before its adjoint steps,
//                 so memory is O((T/K + K) · n) and the gradient evaluations 2T. d F / d h for
//                 every hyper-parameter and d F / d θ₀ come out of one backward pass.
//
// The step differentiated is Optimizer<double>'s (optimizer.hpp), value for value: the rule's
// recurrence (recurrences.hpp, the same source), coupled L2 or decoupled weight decay, maximize,
// global-norm gradient clipping (PyTorch's scale min(1, c / (‖g‖ + 10⁻⁶)), differentiated
// through the scale factor), and a learning-rate schedule: with a schedule, the rule's lr is its
// base rate (`rebase`), and its other real parameters (Schedule::real_parameters: eta_min,
// gamma, pct_start, a warm-up's start_factor, "then.eta_min", ...) are hyper-parameters named
// "schedule.<name>" — Schedule::eval on duals, the schedule's own code. θ_T equals the fused
// optimizer's bit for bit (a test checks it).
//
// Sub-gradient conventions (dual.hpp): torch autograd's — Lion's sign has derivative 0,
// AMSGrad's running max takes the branch's derivative (the mean of both on an exact tie), RAdam's
// phase (ρ_t > 5) is a choice, not a value.
//
// Parameter groups with their own lr scale and weight decay (UnrollOptions::groups) are run as
// the fused optimizer runs them; the derivative reaches the shared hyper-parameters through every
// group (a group's own weight decay is a constant).
//
// A join schedule has no single base rate: it is run as given (the rule's lr does nothing, and
// "lr" in wrt is refused), and its parts' rates are parameters like the others
// ("schedule.parts.0.lr", "schedule.parts.1.eta_min", ...).
//
// Clipping by value (gradient and update, as the fused kernel clamps them) is differentiated
// with torch's clamp convention: an element outside the bounds is a constant of the step.
//
// Not differentiated (yet): groups with a rule or schedule of their own, a group's lr_scale and
// weight_decay as hyper-parameters, and the update's global-norm clipping (clip_update_norm:
// UnrollOptions has no field for it).

#include <Eigen/Core>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "adamant/core/mlp.hpp"
#include "adamant/core/optimizer.hpp"
#include "adamant/core/rules.hpp"
#include "adamant/core/schedule.hpp"
#include "adamant/core/test_problems.hpp"

namespace adamant::core::hyper {

/// A twice-differentiable objective: value, gradient and exact Hessian-vector products.
class Problem {
 public:
  virtual ~Problem() = default;
  /// e.g. "rosenbrock(dim=2)", "mlp_regression(2-16-16-1, tanh, 64 samples)".
  virtual std::string describe() const = 0;
  virtual std::size_t dim() const = 0;
  /// f(θ); when grad is not null, also ∇f(θ) into grad[0 … dim−1].
  virtual double value(const double* theta, double* grad) const = 0;
  /// H(θ)·U for k directions, element-major: U[i·k + j] is entry i of direction j, and HU is
  /// written the same way.
  virtual void hvp(const double* theta, const double* u, double* hu, std::size_t k) const = 0;
  /// f(θ), ∇f(θ) into grad and H(θ)·U into hu (k ≥ 0 directions) at once. The default calls
  /// value and hvp; a problem whose Hessian-vector product evaluates the gradient anyway (the
  /// MLP's forward-over-reverse pass) returns both from one pass, with the same values.
  virtual double value_and_hvp(const double* theta, double* grad, const double* u, double* hu,
                               std::size_t k) const {
    const double f = value(theta, grad);
    if (k > 0) hvp(theta, u, hu, k);
    return f;
  }
};

/// One of the core test problems (test_problems.hpp: quadratic, rosenbrock, saddle, ridge,
/// huber), whose exact Hessian-vector products they provide.
std::unique_ptr<Problem> from_test_problem(std::shared_ptr<const core::Problem<double>> p);
/// The chained Rosenbrock function in `dim` dimensions (2: (1 − x)² + 100 (y − x²)²).
std::unique_ptr<Problem> rosenbrock(int dim = 2);

enum class Loss {
  kMse,           ///< mean over samples and outputs of (y_hat − y)² (torch's MSELoss)
  kCrossEntropy,  ///< mean over samples of −log softmax(y_hat)[label] (torch's CrossEntropyLoss)
};
/// "mse" or "cross_entropy"; parse_loss throws std::invalid_argument listing the names.
const char* to_string(Loss l);
Loss parse_loss(const std::string& name);

/// The core MLP (mlp.hpp: its layer sizes, activations and PyTorch parameter layout
/// [W1 (out × in, row-major), b1, W2, b2, ...]) on a full batch (X, Y): for kMse, Y is
/// samples × outputs; for kCrossEntropy, Y is samples × 1 holding class indices in
/// [0, outputs). The gradient is the MLP's backward pass; the Hessian-vector product is
/// forward-over-reverse (the same pass on Dual<8>, eight directions at a time).
/// Throws std::invalid_argument naming what does not fit.
std::unique_ptr<Problem> mlp_problem(const MlpSpec& spec, Eigen::MatrixXd x, Eigen::MatrixXd y,
                                     Loss loss = Loss::kMse);

enum class Mode { kForward, kReverse };
/// "forward" or "reverse"; parse_mode throws std::invalid_argument listing the names.
const char* to_string(Mode m);
Mode parse_mode(const std::string& name);

struct UnrollOptions {
  /// The rule and its hyper-parameters (rules.hpp); its lr is the base rate under a schedule.
  RuleOptions rule = AdamOptions{};
  std::int64_t steps = 100;
  /// Learning rate as a function of the step, rebased on rule's lr (`rebase`), a join as given;
  /// unset: constant.
  std::optional<Schedule> schedule;
  /// > 0: scale every gradient by min(1, c / (‖g‖₂ + 1e-6)) (OptimizerOptions::clip_grad_norm).
  double clip_grad_norm = 0;
  /// > 0: clamp each (norm-scaled) gradient element to [−c, c] before the rule, and each update
  /// element to [−u, u] after it (OptimizerOptions::clip_grad_value, clip_update_value); a
  /// clamped element is a constant of the step (torch's clamp: derivative 1 on [−c, c], else 0).
  double clip_grad_value = 0, clip_update_value = 0;
  /// Parameter groups as OptimizerOptions::groups takes them (tiling [0, n) in order), each
  /// with its lr_scale and weight_decay; those two are constants of the run (not in wrt), and a
  /// group with a rule or schedule of its own is refused. Empty: one group.
  std::vector<ParamGroup> groups;
  /// What to differentiate with respect to: real fields of the rule ("lr", "beta1", ...), the
  /// schedule's real parameters besides its base rate ("schedule.eta_min", ...) and "theta0".
  /// Empty: the run only.
  std::vector<std::string> wrt = {"lr", "beta1", "beta2", "eps", "theta0"};
  Mode mode = Mode::kReverse;
  /// Reverse mode: keep every K-th state; 0: K = ⌈√steps⌉.
  std::int64_t checkpoint_every = 0;

  /// "" when valid for a problem of dim n, else a message naming the offending option.
  std::string validate(std::size_t n) const;
};

struct UnrollResult {
  Eigen::VectorXd theta;  ///< θ_T
  double meta_loss = 0;   ///< F(θ_T): the meta problem's value, or the training problem's
  /// d F / d h for every name of wrt except "theta0", in wrt's order.
  std::vector<std::pair<std::string, double>> grad;
  Eigen::VectorXd grad_theta0;  ///< d F / d θ₀ when wrt names "theta0", else empty
  // What it cost, counted as it ran:
  std::int64_t gradient_evals = 0;  ///< ∇f evaluations (training problem)
  std::int64_t hvp_directions = 0;  ///< Hessian-vector products (directions)
  /// Peak bytes held in state-sized buffers (parameters, slots, tangents, checkpoints, adjoints).
  std::size_t peak_bytes = 0;
  std::int64_t checkpoint_every = 0;  ///< K used (reverse mode)

  /// d F / d name; throws std::out_of_range when it was not asked for.
  double d(const std::string& name) const;
};

/// Runs `options.rule` for `options.steps` steps on `train` from theta0 and differentiates
/// F(θ_T) (F = meta's value, or train's when meta is null) with respect to options.wrt.
/// Throws std::invalid_argument naming what is wrong (an unknown or non-real field, a size, an
/// unsupported option), std::domain_error when a gradient or the meta-loss is not finite.
UnrollResult unroll(const Problem& train, const Eigen::VectorXd& theta0,
                    const UnrollOptions& options, const Problem* meta = nullptr);

/// The schedule with its base learning rate replaced by lr: the lr of constant, step,
/// exponential, linear, cosine and warmup_cosine, cyclic's base_lr, one_cycle's max_lr, and the
/// inner schedule's of warmup and scale. Throws std::invalid_argument for join, whose parts have
/// base rates of their own.
Schedule rebase(const Schedule& s, double lr);

/// The real (differentiable) fields of a rule's options, in its field order.
std::vector<std::string> real_fields(const RuleOptions& o);

}  // namespace adamant::core::hyper
