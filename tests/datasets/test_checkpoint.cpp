// Checkpoints (schema.hpp): a real training run — an MLP fitting a small regression with the
// core optimizer, minibatches drawn from a std::mt19937_64 — stopped after N steps, written,
// read back into fresh objects and continued for N more steps ends bit-identical to the same
// run done in one go (parameters, optimizer state, generator), for float and double and for
// rules with and without per-run scalars, schedules and clipping. Plus the round trip of every
// checkpoint field, the generator-state convention, and what validation refuses.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "adamant/core/mlp.hpp"
#include "adamant/core/optimizer.hpp"
#include "adamant/datasets/h5.hpp"
#include "adamant/datasets/schema.hpp"
#include "datasets_test_util.hpp"

namespace ad = adamant::datasets;
namespace ac = adamant::core;

namespace {

constexpr int kSamples = 256;
constexpr int kBatch = 32;
constexpr int kHalf = 150;  // steps before and after the checkpoint

/// y = sin(2 x0) + x1 x2 − 0.5 x2², x uniform in [−1, 1]³, drawn from a fixed stream.
template <typename T>
struct Regression {
  typename ac::Mlp<T>::MatrixX x, y;
  Regression() : x(kSamples, 3), y(kSamples, 1) {
    std::mt19937_64 gen(99);
    auto u = [&] { return -1.0 + 2.0 * static_cast<double>(gen() >> 11) * 0x1.0p-53; };
    for (int i = 0; i < kSamples; ++i) {
      const double a = u(), b = u(), c = u();
      x(i, 0) = static_cast<T>(a);
      x(i, 1) = static_cast<T>(b);
      x(i, 2) = static_cast<T>(c);
      y(i, 0) = static_cast<T>(std::sin(2 * a) + b * c - 0.5 * c * c);
    }
  }
};

/// The optimizer recipes exercised: schedules, clipping, AMSGrad's extra slot, NAdam's scalar.
template <typename T>
ac::Optimizer<T> make_optimizer(const std::string& recipe, std::size_t n) {
  if (recipe == "adam_warmup_cosine_clip") {
    ac::AdamOptions a;
    a.lr = 1e-2;
    ac::OptimizerOptions o;
    o.schedule = ac::Schedule::warmup_cosine(1e-2, 20, 2 * kHalf);
    o.clip_grad_norm = 1.0;
    return ac::Optimizer<T>(a, n, o);
  }
  if (recipe == "adamw_amsgrad") {
    ac::AdamOptions a = ac::AdamOptions::adamw();
    a.lr = 5e-3;
    a.amsgrad = true;
    return ac::Optimizer<T>(a, n);
  }
  if (recipe == "nadam") {
    ac::NadamOptions a;
    a.lr = 5e-3;
    return ac::Optimizer<T>(a, n);
  }
  if (recipe == "optimistic_adam") {
    ac::OptimisticAdamOptions a;
    a.lr = 3e-3;
    return ac::Optimizer<T>(a, n);
  }
  throw std::invalid_argument("unknown recipe " + recipe);
}

const char* const kRecipes[] = {"adam_warmup_cosine_clip", "adamw_amsgrad", "nadam",
                                "optimistic_adam"};

ac::MlpSpec regression_spec() {
  ac::MlpSpec s;
  s.layer_sizes = {3, 16, 16, 1};
  s.hidden = ac::Activation::kTanh;
  return s;
}

template <typename T>
struct Trainer {
  using Vec = typename ac::Mlp<T>::VectorX;
  using Mat = typename ac::Mlp<T>::MatrixX;

  Trainer(const ac::MlpSpec& spec, const std::string& recipe, const Regression<T>& d,
          std::uint64_t seed)
      : mlp(spec),
        params(mlp.num_parameters()),
        grad(mlp.num_parameters()),
        opt(make_optimizer<T>(recipe, static_cast<std::size_t>(mlp.num_parameters()))),
        rng(seed),
        data(d),
        ws(mlp.make_workspace(kBatch)),
        xb(kBatch, 3),
        yb(kBatch, 1),
        dout(kBatch, 1) {
    mlp.init_parameters(params, 7);
  }

