// The 2-D Gaussian-mixture GAN (equations in mixture.hpp).

#include "adamant/gan/mixture.hpp"

#include <cmath>
#include <stdexcept>

namespace adamant::gan {

namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559;

double uniform01(std::mt19937_64& r) {
  return (static_cast<double>(r() >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}
// Box–Muller, one normal per call (the second is discarded: simple and deterministic).
double normal(std::mt19937_64& r) {
  const double u1 = uniform01(r), u2 = uniform01(r);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2);
}

std::vector<int> sizes(int in, const std::vector<int>& hidden, int out) {
  std::vector<int> s{in};
  s.insert(s.end(), hidden.begin(), hidden.end());
  s.push_back(out);
  return s;
}

double softplus(double t) { return std::max(t, 0.0) + std::log1p(std::exp(-std::abs(t))); }
double sigmoid(double t) {
  if (t >= 0) return 1.0 / (1.0 + std::exp(-t));
  const double e = std::exp(t);
  return e / (1.0 + e);
}
// Values and derivatives of a, b, c (games.hpp).
void pieces(GanLoss l, double t, double* a, double* da, double* b, double* db, double* c,
            double* dc) {
  if (l == GanLoss::kWasserstein) {
    *a = t, *da = 1, *b = -t, *db = -1, *c = -t, *dc = -1;
    return;
  }
  const double sp = sigmoid(t), sm = sigmoid(-t);
  *a = -softplus(-t), *da = sm;
  *b = -softplus(t), *db = -sp;
  if (l == GanLoss::kNonSaturating)
    *c = softplus(-t), *dc = -sm;
  else
    *c = *b, *dc = *db;
}

}  // namespace

const char* to_string(Mixture m) { return m == Mixture::kRing ? "ring" : "grid"; }

Mixture parse_mixture(const std::string& s) {
  if (s == "ring") return Mixture::kRing;
  if (s == "grid") return Mixture::kGrid;
  throw std::invalid_argument("unknown mixture '" + s + "' (known: ring, grid)");
}

std::string MixtureOptions::validate() const {
  if (latent_dim < 1) return "latent_dim must be >= 1";
  for (int h : generator_hidden)
    if (h < 1) return "generator_hidden widths must be >= 1";
  for (int h : discriminator_hidden)
    if (h < 1) return "discriminator_hidden widths must be >= 1";
  if (batch_size < 1) return "batch_size must be >= 1";
  if (!(instance_noise >= 0) || !std::isfinite(instance_noise))
    return "instance_noise must be >= 0";
  if (gamma != 0)
    return "gamma (R1) is not supported for the mixture GAN (it needs a double backward "
           "through the discriminator); use the Dirac-GAN or the bilinear game";
  return "";
}

Eigen::MatrixXd mixture_modes(Mixture m) {
  if (m == Mixture::kRing) {
    Eigen::MatrixXd c(8, 2);
    for (int k = 0; k < 8; ++k) {
      c(k, 0) = 2.0 * std::cos(kTwoPi * k / 8);
      c(k, 1) = 2.0 * std::sin(kTwoPi * k / 8);
    }
    return c;
  }
  Eigen::MatrixXd c(25, 2);
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j) {
      c(i * 5 + j, 0) = -4.0 + 2.0 * i;
      c(i * 5 + j, 1) = -4.0 + 2.0 * j;
    }
  return c;
}

double mixture_sigma(Mixture m) { return m == Mixture::kRing ? 0.02 : 0.05; }

