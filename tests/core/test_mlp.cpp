// The MLP (mlp.hpp): backward's parameter and input gradients against central finite differences
// for every activation and several shapes; kAccumulate adds exactly; the flat parameter layout
// and a hand-computed forward pass; seeded initialisation; no allocation in forward/backward once
// a workspace exists; clear errors for bad specs and sizes; float agrees with double.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "../common/new_counter.hpp"
#include "adamant/core/mlp.hpp"

namespace ac = adamant::core;

namespace {

// ---- helpers ----

template <typename T>
using Vec = typename ac::Mlp<T>::VectorX;
template <typename T>
using Mat = typename ac::Mlp<T>::MatrixX;  // row-major
using GradMode = ac::Mlp<double>::GradMode;

constexpr ac::Activation kActivations[] = {ac::Activation::kIdentity, ac::Activation::kTanh,
                                           ac::Activation::kReLU, ac::Activation::kSiLU,
                                           ac::Activation::kSoftplus};
constexpr ac::MlpInit kInits[] = {ac::MlpInit::kPyTorch, ac::MlpInit::kXavierUniform,
                                  ac::MlpInit::kHeUniform};

double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// Deterministic matrix with entries uniform in [-scale, scale).
Mat<double> random_matrix(Eigen::Index rows, Eigen::Index cols, std::uint64_t seed,
                          double scale = 1.0) {
  std::mt19937_64 rng(seed);
  Mat<double> m(rows, cols);
  for (Eigen::Index i = 0; i < rows; ++i)
    for (Eigen::Index j = 0; j < cols; ++j) m(i, j) = scale * (2 * uniform01(rng) - 1);
  return m;
}

// Parameters from the PyTorch init, scaled up so that the activations are well into their
// nonlinear range.
Vec<double> random_params(const ac::Mlp<double>& net, std::uint64_t seed, double scale = 2.0) {
  Vec<double> p(net.num_parameters());
  net.init_parameters(p, seed);
  return scale * p;
}

ac::MlpSpec make_spec(std::vector<int> sizes, ac::Activation hidden, ac::Activation output) {
  ac::MlpSpec s;
  s.layer_sizes = std::move(sizes);
  s.hidden = hidden;
  s.output = output;
  return s;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "<no std::invalid_argument thrown>";
}

std::string sci(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3e", v);
  return buf;
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// σ(z) written out directly, for the hand-computed forward pass.
double activate(ac::Activation a, double z) {
  switch (a) {
    case ac::Activation::kIdentity:
      return z;
    case ac::Activation::kTanh:
      return std::tanh(z);
    case ac::Activation::kReLU:
      return z > 0 ? z : 0.0;
    case ac::Activation::kSiLU:
      return z / (1 + std::exp(-z));
    case ac::Activation::kSoftplus:
      return std::log1p(std::exp(z));
  }
  return std::numeric_limits<double>::quiet_NaN();
}

// L(params, X) = Σ C ⊙ Y.
double loss(const ac::Mlp<double>& net, const Vec<double>& p, const Mat<double>& x,
            const Mat<double>& c, ac::Mlp<double>::Workspace& ws) {
  return (net.forward(p, x, ws).array() * c.array()).sum();
}

// Whether relu's kink is harmless for finite differences at (p, x): every preactivation of a
// relu layer is at least 1e-3 from 0 (far beyond the step h), every relu layer has an active
// unit (so the gradient is not trivially zero) and some relu unit is inactive (so both branches
// are exercised). True when no layer uses relu.
bool clear_of_relu_kinks(const ac::Mlp<double>& net, const Vec<double>& p, const Mat<double>& x) {
  auto ws = net.make_workspace(x.rows());
  net.forward(p, x, ws);
  long inactive = 0, relu_layers = 0;
  for (int l = 0; l < net.num_layers(); ++l) {
    const bool last = l + 1 == net.num_layers();
    if ((last ? net.spec().output : net.spec().hidden) != ac::Activation::kReLU) continue;
    const Mat<double> z = ws.preactivation(l);
    if (z.cwiseAbs().minCoeff() < 1e-3 || (z.array() > 0).count() == 0) return false;
    inactive += (z.array() < 0).count();
    ++relu_layers;
  }
  return relu_layers == 0 || inactive > 0;
}

// max_k |a_k − b_k| / max(‖b‖∞, tiny): the error of a gradient relative to its size.
double relative_error(const Eigen::Ref<const Eigen::VectorXd>& a,
                      const Eigen::Ref<const Eigen::VectorXd>& b) {
  return (a - b).lpNorm<Eigen::Infinity>() / std::max(b.lpNorm<Eigen::Infinity>(), 1e-300);
}

struct Shape {
  std::vector<int> sizes;
  Eigen::Index batch;
};
const std::vector<Shape>& fd_shapes() {
  static const std::vector<Shape> shapes = {
      {{3, 2}, 1},           // no hidden layer
      {{2, 7, 1}, 1},        // one hidden layer, one sample, scalar output
      {{4, 6, 3}, 5},        // one hidden layer, a batch
      {{3, 5, 4, 6, 2}, 3},  // three hidden layers, a batch
  };
  return shapes;
}

// ---- (a) gradients against finite differences ----

// For every activation (as the hidden and as the output activation) and every shape, the
// parameter gradient of backward() and the input gradient of backward(…, d_input) and
// input_gradient() match central differences of L = Σ C ⊙ Y to a relative error (max-norm) of
// 1e-7; measured worst: 4e-10. For
// relu, the seed is chosen so that no preactivation lies within 1e-3 of the kink (far beyond the
// step h), every relu layer has an active unit and some unit is inactive.
TEST(MlpGradient, MatchesCentralDifferencesForEveryActivationAndShape) {
  const double h = 1e-5;
  double worst_param = 0, worst_input = 0;
  for (ac::Activation act : kActivations) {
    for (ac::Activation out_act : {ac::Activation::kIdentity, act}) {
      for (std::size_t s = 0; s < fd_shapes().size(); ++s) {
        const Shape& shape = fd_shapes()[s];
        const ac::Mlp<double> net(make_spec(shape.sizes, act, out_act));
        SCOPED_TRACE(net.spec().describe() + " batch " + std::to_string(shape.batch));
        // Seeds: the first one whose preactivations keep clear of relu's kink.
        std::uint64_t seed = 1000 * s + 17;
        Vec<double> p = random_params(net, seed);
        Mat<double> x = random_matrix(shape.batch, shape.sizes.front(), seed + 1, 1.5);
        if (act == ac::Activation::kReLU || out_act == ac::Activation::kReLU) {
          int tries = 0;
          while (!clear_of_relu_kinks(net, p, x) && ++tries < 200) {
            ++seed;
            p = random_params(net, seed);
            x = random_matrix(shape.batch, shape.sizes.front(), seed + 1, 1.5);
          }
          ASSERT_TRUE(clear_of_relu_kinks(net, p, x)) << "no seed keeps clear of the kink";
        }
        const Mat<double> c = random_matrix(shape.batch, shape.sizes.back(), seed + 2);
        auto ws = net.make_workspace(shape.batch);

        // Analytic gradients.
        net.forward(p, x, ws);
        Vec<double> grad(net.num_parameters()), grad_plain(net.num_parameters());
        Mat<double> dx(shape.batch, shape.sizes.front()), dx_only(dx.rows(), dx.cols());
        net.backward(p, c, ws, grad, GradMode::kOverwrite, dx);
        net.backward(p, c, ws, grad_plain, GradMode::kOverwrite);
        net.input_gradient(p, c, ws, dx_only);
        // The three entry points share one pass: identical bits.
        EXPECT_TRUE(grad == grad_plain);
        EXPECT_TRUE(dx == dx_only);

        // Central differences in every parameter and every input entry.
        auto fd_ws = net.make_workspace(shape.batch);
        Vec<double> fd(net.num_parameters());
        for (Eigen::Index k = 0; k < p.size(); ++k) {
          Vec<double> q = p;
          q(k) = p(k) + h;
          const double up = loss(net, q, x, c, fd_ws);
          q(k) = p(k) - h;
          const double down = loss(net, q, x, c, fd_ws);
          fd(k) = (up - down) / (2 * h);
        }
        Mat<double> fdx(x.rows(), x.cols());
        for (Eigen::Index i = 0; i < x.rows(); ++i)
          for (Eigen::Index j = 0; j < x.cols(); ++j) {
            Mat<double> y = x;
            y(i, j) = x(i, j) + h;
            const double up = loss(net, p, y, c, fd_ws);
            y(i, j) = x(i, j) - h;
            const double down = loss(net, p, y, c, fd_ws);
            fdx(i, j) = (up - down) / (2 * h);
          }
        const double ep = relative_error(fd, grad);
        const Eigen::Map<const Eigen::VectorXd> fdx_flat(fdx.data(), fdx.size());
        const Eigen::Map<const Eigen::VectorXd> dx_flat(dx.data(), dx.size());
        const double ex = relative_error(fdx_flat, dx_flat);
        EXPECT_LT(ep, 1e-7) << "parameter gradient";
        EXPECT_LT(ex, 1e-7) << "input gradient";
        EXPECT_GT(grad.lpNorm<Eigen::Infinity>(), 1e-3);  // not vacuous
        worst_param = std::max(worst_param, ep);
        worst_input = std::max(worst_input, ex);
      }
    }
  }
  RecordProperty("worst_param_rel_error", sci(worst_param));
  RecordProperty("worst_input_rel_error", sci(worst_input));
}

// The activations and their derivatives stay exact far out in the tails, where exp(±z) is tiny
// or huge: at Z = ±7.5 and ±30 (one 1→1 layer with W = 1, b = 0, so Y = σ(x)) they match the
// direct formulas and central differences, and at Z = ±800, where exp overflows, nothing is NaN.
TEST(MlpGradient, ActivationTailsAreExactAndFinite) {
  for (ac::Activation act : kActivations) {
    const ac::Mlp<double> net(make_spec({1, 1}, act, act));
    SCOPED_TRACE(net.spec().describe());
    Vec<double> p(2);
    p << 1.0, 0.0;  // Y = σ(x)
    auto ws = net.make_workspace(4);
    Mat<double> x(4, 1);
    x << -30.0, -7.5, 7.5, 30.0;
    Mat<double> ones = Mat<double>::Ones(4, 1);
    Vec<double> grad(2);
    Mat<double> dx(4, 1);
    net.forward(p, x, ws);
    net.backward(p, ones, ws, grad, GradMode::kOverwrite, dx);
    for (Eigen::Index i = 0; i < 4; ++i) {
      const double z = x(i, 0), hh = 1e-5;
      const double fd = (activate(act, z + hh) - activate(act, z - hh)) / (2 * hh);
      EXPECT_NEAR(dx(i, 0), fd, 1e-7 * std::max(1.0, std::abs(fd))) << "z = " << z;
      EXPECT_NEAR(ws.activation(1)(i, 0), activate(act, z), 1e-15 * std::max(1.0, std::abs(z)));
    }
    x << -800.0, -1.0, 1.0, 800.0;
    net.forward(p, x, ws);
    net.backward(p, ones, ws, grad, GradMode::kOverwrite, dx);
    EXPECT_TRUE(ws.activation(1).allFinite());
    EXPECT_TRUE(dx.allFinite());
    EXPECT_TRUE(grad.allFinite());
  }
}

// ---- (b) accumulation ----

// kAccumulate gives exactly grad + (what kOverwrite writes), bit for bit, as the header promises,
// and d_input is overwritten in either mode.
template <typename T>
void accumulate_is_exact() {
  for (ac::Activation act : kActivations) {
    const ac::Mlp<T> net(make_spec({5, 9, 7, 3}, act, ac::Activation::kTanh));
    const Vec<T> p = random_params(ac::Mlp<double>(net.spec()), 3).template cast<T>();
    const Mat<T> x = random_matrix(6, 5, 4).template cast<T>();
    const Mat<T> c = random_matrix(6, 3, 5).template cast<T>();
    const Vec<T> g0 =
        Eigen::Map<const Eigen::VectorXd>(random_matrix(net.num_parameters(), 1, 6, 10.0).data(),
                                          net.num_parameters())
            .template cast<T>();
    auto ws = net.make_workspace(6);
    net.forward(p, x, ws);
    Vec<T> fresh(net.num_parameters());
    Mat<T> dx_over(6, 5), dx_acc = Mat<T>::Constant(6, 5, T(123));
    net.backward(p, c, ws, fresh, ac::Mlp<T>::GradMode::kOverwrite, dx_over);
    Vec<T> acc = g0;
    net.backward(p, c, ws, acc, ac::Mlp<T>::GradMode::kAccumulate, dx_acc);
    const Vec<T> expected = g0 + fresh;
    for (Eigen::Index k = 0; k < acc.size(); ++k)
      ASSERT_EQ(acc(k), expected(k)) << net.spec().describe() << " entry " << k;
    EXPECT_TRUE(dx_acc == dx_over);
    // Overwrite really overwrites: a dirty buffer gives the same bits as a fresh one.
    Vec<T> dirty = g0;
    net.backward(p, c, ws, dirty, ac::Mlp<T>::GradMode::kOverwrite);
    EXPECT_TRUE(dirty == fresh);
  }
}
TEST(MlpGradient, AccumulateAddsExactlyDouble) { accumulate_is_exact<double>(); }
TEST(MlpGradient, AccumulateAddsExactlyFloat) { accumulate_is_exact<float>(); }

// ---- determinism across batch shards ----

// Sums over the batch run in sample order: a batch's gradient equals, bit for bit, the gradient
// of its first sample (kOverwrite) plus each later sample's added in order (kAccumulate). That is
// what the header's advice relies on — split a batch into shards, one workspace and gradient
// buffer each, summed in a fixed order — for results that do not depend on the thread count.
// Widths 5, 8 and 13 put samples both in the SIMD body and in the scalar tail of the activation
// loops over the batch buffer.
template <typename T>
std::string sharded_sum_mismatch(ac::Activation act, int width) {
  const ac::Mlp<T> net(make_spec({4, width, 3}, act, ac::Activation::kIdentity));
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    const Vec<T> p = random_params(ac::Mlp<double>(net.spec()), seed).template cast<T>();
    const Mat<T> x = random_matrix(5, 4, seed + 100).template cast<T>();
    const Mat<T> c = random_matrix(5, 3, seed + 200).template cast<T>();
    auto ws = net.make_workspace(5);
    const Mat<T> y = net.forward(p, x, ws);
    Vec<T> batch(net.num_parameters());
    net.backward(p, c, ws, batch, ac::Mlp<T>::GradMode::kOverwrite);
    Vec<T> summed(net.num_parameters());
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      if (net.forward(p, x.middleRows(i, 1), ws) != y.middleRows(i, 1))
        return net.spec().describe() + ": seed " + std::to_string(seed) + ", sample " +
               std::to_string(i) + " alone gives other output bits than inside the batch";
      net.backward(p, c.middleRows(i, 1), ws, summed,
                   i == 0 ? ac::Mlp<T>::GradMode::kOverwrite : ac::Mlp<T>::GradMode::kAccumulate);
    }
    if (summed != batch)
      return net.spec().describe() + ": seed " + std::to_string(seed) +
             ", per-sample gradients summed in order differ from the batch gradient";
  }
  return "";
}