  /// Minibatch steps of mean-squared error; the sample indices come from rng.
  void train(int steps) {
    for (int s = 0; s < steps; ++s) {
      for (int i = 0; i < kBatch; ++i) {
        const auto k = static_cast<Eigen::Index>(rng() % kSamples);
        xb.row(i) = data.x.row(k);
        yb.row(i) = data.y.row(k);
      }
      dout = (mlp.forward(params, xb, ws) - yb) * static_cast<T>(2.0 / kBatch);
      mlp.backward(params, dout, ws, grad, ac::Mlp<T>::GradMode::kOverwrite);
      opt.step(params, grad);
      ++step;
    }
  }

  double loss() const {
    const Mat out = mlp.evaluate(params, data.x);
    return static_cast<double>((out - data.y).squaredNorm()) / kSamples;
  }

  ac::Mlp<T> mlp;
  Vec params, grad;
  ac::Optimizer<T> opt;
  std::mt19937_64 rng;
  std::int64_t step = 0;
  const Regression<T>& data;
  typename ac::Mlp<T>::Workspace ws;
  Mat xb, yb, dout;
};

template <typename T>
ad::Checkpoint<T> checkpoint_of(const Trainer<T>& t, const std::string& recipe) {
  ad::Checkpoint<T> c;
  c.model.kind = "mlp";
  c.model.attributes = ad::mlp_attributes(t.mlp.spec());
  c.model.params = t.params.template cast<double>();
  c.rule = t.opt.rule().name();
  c.optimizer = t.opt.state();
  c.step = t.step;
  c.rng_state = ad::rng_state_words(t.rng);
  c.config["recipe"].s = recipe;
  c.config["batch"].kind = ad::AttrValue::Kind::kInt;
  c.config["batch"].i = kBatch;
  return c;
}

template <typename T>
class CheckpointTest : public ad::testing::TempDirTest {};
using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(CheckpointTest, Precisions);

TYPED_TEST(CheckpointTest, ResumeIsBitIdentical) {
  using T = TypeParam;
  const Regression<T> data;
  for (const std::string recipe : kRecipes) {
    SCOPED_TRACE(recipe);
    // One run of 2N steps.
    Trainer<T> whole(regression_spec(), recipe, data, 2024);
    const double initial_loss = whole.loss();
    whole.train(2 * kHalf);
    EXPECT_LT(whole.loss(), 0.5 * initial_loss) << "the model did not learn";

    // N steps, a checkpoint, then N more steps in fresh objects built from the file alone.
    const std::string file = this->path(recipe + ".h5");
    {
      Trainer<T> first(regression_spec(), recipe, data, 2024);
      first.train(kHalf);
      ad::write_checkpoint(file, checkpoint_of(first, recipe));
    }
    const ad::Checkpoint<T> c = ad::read_checkpoint<T>(file);
    Trainer<T> resumed(ad::mlp_spec_from(c.model, file), c.config.at("recipe").s, data, 1);
    resumed.params = c.model.params.template cast<T>();
    resumed.opt.set_state(c.optimizer);
    ad::restore_rng_state(resumed.rng, c.rng_state);
    resumed.step = c.step;
    EXPECT_EQ(resumed.step, kHalf);
    resumed.train(kHalf);

    ASSERT_EQ(resumed.params.size(), whole.params.size());
    for (Eigen::Index i = 0; i < whole.params.size(); ++i)
      EXPECT_EQ(resumed.params[i], whole.params[i]) << "parameter " << i;
    const ac::State<T>&a = whole.opt.state(), &b = resumed.opt.state();
    EXPECT_EQ(b.step, a.step);
    EXPECT_EQ(b.skipped_steps, a.skipped_steps);
    ASSERT_EQ(b.slot_names, a.slot_names);
    for (std::size_t k = 0; k < a.slots.size(); ++k) {
      ASSERT_EQ(b.slots[k].size(), a.slots[k].size());
      for (std::size_t i = 0; i < a.slots[k].size(); ++i)
        EXPECT_EQ(b.slots[k][i], a.slots[k][i]) << a.slot_names[k] << "[" << i << "]";
    }
    ASSERT_EQ(b.scalar_names, a.scalar_names);
    for (std::size_t k = 0; k < a.scalars.size(); ++k) EXPECT_EQ(b.scalars[k], a.scalars[k]);
    EXPECT_TRUE(a == b);
    EXPECT_EQ(resumed.rng(), whole.rng());

    // The comparison can fail: resuming with a fresh generator, or fresh moments, diverges.
    Trainer<T> wrong_rng(regression_spec(), recipe, data, 1);
    wrong_rng.params = c.model.params.template cast<T>();
    wrong_rng.opt.set_state(c.optimizer);
    wrong_rng.train(kHalf);
    EXPECT_NE(wrong_rng.params, whole.params);
    Trainer<T> wrong_state(regression_spec(), recipe, data, 1);
    wrong_state.params = c.model.params.template cast<T>();
    ad::restore_rng_state(wrong_state.rng, c.rng_state);
    wrong_state.train(kHalf);
    EXPECT_NE(wrong_state.params, whole.params);
  }
}

TYPED_TEST(CheckpointTest, EveryFieldRoundTrips) {
  using T = TypeParam;
  const Regression<T> data;
  Trainer<T> t(regression_spec(), "nadam", data, 5);
  t.train(3);
  ad::Checkpoint<T> c = checkpoint_of(t, "nadam");
  c.optimizer.skipped_steps = 2;
  c.step = 1234;
  c.config["lr"].kind = ad::AttrValue::Kind::kFloat;
  c.config["lr"].f = 5e-3;
  c.model.attributes["trained_on"].s = "regression";
  ASSERT_EQ(c.validate(), "");
  ASSERT_FALSE(c.optimizer.scalar_names.empty());  // NAdam's mu_product
  const std::string f = this->path("c.h5");
  ad::write_checkpoint(f, c);
  const ad::Checkpoint<T> q = ad::read_checkpoint<T>(f);
  EXPECT_EQ(q.model.kind, c.model.kind);
  EXPECT_EQ(q.model.params, c.model.params);
  ASSERT_EQ(q.model.attributes.size(), c.model.attributes.size());
  for (const auto& [k, v] : c.model.attributes) EXPECT_EQ(q.model.attributes.at(k).s, v.s);
  EXPECT_EQ(q.rule, "nadam");
  EXPECT_TRUE(q.optimizer == c.optimizer);
  EXPECT_EQ(q.step, 1234);
  EXPECT_EQ(q.rng_state, c.rng_state);
  ASSERT_EQ(q.config.size(), 3u);
  EXPECT_EQ(q.config.at("recipe").s, "nadam");
  EXPECT_EQ(q.config.at("batch").i, kBatch);
  EXPECT_EQ(q.config.at("lr").f, 5e-3);

  ad::Reader r(f);
  const char* dtype = std::is_same_v<T, float> ? "float32" : "float64";
  EXPECT_EQ(r.dtype("model/params"), dtype);
  EXPECT_EQ(r.dtype("optimizer/slots/exp_avg"), dtype);
  EXPECT_EQ(r.dtype("optimizer/scalars/mu_product"), "float64");
  EXPECT_EQ(r.attr_string("optimizer/slots", "names"), "exp_avg,exp_avg_sq");
  // The model part of a checkpoint reads as a model.
  EXPECT_EQ(ad::read_model(f).params, c.model.params);
  EXPECT_TRUE(ad::describe(f).find(std::string("checkpoint: mlp with 353 parameters (") + dtype +
                                   "), optimizer nadam at step 3 (2 skipped)") != std::string::npos)
      << ad::describe(f);
}

TYPED_TEST(CheckpointTest, ValidationRefusesInconsistentCheckpoints) {
  using T = TypeParam;
  const Regression<T> data;
  Trainer<T> t(regression_spec(), "adamw_amsgrad", data, 5);
  t.train(2);
  const ad::Checkpoint<T> good = checkpoint_of(t, "adamw_amsgrad");
  ASSERT_EQ(good.validate(), "");
  auto problem = [&](auto&& edit) {
    ad::Checkpoint<T> c = good;
    edit(c);
    return c.validate();
  };
  using ad::testing::contains;
  EXPECT_TRUE(contains(problem([](auto& c) { c.optimizer.slots[1].pop_back(); }),
                       "/optimizer/slots/exp_avg_sq: has 352 entries, expected 353 (one per "
                       "parameter"));
  EXPECT_TRUE(contains(problem([](auto& c) { c.optimizer.slots[0][5] = NAN; }),
                       "/optimizer/slots/exp_avg: non-finite value nan at index 5"));
  EXPECT_TRUE(
      contains(problem([](auto& c) { c.optimizer.slot_names[1] = "exp_avg"; }), "duplicate slot"));
  EXPECT_TRUE(
      contains(problem([](auto& c) { c.optimizer.slot_names.pop_back(); }), "2 names for 3 slots"));
  EXPECT_TRUE(contains(problem([](auto& c) { c.rule.clear(); }), "rule is empty"));
  EXPECT_TRUE(contains(problem([](auto& c) { c.model.params[0] = INFINITY; }),
                       "/model/params: non-finite"));
  if (std::is_same_v<T, float>) {
    EXPECT_TRUE(contains(problem([](auto& c) { c.model.params[2] = 0.1; }),
                         "/model/params: value 0.10000000000000001 at index 2 is not a float32"));
  }
  ad::Checkpoint<T> bad = good;
  bad.optimizer.slots[0].resize(10);
  EXPECT_THROW(ad::write_checkpoint(this->path("bad.h5"), bad), std::invalid_argument);
  EXPECT_TRUE(this->entries().empty());

  // On disk: the other precision, a slot of the wrong length, an unlisted member.
  const std::string f = this->path("c.h5");
  ad::write_checkpoint(f, good);
  using Other = std::conditional_t<std::is_same_v<T, float>, double, float>;
  EXPECT_DATA_ERROR(ad::read_checkpoint<Other>(f),
                    f + ": /model/params: expected " +
                        (std::is_same_v<T, float> ? "float64 (a Checkpoint<double>), got float32"
                                                  : "float32 (a Checkpoint<float>), got float64"));
  const std::string g = this->path("short_slot.h5");
  {
    ad::Reader r(f);
    ad::Writer w(g);
    for (const char* k : {"adamant_schema", "step"}) w.attr("/", k, r.attrs("/").at(k));
    w.group("model");
    w.attr("model", "kind", "mlp");
    const std::vector<T> p(10, T(1));
    w.write("model/params", p.data(), {10});
    w.group("optimizer");
    w.attr("optimizer", "rule", "adam");
    w.attr("optimizer", "step", 1);
    w.attr("optimizer", "skipped_steps", 0);
    w.write("optimizer/slots/exp_avg", p.data(), {10});
    w.write("optimizer/slots/exp_avg_sq", p.data(), {9});
    w.attr("optimizer/slots", "names", "exp_avg,exp_avg_sq");
    w.group("optimizer/scalars");
    w.attr("optimizer/scalars", "names", "");
    w.commit();
  }
  EXPECT_DATA_ERROR(ad::read_checkpoint<T>(g), g + ": /optimizer/slots/exp_avg_sq: has 9 entries, "
                                                   "expected 10 (one per parameter");
}

TEST(RngState, WordsRoundTripAndRefuseGarbage) {
  std::mt19937_64 a(12345);
  for (int i = 0; i < 1000; ++i) a();
  const std::vector<std::uint64_t> words = ad::rng_state_words(a);
  EXPECT_EQ(words.size(), 313u);  // libstdc++: 312 state words and the position
  std::mt19937_64 b;
  ad::restore_rng_state(b, words);
  EXPECT_TRUE(a == b);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a(), b());

  std::mt19937 small(7);
  small.discard(5);
  std::mt19937 small2;
  ad::restore_rng_state(small2, ad::rng_state_words(small));
  EXPECT_EQ(small(), small2());

  std::mt19937_64 untouched(1), copy(1);
  EXPECT_THROW(ad::restore_rng_state(untouched, {1, 2, 3}), std::invalid_argument);
  EXPECT_THROW(ad::restore_rng_state(untouched, {}), std::invalid_argument);
  std::vector<std::uint64_t> too_many = words;
  too_many.push_back(5);
  EXPECT_THROW(ad::restore_rng_state(untouched, too_many), std::invalid_argument);
  std::vector<std::uint64_t> bad_position = words;
  bad_position.back() = 313;  // would index past the state
  EXPECT_THROW(ad::restore_rng_state(untouched, bad_position), std::invalid_argument);
  EXPECT_TRUE(untouched == copy);
}

}  // namespace
