// Bilinear game and Dirac-GAN: vector fields and exact Jacobians (equations in games.hpp).

#include "adamant/gan/games.hpp"

#include <Eigen/Eigenvalues>
#include <Eigen/LU>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace adamant::gan {

template <typename T>
void Game<T>::jacobian(Eigen::Ref<const VectorX<T>>, Eigen::Ref<MatrixX<T>>) {
  throw std::logic_error(name() +
                         ": the game has no Jacobian (consensus optimization and SGA "
                         "need one; use the bilinear game or the Dirac-GAN)");
}

template <typename T>
VectorX<T> Game<T>::equilibrium() const {
  throw std::logic_error(name() + ": the game has no known equilibrium");
}

namespace {

bool all_finite(const Eigen::MatrixXd& m) { return m.allFinite(); }

std::string shape(const Eigen::MatrixXd& m) {
  return "(" + std::to_string(m.rows()) + ", " + std::to_string(m.cols()) + ")";
}

Eigen::MatrixXd full_jacobian(const BilinearOptions& o) {
  const Eigen::Index n = o.A.rows(), m = o.A.cols();
  Eigen::MatrixXd J = Eigen::MatrixXd::Zero(n + m, n + m);
  if (o.B.size()) J.topLeftCorner(n, n) = o.B;
  J.topRightCorner(n, m) = o.A;
  J.bottomLeftCorner(m, n) = -o.A.transpose();
  if (o.C.size()) J.bottomRightCorner(m, m) = o.C;
  return J;
}

double softplus(double t) { return std::max(t, 0.0) + std::log1p(std::exp(-std::abs(t))); }
double sigmoid(double t) {
  if (t >= 0) return 1.0 / (1.0 + std::exp(-t));
  const double e = std::exp(t);
  return e / (1.0 + e);
}

// Value, first and second derivative of the loss pieces a (real), b (fake, discriminator) and
// c (fake, generator) of games.hpp.
struct D3 {
  double v, d1, d2;
};
D3 piece_a(GanLoss l, double t) {
  if (l == GanLoss::kWasserstein) return {t, 1, 0};
  const double sp = sigmoid(t), sm = sigmoid(-t);
  return {-softplus(-t), sm, -sm * sp};
}
D3 piece_b(GanLoss l, double t) {
  if (l == GanLoss::kWasserstein) return {-t, -1, 0};
  const double sp = sigmoid(t), sm = sigmoid(-t);
  return {-softplus(t), -sp, -sm * sp};
}
D3 piece_c(GanLoss l, double t) {
  if (l != GanLoss::kNonSaturating) return piece_b(l, t);
  const double sp = sigmoid(t), sm = sigmoid(-t);
  return {softplus(-t), -sm, sm * sp};
}

}  // namespace

std::string BilinearOptions::validate() const {
  const Eigen::Index n = A.rows(), m = A.cols();
  if (n < 1 || m < 1) return "A must be at least 1 x 1, got " + shape(A);
  if (!all_finite(A)) return "A has a non-finite entry";
  if (B.size() && (B.rows() != n || B.cols() != n))
    return "B must be " + std::to_string(n) + " x " + std::to_string(n) + ", got " + shape(B);
  if (C.size() && (C.rows() != m || C.cols() != m))
    return "C must be " + std::to_string(m) + " x " + std::to_string(m) + ", got " + shape(C);
  if (b.size() && b.size() != n) return "b must have " + std::to_string(n) + " entries";
  if (c.size() && c.size() != m) return "c must have " + std::to_string(m) + " entries";
  if ((B.size() && !all_finite(B)) || (C.size() && !all_finite(C)) ||
      (b.size() && !b.allFinite()) || (c.size() && !c.allFinite()))
    return "B, C, b and c must be finite";
  const bool linear = (b.size() && b.squaredNorm() > 0) || (c.size() && c.squaredNorm() > 0);
  if (linear && Eigen::FullPivLU<Eigen::MatrixXd>(full_jacobian(*this)).rank() < n + m)
    return "J = [[B, A], [-A^T, C]] is singular: with linear terms b, c the equilibrium is not "
           "unique";
  return "";
}