// silu and softplus go through Eigen's vectorised exp / log1p; Mlp applies them in fixed
// zero-padded blocks so that a sample's bits do not depend on its place in the batch.
TEST(MlpDeterminism, ShardedBatchSumIsBitIdenticalForEveryActivation) {
  for (ac::Activation act : kActivations) {
    for (int width : {5, 8, 13}) {
      EXPECT_EQ(sharded_sum_mismatch<double>(act, width), "");
      EXPECT_EQ(sharded_sum_mismatch<float>(act, width), "");
    }
  }
}

// ---- (c) layout and forward ----

// Offsets follow the header's layout (W_l row-major, then b_l, layer after layer), the views
// alias the right entries of the buffer, and num_parameters = Σ n_{l+1}(n_l + 1).
TEST(MlpLayout, OffsetsAndViewsFollowTheHeader) {
  const ac::Mlp<double> net(
      make_spec({3, 5, 4, 2}, ac::Activation::kTanh, ac::Activation::kIdentity));
  EXPECT_EQ(net.num_layers(), 3);
  EXPECT_EQ(net.input_size(), 3);
  EXPECT_EQ(net.output_size(), 2);
  EXPECT_EQ(net.num_parameters(), 5 * (3 + 1) + 4 * (5 + 1) + 2 * (4 + 1));
  const Eigen::Index weight[] = {0, 20, 44}, bias[] = {15, 40, 52};
  for (int l = 0; l < 3; ++l) {
    EXPECT_EQ(net.weight_offset(l), weight[l]) << l;
    EXPECT_EQ(net.bias_offset(l), bias[l]) << l;
    EXPECT_EQ(net.layer(l).in, net.spec().layer_sizes[static_cast<std::size_t>(l)]);
    EXPECT_EQ(net.layer(l).out, net.spec().layer_sizes[static_cast<std::size_t>(l) + 1]);
    EXPECT_EQ(net.layer(l).weight_size(), net.layer(l).in * net.layer(l).out);
  }
  EXPECT_EQ(net.layers().size(), 3u);
  EXPECT_EQ(net.spec().describe(), "mlp(3-5-4-2, hidden=tanh, output=identity)");

  // Write a distinct value through every view; each lands at its documented index, and every
  // index is written exactly once.
  Vec<double> p = Vec<double>::Constant(net.num_parameters(), -1);
  for (int l = 0; l < 3; ++l) {
    auto w = net.mutable_weights(p, l);
    auto b = net.mutable_biases(p, l);
    ASSERT_EQ(w.rows(), net.layer(l).out);
    ASSERT_EQ(w.cols(), net.layer(l).in);
    ASSERT_EQ(b.size(), net.layer(l).out);
    for (Eigen::Index j = 0; j < w.rows(); ++j) {
      for (Eigen::Index k = 0; k < w.cols(); ++k) w(j, k) = 1000 * l + 10 * j + k;
      b(j) = 1000 * l + 500 + j;
    }
  }
  for (int l = 0; l < 3; ++l) {
    const Eigen::Index in = net.layer(l).in;
    for (Eigen::Index j = 0; j < net.layer(l).out; ++j) {
      for (Eigen::Index k = 0; k < in; ++k)
        EXPECT_EQ(p(net.weight_offset(l) + j * in + k), 1000 * l + 10 * j + k);
      EXPECT_EQ(p(net.bias_offset(l) + j), 1000 * l + 500 + j);
      EXPECT_EQ(net.weights(p, l)(j, 0), p(net.weight_offset(l) + j * in));
      EXPECT_EQ(net.biases(p, l)(j), p(net.bias_offset(l) + j));
    }
  }
  EXPECT_EQ((p.array() == -1).count(), 0);
}

