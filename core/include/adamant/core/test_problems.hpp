#pragma once
// Deterministic test objectives with exact analytic gradients, for optimizer convergence tables
// (optimizers × problems × float/double). Each problem knows its start x0, its minimum value f*
// and a minimiser x*; f* and x* are computed in double whatever T is.
//
//   quadratic  f(x) = ½ Σ_i κ_i x_i²,  κ_i = κ^{i/(d−1)} (log-spaced from 1 to the condition
//              number κ); x0 = (1, …, 1); x* = 0, f* = 0.
//   rosenbrock f(x) = Σ_{i<n−1} 100 (x_{i+1} − x_i²)² + (1 − x_i)²   (chained; Rosenbrock 1960)
//              ∂f/∂x_i = −400 x_i (x_{i+1} − x_i²) − 2 (1 − x_i) + 200 (x_i − x_{i−1}²);
//              x0 = (−1.2, 1, −1.2, 1, …); x* = 1, f* = 0.
//   saddle     f(x, y) = ½x² − ½y² + ¼y⁴, a strict saddle at 0 (Hessian eigenvalue −1; Ge et al.
//              2015); minima (0, ±1) with f* = −¼; x0 = (1, 10⁻³) starts next to the saddle, so
//              escaping it is the test; x* = (0, 1) (the side x0 is on), and
//              distance_to_solution() measures to the nearer of the two minima.
//   ridge      f(w) = (½‖Xw − y‖² + ½λ‖w‖²) / n   (Hoerl & Kennard 1970), X: n × d seeded
//              Gaussian design with column scales log-spaced from 1 to 1/feature_scale_range,
//              y = X w_true + noise·ε. x* = (XᵀX + λI)⁻¹Xᵀy, solved in double with a Cholesky
//              factorisation (LLT) at construction; f* = f(x*) in double. x0 = 0.
//   huber      f(w) = (1/n) Σ_i ρ_δ(x_iᵀw − y_i) + ½(λ/n)‖w‖²,  ρ_δ(r) = ½r² for |r| ≤ δ,
//              δ(|r| − ½δ) otherwise (Huber 1964); Gaussian design, y = X w_true + noise·ε with
//              round(outlier_fraction·n) seeded samples shifted by ±outlier_magnitude·(1 + u).
//              x* by damped Newton in double at construction (Hessian (1/n)Σ_{|r_i|≤δ} x_i x_iᵀ
//              + (λ/n)I, Armijo backtracking, from the least-squares fit, until ‖∇f‖∞ ≤ 1e-14 or
//              no further decrease); f is piecewise quadratic, so once the set of |r_i| ≤ δ is
//              right one step lands on the minimiser. f* = f(x*) in double. x0 = 0.
//
// Data are drawn from std::mt19937_64 with fixed mappings (uniform = (r >> 11)·2⁻⁵³; normal by
// Box–Muller), not std::*_distribution, so a seed gives the same problem everywhere. The float
// variants evaluate f on the data rounded to float, whose minimum differs from f* by a few float
// ulps of f's scale; compare f(x) − f* against a tolerance of that size.
//
// value_and_gradient() and value() never allocate; they are defined in this header so a test can
// prove it with EIGEN_RUNTIME_NO_MALLOC. Data generation and reference solves (double, once per
// construction) live in test_problems.cpp.

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace adamant::core {

// ---- options (documented defaults; validate() returns "" or a message naming the problem) ----

struct QuadraticOptions {
  int dim = 10;
  double condition = 100.0;  ///< κ_max / κ_min, >= 1 (1 when dim is 1)
  std::string validate() const;
};

struct RosenbrockOptions {
  int dim = 2;  ///< >= 2
  std::string validate() const;
};

struct SaddleOptions {
  double x0 = 1.0;
  double y0 = 1e-3;  ///< > 0, so x_star is (0, 1)
  std::string validate() const;
};

struct RidgeOptions {
  int samples = 200;
  int features = 20;
  double lambda = 1.0;                ///< > 0, in the units of ½‖Xw − y‖²
  double noise = 0.1;                 ///< standard deviation of the label noise, >= 0
  double feature_scale_range = 10.0;  ///< largest / smallest column scale, >= 1
  std::uint64_t seed = 20240601;
  std::string validate() const;
};

struct HuberOptions {
  int samples = 200;
  int features = 10;
  double delta = 1.0;               ///< > 0
  double lambda = 0.0;              ///< >= 0, in the units of Σ ρ
  double noise = 0.1;               ///< >= 0
  double outlier_fraction = 0.1;    ///< in [0, 0.5)
  double outlier_magnitude = 10.0;  ///< >= 0
  std::uint64_t seed = 20240602;
  std::string validate() const;
};

namespace detail {
using MatrixRowMajorXd = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Throws std::invalid_argument("<problem>: <what> has <got> entries, expected <expected>").
[[noreturn]] void problem_size_error(const std::string& problem, const char* what, Eigen::Index got,
                                     Eigen::Index expected);
/// Throws std::invalid_argument(error) when error is not empty.
void throw_if_invalid(const std::string& error);

std::string describe(const QuadraticOptions& o);
std::string describe(const RosenbrockOptions& o);
std::string describe(const SaddleOptions& o);
std::string describe(const RidgeOptions& o);
std::string describe(const HuberOptions& o);

/// κ_i = condition^{i/(dim−1)}. Throws std::invalid_argument on invalid options.
Eigen::VectorXd quadratic_curvatures(const QuadraticOptions& o);

/// A seeded regression problem and its reference solution, all in double.
struct RegressionReference {
  MatrixRowMajorXd x;         ///< n × d design
  Eigen::VectorXd y;          ///< n targets (outliers included)
  Eigen::VectorXd w_true;     ///< coefficients the clean targets came from
  Eigen::VectorXd x_star;     ///< the minimiser
  double f_star = 0;          ///< f(x_star)
  std::vector<int> outliers;  ///< corrupted samples, ascending (Huber)
  int iterations = 0;         ///< Newton iterations of the reference solve (Huber)
};
/// Throw std::invalid_argument on invalid options.
RegressionReference make_ridge(const RidgeOptions& o);
RegressionReference make_huber(const HuberOptions& o);
/// The objectives in double on double data; grad (if given) is overwritten.
double ridge_value(const RidgeOptions& o, const MatrixRowMajorXd& x, const Eigen::VectorXd& y,
                   const Eigen::Ref<const Eigen::VectorXd>& w, Eigen::VectorXd* grad = nullptr);
double huber_value(const HuberOptions& o, const MatrixRowMajorXd& x, const Eigen::VectorXd& y,
                   const Eigen::Ref<const Eigen::VectorXd>& w, Eigen::VectorXd* grad = nullptr);
}  // namespace detail

/// A smooth (C¹) objective f: R^dim → R with a known minimum.
template <typename T>
class Problem {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>,
                "Problem is instantiated for float and double");

 public:
  using Scalar = T;
  using VectorX = Eigen::Matrix<T, Eigen::Dynamic, 1>;
  using ConstVectorRef = Eigen::Ref<const VectorX>;
  using VectorRef = Eigen::Ref<VectorX>;

  virtual ~Problem() = default;

  /// Short stable identifier, e.g. "rosenbrock".
  virtual std::string name() const = 0;
  /// Identifier with parameters, e.g. "rosenbrock(dim=2)".
  virtual std::string describe() const = 0;
  virtual int dim() const = 0;
  /// The starting point.
  virtual VectorX x0() const = 0;
  /// The minimum value, computed in double.
  virtual double f_star() const = 0;
  /// A minimiser, computed in double.
  virtual Eigen::VectorXd x_star() const = 0;
  /// Distance from x to the nearest minimiser (‖x − x_star()‖ unless there are several).
  virtual double distance_to_solution(const Eigen::Ref<const Eigen::VectorXd>& x) const {
    if (x.size() != dim()) detail::problem_size_error(describe(), "x", x.size(), dim());
    return (x - x_star()).norm();
  }

  /// f(x), with ∇f(x) written (overwritten) into grad. Does not allocate. Throws
  /// std::invalid_argument when x or grad does not have dim() entries.
  T value_and_gradient(ConstVectorRef x, VectorRef grad) const {
    if (x.size() != dim()) detail::problem_size_error(describe(), "x", x.size(), dim());
    if (grad.size() != dim()) detail::problem_size_error(describe(), "grad", grad.size(), dim());
    return eval(x, grad.data());
  }
  /// f(x). Does not allocate.
  T value(ConstVectorRef x) const {
    if (x.size() != dim()) detail::problem_size_error(describe(), "x", x.size(), dim());
    return eval(x, nullptr);
  }
  /// The exact Hessian-vector product H(x)·u into hu (hyper-gradients need it, hyper.hpp). Where
  /// f is only piecewise C² (Huber's kink), the Hessian of the piece the gradient's formula uses
  /// at x. Does not allocate.
  void hessian_vector(ConstVectorRef x, ConstVectorRef u, VectorRef hu) const {
    if (x.size() != dim()) detail::problem_size_error(describe(), "x", x.size(), dim());
    if (u.size() != dim()) detail::problem_size_error(describe(), "u", u.size(), dim());
    if (hu.size() != dim()) detail::problem_size_error(describe(), "hu", hu.size(), dim());
    hvp(x, u, hu.data());
  }

 protected:
  /// f(x); when grad is not null, also ∇f(x) into grad[0 … dim−1]. Sizes are already checked.
  virtual T eval(ConstVectorRef x, T* grad) const = 0;
  /// H(x)·u into hu[0 … dim−1]. Sizes are already checked.
  virtual void hvp(ConstVectorRef x, ConstVectorRef u, T* hu) const = 0;
};

