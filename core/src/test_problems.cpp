#include "adamant/core/test_problems.hpp"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <random>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace adamant::core {
namespace {

constexpr double kPi = 3.14159265358979323846;

// Fixed mappings from std::mt19937_64 (std::*_distribution outputs are implementation-defined).
double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }
double standard_normal(std::mt19937_64& rng) {  // Box–Muller, one value per pair of draws
  const double u1 = 1.0 - uniform01(rng);       // (0, 1]
  const double u2 = uniform01(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * u2);
}

std::string join_errors(const char* who, const std::vector<std::string>& errors) {
  std::string joined;
  for (const auto& e : errors) joined += (joined.empty() ? std::string(who) + ": " : "; ") + e;
  return joined;
}

template <typename V>
std::string num(V v) {
  std::ostringstream o;
  o << v;
  return o.str();
}

bool finite_at_least(double v, double lo) { return std::isfinite(v) && v >= lo; }

// A seeded regression data set: X (n × d, N(0,1) entries times column scales log-spaced from 1
// to 1/scale_range), w_true ~ N(0,1), y = X w_true + noise · N(0,1).
// Draw order: X row by row, then w_true, then the noise.
detail::RegressionReference make_synthetic(std::mt19937_64& rng, int n, int d, double noise,
                                           double scale_range) {
  detail::RegressionReference s;
  s.x.resize(n, d);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < d; ++j) {
      const double scale = d > 1 ? std::pow(scale_range, -static_cast<double>(j) / (d - 1)) : 1.0;
      s.x(i, j) = scale * standard_normal(rng);
    }
  s.w_true.resize(d);
  for (int j = 0; j < d; ++j) s.w_true(j) = standard_normal(rng);
  s.y = s.x * s.w_true;
  for (int i = 0; i < n; ++i) s.y(i) += noise * standard_normal(rng);
  return s;
}

}  // namespace

// ---- options ----

std::string QuadraticOptions::validate() const {
  std::vector<std::string> e;
  if (dim < 1) e.push_back("dim must be >= 1, got " + std::to_string(dim));
  if (!finite_at_least(condition, 1.0))
    e.push_back("condition must be finite and >= 1, got " + num(condition));
  else if (dim == 1 && condition != 1.0)
    e.push_back("condition must be 1 when dim is 1, got " + num(condition));
  return join_errors("QuadraticOptions", e);
}

std::string RosenbrockOptions::validate() const {
  std::vector<std::string> e;
  if (dim < 2) e.push_back("dim must be >= 2, got " + std::to_string(dim));
  return join_errors("RosenbrockOptions", e);
}

std::string SaddleOptions::validate() const {
  std::vector<std::string> e;
  if (!std::isfinite(x0)) e.push_back("x0 must be finite, got " + num(x0));
  if (!(std::isfinite(y0) && y0 > 0)) e.push_back("y0 must be finite and > 0, got " + num(y0));
  return join_errors("SaddleOptions", e);
}

std::string RidgeOptions::validate() const {
  std::vector<std::string> e;
  if (samples < 1) e.push_back("samples must be >= 1, got " + std::to_string(samples));
  if (features < 1) e.push_back("features must be >= 1, got " + std::to_string(features));
  if (!(std::isfinite(lambda) && lambda > 0))
    e.push_back("lambda must be finite and > 0, got " + num(lambda));
  if (!finite_at_least(noise, 0.0)) e.push_back("noise must be finite and >= 0, got " + num(noise));
  if (!finite_at_least(feature_scale_range, 1.0))
    e.push_back("feature_scale_range must be finite and >= 1, got " + num(feature_scale_range));
  return join_errors("RidgeOptions", e);
}

std::string HuberOptions::validate() const {
  std::vector<std::string> e;
  if (samples < 1) e.push_back("samples must be >= 1, got " + std::to_string(samples));
  if (features < 1) e.push_back("features must be >= 1, got " + std::to_string(features));
  if (!(std::isfinite(delta) && delta > 0))
    e.push_back("delta must be finite and > 0, got " + num(delta));
  if (!finite_at_least(lambda, 0.0))
    e.push_back("lambda must be finite and >= 0, got " + num(lambda));
  if (!finite_at_least(noise, 0.0)) e.push_back("noise must be finite and >= 0, got " + num(noise));
  if (!(outlier_fraction >= 0 && outlier_fraction < 0.5))
    e.push_back("outlier_fraction must be in [0, 0.5), got " + num(outlier_fraction));
  if (!finite_at_least(outlier_magnitude, 0.0))
    e.push_back("outlier_magnitude must be finite and >= 0, got " + num(outlier_magnitude));
  return join_errors("HuberOptions", e);
}