// forward of one sample equals σ(W a + b) layer by layer, computed by hand with plain loops over
// the mutable_weights / mutable_biases views; the workspace exposes A_l and Z_l of that pass.
TEST(MlpForward, MatchesAHandComputedPass) {
  for (ac::Activation act : kActivations) {
    for (ac::Activation out_act : kActivations) {
      ac::Mlp<double> net(make_spec({4, 6, 5, 3}, act, out_act));
      SCOPED_TRACE(net.spec().describe());
      Vec<double> p(net.num_parameters());
      std::mt19937_64 rng(42);
      for (int l = 0; l < net.num_layers(); ++l) {
        auto w = net.mutable_weights(p, l);
        auto b = net.mutable_biases(p, l);
        for (Eigen::Index j = 0; j < w.rows(); ++j) {
          for (Eigen::Index k = 0; k < w.cols(); ++k) w(j, k) = 2 * uniform01(rng) - 1;
          b(j) = 2 * uniform01(rng) - 1;
        }
      }
      Mat<double> x(1, 4);
      x << 0.3, -1.2, 0.7, 2.0;
      std::vector<double> a(x.data(), x.data() + 4);
      for (int l = 0; l < net.num_layers(); ++l) {
        const auto w = net.weights(p, l);
        const auto b = net.biases(p, l);
        std::vector<double> next(static_cast<std::size_t>(w.rows()));
        for (Eigen::Index j = 0; j < w.rows(); ++j) {
          double z = b(j);
          for (Eigen::Index k = 0; k < w.cols(); ++k) z += w(j, k) * a[static_cast<std::size_t>(k)];
          next[static_cast<std::size_t>(j)] =
              activate(l + 1 == net.num_layers() ? out_act : act, z);
        }
        a = next;
      }
      auto ws = net.make_workspace(1);
      EXPECT_EQ(ws.batch(), -1);
      EXPECT_EQ(ws.capacity(), 1);
      const Mat<double> y = net.forward(p, x, ws);
      ASSERT_EQ(y.rows(), 1);
      ASSERT_EQ(y.cols(), 3);
      for (Eigen::Index j = 0; j < 3; ++j)
        EXPECT_NEAR(y(0, j), a[static_cast<std::size_t>(j)], 1e-14 * (1 + std::abs(y(0, j))));
      EXPECT_EQ(ws.batch(), 1);
      EXPECT_TRUE(ws.activation(0) == x);
      EXPECT_TRUE(ws.activation(net.num_layers()) == y);
      for (int l = 0; l < net.num_layers(); ++l) {
        const Mat<double> z = ws.preactivation(l);
        const Mat<double> next = ws.activation(l + 1);
        for (Eigen::Index j = 0; j < z.cols(); ++j)
          EXPECT_NEAR(next(0, j), activate(l + 1 == net.num_layers() ? out_act : act, z(0, j)),
                      1e-15 * (1 + std::abs(z(0, j))));
      }
      // The copying overload and evaluate() give the same bits.
      Mat<double> out(1, 3);
      net.forward(p, x, ws, out);
      EXPECT_TRUE(out == y);
      EXPECT_TRUE(net.evaluate(p, x) == y);
    }
  }
}