template <typename T>
class QuadraticProblem final : public Problem<T> {
 public:
  using typename Problem<T>::VectorX;
  using typename Problem<T>::ConstVectorRef;
  /// Throws std::invalid_argument on invalid options.
  explicit QuadraticProblem(const QuadraticOptions& options = QuadraticOptions())
      : options_(options),
        kappa_d_(detail::quadratic_curvatures(options)),
        kappa_(kappa_d_.template cast<T>()) {}
  std::string name() const override { return "quadratic"; }
  std::string describe() const override { return detail::describe(options_); }
  int dim() const override { return options_.dim; }
  VectorX x0() const override { return VectorX::Ones(options_.dim); }
  double f_star() const override { return 0.0; }
  Eigen::VectorXd x_star() const override { return Eigen::VectorXd::Zero(options_.dim); }
  /// κ_i, in double.
  const Eigen::VectorXd& curvatures() const { return kappa_d_; }

 protected:
  T eval(ConstVectorRef x, T* grad) const override {
    T sum = 0;
    for (int i = 0; i < options_.dim; ++i) {
      const T kx = kappa_(i) * x(i);
      sum += kx * x(i);
      if (grad) grad[i] = kx;
    }
    return T(0.5) * sum;
  }
  void hvp(ConstVectorRef, ConstVectorRef u, T* hu) const override {
    for (int i = 0; i < options_.dim; ++i) hu[i] = kappa_(i) * u(i);
  }

