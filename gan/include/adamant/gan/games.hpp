#pragma once
// Two-player zero-sum (and non-saturating) games as vector fields over z = (x, y): the player x
// minimises f_x, the player y maximises f_y (f_x = f_y = f for a zero-sum game), and
//
//   ξ(z) = (∇_x f_x, −∇_y f_y)           the simultaneous-gradient field; J(z) = ∂ξ/∂z
//
// so gradient descent-ascent is z ← z − η ξ(z). An equilibrium z* has ξ(z*) = 0; it is locally
// attractive for the gradient flow ż = −ξ when every eigenvalue of J(z*) has a positive real part
// (Mescheder, Nowozin & Geiger 2017, "The Numerics of GANs"). Mescheder, Geiger & Nowozin 2018
// ("Which Training Methods for GANs do actually Converge?") state the spectrum of the Jacobian of
// v = −ξ; it is the negated spectrum of J.
//
// Games:
//  - Bilinear (+ quadratic): f(x, y) = xᵀAy + ½xᵀBx − ½yᵀCy + bᵀx + cᵀy, x ∈ ℝⁿ, y ∈ ℝᵐ;
//      ξ = (Ay + Bx + b, −Aᵀx + Cy − c),  J = [[B, A], [−Aᵀ, C]] (constant).
//    f = xy (n = m = 1, A = 1) is the textbook example: J has eigenvalues ±i.
//  - Dirac-GAN (Mescheder et al. 2018, §2): data δ₀, generator δ_θ (x = θ), linear discriminator
//    logit D_ψ(t) = ψt (y = ψ). With instance noise ε ~ N(0, σ²) added to real and fake samples,
//      f_y(θ, ψ) = E[a(ψε)] + E[b(ψ(θ + ε))] − (γ/2)ψ²       (R1: (γ/2)E_data‖∇_t D_ψ‖² = γψ²/2)
//      standard GAN  a(t) = −softplus(−t) = log σ(t),  b(t) = −softplus(t) = log(1 − σ(t)),
//                    f_x = E[b(ψ(θ + ε))]           (zero-sum, the generator minimises log(1−D))
//      non-saturating: f_x = E[softplus(−ψ(θ + ε))]  (the generator maximises log D)
//      Wasserstein   a(t) = t, b(t) = −t, f_x = E[b(ψ(θ + ε))]
//    The expectations are exact up to rounding: Gauss–Hermite quadrature with 48 nodes (σ > 0),
//    the integrand evaluated at the nodes (σ = 0: one node). Without noise, at z* = 0,
//      J(0) = [[0, b'(0)], [−b'(0), γ]]  →  eig(−J) = −γ/2 ± √(γ²/4 − b'(0)²),
//    b'(0) = −½ (standard, non-saturating) or −1 (Wasserstein): pure imaginary without R1 (no
//    convergence of GDA), negative real parts with γ > 0 (Mescheder et al. 2018, Theorem 4.1).
//  - Mixture GAN (mixture.hpp): MLP generator and discriminator on a 2-D Gaussian mixture.

#include <Eigen/Core>
#include <cstdint>
#include <memory>
#include <string>

