// bench_chem: training throughput of a Behler-Parrinello potential (adamant::chem) — frames per
// second of minibatch Adam steps on the energy + force loss; bench/compare_torch_chem.py runs it
// and times the same descriptors, networks, loss and optimizer written with PyTorch autograd (a
// double backward for the force term) in the same run.
//
// Workload: the first --frames frames of the bundled GFN2-xTB ethanol set (9 atoms), the
// standard descriptor set of chem::standard_descriptor_set for H, C, O (72 ACSF, cos cutoff
// 6 Å), standardised on those frames, one MLP per element (--hidden, tanh, Xavier init from
// --seed), energy shifts by least squares. The loss of a minibatch of B frames is the mean of
// the frames' losses (potential.hpp: p_e ((E − E_ref)/A)² + p_f/(3A) Σ_c (F_c − F_ref,c)², p_e =
// p_f = 1) and one Adam step (lr 1e-3, PyTorch's defaults otherwise) follows each minibatch.
// Descriptors and their derivatives are computed once, before timing, as a trainer does: both
// sides differentiate the networks only.
//
// What is timed: epochs over the frames in fixed minibatches (no shuffling), after one warm-up
// epoch; the median of --reps epochs. frames/s = frames / seconds per epoch. Single-threaded.
//
// --out FILE.h5 writes what the PyTorch side needs to run bit-identical inputs: the standardised
// descriptors x (F, A, n), their derivatives dx (F, A, n, 3A), element indices, reference
// energies and forces, the shifts, the initial parameters, the layer sizes, and the loss and
// gradient of the first minibatch at the initial parameters (compare_torch_chem.py checks its
// own against them before timing).
//
// Usage: bench_chem --data ethanol.h5 [--frames 256] [--batch 32] [--hidden 32,32] [--reps 5]
//                   [--seed 0] [--out FILE.h5] [--json FILE]

#include <Eigen/Core>
#include <adamant/chem/descriptors.hpp>
#include <adamant/chem/potential.hpp>
#include <adamant/core/optimizer.hpp>
#include <adamant/datasets/h5.hpp>
#include <adamant/datasets/schema.hpp>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_util.hpp"

namespace chem = adamant::chem;
namespace core = adamant::core;
namespace ds = adamant::datasets;
namespace ab = adamant::bench;

namespace {

struct Args {
  std::string data, out, json;
  int frames = 256, batch = 32, reps = 5;
  std::uint64_t seed = 0;
  std::vector<int> hidden = {32, 32};
};

Args parse(int argc, char** argv) {
  Args a;
  CLI::App app("bench_chem: Behler-Parrinello training throughput (frames/s of minibatch Adam)");
  app.add_option("--data", a.data, "molecules file (the bundled ethanol set)");
  app.add_option("--out", a.out, "write the PyTorch side's inputs to FILE.h5");
  app.add_option("--json", a.json, "also write the numbers as JSON");
  app.add_option("--frames", a.frames, "frames of the data set used")->capture_default_str();
  app.add_option("--batch", a.batch, "minibatch size")->capture_default_str();
  app.add_option("--reps", a.reps, "repetitions (the median is reported)")->capture_default_str();
  app.add_option("--seed", a.seed, "seed")->capture_default_str();
  app.add_option("--hidden", a.hidden, "hidden layer widths")
      ->delimiter(',')
      ->capture_default_str();
  ab::parse_or_exit(app, argc, argv);
  if (a.data.empty()) throw std::invalid_argument("--data FILE.h5 is required");
  if (a.frames < 1 || a.batch < 1 || a.reps < 1 || a.hidden.empty())
    throw std::invalid_argument("--frames, --batch, --reps and --hidden must be positive");
  return a;
}

struct Setup {
  chem::Potential pot;
  std::vector<chem::PreparedFrame> frames;
};

Setup prepare(const Args& a) {
  const ds::MolecularDataset d = ds::read_molecules(a.data);
  if (!d.has_forces()) throw std::invalid_argument(a.data + " has no forces");
  const int F = static_cast<int>(std::min<std::int64_t>(a.frames, d.num_frames()));
  const int A = static_cast<int>(d.num_atoms());
  const std::vector<int> z(d.atomic_numbers.begin(), d.atomic_numbers.end());
  chem::NetworkOptions net;
  net.hidden = a.hidden;
  Setup s{chem::Potential(chem::standard_descriptor_set(z), net), {}};
  std::vector<chem::Structure> structures(F);
  std::vector<chem::Descriptors> raw(F);
  const std::vector<int> element = s.pot.element_indices(z);
  for (int f = 0; f < F; ++f) {
    structures[f].atomic_numbers = z;
    structures[f].positions = Eigen::Map<const chem::RowMatrixXd>(d.positions.row(f).data(), A, 3);
    raw[f] = chem::compute_descriptors(s.pot.descriptors(), structures[f], false);
  }
  std::vector<const chem::RowMatrixXd*> values;
  std::vector<const std::vector<int>*> elements;
  for (int f = 0; f < F; ++f) {
    values.push_back(&raw[f].values);
    elements.push_back(&element);
  }
  s.pot.standardizer = chem::Standardizer::fit(values, elements, s.pot.num_elements());
  s.pot.init_parameters(a.seed);
  s.pot.fit_shifts(std::vector<std::vector<int>>(F, element), d.energies.head(F));
  for (int f = 0; f < F; ++f)
    s.frames.push_back(s.pot.prepare(structures[f], d.energies[f], d.forces.row(f).transpose()));
  return s;
}

/// Mean loss of frames [begin, end) at p; its gradient into g (overwritten).
double minibatch(const chem::Potential& pot, const std::vector<chem::PreparedFrame>& frames,
                 int begin, int end, const Eigen::VectorXd& p, chem::Potential::Workspace& ws,
                 Eigen::VectorXd& g) {
  g.setZero();
  double loss = 0;
  const chem::LossWeights w;
  for (int f = begin; f < end; ++f) loss += pot.evaluate_frame(p, frames[f], w, ws, g.data()).loss;
  const double inv = 1.0 / (end - begin);
  g *= inv;
  return loss * inv;
}

void write_inputs(const std::string& path, const Setup& s, const Args& a, double loss0,
                  const Eigen::VectorXd& grad0) {
  const auto F = static_cast<std::int64_t>(s.frames.size());
  const std::int64_t A = s.frames[0].num_atoms(), n = s.frames[0].x.cols();
  std::vector<double> x, dx, e, f;
  std::vector<std::int32_t> el;
  for (const auto& fr : s.frames) {
    x.insert(x.end(), fr.x.data(), fr.x.data() + fr.x.size());
    dx.insert(dx.end(), fr.dx.data(), fr.dx.data() + fr.dx.size());
    e.push_back(fr.energy);
    f.insert(f.end(), fr.forces.data(), fr.forces.data() + fr.forces.size());
  }
  el.assign(s.frames[0].element.begin(), s.frames[0].element.end());
  std::vector<std::int32_t> sizes;
  const auto& net = s.pot.network(0);
  for (int l = 0; l < net.num_layers(); ++l) sizes.push_back(net.layer(l).in);
  sizes.push_back(net.output_size());
  ds::Writer w(path);
  w.write("x", x.data(), {F, A, n});
  w.write("dx", dx.data(), {F, A, n, 3 * A});
  w.write("element", el.data(), {A});
  w.write("energies", e.data(), {F});
  w.write("forces", f.data(), {F, 3 * A});
  w.write("shifts", s.pot.shifts.data(), {s.pot.shifts.size()});
  w.write("params", s.pot.params.data(), {s.pot.params.size()});
  w.write("layer_sizes", sizes.data(), {static_cast<std::int64_t>(sizes.size())});
  w.write("grad0", grad0.data(), {grad0.size()});
  w.attr("/", "loss0", loss0);
  w.attr("/", "batch", std::int64_t{a.batch});
  w.attr("/", "num_elements", std::int64_t{s.pot.num_elements()});
  w.attr("/", "descriptors", s.pot.descriptors().describe());
  w.commit();
}

}  // namespace