// Each sample's output is independent of the rest of the batch and of the workspace's capacity:
// a batch, each sample alone, and a short batch in a larger (previously used) workspace agree.
TEST(MlpForward, SamplesAreIndependentOfTheBatch) {
  for (ac::Activation act : kActivations) {
    const ac::Mlp<double> net(make_spec({3, 16, 2}, act, act));
    SCOPED_TRACE(net.spec().describe());
    const Vec<double> p = random_params(net, 11);
    const Mat<double> x = random_matrix(7, 3, 12, 2.0);
    auto ws = net.make_workspace(16);
    const Mat<double> y = net.forward(p, x, ws);
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      const Mat<double> yi = net.forward(p, x.middleRows(i, 1), ws);
      for (Eigen::Index j = 0; j < y.cols(); ++j)
        EXPECT_NEAR(yi(0, j), y(i, j),
                    4 * std::numeric_limits<double>::epsilon() * std::max(1.0, std::abs(y(i, j))))
            << "sample " << i;
    }
    const Mat<double> y2 = net.forward(p, x.topRows(2), ws);
    EXPECT_TRUE(y2.isApprox(y.topRows(2), 1e-15));
  }
}

// ---- (d) initialisation ----

// init_parameters draws exactly the documented stream: one mt19937_64(seed), u = (r >> 11)·2⁻⁵³,
// value −a + 2a·u, layer by layer, weights row-major then biases (none drawn for zero biases).
// So it is deterministic, differs across seeds, and respects each init's bounds.
template <typename T>
void init_follows_the_documented_stream() {
  const ac::Mlp<T> net(make_spec({7, 30, 20, 4}, ac::Activation::kTanh, ac::Activation::kIdentity));
  for (ac::MlpInit init : kInits) {
    SCOPED_TRACE(ac::to_string(init));
    Vec<T> p(net.num_parameters()), again(net.num_parameters()), other(net.num_parameters());
    net.init_parameters(p, 2024, init);
    net.init_parameters(again, 2024, init);
    net.init_parameters(other, 2025, init);
    EXPECT_TRUE(p == again);
    Vec<T> expected(net.num_parameters());
    std::mt19937_64 rng(2024);
    for (int l = 0; l < net.num_layers(); ++l) {
      const double in = net.layer(l).in, out = net.layer(l).out;
      double wb = 0, bb = 0;
      switch (init) {
        case ac::MlpInit::kPyTorch:
          wb = bb = 1 / std::sqrt(in);
          break;
        case ac::MlpInit::kXavierUniform:
          wb = std::sqrt(6 / (in + out));
          break;
        case ac::MlpInit::kHeUniform:
          wb = std::sqrt(6 / in);
          break;
      }
      const auto w = net.weights(p, l);
      const auto b = net.biases(p, l);
      EXPECT_LE(w.cwiseAbs().maxCoeff(), static_cast<T>(wb)) << "layer " << l;
      EXPECT_GE(w.cwiseAbs().maxCoeff(), static_cast<T>(0.8 * wb)) << "layer " << l;  // fills it
      if (bb == 0) {
        EXPECT_TRUE(b.isZero(0)) << "layer " << l;
      } else {
        EXPECT_LE(b.cwiseAbs().maxCoeff(), static_cast<T>(bb)) << "layer " << l;
      }
      for (Eigen::Index k = 0; k < net.layer(l).weight_size(); ++k)
        expected(net.weight_offset(l) + k) = static_cast<T>(-wb + 2 * wb * uniform01(rng));
      for (Eigen::Index k = 0; k < net.layer(l).out; ++k)
        expected(net.bias_offset(l) + k) =
            bb > 0 ? static_cast<T>(-bb + 2 * bb * uniform01(rng)) : T(0);
      // Different seeds give different weights in every layer.
      EXPECT_GT((net.weights(other, l).array() != w.array()).count(), w.size() / 2);
    }
    EXPECT_TRUE(p == expected);
  }
  // The three inits differ from one another at the same seed.
  Vec<T> a(net.num_parameters()), b(net.num_parameters()), c(net.num_parameters());
  net.init_parameters(a, 1, ac::MlpInit::kPyTorch);
  net.init_parameters(b, 1, ac::MlpInit::kXavierUniform);
  net.init_parameters(c, 1, ac::MlpInit::kHeUniform);
  EXPECT_FALSE(a == b);
  EXPECT_FALSE(b == c);
}
TEST(MlpInit, FollowsTheDocumentedStreamDouble) { init_follows_the_documented_stream<double>(); }
TEST(MlpInit, FollowsTheDocumentedStreamFloat) { init_follows_the_documented_stream<float>(); }