template <typename T>
BilinearGame<T>::BilinearGame(BilinearOptions o) : o_(std::move(o)) {
  if (std::string why = o_.validate(); !why.empty())
    throw std::invalid_argument("BilinearGame: " + why);
  n_ = o_.A.rows();
  m_ = o_.A.cols();
  const Eigen::MatrixXd J = full_jacobian(o_);
  J_ = J.cast<T>();
  Eigen::VectorXd shift = Eigen::VectorXd::Zero(n_ + m_);
  if (o_.b.size()) shift.head(n_) = o_.b;
  if (o_.c.size()) shift.tail(m_) = -o_.c;
  shift_ = shift.cast<T>();
  if (shift.squaredNorm() > 0)
    eq_ = Eigen::FullPivLU<Eigen::MatrixXd>(J).solve(-shift).cast<T>();
  else
    eq_ = VectorX<T>::Zero(n_ + m_);
}

template <typename T>
void BilinearGame<T>::vector_field(Eigen::Ref<const VectorX<T>> z, Eigen::Ref<VectorX<T>> xi) {
  xi.noalias() = J_ * z;
  xi += shift_;
}

template <typename T>
void BilinearGame<T>::jacobian(Eigen::Ref<const VectorX<T>>, Eigen::Ref<MatrixX<T>> jac) {
  jac = J_;
}

template <typename T>
void BilinearGame<T>::objectives(Eigen::Ref<const VectorX<T>> z, double* fx, double* fy) {
  const Eigen::VectorXd zd = z.template cast<double>();
  const auto x = zd.head(n_);
  const auto y = zd.tail(m_);
  double f = x.dot(o_.A * y);
  if (o_.B.size()) f += 0.5 * x.dot(o_.B * x);
  if (o_.C.size()) f -= 0.5 * y.dot(o_.C * y);
  if (o_.b.size()) f += o_.b.dot(x);
  if (o_.c.size()) f += o_.c.dot(y);
  *fx = f;
  *fy = f;
}

template <typename T>
std::unique_ptr<Game<T>> BilinearGame<T>::clone() const {
  return std::make_unique<BilinearGame<T>>(*this);
}

// ---- Dirac-GAN ----

const char* to_string(GanLoss l) {
  switch (l) {
    case GanLoss::kStandard:
      return "standard";
    case GanLoss::kNonSaturating:
      return "nonsaturating";
    case GanLoss::kWasserstein:
      return "wasserstein";
  }
  return "?";
}

GanLoss parse_gan_loss(const std::string& s) {
  if (s == "standard") return GanLoss::kStandard;
  if (s == "nonsaturating" || s == "ns") return GanLoss::kNonSaturating;
  if (s == "wasserstein" || s == "wgan") return GanLoss::kWasserstein;
  throw std::invalid_argument("unknown GAN loss '" + s +
                              "' (known: standard, nonsaturating, wasserstein)");
}

std::string DiracOptions::validate() const {
  if (!(gamma >= 0) || !std::isfinite(gamma)) return "gamma (R1 weight) must be >= 0";
  if (!(instance_noise >= 0) || !std::isfinite(instance_noise))
    return "instance_noise must be >= 0";
  return "";
}

void gauss_hermite_normal(int n, double sigma, Eigen::VectorXd& nodes, Eigen::VectorXd& weights) {
  if (n < 1) throw std::invalid_argument("gauss_hermite_normal: n must be >= 1");
  // Golub–Welsch for the probabilists' Hermite polynomials: the Jacobi matrix has zero diagonal
  // and off-diagonal √k; nodes are its eigenvalues, weights the squared first eigenvector entries.
  Eigen::MatrixXd jm = Eigen::MatrixXd::Zero(n, n);
  for (int k = 1; k < n; ++k) jm(k, k - 1) = jm(k - 1, k) = std::sqrt(static_cast<double>(k));
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(jm);
  nodes = sigma * es.eigenvalues();
  weights = es.eigenvectors().row(0).transpose().array().square();
  weights /= weights.sum();
}