 private:
  QuadraticOptions options_;
  Eigen::VectorXd kappa_d_;
  VectorX kappa_;
};

template <typename T>
class RosenbrockProblem final : public Problem<T> {
 public:
  using typename Problem<T>::VectorX;
  using typename Problem<T>::ConstVectorRef;
  /// Throws std::invalid_argument on invalid options.
  explicit RosenbrockProblem(const RosenbrockOptions& options = RosenbrockOptions())
      : options_(options) {
    detail::throw_if_invalid(options_.validate());
  }
  std::string name() const override { return "rosenbrock"; }
  std::string describe() const override { return detail::describe(options_); }
  int dim() const override { return options_.dim; }
  VectorX x0() const override {
    VectorX x(options_.dim);
    for (int i = 0; i < options_.dim; ++i) x(i) = i % 2 == 0 ? T(-1.2) : T(1);
    return x;
  }
  double f_star() const override { return 0.0; }
  Eigen::VectorXd x_star() const override { return Eigen::VectorXd::Ones(options_.dim); }

 protected:
  T eval(ConstVectorRef x, T* grad) const override {
    const int n = options_.dim;
    if (grad)
      for (int i = 0; i < n; ++i) grad[i] = 0;
    T f = 0;
    for (int i = 0; i + 1 < n; ++i) {
      const T a = x(i + 1) - x(i) * x(i);
      const T b = T(1) - x(i);
      f += T(100) * a * a + b * b;
      if (grad) {
        grad[i] += T(-400) * x(i) * a - T(2) * b;
        grad[i + 1] += T(200) * a;
      }
    }
    return f;
  }
  // ∂²/∂x_i² = 1200 x_i² − 400 x_{i+1} + 2, ∂²/∂x_i∂x_{i+1} = −400 x_i, ∂²/∂x_{i+1}² = 200 per
  // term.
  void hvp(ConstVectorRef x, ConstVectorRef u, T* hu) const override {
    const int n = options_.dim;
    for (int i = 0; i < n; ++i) hu[i] = 0;
    for (int i = 0; i + 1 < n; ++i) {
      const T cross = T(-400) * x(i);
      hu[i] += (T(1200) * x(i) * x(i) - T(400) * x(i + 1) + T(2)) * u(i) + cross * u(i + 1);
      hu[i + 1] += cross * u(i) + T(200) * u(i + 1);
    }
  }