// The default init is PyTorch's, and float parameters are the double draws rounded.
TEST(MlpInit, DefaultIsPyTorchAndFloatIsRoundedDouble) {
  const auto spec = make_spec({5, 8, 2}, ac::Activation::kSiLU, ac::Activation::kIdentity);
  const ac::Mlp<double> d(spec);
  const ac::Mlp<float> f(spec);
  Vec<double> pd(d.num_parameters()), pt(d.num_parameters());
  Vec<float> pf(f.num_parameters());
  d.init_parameters(pd, 9);
  d.init_parameters(pt, 9, ac::MlpInit::kPyTorch);
  f.init_parameters(pf, 9);
  EXPECT_TRUE(pd == pt);
  EXPECT_TRUE(pf == pd.cast<float>());
}

// ---- (e) no allocation ----

// forward (both overloads), backward (both modes, with and without d_input) and input_gradient
// allocate nothing once a workspace exists, for every activation, both precisions, a full and a
// partial batch. The first check proves the probe itself works in this build: evaluate() makes a
// workspace, so it must be caught.
template <typename T>
void hot_paths_allocate_nothing() {
  if (!adamant::testing::can_count_allocations())
    GTEST_SKIP() << "this build cannot count allocations";
  for (ac::Activation act : kActivations) {
    const ac::Mlp<T> net(make_spec({16, 64, 48, 8}, act, ac::Activation::kTanh));
    SCOPED_TRACE(net.spec().describe());
    const Vec<T> p = random_params(ac::Mlp<double>(net.spec()), 5).template cast<T>();
    const Mat<T> x = random_matrix(32, 16, 6).template cast<T>();
    const Mat<T> c = random_matrix(32, 8, 7).template cast<T>();
    Vec<T> grad(net.num_parameters());
    Mat<T> dx(32, 16), out(32, 8);
    auto ws = net.make_workspace(32);

    const long control = adamant::testing::allocations_during([&] { (void)net.evaluate(p, x); });
    EXPECT_GT(control, 0) << "the allocation counter is not live in this build";

    const long a = adamant::testing::allocations_during([&] {
      for (Eigen::Index batch : {Eigen::Index{32}, Eigen::Index{7}}) {
        const auto xb = x.topRows(batch);
        const auto cb = c.topRows(batch);
        auto dxb = dx.topRows(batch);
        auto outb = out.topRows(batch);
        net.forward(p, xb, ws);
        net.backward(p, cb, ws, grad, ac::Mlp<T>::GradMode::kOverwrite);
        net.backward(p, cb, ws, grad, ac::Mlp<T>::GradMode::kAccumulate);
        net.backward(p, cb, ws, grad, ac::Mlp<T>::GradMode::kAccumulate, dxb);
        net.input_gradient(p, cb, ws, dxb);
        net.forward(p, xb, ws, outb);
      }
    });
    EXPECT_EQ(a, 0);
    EXPECT_TRUE(grad.allFinite());
  }
}
TEST(MlpAlloc, ForwardAndBackwardAllocateNothingDouble) { hot_paths_allocate_nothing<double>(); }
TEST(MlpAlloc, ForwardAndBackwardAllocateNothingFloat) { hot_paths_allocate_nothing<float>(); }

