#pragma once
// A GAN on a 2-D Gaussian mixture (the "ring of 8" of Metz et al. 2017, "Unrolled GANs", and the
// "grid of 25" of Srivastava et al. 2017, "VEEGAN"), with an MLP generator G_θ: ℝ^k → ℝ² and an
// MLP discriminator logit D_φ: ℝ² → ℝ (core/mlp.hpp). z = (θ, φ), the generator is player x.
//
// On a minibatch of B real samples x_i and B latents s_i ~ N(0, I_k), fakes g_i = G_θ(s_i), with
// instance noise σ_n added to every real and fake sample (ε ~ N(0, σ_n² I)):
//   f_y(θ, φ) = (1/B) Σ_i a(D_φ(x_i + ε_i)) + (1/B) Σ_i b(D_φ(g_i + ε'_i))
//   f_x(θ, φ) = (1/B) Σ_i c(D_φ(g_i + ε'_i))
// with a, b, c of games.hpp (standard, non-saturating, Wasserstein), and ξ = (∇_θ f_x, −∇_φ f_y)
// by reverse mode through both MLPs (∂f_x/∂g_i = c'(D) ∇_x D_φ, then backward through G).
// The R1 penalty is not implemented for this game (it needs the gradient of ‖∇_x D‖² with
// respect to φ, a double backward); MixtureOptions::validate refuses gamma > 0.
//
// Modes: ring — 8 modes at radius 2, σ = 0.02; grid — 25 modes at {−4, −2, 0, 2, 4}², σ = 0.05.
// A generated sample is of high quality when within 3σ of its nearest mode; a mode is captured
// when at least min_share · N of N samples are high-quality samples nearest to it (VEEGAN's
// metric with a share threshold).
//
// Determinism: one std::mt19937_64 stream seeded from MixtureOptions::seed draws the minibatches
// (Box–Muller normals, mode indices by r mod K); the MLPs are single-threaded and sum over the
// batch in sample order, so a run gives the same numbers on any thread count.

#include <Eigen/Core>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "adamant/core/mlp.hpp"
#include "adamant/gan/games.hpp"

namespace adamant::gan {

enum class Mixture { kRing, kGrid };
const char* to_string(Mixture m);
/// "ring" or "grid"; throws std::invalid_argument otherwise.
Mixture parse_mixture(const std::string& s);

struct MixtureOptions {
  Mixture mixture = Mixture::kRing;
  int latent_dim = 2;
  std::vector<int> generator_hidden = {64, 64};
  std::vector<int> discriminator_hidden = {64, 64};
  core::Activation activation = core::Activation::kReLU;
  int batch_size = 128;
  GanLoss loss = GanLoss::kNonSaturating;
  double instance_noise = 0.0;
  double gamma = 0.0;  ///< R1: not supported here (must be 0)
  std::uint64_t seed = 0;
  std::string validate() const;
};

/// The mixture's modes (K × 2) and their standard deviation.
Eigen::MatrixXd mixture_modes(Mixture m);
double mixture_sigma(Mixture m);

struct ModeStats {
  int modes_captured = 0;
  int num_modes = 0;
  double high_quality_share = 0;  ///< share of samples within 3σ of a mode
};
/// Mode coverage of samples (N × 2, row-major).
ModeStats mode_stats(
    Mixture m,
    const Eigen::Ref<const Eigen::Matrix<double, Eigen::Dynamic, 2, Eigen::RowMajor>>& samples,
    double min_share = 0.01);

template <typename T>
class MixtureGan final : public Game<T> {
 public:
  using Batch = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  explicit MixtureGan(MixtureOptions o);
  std::string name() const override { return to_string(o_.mixture); }
  Eigen::Index dim() const override { return gen_.num_parameters() + disc_.num_parameters(); }
  Eigen::Index x_dim() const override { return gen_.num_parameters(); }
  void vector_field(Eigen::Ref<const VectorX<T>> z, Eigen::Ref<VectorX<T>> xi) override;
  void next_batch() override;
  void objectives(Eigen::Ref<const VectorX<T>> z, double* fx, double* fy) override;
  std::unique_ptr<Game<T>> clone() const override;

  /// Initial z: PyTorch's default initialisation of both MLPs from the seed.
  VectorX<T> initial_point() const;
  /// n generator samples G_θ(s) (n × 2) for latents drawn from `seed` (same seed, same latents).
  Batch sample(Eigen::Ref<const VectorX<T>> z, int n, std::uint64_t seed) const;
  const core::Mlp<T>& generator() const { return gen_; }
  const core::Mlp<T>& discriminator() const { return disc_; }
  const MixtureOptions& options() const { return o_; }
  /// The current minibatch (real samples, latents, noise on real and on fake).
  const Batch& real() const { return real_; }
  const Batch& latent() const { return latent_; }

 private:
  MixtureOptions o_;
  core::Mlp<T> gen_, disc_;
  typename core::Mlp<T>::Workspace gws_, dws_;
  Batch real_, latent_, noise_real_, noise_fake_, fake_, d_fake_, d_in_, d_out_;
  Eigen::MatrixXd modes_;
  std::mt19937_64 rng_;
};

}  // namespace adamant::gan
