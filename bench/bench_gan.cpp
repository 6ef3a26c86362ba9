// bench_gan: training throughput of the Gaussian-mixture GAN (adamant::gan) — steps per second
// of simultaneous Adam on the generator and the discriminator; bench/compare_torch_gan.py runs
// it and times the same models, loss, minibatch and optimizer written in PyTorch in the same run.
//
// Workload: MixtureGan (gan/mixture.hpp) on the ring of 8 Gaussians (or --mixture grid), an MLP
// generator latent(2)-64-64-2 and discriminator 2-64-64-1 (--hidden, ReLU, PyTorch's default
// initialisation from --seed), minibatch --batch 128 of real samples and latents, the
// non-saturating loss, and the study's "adam05" method: simultaneous Adam, β₁ = 0.5, β₂ = 0.999,
// lr 2e-4 for both players (the generator minimises f_x, the discriminator maximises f_y).
// One step = drawing the minibatch + the vector field ξ = (∇_θ f_x, −∇_φ f_y) by reverse mode
// through both MLPs (two backward passes through the discriminator, one through the generator)
// + one Adam step per player.
//
// What is timed: --steps steps after 20 warm-up steps, the median of --reps repetitions;
// steps/s = steps / seconds. Single-threaded. --precision float64, float32 or both.
//
// --out FILE.h5 writes what the PyTorch side needs to check that it computes the same thing,
// per precision (group /float64, /float32): the layer sizes, the initial parameters z0 (the
// generator's then the discriminator's, in PyTorch's parameters_to_vector order), the first
// --check-steps minibatches (real (K, B, 2), latent (K, B, latent_dim)), ξ at z0 on the first
// minibatch, and the parameters after those K steps.
//
// Usage: bench_gan [--mixture ring] [--hidden 64,64] [--batch 128] [--steps 300] [--reps 7]
//                  [--seed 0] [--precision both] [--check-steps 3] [--out FILE.h5] [--json FILE]

#include <Eigen/Core>
#include <adamant/datasets/h5.hpp>
#include <adamant/gan/mixture.hpp>
#include <adamant/gan/study.hpp>
#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_util.hpp"

namespace gan = adamant::gan;
namespace ds = adamant::datasets;
namespace ab = adamant::bench;