// ---- (f) errors ----

// Invalid specs name every problem; the constructor refuses them.
TEST(MlpErrors, InvalidSpecsNameTheProblem) {
  EXPECT_TRUE(contains(make_spec({}, ac::Activation::kTanh, ac::Activation::kIdentity).validate(),
                       "layer_sizes needs at least 2 entries (input and output), got 0"));
  const std::string one = error_of([] { ac::Mlp<double>(make_spec({3}, {}, {})); });
  EXPECT_TRUE(contains(one, "Mlp: invalid spec")) << one;
  EXPECT_TRUE(contains(one, "at least 2 entries (input and output), got 1")) << one;
  const std::string zero = error_of([] { ac::Mlp<float>(make_spec({3, 0, 2}, {}, {})); });
  EXPECT_TRUE(contains(zero, "layer_sizes[1] must be >= 1, got 0")) << zero;
  const std::string two = error_of([] { ac::Mlp<double>(make_spec({-1, 4, 0}, {}, {})); });
  EXPECT_TRUE(contains(two, "layer_sizes[0] must be >= 1, got -1")) << two;
  EXPECT_TRUE(contains(two, "; layer_sizes[2] must be >= 1, got 0")) << two;
  const std::string act = error_of([] {
    ac::Mlp<double>(make_spec({2, 2}, static_cast<ac::Activation>(77), ac::Activation::kTanh));
  });
  EXPECT_TRUE(contains(act, "hidden activation is not a known Activation value (77)")) << act;
  const std::string huge = error_of([] {
    ac::Mlp<double>(make_spec({1 << 30, 1 << 30, 1 << 30}, {}, {}));
  });
  EXPECT_TRUE(contains(huge, "too many parameters")) << huge;
  EXPECT_EQ(make_spec({2, 3}, ac::Activation::kReLU, ac::Activation::kSoftplus).validate(), "");
}