int main(int argc, char** argv) try {
  const Args a = parse(argc, argv);
  Setup s = prepare(a);
  const int F = static_cast<int>(s.frames.size());
  const int A = s.frames[0].num_atoms();
  chem::Potential::Workspace ws = s.pot.make_workspace(A);
  Eigen::VectorXd g(s.pot.num_parameters());
  const double loss0 = minibatch(s.pot, s.frames, 0, std::min(a.batch, F), s.pot.params, ws, g);
  if (!a.out.empty()) write_inputs(a.out, s, a, loss0, g);

  core::AdamOptions adam;
  adam.lr = 1e-3;
  core::Optimizer<double> opt(adam, static_cast<std::size_t>(s.pot.num_parameters()));
  Eigen::VectorXd p = s.pot.params;
  double last_loss = 0;
  auto epoch = [&] {
    for (int b = 0; b < F; b += a.batch) {
      last_loss = minibatch(s.pot, s.frames, b, std::min(b + a.batch, F), p, ws, g);
      opt.step(p, g);
    }
  };
  epoch();  // warm-up
  std::vector<double> times;
  const ab::CpuSample c0 = ab::sample_cpu();
  for (int r = 0; r < a.reps; ++r) {
    const auto t0 = ab::Clock::now();
    epoch();
    times.push_back(ab::seconds_since(t0));
  }
  const double bg = ab::background_cores(c0, ab::sample_cpu());
  const double sec = ab::median(times);
  const double fps = F / sec;
  std::printf("bench_chem  |  %s  |  %s  |  1 thread\n", ab::local_date().c_str(),
              ab::cpu_model().c_str());
  std::printf("%s; networks %d", s.pot.descriptors().describe().c_str(),
              s.pot.network(0).input_size());
  for (int h : a.hidden) std::printf("-%d", h);
  std::printf("-1 tanh per element, %lld parameters, float64\n",
              static_cast<long long>(s.pot.num_parameters()));
  std::printf(
      "%d frames x %d atoms, minibatch %d, Adam lr 1e-3; loss of the first minibatch at "
      "init %.10g; last minibatch loss %.6g\n",
      F, A, a.batch, loss0, last_loss);
  std::printf("adamant: %.4f s per epoch (median of %d), %.1f frames/s, background load %.2f\n",
              sec, a.reps, fps, bg);
  if (!a.json.empty()) {
    const nlohmann::json j = {{"frames", F},
                              {"atoms", A},
                              {"batch", a.batch},
                              {"parameters", s.pot.num_parameters()},
                              {"seconds_per_epoch", sec},
                              {"frames_per_second", fps},
                              {"background", bg},
                              {"loss0", loss0}};
    std::ofstream(a.json) << j.dump() << "\n";
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_chem: %s\n", e.what());
  return 1;
}