namespace {

struct Args {
  std::string mixture = "ring", precision = "both", out, json;
  std::vector<int> hidden = {64, 64};
  int batch = 128, steps = 300, reps = 7, check_steps = 3;
  std::uint64_t seed = 0;
};

Args parse(int argc, char** argv) {
  Args a;
  CLI::App app("bench_gan: Gaussian-mixture GAN training steps/s (simultaneous Adam)");
  app.add_option("--mixture", a.mixture, "the data mixture")->capture_default_str();
  app.add_option("--precision", a.precision, "float64, float32 or both")->capture_default_str();
  app.add_option("--out", a.out, "write the PyTorch side's inputs to FILE.h5");
  app.add_option("--json", a.json, "also write the numbers as JSON");
  app.add_option("--batch", a.batch, "minibatch size")->capture_default_str();
  app.add_option("--steps", a.steps, "timed steps per repetition")->capture_default_str();
  app.add_option("--reps", a.reps, "repetitions (the median is reported)")->capture_default_str();
  app.add_option("--check-steps", a.check_steps, "steps checked against PyTorch")
      ->capture_default_str();
  app.add_option("--seed", a.seed, "seed")->capture_default_str();
  app.add_option("--hidden", a.hidden, "hidden layer widths")
      ->delimiter(',')
      ->capture_default_str();
  ab::parse_or_exit(app, argc, argv);
  if (a.batch < 1 || a.steps < 1 || a.reps < 1 || a.check_steps < 1 || a.hidden.empty())
    throw std::invalid_argument("--batch, --steps, --reps, --check-steps, --hidden must be > 0");
  if (a.precision != "both" && a.precision != "float64" && a.precision != "float32")
    throw std::invalid_argument("--precision must be float64, float32 or both");
  return a;
}

gan::MixtureOptions options(const Args& a) {
  gan::MixtureOptions o;
  o.mixture = gan::parse_mixture(a.mixture);
  o.generator_hidden = a.hidden;
  o.discriminator_hidden = a.hidden;
  o.batch_size = a.batch;
  o.loss = gan::GanLoss::kNonSaturating;
  o.seed = a.seed;
  return o;
}

// The study's "adam05" with its mixture learning rate.
gan::GameOptimizerOptions method() { return gan::method_preset("adam05", 0.02, 2e-4); }

struct Result {
  double steps_per_second = 0, seconds = 0, background = 0;
  long parameters = 0;
};

template <typename T>
std::vector<double> to_double(const T* p, Eigen::Index n) {
  return std::vector<double>(p, p + n);
}

template <typename T>
Result run(const Args& a, const char* name, ds::Writer* w) {
  using Vec = gan::VectorX<T>;
  const gan::MixtureOptions mo = options(a);
  gan::MixtureGan<T> game(mo);
  const Vec z0 = game.initial_point();
  const Eigen::Index n = game.dim();
  if (w) {
    // The minibatches the first K steps will draw (a copy of the game draws the same stream).
    auto peek = game.clone();
    auto& pk = static_cast<gan::MixtureGan<T>&>(*peek);
    const int K = a.check_steps, B = a.batch, L = mo.latent_dim;
    std::vector<double> real, latent;
    for (int k = 0; k < K; ++k) {
      pk.next_batch();
      for (Eigen::Index i = 0; i < pk.real().size(); ++i) real.push_back(pk.real().data()[i]);
      for (Eigen::Index i = 0; i < pk.latent().size(); ++i) latent.push_back(pk.latent().data()[i]);
    }
    // ξ at z0 on the first minibatch.
    auto first = game.clone();
    first->next_batch();
    Vec xi(n);
    first->vector_field(z0, xi);
    // The parameters after K steps.
    auto g = game.clone();
    gan::GameOptimizer<T> opt(method(), n, game.x_dim());
    Vec z = z0;
    for (int k = 0; k < K; ++k) opt.step(*g, z);
    std::vector<std::int32_t> gs, dsz;
    for (int v : game.generator().spec().layer_sizes) gs.push_back(v);
    for (int v : game.discriminator().spec().layer_sizes) dsz.push_back(v);
    const std::string at = std::string(name) + "/";
    w->write(at + "generator_sizes", gs.data(), {static_cast<std::int64_t>(gs.size())});
    w->write(at + "discriminator_sizes", dsz.data(), {static_cast<std::int64_t>(dsz.size())});
    w->write(at + "z0", to_double(z0.data(), n).data(), {n});
    w->write(at + "real", real.data(), {K, B, 2});
    w->write(at + "latent", latent.data(), {K, B, L});
    w->write(at + "xi0", to_double(xi.data(), n).data(), {n});
    w->write(at + "z_after", to_double(z.data(), n).data(), {n});
    w->attr(at.substr(0, at.size() - 1), "generator_parameters",
            static_cast<std::int64_t>(game.x_dim()));
  }
  gan::GameOptimizer<T> opt(method(), n, game.x_dim());
  Vec z = z0;
  for (int s = 0; s < 20; ++s) opt.step(game, z);  // warm-up
  std::vector<double> times;
  const ab::CpuSample c0 = ab::sample_cpu();
  for (int r = 0; r < a.reps; ++r) {
    const auto t0 = ab::Clock::now();
    for (int s = 0; s < a.steps; ++s) opt.step(game, z);
    times.push_back(ab::seconds_since(t0));
  }
  Result res;
  res.background = ab::background_cores(c0, ab::sample_cpu());
  res.seconds = ab::median(times);
  res.steps_per_second = a.steps / res.seconds;
  res.parameters = static_cast<long>(n);
  if (!z.allFinite()) throw std::runtime_error(std::string(name) + ": training diverged");
  return res;
}

}  // namespace

int main(int argc, char** argv) try {
  const Args a = parse(argc, argv);
  std::unique_ptr<ds::Writer> w;
  if (!a.out.empty()) w = std::make_unique<ds::Writer>(a.out);
  std::vector<std::pair<std::string, Result>> results;
  if (a.precision != "float32") results.emplace_back("float64", run<double>(a, "float64", w.get()));
  if (a.precision != "float64") results.emplace_back("float32", run<float>(a, "float32", w.get()));
  if (w) w->commit();
  std::printf("bench_gan  |  %s  |  %s  |  1 thread\n", ab::local_date().c_str(),
              ab::cpu_model().c_str());
  std::printf("%s mixture GAN: generator 2", a.mixture.c_str());
  for (int h : a.hidden) std::printf("-%d", h);
  std::printf("-2, discriminator 2");
  for (int h : a.hidden) std::printf("-%d", h);
  std::printf("-1 (ReLU), batch %d, non-saturating loss, simultaneous Adam b1 0.5 lr 2e-4\n",
              a.batch);
  for (const auto& [name, r] : results)
    std::printf(
        "adamant %s: %ld parameters, %.1f steps/s (%d steps in %.4f s, median of %d), "
        "background load %.2f\n",
        name.c_str(), r.parameters, r.steps_per_second, a.steps, r.seconds, a.reps, r.background);
  if (!a.json.empty()) {
    nlohmann::json j = {{"batch", a.batch}, {"steps", a.steps}, {"reps", a.reps}};
    for (const auto& [name, r] : results)
      j[name] = {{"steps_per_second", r.steps_per_second},
                 {"seconds", r.seconds},
                 {"background", r.background},
                 {"parameters", r.parameters}};
    std::ofstream(a.json) << j.dump() << "\n";
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_gan: %s\n", e.what());
  return 1;
}