namespace adamant::gan {

template <typename T>
using VectorX = Eigen::Matrix<T, Eigen::Dynamic, 1>;
template <typename T>
using MatrixX = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;

/// A differentiable two-player game over z = (x, y), x = z[0, x_dim), y = z[x_dim, dim).
template <typename T>
class Game {
 public:
  virtual ~Game() = default;
  virtual std::string name() const = 0;
  virtual Eigen::Index dim() const = 0;
  virtual Eigen::Index x_dim() const = 0;
  Eigen::Index y_dim() const { return dim() - x_dim(); }
  /// ξ(z) into xi (both of length dim()). Stochastic games use the current minibatch.
  virtual void vector_field(Eigen::Ref<const VectorX<T>> z, Eigen::Ref<VectorX<T>> xi) = 0;
  /// Whether jacobian() is available (needed by consensus optimization and SGA).
  virtual bool has_jacobian() const { return false; }
  /// J(z) = ∂ξ/∂z (dim × dim); throws std::logic_error when has_jacobian() is false.
  virtual void jacobian(Eigen::Ref<const VectorX<T>> z, Eigen::Ref<MatrixX<T>> jac);
  /// Whether the game has a known equilibrium z*.
  virtual bool has_equilibrium() const { return false; }
  virtual VectorX<T> equilibrium() const;
  /// Draws a fresh minibatch (stochastic games); a no-op for deterministic games.
  virtual void next_batch() {}
  /// f_x and f_y at z (the players' objectives, for logging).
  virtual void objectives(Eigen::Ref<const VectorX<T>> z, double* fx, double* fy) = 0;
  /// A fresh copy (its own minibatch stream, in the same state).
  virtual std::unique_ptr<Game<T>> clone() const = 0;
};

// ---- bilinear + quadratic ----
struct BilinearOptions {
  Eigen::MatrixXd A = Eigen::MatrixXd::Ones(1, 1);  ///< n × m coupling
  Eigen::MatrixXd B;                                ///< n × n (empty: 0)
  Eigen::MatrixXd C;                                ///< m × m (empty: 0)
  Eigen::VectorXd b;                                ///< n (empty: 0)
  Eigen::VectorXd c;                                ///< m (empty: 0)
  /// "" when valid, else what is wrong (sizes, non-finite entries, singular J with linear terms).
  std::string validate() const;
};

template <typename T>
class BilinearGame final : public Game<T> {
 public:
  /// Throws std::invalid_argument with validate()'s message.
  explicit BilinearGame(BilinearOptions o);
  std::string name() const override { return "bilinear"; }
  Eigen::Index dim() const override { return n_ + m_; }
  Eigen::Index x_dim() const override { return n_; }
  void vector_field(Eigen::Ref<const VectorX<T>> z, Eigen::Ref<VectorX<T>> xi) override;
  bool has_jacobian() const override { return true; }
  void jacobian(Eigen::Ref<const VectorX<T>> z, Eigen::Ref<MatrixX<T>> jac) override;
  bool has_equilibrium() const override { return true; }
  /// The solution of J z = −(b, −c) (0 without linear terms).
  VectorX<T> equilibrium() const override { return eq_; }
  void objectives(Eigen::Ref<const VectorX<T>> z, double* fx, double* fy) override;
  std::unique_ptr<Game<T>> clone() const override;

 private:
  Eigen::Index n_, m_;
  MatrixX<T> J_;
  VectorX<T> shift_;  // ξ(z) = J z + shift
  VectorX<T> eq_;
  BilinearOptions o_;
};

// ---- Dirac-GAN ----
enum class GanLoss { kStandard, kNonSaturating, kWasserstein };
/// "standard", "nonsaturating", "wasserstein".
const char* to_string(GanLoss l);
/// Inverse of to_string (also "ns", "wgan"); throws std::invalid_argument listing the names.
GanLoss parse_gan_loss(const std::string& s);

struct DiracOptions {
  GanLoss loss = GanLoss::kStandard;
  double gamma = 0.0;           ///< R1 weight γ >= 0
  double instance_noise = 0.0;  ///< σ >= 0
  std::string validate() const;
};

template <typename T>
class DiracGan final : public Game<T> {
 public:
  explicit DiracGan(DiracOptions o);
  std::string name() const override { return "dirac"; }
  Eigen::Index dim() const override { return 2; }
  Eigen::Index x_dim() const override { return 1; }
  void vector_field(Eigen::Ref<const VectorX<T>> z, Eigen::Ref<VectorX<T>> xi) override;
  bool has_jacobian() const override { return true; }
  void jacobian(Eigen::Ref<const VectorX<T>> z, Eigen::Ref<MatrixX<T>> jac) override;
  bool has_equilibrium() const override { return true; }
  VectorX<T> equilibrium() const override { return VectorX<T>::Zero(2); }
  void objectives(Eigen::Ref<const VectorX<T>> z, double* fx, double* fy) override;
  std::unique_ptr<Game<T>> clone() const override;
  const DiracOptions& options() const { return o_; }

 private:
  DiracOptions o_;
  Eigen::VectorXd nodes_, weights_;  // ε_k, w_k: E[g(ε)] ≈ Σ w_k g(ε_k)
};

/// Gauss–Hermite nodes and weights for E[g(ε)], ε ~ N(0, σ²) (Golub–Welsch, n nodes).
void gauss_hermite_normal(int n, double sigma, Eigen::VectorXd& nodes, Eigen::VectorXd& weights);

}  // namespace adamant::gan
