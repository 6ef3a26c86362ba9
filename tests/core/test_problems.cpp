// The test problems (test_problems.hpp): every analytic gradient against central finite
// differences; each stated minimiser is stationary with the stated value and is a local minimum;
// ridge's closed form solves the normal equations; the saddle's origin is a strict saddle;
// Huber's data and reference solve; seeded determinism; clear errors; no allocation.

#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "../common/new_counter.hpp"
#include "adamant/core/test_problems.hpp"

namespace ac = adamant::core;

namespace {

// ---- helpers ----

using Vec = Eigen::VectorXd;
using Vecf = Eigen::VectorXf;

double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// Deterministic vector with entries uniform in [-scale, scale).
Vec random_vector(Eigen::Index n, std::uint64_t seed, double scale = 1.0) {
  std::mt19937_64 rng(seed);
  Vec v(n);
  for (Eigen::Index i = 0; i < n; ++i) v(i) = scale * (2 * uniform01(rng) - 1);
  return v;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "<no std::invalid_argument thrown>";
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

std::string sci(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3e", v);
  return buf;
}

// The standard set plus variants with other options, so the gradients are checked beyond the
// defaults (other dimensions, regularisation, outlier fractions).
template <typename T>
std::vector<std::unique_ptr<ac::Problem<T>>> all_problems() {
  auto problems = ac::standard_problems<T>();
  ac::QuadraticOptions q1;
  q1.dim = 1;
  q1.condition = 1;
  problems.push_back(std::make_unique<ac::QuadraticProblem<T>>(q1));
  ac::QuadraticOptions q5;
  q5.dim = 5;
  q5.condition = 1e3;
  problems.push_back(std::make_unique<ac::QuadraticProblem<T>>(q5));
  for (int dim : {3, 6}) {
    ac::RosenbrockOptions r;
    r.dim = dim;
    problems.push_back(std::make_unique<ac::RosenbrockProblem<T>>(r));
  }
  ac::SaddleOptions s;
  s.x0 = -0.5;
  s.y0 = 0.25;
  problems.push_back(std::make_unique<ac::SaddleProblem<T>>(s));
  ac::RidgeOptions ridge;
  ridge.samples = 30;
  ridge.features = 40;  // more features than samples: only λ makes it well posed
  ridge.lambda = 0.1;
  ridge.seed = 7;
  problems.push_back(std::make_unique<ac::RidgeProblem<T>>(ridge));
  ac::HuberOptions huber;
  huber.samples = 80;
  huber.features = 4;
  huber.delta = 0.5;
  huber.lambda = 2.0;
  huber.outlier_fraction = 0.25;
  huber.seed = 8;
  problems.push_back(std::make_unique<ac::HuberProblem<T>>(huber));
  return problems;
}

// Points to check a problem at: x0, near the minimiser, and uniform in a box around both.
std::vector<Vec> check_points(const ac::Problem<double>& p, std::uint64_t seed) {
  const Eigen::Index d = p.dim();
  const Vec x0 = p.x0(), xs = p.x_star();
  const double box = 1.0 + std::max(x0.lpNorm<Eigen::Infinity>(), xs.lpNorm<Eigen::Infinity>());
  std::vector<Vec> points = {x0, xs + random_vector(d, seed, 0.3)};
  for (std::uint64_t k = 1; k <= 4; ++k) points.push_back(random_vector(d, seed + k, box));
  return points;
}

// ---- gradients ----

// Every problem's analytic gradient matches central differences (step 1e-6·max(1, |x_k|)) to a
// relative error of 1e-7 at x0, near the minimiser and at random points, and value() equals
// the value value_and_gradient() returns.
TEST(ProblemGradient, MatchesCentralDifferences) {
  double worst = 0;
  for (const auto& problem : all_problems<double>()) {
    SCOPED_TRACE(problem->describe());
    const Eigen::Index d = problem->dim();
    for (const Vec& x : check_points(*problem, 11)) {
      Vec g(d);
      const double f = problem->value_and_gradient(x, g);
      EXPECT_EQ(problem->value(x), f);
      Vec fd(d);
      for (Eigen::Index k = 0; k < d; ++k) {
        const double h = 1e-6 * std::max(1.0, std::abs(x(k)));
        Vec y = x;
        y(k) = x(k) + h;
        const double up = problem->value(y);
        y(k) = x(k) - h;
        const double down = problem->value(y);
        fd(k) = (up - down) / ((x(k) + h) - (x(k) - h));
      }
      const double err = (fd - g).lpNorm<Eigen::Infinity>() / g.lpNorm<Eigen::Infinity>();
      EXPECT_LT(err, 1e-7) << "at x = " << x.transpose();
      worst = std::max(worst, err);
    }
  }
  RecordProperty("worst_rel_error", sci(worst));
}

// The float instantiations compute the same functions: at the same (float-representable)
// points, value and gradient agree with double to float accuracy, and x0, f* and x* coincide.
TEST(ProblemGradient, FloatAgreesWithDouble) {
  const auto doubles = all_problems<double>();
  const auto floats = all_problems<float>();
  ASSERT_EQ(doubles.size(), floats.size());
  for (std::size_t i = 0; i < doubles.size(); ++i) {
    const ac::Problem<double>& pd = *doubles[i];
    const ac::Problem<float>& pf = *floats[i];
    SCOPED_TRACE(pd.describe());
    EXPECT_EQ(pf.describe(), pd.describe());
    EXPECT_TRUE(pf.x0() == pd.x0().cast<float>());
    EXPECT_EQ(pf.f_star(), pd.f_star());
    EXPECT_TRUE(pf.x_star() == pd.x_star());
    for (const Vec& x : check_points(pd, 21)) {
      const Vecf xf = x.cast<float>();
      const Vec xr = xf.cast<double>();
      Vec gd(pd.dim());
      Vecf gf(pf.dim());
      const double fd = pd.value_and_gradient(xr, gd);
      const double ff = pf.value_and_gradient(xf, gf);
      EXPECT_NEAR(ff, fd, 2e-6 * std::max(1.0, std::abs(fd)));
      EXPECT_LT((gf.cast<double>() - gd).lpNorm<Eigen::Infinity>(),
                2e-6 * std::max(1.0, gd.lpNorm<Eigen::Infinity>()));
    }
  }
}

// ---- minimisers ----

// Every stated minimiser is one: the gradient there is zero (exactly for the closed-form
// problems, to 1e-12 of the gradient's scale at x0 for the regressions), value(x*) is f*,
// x* is at distance 0 from the solution set, and small random moves away from x* only raise f.
TEST(ProblemOptimum, StatedMinimiserHasZeroGradientAndTheOptimalValue) {
  for (const auto& problem : all_problems<double>()) {
    SCOPED_TRACE(problem->describe());
    const Eigen::Index d = problem->dim();
    const Vec xs = problem->x_star();
    ASSERT_EQ(xs.size(), d);
    Vec g(d), g0(d);
    const double f = problem->value_and_gradient(xs, g);
    problem->value_and_gradient(problem->x0(), g0);
    const bool regression = problem->name() == "ridge" || problem->name() == "huber";
    if (regression) {
      EXPECT_LT(g.lpNorm<Eigen::Infinity>(), 1e-12 * g0.lpNorm<Eigen::Infinity>());
    } else {
      EXPECT_TRUE(g.isZero(0)) << g.transpose();
    }
    EXPECT_NEAR(f, problem->f_star(), 1e-13 * std::max(1.0, std::abs(problem->f_star())));
    EXPECT_EQ(problem->distance_to_solution(xs), 0.0);
    EXPECT_GT(problem->distance_to_solution(problem->x0()), 0.0);
    EXPECT_GT(problem->value(problem->x0()), problem->f_star());
    for (std::uint64_t k = 0; k < 20; ++k) {
      const Vec y = xs + random_vector(d, 100 + k, 1e-3);
      EXPECT_GT(problem->value(y), f) << "moving by " << (y - xs).transpose();
    }
  }
}

// The standard set is the documented one, in table order, with default options.
TEST(ProblemOptimum, StandardSetIsTheDocumentedOne) {
  const auto problems = ac::standard_problems<double>();
  const char* names[] = {"quadratic", "rosenbrock", "saddle", "ridge", "huber"};
  const int dims[] = {10, 2, 2, 20, 10};
  ASSERT_EQ(problems.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(problems[i]->name(), names[i]);
    EXPECT_EQ(problems[i]->dim(), dims[i]);
    EXPECT_TRUE(contains(problems[i]->describe(), std::string(names[i]) + "(")) << i;
  }
  EXPECT_EQ(problems[0]->describe(), "quadratic(dim=10, condition=100)");
  EXPECT_EQ(problems[1]->describe(), "rosenbrock(dim=2)");
  EXPECT_EQ(problems[2]->describe(), "saddle(x0=1, y0=0.001)");
}

// ---- one problem at a time ----

// Quadratic: κ_i = κ^{i/(d−1)} runs from 1 to κ with a constant ratio, and ∇f = κ ⊙ x exactly.
TEST(ProblemQuadratic, CurvaturesAreLogSpacedAndGradientIsExact) {
  ac::QuadraticOptions o;
  o.dim = 7;
  o.condition = 1e4;
  const ac::QuadraticProblem<double> q(o);
  const Vec& k = q.curvatures();
  ASSERT_EQ(k.size(), 7);
  EXPECT_EQ(k(0), 1.0);
  EXPECT_NEAR(k(6), 1e4, 1e-10);
  for (int i = 1; i < 7; ++i) EXPECT_NEAR(k(i) / k(i - 1), std::pow(1e4, 1.0 / 6), 1e-12);
  EXPECT_TRUE(q.x0() == Vec::Ones(7));
  const Vec x = random_vector(7, 3, 2.0);
  Vec g(7);
  const double f = q.value_and_gradient(x, g);
  for (int i = 0; i < 7; ++i) EXPECT_EQ(g(i), k(i) * x(i));
  EXPECT_NEAR(f, 0.5 * (k.array() * x.array().square()).sum(), 1e-14 * f);
  EXPECT_TRUE(ac::detail::quadratic_curvatures(ac::QuadraticOptions{1, 1.0}) == Vec::Ones(1));
}

// Rosenbrock: x0 alternates −1.2, 1, and the gradient equals the header's closed form
// ∂f/∂x_i = −400 x_i (x_{i+1} − x_i²) − 2 (1 − x_i) + 200 (x_i − x_{i−1}²), term by term.
TEST(ProblemRosenbrock, StartAndGradientFollowTheHeader) {
  ac::RosenbrockOptions o;
  o.dim = 5;
  const ac::RosenbrockProblem<double> r(o);
  Vec expected_x0(5);
  expected_x0 << -1.2, 1, -1.2, 1, -1.2;
  EXPECT_TRUE(r.x0() == expected_x0);
  // Terms (−1.2, 1) and (1, −1.2), twice each.
  const double term_a = 100 * std::pow(1 - 1.44, 2) + std::pow(1 + 1.2, 2);
  const double term_b = 100 * std::pow(-1.2 - 1, 2);
  EXPECT_NEAR(r.value(r.x0()), 2 * term_a + 2 * term_b, 1e-12);
  for (std::uint64_t seed : {1, 2, 3}) {
    const Vec x = random_vector(5, seed, 2.0);
    Vec g(5);
    r.value_and_gradient(x, g);
    for (int i = 0; i < 5; ++i) {
      double e = 0;
      if (i + 1 < 5) e += -400 * x(i) * (x(i + 1) - x(i) * x(i)) - 2 * (1 - x(i));
      if (i > 0) e += 200 * (x(i) - x(i - 1) * x(i - 1));
      EXPECT_NEAR(g(i), e, 1e-12 * std::max(1.0, std::abs(e))) << "i = " << i;
    }
  }
}

// Saddle: the origin is a stationary point with f = 0, and the Hessian there (central
// differences of the analytic gradient) is diag(1, −1): y is a direction of negative curvature
// (f falls along it), x one of positive curvature. Both minima (0, ±1) have f = −¼, zero
// gradient and distance 0; x* is the one on x0's side.
TEST(ProblemSaddle, OriginIsAStrictSaddleAndBothMinimaCount) {
  const ac::SaddleProblem<double> s;
  Vec g(2);
  EXPECT_EQ(s.value_and_gradient(Vec::Zero(2), g), 0.0);
  EXPECT_TRUE(g.isZero(0));
  Eigen::Matrix2d hess;
  const double h = 1e-5;
  for (int k = 0; k < 2; ++k) {
    Vec up = Vec::Zero(2), down = Vec::Zero(2), gu(2), gd(2);
    up(k) = h;
    down(k) = -h;
    s.value_and_gradient(up, gu);
    s.value_and_gradient(down, gd);
    hess.col(k) = (gu - gd) / (2 * h);
  }
  EXPECT_TRUE(hess.isApprox(Eigen::Vector2d(1, -1).asDiagonal().toDenseMatrix(), 1e-9)) << hess;
  const Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> eig(hess);
  EXPECT_NEAR(eig.eigenvalues()(0), -1.0, 1e-9);
  EXPECT_NEAR(std::abs(eig.eigenvectors().col(0)(1)), 1.0, 1e-9);  // along y
  for (double t : {1e-3, -1e-3, 0.5}) {
    EXPECT_LT(s.value(Eigen::Vector2d(0, t)), 0.0) << t;
    EXPECT_GT(s.value(Eigen::Vector2d(t, 0)), 0.0) << t;
  }
  for (double y : {1.0, -1.0}) {
    const Eigen::Vector2d m(0, y);
    EXPECT_EQ(s.value_and_gradient(m, g), -0.25);
    EXPECT_TRUE(g.isZero(0));
    EXPECT_EQ(s.distance_to_solution(m), 0.0);
  }
  EXPECT_EQ(s.distance_to_solution(Eigen::Vector2d(0, 0)), 1.0);
  EXPECT_NEAR(s.distance_to_solution(Eigen::Vector2d(0.3, -0.6)), std::hypot(0.3, 0.4), 1e-15);
  EXPECT_TRUE(s.x0() == Eigen::Vector2d(1.0, 1e-3));
  EXPECT_TRUE(s.x_star() == Eigen::Vector2d(0, 1));
  EXPECT_EQ(s.f_star(), -0.25);
}

// Ridge: the closed-form x* satisfies the normal equations (XᵀX + λI) x* = Xᵀy, agrees with an
// independent QR solve of the stacked least-squares system [X; √λ I] w ≈ [y; 0], and f is
// exactly quadratic around it: f(x* + δ) − f* = ½ δᵀ(XᵀX + λI)δ / n.
TEST(ProblemRidge, ClosedFormSolvesTheNormalEquations) {
  ac::RidgeOptions with_more_features;
  with_more_features.samples = 30;
  with_more_features.features = 40;
  with_more_features.lambda = 0.1;
  for (const ac::RidgeOptions& o : {ac::RidgeOptions{}, with_more_features}) {
    const ac::RidgeProblem<double> r(o);
    SCOPED_TRACE(r.describe());
    const auto& x = r.design();
    const Vec& y = r.targets();
    const Eigen::Index n = x.rows(), d = x.cols();
    ASSERT_EQ(n, o.samples);
    ASSERT_EQ(d, o.features);
    Eigen::MatrixXd a = x.transpose() * x;
    a.diagonal().array() += o.lambda;
    const Vec rhs = x.transpose() * y;
    const Vec xs = r.x_star();
    EXPECT_LT((a * xs - rhs).norm(), 1e-12 * rhs.norm());

    Eigen::MatrixXd stacked = Eigen::MatrixXd::Zero(n + d, d);
    stacked.topRows(n) = x;
    stacked.bottomRows(d).diagonal().setConstant(std::sqrt(o.lambda));
    Vec target = Vec::Zero(n + d);
    target.head(n) = y;
    const Vec qr = stacked.colPivHouseholderQr().solve(target);
    EXPECT_LT((qr - xs).norm(), 1e-9 * xs.norm());

    EXPECT_NEAR(r.reference_value(xs), r.f_star(), 1e-15 * std::max(1.0, r.f_star()));
    for (std::uint64_t k = 0; k < 5; ++k) {
      const Vec delta = random_vector(d, 50 + k, 0.1);
      const double expected = 0.5 * delta.dot(a * delta) / static_cast<double>(n);
      EXPECT_NEAR(r.value(xs + delta) - r.f_star(), expected, 1e-9 * expected);
      // The double reference evaluation agrees with the table's evaluation.
      const Vec w = random_vector(d, 60 + k, 2.0);
      Vec g_ref, g(d);
      const double f_ref = r.reference_value(w, &g_ref);
      EXPECT_NEAR(r.value_and_gradient(w, g), f_ref, 1e-13 * f_ref);
      EXPECT_LT((g - g_ref).lpNorm<Eigen::Infinity>(), 1e-13 * g_ref.lpNorm<Eigen::Infinity>());
    }
  }
}

// Ridge data follow the header: column scales log-spaced from 1 to 1/feature_scale_range, and
// y = X w_true + noise·ε (residuals at w_true have the noise's standard deviation).
TEST(ProblemRidge, DataFollowTheHeader) {
  ac::RidgeOptions o;
  o.samples = 2000;
  o.features = 5;
  o.feature_scale_range = 100;
  o.noise = 0.5;
  const ac::RidgeProblem<double> r(o);
  const auto& x = r.design();
  for (int j = 0; j < 5; ++j) {
    const double rms = x.col(j).norm() / std::sqrt(2000.0);
    EXPECT_NEAR(std::log10(rms), -0.5 * j, 0.05) << "column " << j;  // 100^{−j/4}
  }
  const Vec resid = r.targets() - x * r.w_true();
  EXPECT_NEAR(resid.norm() / std::sqrt(2000.0), 0.5, 0.03);
}

// Huber: the documented number of outliers, ascending and distinct, each shifted by at least
// outlier_magnitude while clean residuals stay at the noise level; the reference Newton solve
// converges to a zero gradient in a few iterations; and the Huber fit is far closer to w_true
// than the least-squares fit the outliers pull away — the point of Huber regression.
TEST(ProblemHuber, OutliersAndReferenceSolveFollowTheHeader) {
  const ac::HuberProblem<double> h;
  const auto& o = h.options();
  const auto& x = h.design();
  const Vec& y = h.targets();
  const std::vector<int>& out = h.outliers();
  ASSERT_EQ(out.size(), 20u);  // round(0.1 · 200)
  EXPECT_TRUE(std::is_sorted(out.begin(), out.end()));
  EXPECT_TRUE(std::adjacent_find(out.begin(), out.end()) == out.end());
  EXPECT_GE(out.front(), 0);
  EXPECT_LT(out.back(), 200);
  const Vec resid = y - x * h.w_true();
  for (int i = 0; i < 200; ++i) {
    const bool outlier = std::binary_search(out.begin(), out.end(), i);
    if (outlier) {
      EXPECT_GE(std::abs(resid(i)), o.outlier_magnitude - 5 * o.noise) << i;
      EXPECT_LE(std::abs(resid(i)), 2 * o.outlier_magnitude + 5 * o.noise) << i;
    } else {
      EXPECT_LT(std::abs(resid(i)), 5 * o.noise) << i;
    }
  }
  EXPECT_GE(h.reference_iterations(), 1);
  EXPECT_LT(h.reference_iterations(), 50);
  // The solve stops once f no longer decreases in double; here at ‖∇f‖∞ ≈ 1e-13, against
  // ‖∇f(x0)‖∞ ≈ 0.56.
  Vec g, g0;
  EXPECT_EQ(h.reference_value(h.x_star(), &g), h.f_star());
  h.reference_value(h.x0(), &g0);
  EXPECT_LT(g.lpNorm<Eigen::Infinity>(), 1e-12 * g0.lpNorm<Eigen::Infinity>());

  const Vec ls = (x.transpose() * x).ldlt().solve(x.transpose() * y);
  const double huber_error = (h.x_star() - h.w_true()).norm();
  const double ls_error = (ls - h.w_true()).norm();
  EXPECT_LT(huber_error, 0.25 * ls_error)
      << "huber " << huber_error << ", least squares " << ls_error;
}

// The seeded problems are deterministic: the same options give the same data and reference
// solution bit for bit; another seed gives other data.
TEST(ProblemDeterminism, SameSeedSameProblem) {
  const ac::RidgeProblem<double> r1, r2;
  EXPECT_TRUE(r1.design() == r2.design());
  EXPECT_TRUE(r1.targets() == r2.targets());
  EXPECT_TRUE(r1.x_star() == r2.x_star());
  EXPECT_EQ(r1.f_star(), r2.f_star());
  ac::RidgeOptions other;
  other.seed = 1;
  EXPECT_FALSE(ac::RidgeProblem<double>(other).design() == r1.design());

  const ac::HuberProblem<double> h1;
  const ac::HuberProblem<float> h2;
  EXPECT_TRUE(h1.design() == h2.design());
  EXPECT_TRUE(h1.targets() == h2.targets());
  EXPECT_EQ(h1.outliers(), h2.outliers());
  EXPECT_TRUE(h1.x_star() == h2.x_star());
  EXPECT_EQ(h1.f_star(), h2.f_star());
  ac::HuberOptions hother;
  hother.seed = 1;
  EXPECT_NE(ac::HuberProblem<double>(hother).outliers(), h1.outliers());
}

// ---- errors ----

// Invalid options are refused with a message naming every offending option and its value.
TEST(ProblemErrors, InvalidOptionsNameTheProblem) {
  auto check = [](const std::function<void()>& f, const std::vector<std::string>& parts) {
    const std::string e = error_of(f);
    for (const auto& part : parts) EXPECT_TRUE(contains(e, part)) << e;
  };
  check(
      [] {
        ac::QuadraticProblem<double>(ac::QuadraticOptions{0, 100.0});
      },
      {"QuadraticOptions: dim must be >= 1, got 0"});
  check(
      [] {
        ac::QuadraticProblem<float>(ac::QuadraticOptions{4, 0.5});
      },
      {"condition must be finite and >= 1, got 0.5"});
  check(
      [] {
        ac::QuadraticProblem<double>(ac::QuadraticOptions{1, 10.0});
      },
      {"condition must be 1 when dim is 1, got 10"});
  check([] { ac::RosenbrockProblem<double>(ac::RosenbrockOptions{1}); },
        {"RosenbrockOptions: dim must be >= 2, got 1"});
  check(
      [] {
        ac::SaddleProblem<double>(ac::SaddleOptions{std::nan(""), 0.0});
      },
      {"SaddleOptions: x0 must be finite, got nan", "; y0 must be finite and > 0, got 0"});
  ac::RidgeOptions r;
  r.samples = 0;
  r.lambda = 0;
  r.noise = -1;
  r.feature_scale_range = 0.5;
  check([&] { ac::RidgeProblem<double>{r}; },
        {"RidgeOptions: samples must be >= 1, got 0", "lambda must be finite and > 0, got 0",
         "noise must be finite and >= 0, got -1", "feature_scale_range must be finite and >= 1"});
  ac::HuberOptions h;
  h.features = 0;
  h.delta = 0;
  h.lambda = -1;
  h.outlier_fraction = 0.5;
  h.outlier_magnitude = std::numeric_limits<double>::infinity();
  check([&] { ac::HuberProblem<float>{h}; },
        {"HuberOptions: features must be >= 1, got 0", "delta must be finite and > 0, got 0",
         "lambda must be finite and >= 0, got -1", "outlier_fraction must be in [0, 0.5), got 0.5",
         "outlier_magnitude must be finite and >= 0, got inf"});
  EXPECT_EQ(ac::RidgeOptions{}.validate(), "");
  EXPECT_EQ(ac::HuberOptions{}.validate(), "");
}

// Vectors of the wrong length are refused naming the problem, the argument and both lengths.
TEST(ProblemErrors, WrongSizesNameTheProblem) {
  const ac::SaddleProblem<double> s;
  const ac::RidgeProblem<float> r;
  Vec g2(2), g1(1);
  Vecf gf(20);
  auto check = [](const std::function<void()>& f, const std::string& part) {
    const std::string e = error_of(f);
    EXPECT_TRUE(contains(e, part)) << e;
  };
  check([&] { s.value_and_gradient(Vec::Zero(3), g2); },
        "saddle(x0=1, y0=0.001): x has 3 entries, expected 2");
  check([&] { s.value_and_gradient(Vec::Zero(2), g1); }, "grad has 1 entries, expected 2");
  check([&] { s.value(Vec::Zero(1)); }, "x has 1 entries, expected 2");
  check([&] { s.distance_to_solution(Vec::Zero(3)); }, "x has 3 entries, expected 2");
  check([&] { r.value_and_gradient(Vecf::Zero(19), gf); },
        "ridge(samples=200, features=20, lambda=1, noise=0.1, feature_scale_range=10, "
        "seed=20240601): x has 19 entries, expected 20");
  check([&] { r.distance_to_solution(Vec::Zero(21)); }, "x has 21 entries, expected 20");
  check([&] { r.reference_value(Vec::Zero(2)); }, "w has 2 entries, expected 20");
}

// ---- no allocation ----

// value_and_gradient() and value() allocate nothing, for every problem in both precisions (the
// header's promise, so that an optimizer loop over them is allocation-free). The first check
// proves the probe is live in this build: an Eigen temporary formed here must be caught.
template <typename T>
void evaluations_allocate_nothing() {
  if (!adamant::testing::can_count_allocations())
    GTEST_SKIP() << "this build cannot count allocations";
  const auto problems = all_problems<T>();
  const Vec w = Vec::LinSpaced(50, 0, 1);
  double sink = 0;
  const long control = adamant::testing::allocations_during([&] {
    const Vec twice = 2 * w;
    sink += twice.sum();
  });
  EXPECT_GT(control, 0) << "the allocation counter is not live in this build";
  EXPECT_NEAR(sink, 50.0, 1e-12);
  for (const auto& problem : problems) {
    SCOPED_TRACE(problem->describe());
    using V = Eigen::Matrix<T, Eigen::Dynamic, 1>;
    const V x = random_vector(problem->dim(), 5).template cast<T>();
    V g(problem->dim());
    T sum = 0;
    const long a = adamant::testing::allocations_during([&] {
      for (int k = 0; k < 3; ++k) sum += problem->value_and_gradient(x, g) + problem->value(x);
    });
    EXPECT_EQ(a, 0);
    EXPECT_TRUE(std::isfinite(sum));
  }
}
TEST(ProblemAlloc, EvaluationsAllocateNothingDouble) { evaluations_allocate_nothing<double>(); }
TEST(ProblemAlloc, EvaluationsAllocateNothingFloat) { evaluations_allocate_nothing<float>(); }

}  // namespace
