#pragma once
// Game optimizers: a scheme that decides where ξ is evaluated and what each player is given,
// and one core optimizer per player (core/optimizer.hpp: SGD with any momentum — negative
// momentum included, Gidel et al. 2019 —, Adam with any β₁, Optimistic Adam, RMSprop, ...) with
// its own learning rate (TTUR, Heusel et al. 2017). Each player's optimizer minimises along its
// block of ξ = (∇_x f_x, −∇_y f_y), so the y player ascends f_y. With SGD of step η the schemes
// are, for z_t = (x_t, y_t) and ξ_t = ξ(z_t):
//
//   simultaneous   z_{t+1} = z_t − η ξ_t                                     (GDA)
//   alternating    y ← y − η ξ_y(x, y)  (n_d times, fresh minibatch each), then
//                  x ← x − η ξ_x(x, y)  with the updated y                  (alternating GDA)
//   optimistic     z_{t+1} = z_t − η (2ξ_t − ξ_{t−1})   (OGDA; Daskalakis et al. 2018;
//                  ξ_{−1} = ξ_0). With the "oadam" rule the optimism is in the rule instead.
//   extragradient  z_{t+½} = z_t − η ξ_t,  z_{t+1} = z_t − η ξ(z_{t+½})       (Korpelevich 1976)
//                  With Adam: ExtraAdam (Gidel et al. 2019, "A Variational Inequality Perspective
//                  on GANs"): both half steps run through the same Adam state.
//   past           z_{t+½} = z_t − η ξ(z_{t−½}),  z_{t+1} = z_t − η ξ(z_{t+½})
//                  (extrapolation from the past, Popov 1980 / Gidel et al. 2019; one ξ per step)
//   consensus      z_{t+1} = z_t − η (ξ + γ Jᵀξ),   Jᵀξ = ∇ ½‖ξ‖²  (Mescheder et al. 2017)
//   sga            z_{t+1} = z_t − η (ξ + λ Aᵀξ),   A = ½(J − Jᵀ)       (Balduzzi et al. 2018;
//                  fixed λ, without the sign alignment)
//
// Iterate averaging: uniform  z̄_t = (1/(t+1)) Σ_{s≤t} z_s, or exponential z̄ ← β z̄ + (1−β) z;
// z̄_0 = z_0. (Averaging makes simultaneous GDA-like methods converge on bilinear games in the
// ergodic sense; Yazıcı et al. 2019 for GANs.)
//
// Linear theory for f = xy (J = [[0, 1], [−1, 0]], eigenvalues ±i), step η:
//   simultaneous   M = I − ηJ,  MᵀM = (1 + η²) I: every step grows ‖z‖ by exactly √(1 + η²).
//   alternating    M = [[1 − η², −η], [η, 1]] (y first): det M = 1, trace 2 − η², so for η ≤ 2
//                  the eigenvalues lie on the unit circle; the map is symplectic and conserves
//                  Q(x, y) = x² + y² + η x y exactly, so the iterates stay on an ellipse.
//   extragradient  M = I − ηJ + η²J² = (1 − η²) I − ηJ,  MᵀM = (1 − η² + η⁴) I: every step
//                  contracts ‖z‖ by exactly √(1 − η² + η⁴) (< 1 for 0 < η < 1).
// tests/gan checks each to 1e-9.
//
// Allocation: step() allocates nothing (scratch sized at construction; the Jacobian buffer too).

#include <Eigen/Core>
#include <cstdint>
#include <memory>
#include <string>

#include "adamant/core/optimizer.hpp"
#include "adamant/core/rules.hpp"
#include "adamant/gan/games.hpp"

namespace adamant::gan {

enum class Scheme {
  kSimultaneous,
  kAlternating,
  kOptimistic,
  kExtragradient,
  kPastExtragradient,
  kConsensus,
  kSga
};
/// "simultaneous", "alternating", "optimistic", "extragradient", "past", "consensus", "sga".
const char* to_string(Scheme s);
Scheme parse_scheme(const std::string& s);

enum class Averaging { kNone, kUniform, kEma };

/// One player's core optimizer: a rule of core/rules.hpp's table with its own options.
struct PlayerOptions {
  /// The rule's name as given ("sgd", "adam", "oadam", ...): descriptions use it. Any name of
  /// the table other than its SGD presets (momentum, nesterov: a player sets momentum itself).
  std::string name = "sgd";
  /// The rule's options (PyTorch's defaults but lr 0.1 unless set).
  core::RuleOptions rule = default_rule();

  static core::RuleOptions default_rule();
  /// Switches to the named rule with PyTorch's defaults, keeping this player's lr; throws
  /// std::invalid_argument for a name the player does not take.
  PlayerOptions& use(const std::string& rule_name);
  /// Sets one option of the rule (lr, beta1, momentum — negative allowed —, eps, ...); throws
  /// std::invalid_argument naming the rule's options when it has none of that name.
  PlayerOptions& set(const std::string& field, double value);
  double get(const std::string& field) const { return core::get_field(rule, field); }
  double lr() const { return get("lr"); }

  std::string validate() const;
  /// E.g. "sgd(lr=0.1)", "adam(lr=0.001, b1=0.5, b2=0.999)".
  std::string describe() const;
};

/// The core rule of a player; throws std::invalid_argument for unknown rules / bad values.
template <typename T>
std::unique_ptr<core::UpdateRule<T>> make_player_rule(const PlayerOptions& p);

struct GameOptimizerOptions {
  Scheme scheme = Scheme::kSimultaneous;
  PlayerOptions x;     ///< the minimising player (generator)
  PlayerOptions y;     ///< the maximising player (discriminator)
  int n_d = 1;         ///< alternating: y steps per x step
  double gamma = 0.1;  ///< consensus weight γ
  double lambda = 1;   ///< SGA weight λ
  Averaging averaging = Averaging::kUniform;
  double ema_beta = 0.99;
  std::string validate() const;
  std::string describe() const;
};

template <typename T>
class GameOptimizer {
 public:
  /// Throws std::invalid_argument with validate()'s message (or a size problem).
  GameOptimizer(const GameOptimizerOptions& o, Eigen::Index dim, Eigen::Index x_dim);
  /// One step of the scheme on z in place. Throws std::logic_error when the scheme needs a
  /// Jacobian the game lacks.
  void step(Game<T>& game, Eigen::Ref<VectorX<T>> z);
  /// The averaged iterate (z after the first step() call until then is z_0 as set by reset()).
  const VectorX<T>& average() const { return avg_; }
  /// Starts averaging at z0 (call before the first step; step() calls it itself otherwise).
  void reset(Eigen::Ref<const VectorX<T>> z0);
  std::int64_t steps() const { return t_; }
  /// Evaluations of ξ so far (extragradient: two per step).
  std::int64_t evaluations() const { return evals_; }
  const GameOptimizerOptions& options() const { return o_; }

 private:
  void apply(Eigen::Ref<VectorX<T>> z, const VectorX<T>& g);
  void eval(Game<T>& game, Eigen::Ref<const VectorX<T>> z, VectorX<T>& g);
  GameOptimizerOptions o_;
  Eigen::Index n_, nx_;
  core::Optimizer<T> ox_, oy_;
  VectorX<T> g_, g2_, prev_, z0_, avg_;
  MatrixX<T> jac_;
  bool has_prev_ = false, started_ = false;
  std::int64_t t_ = 0, evals_ = 0;
};

extern template class GameOptimizer<float>;
extern template class GameOptimizer<double>;

}  // namespace adamant::gan