// Wrong sizes at every entry point throw std::invalid_argument naming the call, the quantity,
// what it got, what it expected and the network.
TEST(MlpErrors, WrongSizesNameTheProblem) {
  const ac::Mlp<double> net(make_spec({3, 4, 2}, ac::Activation::kTanh, ac::Activation::kIdentity));
  const std::string spec = "mlp(3-4-2, hidden=tanh, output=identity)";
  const Vec<double> p = random_params(net, 1);
  auto ws = net.make_workspace(4);
  Vec<double> grad(net.num_parameters());
  auto check = [&](const std::function<void()>& f, const std::string& part) {
    const std::string e = error_of(f);
    EXPECT_TRUE(contains(e, part)) << e;
    EXPECT_TRUE(contains(e, spec)) << e;
  };
  // Before any forward pass.
  check([&] { net.backward(p, Mat<double>::Zero(2, 2), ws, grad, GradMode::kOverwrite); },
        "Mlp::backward: call forward() before backward()");
  check([&] { net.forward(p, Mat<double>::Zero(2, 2), ws); },
        "Mlp::forward: input columns is 2, expected 3");
  check([&] { net.forward(p, Mat<double>::Zero(2, 5), ws); }, "input columns is 5, expected 3");
  check([&] { net.forward(p, Mat<double>::Zero(5, 3), ws); },
        "batch size (must be <= workspace capacity) is 5, expected 4");
  check([&] { net.forward(Vec<double>::Zero(5), Mat<double>::Zero(2, 3), ws); },
        "Mlp::forward: parameter buffer size is 5, expected 26");
  Mat<double> out(2, 3);
  check([&] { net.forward(p, Mat<double>::Zero(2, 3), ws, out); },
        "output columns is 3, expected 2");
  Mat<double> out_rows(1, 2);
  check([&] { net.forward(p, Mat<double>::Zero(2, 3), ws, out_rows); },
        "output rows is 1, expected 2");
  auto other = ac::Mlp<double>(make_spec({3, 5, 2}, {}, {})).make_workspace(4);
  check([&] { net.forward(p, Mat<double>::Zero(2, 3), other); },
        "Mlp::forward: workspace was made for a different network");
  ac::Mlp<double>::Workspace empty;
  check([&] { net.forward(p, Mat<double>::Zero(2, 3), empty); },
        "workspace was made for a different");
  check([&] { net.make_workspace(-1); }, "Mlp::make_workspace: max_batch is -1");
  Vec<double> short_p = Vec<double>::Zero(3);
  check([&] { net.init_parameters(short_p, 1); },
        "Mlp::init_parameters: parameter buffer size is 3, expected 26");
  check([&] { net.mutable_weights(short_p, 0); }, "Mlp::mutable_weights: parameter buffer size");

  // After a forward pass of 2 samples.
  net.forward(p, Mat<double>::Zero(2, 3), ws);
  check([&] { net.backward(p, Mat<double>::Zero(3, 2), ws, grad, GradMode::kOverwrite); },
        "d_output rows (the forward batch) is 3, expected 2");
  check([&] { net.backward(p, Mat<double>::Zero(2, 1), ws, grad, GradMode::kOverwrite); },
        "d_output columns is 1, expected 2");
  Vec<double> short_grad(25);
  check([&] { net.backward(p, Mat<double>::Zero(2, 2), ws, short_grad, GradMode::kOverwrite); },
        "gradient buffer size is 25, expected 26");
  Mat<double> dx_cols(2, 4), dx_rows(1, 3);
  check([&] { net.backward(p, Mat<double>::Zero(2, 2), ws, grad, GradMode::kOverwrite, dx_cols); },
        "d_input columns is 4, expected 3");
  check([&] { net.backward(p, Mat<double>::Zero(2, 2), ws, grad, GradMode::kOverwrite, dx_rows); },
        "d_input rows is 1, expected 2");
  check([&] { net.input_gradient(p, Mat<double>::Zero(2, 2), ws, dx_cols); },
        "Mlp::input_gradient: d_input columns is 4, expected 3");
  check([&] { net.input_gradient(p, Mat<double>::Zero(2, 1), ws, dx_rows); },
        "Mlp::input_gradient: d_output columns is 1, expected 2");
}