ModeStats mode_stats(
    Mixture m,
    const Eigen::Ref<const Eigen::Matrix<double, Eigen::Dynamic, 2, Eigen::RowMajor>>& samples,
    double min_share) {
  const Eigen::MatrixXd modes = mixture_modes(m);
  const double r = 3 * mixture_sigma(m);
  std::vector<int> count(static_cast<std::size_t>(modes.rows()), 0);
  int hq = 0;
  for (Eigen::Index i = 0; i < samples.rows(); ++i) {
    Eigen::Index best = 0;
    double bd = 1e300;
    for (Eigen::Index k = 0; k < modes.rows(); ++k) {
      const double d = (modes.row(k) - samples.row(i)).squaredNorm();
      if (d < bd) bd = d, best = k;
    }
    if (std::sqrt(bd) <= r) {
      ++hq;
      ++count[static_cast<std::size_t>(best)];
    }
  }
  ModeStats s;
  s.num_modes = static_cast<int>(modes.rows());
  const double need = std::max(1.0, min_share * static_cast<double>(samples.rows()));
  for (int c : count) s.modes_captured += c >= need;
  s.high_quality_share =
      samples.rows() ? static_cast<double>(hq) / static_cast<double>(samples.rows()) : 0.0;
  return s;
}

template <typename T>
MixtureGan<T>::MixtureGan(MixtureOptions o)
    : o_([&] {
        if (std::string why = o.validate(); !why.empty())
          throw std::invalid_argument("MixtureGan: " + why);
        return o;
      }()),
      gen_(core::MlpSpec{sizes(o_.latent_dim, o_.generator_hidden, 2), o_.activation,
                         core::Activation::kIdentity}),
      disc_(core::MlpSpec{sizes(2, o_.discriminator_hidden, 1), o_.activation,
                          core::Activation::kIdentity}),
      modes_(mixture_modes(o_.mixture)),
      rng_(o_.seed) {
  const Eigen::Index B = o_.batch_size;
  gws_ = gen_.make_workspace(B);
  dws_ = disc_.make_workspace(B);
  real_.resize(B, 2);
  latent_.resize(B, o_.latent_dim);
  noise_real_ = Batch::Zero(B, 2);
  noise_fake_ = Batch::Zero(B, 2);
  fake_.resize(B, 2);
  d_fake_.resize(B, 2);
  d_in_.resize(B, 2);
  d_out_.resize(B, 1);
  next_batch();
}

template <typename T>
void MixtureGan<T>::next_batch() {
  const double sigma = mixture_sigma(o_.mixture);
  const auto K = static_cast<std::uint64_t>(modes_.rows());
  for (Eigen::Index i = 0; i < real_.rows(); ++i) {
    const auto k = static_cast<Eigen::Index>(rng_() % K);
    real_(i, 0) = static_cast<T>(modes_(k, 0) + sigma * normal(rng_));
    real_(i, 1) = static_cast<T>(modes_(k, 1) + sigma * normal(rng_));
  }
  for (Eigen::Index i = 0; i < latent_.size(); ++i)
    latent_.data()[i] = static_cast<T>(normal(rng_));
  if (o_.instance_noise > 0) {
    for (Eigen::Index i = 0; i < noise_real_.size(); ++i)
      noise_real_.data()[i] = static_cast<T>(o_.instance_noise * normal(rng_));
    for (Eigen::Index i = 0; i < noise_fake_.size(); ++i)
      noise_fake_.data()[i] = static_cast<T>(o_.instance_noise * normal(rng_));
  }
}