namespace detail {

void problem_size_error(const std::string& problem, const char* what, Eigen::Index got,
                        Eigen::Index expected) {
  throw std::invalid_argument(problem + ": " + what + " has " + std::to_string(got) +
                              " entries, expected " + std::to_string(expected));
}

void throw_if_invalid(const std::string& error) {
  if (!error.empty()) throw std::invalid_argument(error);
}

std::string describe(const QuadraticOptions& o) {
  return "quadratic(dim=" + std::to_string(o.dim) + ", condition=" + num(o.condition) + ")";
}

std::string describe(const RosenbrockOptions& o) {
  return "rosenbrock(dim=" + std::to_string(o.dim) + ")";
}

std::string describe(const SaddleOptions& o) {
  return "saddle(x0=" + num(o.x0) + ", y0=" + num(o.y0) + ")";
}

std::string describe(const RidgeOptions& o) {
  return "ridge(samples=" + std::to_string(o.samples) + ", features=" + std::to_string(o.features) +
         ", lambda=" + num(o.lambda) + ", noise=" + num(o.noise) +
         ", feature_scale_range=" + num(o.feature_scale_range) +
         ", seed=" + std::to_string(o.seed) + ")";
}

std::string describe(const HuberOptions& o) {
  return "huber(samples=" + std::to_string(o.samples) + ", features=" + std::to_string(o.features) +
         ", delta=" + num(o.delta) + ", lambda=" + num(o.lambda) + ", noise=" + num(o.noise) +
         ", outlier_fraction=" + num(o.outlier_fraction) +
         ", outlier_magnitude=" + num(o.outlier_magnitude) + ", seed=" + std::to_string(o.seed) +
         ")";
}

Eigen::VectorXd quadratic_curvatures(const QuadraticOptions& o) {
  throw_if_invalid(o.validate());
  Eigen::VectorXd kappa(o.dim);
  for (int i = 0; i < o.dim; ++i)
    kappa(i) = o.dim > 1 ? std::pow(o.condition, static_cast<double>(i) / (o.dim - 1)) : 1.0;
  return kappa;
}

double ridge_value(const RidgeOptions& o, const MatrixRowMajorXd& x, const Eigen::VectorXd& y,
                   const Eigen::Ref<const Eigen::VectorXd>& w, Eigen::VectorXd* grad) {
  if (w.size() != x.cols()) problem_size_error(describe(o), "w", w.size(), x.cols());
  const double n = static_cast<double>(x.rows());
  const Eigen::VectorXd r = x * w - y;
  if (grad) *grad = (x.transpose() * r + o.lambda * w) / n;
  return (0.5 * r.squaredNorm() + 0.5 * o.lambda * w.squaredNorm()) / n;
}

double huber_value(const HuberOptions& o, const MatrixRowMajorXd& x, const Eigen::VectorXd& y,
                   const Eigen::Ref<const Eigen::VectorXd>& w, Eigen::VectorXd* grad) {
  if (w.size() != x.cols()) problem_size_error(describe(o), "w", w.size(), x.cols());
  const double n = static_cast<double>(x.rows()), delta = o.delta;
  const Eigen::VectorXd r = x * w - y;
  double f = 0;
  Eigen::VectorXd psi(r.size());
  for (Eigen::Index i = 0; i < r.size(); ++i) {
    const double ar = std::abs(r(i));
    f += ar <= delta ? 0.5 * r(i) * r(i) : delta * (ar - 0.5 * delta);
    psi(i) = std::clamp(r(i), -delta, delta);
  }
  if (grad) *grad = (x.transpose() * psi + o.lambda * w) / n;
  return (f + 0.5 * o.lambda * w.squaredNorm()) / n;
}

RegressionReference make_ridge(const RidgeOptions& o) {
  throw_if_invalid(o.validate());
  std::mt19937_64 rng(o.seed);
  RegressionReference s =
      make_synthetic(rng, o.samples, o.features, o.noise, o.feature_scale_range);
  Eigen::MatrixXd a = s.x.transpose() * s.x;
  a.diagonal().array() += o.lambda;
  s.x_star = a.llt().solve(s.x.transpose() * s.y);
  s.f_star = ridge_value(o, s.x, s.y, s.x_star);
  return s;
}

RegressionReference make_huber(const HuberOptions& o) {
  throw_if_invalid(o.validate());
  const int n = o.samples, d = o.features;
  std::mt19937_64 rng(o.seed);
  RegressionReference s = make_synthetic(rng, n, d, o.noise, 1.0);
  // Outliers: the first m picks of a seeded partial Fisher–Yates shuffle, each shifted by
  // ±magnitude·(1 + u).
  const int m = static_cast<int>(std::lround(o.outlier_fraction * n));
  std::vector<int> index(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) index[static_cast<std::size_t>(i)] = i;
  for (int k = 0; k < m; ++k) {
    const int j = std::min(n - 1, k + static_cast<int>(uniform01(rng) * (n - k)));
    std::swap(index[static_cast<std::size_t>(k)], index[static_cast<std::size_t>(j)]);
  }
  s.outliers.assign(index.begin(), index.begin() + m);
  std::sort(s.outliers.begin(), s.outliers.end());
  for (int i : s.outliers) {
    const double sign = uniform01(rng) < 0.5 ? -1.0 : 1.0;
    s.y(i) += sign * o.outlier_magnitude * (1.0 + uniform01(rng));
  }

  // Reference solve: damped Newton from the (at least lightly regularised) least-squares fit.
  Eigen::MatrixXd xtx = s.x.transpose() * s.x;
  xtx.diagonal().array() += std::max(o.lambda, 1e-12 * n);
  Eigen::VectorXd w = xtx.llt().solve(s.x.transpose() * s.y);
  Eigen::VectorXd g(d), g_new(d), w_new(d);
  double f = huber_value(o, s.x, s.y, w, &g);
  int it = 0;
  for (; it < 200; ++it) {
    if (g.lpNorm<Eigen::Infinity>() <= 1e-14) break;
    // Generalised Hessian: (1/n) Σ_{|r_i| ≤ δ} x_i x_iᵀ + (λ/n) I (+ 1e-12 I against singularity).
    const Eigen::VectorXd r = s.x * w - s.y;
    Eigen::MatrixXd h = Eigen::MatrixXd::Zero(d, d);
    for (int i = 0; i < n; ++i)
      if (std::abs(r(i)) <= o.delta) h.noalias() += s.x.row(i).transpose() * s.x.row(i);
    h /= n;
    h.diagonal().array() += o.lambda / n + 1e-12;
    const Eigen::VectorXd p = -h.ldlt().solve(g);
    const double slope = g.dot(p);
    if (!(slope < 0)) break;
    double t = 1.0, f_new = f;
    bool accepted = false;
    for (int k = 0; k < 60 && !accepted; ++k) {
      w_new = w + t * p;
      f_new = huber_value(o, s.x, s.y, w_new, &g_new);
      accepted = f_new <= f + 1e-4 * t * slope;
      if (!accepted) t *= 0.5;
    }
    if (!accepted || !(f_new < f)) break;  // no further decrease at double precision
    w.swap(w_new);
    g.swap(g_new);
    f = f_new;
  }
  s.x_star = w;
  s.f_star = f;
  s.iterations = it;
  return s;
}

}  // namespace detail

template <typename T>
std::vector<std::unique_ptr<Problem<T>>> standard_problems() {
  std::vector<std::unique_ptr<Problem<T>>> problems;
  problems.push_back(std::make_unique<QuadraticProblem<T>>());
  problems.push_back(std::make_unique<RosenbrockProblem<T>>());
  problems.push_back(std::make_unique<SaddleProblem<T>>());
  problems.push_back(std::make_unique<RidgeProblem<T>>());
  problems.push_back(std::make_unique<HuberProblem<T>>());
  return problems;
}

template std::vector<std::unique_ptr<Problem<float>>> standard_problems<float>();
template std::vector<std::unique_ptr<Problem<double>>> standard_problems<double>();

}  // namespace adamant::core