template <typename T>
DiracGan<T>::DiracGan(DiracOptions o) : o_(o) {
  if (std::string why = o_.validate(); !why.empty())
    throw std::invalid_argument("DiracGan: " + why);
  if (o_.instance_noise > 0) {
    gauss_hermite_normal(48, o_.instance_noise, nodes_, weights_);
  } else {
    nodes_ = Eigen::VectorXd::Zero(1);
    weights_ = Eigen::VectorXd::Ones(1);
  }
}

template <typename T>
void DiracGan<T>::vector_field(Eigen::Ref<const VectorX<T>> z, Eigen::Ref<VectorX<T>> xi) {
  const double th = static_cast<double>(z[0]), ps = static_cast<double>(z[1]);
  double gx = 0, gy = 0;
  for (Eigen::Index k = 0; k < nodes_.size(); ++k) {
    const double e = nodes_[k], w = weights_[k], u = ps * (th + e), r = ps * e;
    gx += w * piece_c(o_.loss, u).d1 * ps;
    gy += w * (piece_a(o_.loss, r).d1 * e + piece_b(o_.loss, u).d1 * (th + e));
  }
  xi[0] = static_cast<T>(gx);
  xi[1] = static_cast<T>(-gy + o_.gamma * ps);
}

template <typename T>
void DiracGan<T>::jacobian(Eigen::Ref<const VectorX<T>> z, Eigen::Ref<MatrixX<T>> jac) {
  const double th = static_cast<double>(z[0]), ps = static_cast<double>(z[1]);
  double j00 = 0, j01 = 0, j10 = 0, j11 = 0;
  for (Eigen::Index k = 0; k < nodes_.size(); ++k) {
    const double e = nodes_[k], w = weights_[k], u = ps * (th + e), r = ps * e;
    const D3 a = piece_a(o_.loss, r), b = piece_b(o_.loss, u), c = piece_c(o_.loss, u);
    j00 += w * c.d2 * ps * ps;
    j01 += w * (c.d2 * (th + e) * ps + c.d1);
    j10 -= w * (b.d2 * ps * (th + e) + b.d1);
    j11 -= w * (a.d2 * e * e + b.d2 * (th + e) * (th + e));
  }
  jac(0, 0) = static_cast<T>(j00);
  jac(0, 1) = static_cast<T>(j01);
  jac(1, 0) = static_cast<T>(j10);
  jac(1, 1) = static_cast<T>(j11 + o_.gamma);
}

template <typename T>
void DiracGan<T>::objectives(Eigen::Ref<const VectorX<T>> z, double* fx, double* fy) {
  const double th = static_cast<double>(z[0]), ps = static_cast<double>(z[1]);
  double x = 0, y = 0;
  for (Eigen::Index k = 0; k < nodes_.size(); ++k) {
    const double e = nodes_[k], w = weights_[k], u = ps * (th + e);
    x += w * piece_c(o_.loss, u).v;
    y += w * (piece_a(o_.loss, ps * e).v + piece_b(o_.loss, u).v);
  }
  *fx = x;
  *fy = y - 0.5 * o_.gamma * ps * ps;
}

template <typename T>
std::unique_ptr<Game<T>> DiracGan<T>::clone() const {
  return std::make_unique<DiracGan<T>>(*this);
}

template class Game<float>;
template class Game<double>;
template class BilinearGame<float>;
template class BilinearGame<double>;
template class DiracGan<float>;
template class DiracGan<double>;

}  // namespace adamant::gan