template <typename T>
void MixtureGan<T>::vector_field(Eigen::Ref<const VectorX<T>> z, Eigen::Ref<VectorX<T>> xi) {
  const Eigen::Index ng = gen_.num_parameters(), nd = disc_.num_parameters();
  if (z.size() != ng + nd || xi.size() != ng + nd)
    throw std::invalid_argument("MixtureGan::vector_field: z and xi must have " +
                                std::to_string(ng + nd) + " entries");
  const auto theta = z.head(ng);
  const auto phi = z.tail(nd);
  auto gtheta = xi.head(ng);
  auto gphi = xi.tail(nd);
  const T invB = T(1) / static_cast<T>(o_.batch_size);
  // Fakes and the discriminator on them.
  fake_ = gen_.forward(theta, latent_, gws_);
  fake_ += noise_fake_;
  const auto s = disc_.forward(phi, fake_, dws_);
  for (Eigen::Index i = 0; i < s.rows(); ++i) {
    double a, da, b, db, c, dc;
    pieces(o_.loss, static_cast<double>(s(i, 0)), &a, &da, &b, &db, &c, &dc);
    d_out_(i, 0) = static_cast<T>(dc) * invB;  // ∂f_x/∂D(g_i)
  }
  disc_.input_gradient(phi, d_out_, dws_, d_fake_);  // ∂f_x/∂g_i
  for (Eigen::Index i = 0; i < s.rows(); ++i) {
    double a, da, b, db, c, dc;
    pieces(o_.loss, static_cast<double>(s(i, 0)), &a, &da, &b, &db, &c, &dc);
    d_out_(i, 0) = static_cast<T>(-db) * invB;  // ∂(−f_y)/∂D(g_i)
  }
  disc_.backward(phi, d_out_, dws_, gphi, core::Mlp<T>::GradMode::kOverwrite);
  gen_.backward(theta, d_fake_, gws_, gtheta, core::Mlp<T>::GradMode::kOverwrite);
  // Real samples.
  d_in_ = real_ + noise_real_;
  const auto r = disc_.forward(phi, d_in_, dws_);
  for (Eigen::Index i = 0; i < r.rows(); ++i) {
    double a, da, b, db, c, dc;
    pieces(o_.loss, static_cast<double>(r(i, 0)), &a, &da, &b, &db, &c, &dc);
    d_out_(i, 0) = static_cast<T>(-da) * invB;
  }
  disc_.backward(phi, d_out_, dws_, gphi, core::Mlp<T>::GradMode::kAccumulate);
}

template <typename T>
void MixtureGan<T>::objectives(Eigen::Ref<const VectorX<T>> z, double* fx, double* fy) {
  const Eigen::Index ng = gen_.num_parameters(), nd = disc_.num_parameters();
  const auto theta = z.head(ng);
  const auto phi = z.tail(nd);
  fake_ = gen_.forward(theta, latent_, gws_);
  fake_ += noise_fake_;
  double x = 0, y = 0;
  const auto s = disc_.forward(phi, fake_, dws_);
  for (Eigen::Index i = 0; i < s.rows(); ++i) {
    double a, da, b, db, c, dc;
    pieces(o_.loss, static_cast<double>(s(i, 0)), &a, &da, &b, &db, &c, &dc);
    x += c;
    y += b;
  }
  d_in_ = real_ + noise_real_;
  const auto r = disc_.forward(phi, d_in_, dws_);
  for (Eigen::Index i = 0; i < r.rows(); ++i) {
    double a, da, b, db, c, dc;
    pieces(o_.loss, static_cast<double>(r(i, 0)), &a, &da, &b, &db, &c, &dc);
    y += a;
  }
  *fx = x / o_.batch_size;
  *fy = y / o_.batch_size;
}

template <typename T>
std::unique_ptr<Game<T>> MixtureGan<T>::clone() const {
  return std::make_unique<MixtureGan<T>>(*this);
}

template <typename T>
VectorX<T> MixtureGan<T>::initial_point() const {
  VectorX<T> z(dim());
  gen_.init_parameters(z.head(gen_.num_parameters()), o_.seed * 2 + 1);
  disc_.init_parameters(z.tail(disc_.num_parameters()), o_.seed * 2 + 2);
  return z;
}

template <typename T>
typename MixtureGan<T>::Batch MixtureGan<T>::sample(Eigen::Ref<const VectorX<T>> z, int n,
                                                    std::uint64_t seed) const {
  std::mt19937_64 r(seed);
  Batch lat(n, o_.latent_dim);
  for (Eigen::Index i = 0; i < lat.size(); ++i) lat.data()[i] = static_cast<T>(normal(r));
  return gen_.evaluate(z.head(gen_.num_parameters()), lat);
}

template class MixtureGan<float>;
template class MixtureGan<double>;

}  // namespace adamant::gan