 private:
  RosenbrockOptions options_;
};

template <typename T>
class SaddleProblem final : public Problem<T> {
 public:
  using typename Problem<T>::VectorX;
  using typename Problem<T>::ConstVectorRef;
  /// Throws std::invalid_argument on invalid options.
  explicit SaddleProblem(const SaddleOptions& options = SaddleOptions()) : options_(options) {
    detail::throw_if_invalid(options_.validate());
  }
  std::string name() const override { return "saddle"; }
  std::string describe() const override { return detail::describe(options_); }
  int dim() const override { return 2; }
  VectorX x0() const override {
    VectorX x(2);
    x << static_cast<T>(options_.x0), static_cast<T>(options_.y0);
    return x;
  }
  double f_star() const override { return -0.25; }
  Eigen::VectorXd x_star() const override { return Eigen::Vector2d(0.0, 1.0); }
  /// Distance to the nearer of the minima (0, 1) and (0, −1).
  double distance_to_solution(const Eigen::Ref<const Eigen::VectorXd>& x) const override {
    if (x.size() != 2) detail::problem_size_error(describe(), "x", x.size(), 2);
    return std::min(std::hypot(x(0), x(1) - 1.0), std::hypot(x(0), x(1) + 1.0));
  }

 protected:
  T eval(ConstVectorRef x, T* grad) const override {
    const T a = x(0), b = x(1);
    const T b2 = b * b;
    if (grad) {
      grad[0] = a;
      grad[1] = b * b2 - b;
    }
    return T(0.5) * a * a - T(0.5) * b2 + T(0.25) * b2 * b2;
  }
  void hvp(ConstVectorRef x, ConstVectorRef u, T* hu) const override {
    hu[0] = u(0);
    hu[1] = (T(3) * x(1) * x(1) - T(1)) * u(1);
  }

 private:
  SaddleOptions options_;
};

/// Ridge and Huber regression: the double data and reference solution, and T copies of the data
/// that eval() reads.
template <typename T>
class RegressionProblem : public Problem<T> {
 public:
  using typename Problem<T>::VectorX;
  int dim() const override { return static_cast<int>(ref_.x.cols()); }
  VectorX x0() const override { return VectorX::Zero(ref_.x.cols()); }
  double f_star() const override { return ref_.f_star; }
  Eigen::VectorXd x_star() const override { return ref_.x_star; }
  /// X (n × d, row-major), in double.
  const detail::MatrixRowMajorXd& design() const { return ref_.x; }
  /// y (n), in double.
  const Eigen::VectorXd& targets() const { return ref_.y; }
  /// The coefficients the clean targets were generated from.
  const Eigen::VectorXd& w_true() const { return ref_.w_true; }

 protected:
  explicit RegressionProblem(detail::RegressionReference ref)
      : ref_(std::move(ref)), x_(ref_.x.template cast<T>()), y_(ref_.y.template cast<T>()) {}
  detail::RegressionReference ref_;
  Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> x_;
  VectorX y_;
};

template <typename T>
class RidgeProblem final : public RegressionProblem<T> {
 public:
  using typename Problem<T>::VectorX;
  using typename Problem<T>::ConstVectorRef;
  /// Throws std::invalid_argument on invalid options.
  explicit RidgeProblem(const RidgeOptions& options = RidgeOptions())
      : RegressionProblem<T>(detail::make_ridge(options)), options_(options) {}
  std::string name() const override { return "ridge"; }
  std::string describe() const override { return detail::describe(options_); }
  const RidgeOptions& options() const { return options_; }
  /// f (and ∇f into grad, if given) in double on the double data; f* = reference_value(x*).
  double reference_value(const Eigen::Ref<const Eigen::VectorXd>& w,
                         Eigen::VectorXd* grad = nullptr) const {
    return detail::ridge_value(options_, this->ref_.x, this->ref_.y, w, grad);
  }