// parse_activation / parse_mlp_init invert to_string and reject anything else (case included),
// listing the valid names.
TEST(MlpErrors, NamesRoundTripAndUnknownNamesAreRejected) {
  for (ac::Activation a : kActivations) EXPECT_EQ(ac::parse_activation(ac::to_string(a)), a);
  for (ac::MlpInit i : kInits) EXPECT_EQ(ac::parse_mlp_init(ac::to_string(i)), i);
  EXPECT_STREQ(ac::to_string(ac::Activation::kSoftplus), "softplus");
  EXPECT_STREQ(ac::to_string(ac::MlpInit::kXavierUniform), "xavier_uniform");
  EXPECT_STREQ(ac::to_string(static_cast<ac::Activation>(99)), "unknown");
  for (const char* bad : {"gelu", "Tanh", "", "relu "}) {
    const std::string e = error_of([&] { ac::parse_activation(bad); });
    EXPECT_TRUE(contains(e, std::string("unknown activation \"") + bad + "\"")) << e;
    EXPECT_TRUE(contains(e, "identity tanh relu silu softplus")) << e;
  }
  const std::string e = error_of([] { ac::parse_mlp_init("kaiming"); });
  EXPECT_TRUE(contains(e, "unknown MLP initialisation \"kaiming\"")) << e;
  EXPECT_TRUE(contains(e, "pytorch xavier_uniform he_uniform")) << e;
}

// ---- (g) float against double ----

// The float instantiation computes the same network as the double one to float accuracy: outputs,
// parameter gradients and input gradients agree to a few float ulps of their scale.
TEST(MlpPrecision, FloatAgreesWithDouble) {
  for (ac::Activation act : kActivations) {
    const auto spec = make_spec({5, 16, 16, 3}, act, ac::Activation::kTanh);
    SCOPED_TRACE(spec.describe());
    const ac::Mlp<double> d(spec);
    const ac::Mlp<float> f(spec);
    const Vec<double> pd = random_params(d, 21);
    const Mat<double> xd = random_matrix(8, 5, 22);
    const Mat<double> cd = random_matrix(8, 3, 23);
    // Compare on the same (float-representable) inputs.
    const Vec<float> pf = pd.cast<float>();
    const Mat<float> xf = xd.cast<float>(), cf = cd.cast<float>();
    const Vec<double> pr = pf.cast<double>();
    const Mat<double> xr = xf.cast<double>(), cr = cf.cast<double>();
    auto wsd = d.make_workspace(8);
    auto wsf = f.make_workspace(8);
    const Mat<double> yd = d.forward(pr, xr, wsd);
    const Mat<float> yf = f.forward(pf, xf, wsf);
    Vec<double> gd(d.num_parameters());
    Vec<float> gf(f.num_parameters());
    Mat<double> dxd(8, 5);
    Mat<float> dxf(8, 5);
    d.backward(pr, cr, wsd, gd, ac::Mlp<double>::GradMode::kOverwrite, dxd);
    f.backward(pf, cf, wsf, gf, ac::Mlp<float>::GradMode::kOverwrite, dxf);
    const double tol = 2e-6;  // ≈ 17 float ulps of the scale; measured gaps are ≤ 3e-7
    EXPECT_LT((yf.cast<double>() - yd).cwiseAbs().maxCoeff(), tol * yd.cwiseAbs().maxCoeff());
    EXPECT_LT((gf.cast<double>() - gd).cwiseAbs().maxCoeff(), tol * gd.cwiseAbs().maxCoeff());
    EXPECT_LT((dxf.cast<double>() - dxd).cwiseAbs().maxCoeff(), tol * dxd.cwiseAbs().maxCoeff());
  }
}

}  // namespace