 protected:
  T eval(ConstVectorRef w, T* grad) const override {
    const Eigen::Index n = this->x_.rows(), d = this->x_.cols();
    const T lambda = static_cast<T>(options_.lambda), inv_n = T(1) / static_cast<T>(n);
    Eigen::Map<VectorX> g(grad, grad ? d : 0);
    if (grad) g.setZero();
    T f = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
      const T r = this->x_.row(i).dot(w) - this->y_(i);
      f += T(0.5) * r * r;
      if (grad) g += r * this->x_.row(i).transpose();
    }
    f += T(0.5) * lambda * w.squaredNorm();
    if (grad) g = (g + lambda * w) * inv_n;
    return f * inv_n;
  }
  // (Xᵀ X u + λ u) / n.
  void hvp(ConstVectorRef, ConstVectorRef u, T* hu) const override {
    const Eigen::Index n = this->x_.rows(), d = this->x_.cols();
    Eigen::Map<VectorX> h(hu, d);
    h.setZero();
    for (Eigen::Index i = 0; i < n; ++i) h += this->x_.row(i).dot(u) * this->x_.row(i).transpose();
    h = (h + static_cast<T>(options_.lambda) * u) / static_cast<T>(n);
  }

 private:
  RidgeOptions options_;
};

template <typename T>
class HuberProblem final : public RegressionProblem<T> {
 public:
  using typename Problem<T>::VectorX;
  using typename Problem<T>::ConstVectorRef;
  /// Throws std::invalid_argument on invalid options.
  explicit HuberProblem(const HuberOptions& options = HuberOptions())
      : RegressionProblem<T>(detail::make_huber(options)), options_(options) {}
  std::string name() const override { return "huber"; }
  std::string describe() const override { return detail::describe(options_); }
  const HuberOptions& options() const { return options_; }
  /// Indices of the corrupted samples, ascending.
  const std::vector<int>& outliers() const { return this->ref_.outliers; }
  /// Newton iterations the reference solve took.
  int reference_iterations() const { return this->ref_.iterations; }
  /// f (and ∇f into grad, if given) in double on the double data; f* = reference_value(x*).
  double reference_value(const Eigen::Ref<const Eigen::VectorXd>& w,
                         Eigen::VectorXd* grad = nullptr) const {
    return detail::huber_value(options_, this->ref_.x, this->ref_.y, w, grad);
  }

 protected:
  T eval(ConstVectorRef w, T* grad) const override {
    const Eigen::Index n = this->x_.rows(), d = this->x_.cols();
    const T delta = static_cast<T>(options_.delta), lambda = static_cast<T>(options_.lambda);
    const T inv_n = T(1) / static_cast<T>(n);
    Eigen::Map<VectorX> g(grad, grad ? d : 0);
    if (grad) g.setZero();
    T f = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
      const T r = this->x_.row(i).dot(w) - this->y_(i);
      const T ar = std::abs(r);
      f += ar <= delta ? T(0.5) * r * r : delta * (ar - T(0.5) * delta);
      if (grad) g += std::clamp(r, -delta, delta) * this->x_.row(i).transpose();
    }
    f += T(0.5) * lambda * w.squaredNorm();
    if (grad) g = (g + lambda * w) * inv_n;
    return f * inv_n;
  }
  // (Σ_{|r_i| ≤ δ} x_i x_iᵀ u + λ u) / n: the clamp's derivative is 1 on [−δ, δ], as torch's.
  void hvp(ConstVectorRef w, ConstVectorRef u, T* hu) const override {
    const Eigen::Index n = this->x_.rows(), d = this->x_.cols();
    const T delta = static_cast<T>(options_.delta);
    Eigen::Map<VectorX> h(hu, d);
    h.setZero();
    for (Eigen::Index i = 0; i < n; ++i) {
      const T r = this->x_.row(i).dot(w) - this->y_(i);
      if (std::abs(r) <= delta) h += this->x_.row(i).dot(u) * this->x_.row(i).transpose();
    }
    h = (h + static_cast<T>(options_.lambda) * u) / static_cast<T>(n);
  }

 private:
  HuberOptions options_;
};

/// The convergence-table set, with default options: quadratic (d = 10, κ = 100),
/// rosenbrock (n = 2), saddle, ridge, huber.
template <typename T>
std::vector<std::unique_ptr<Problem<T>>> standard_problems();

}  // namespace adamant::core
