// `adamant gan`: two-player games and the optimizers that train them.
//
//   adamant gan study [--game dirac|bilinear|mixture|ring|grid] [--methods simgd,altgd,...]
//                     [--steps 500]
//                     [-o FILE.h5 | --out DIR | --no-save]
//   adamant gan spectrum [--game dirac] [--loss standard] [--gamma 0]
//
// study runs every method from the same start (the same minibatches for the mixture GAN), prints
// the convergence table and writes the trajectories (schema trajectories), the table
// (/convergence), the Jacobian spectra and the sample snapshots to FILE.h5, and the figures to
// FILE_field.png, FILE_distance.png, FILE_eigenvalues.png (dirac, bilinear) or FILE_samples.png,
// FILE_modes.png (ring, grid). Progress goes to stderr, results to stdout.

#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "adamant/gan/study.hpp"
#include "cli.hpp"

namespace adamant::cli {
namespace {

std::vector<double> parse_numbers(const std::string& s, const char* what) {
  std::vector<double> v;
  for (const std::string& t : split_list(s)) {
    try {
      std::size_t used = 0;
      v.push_back(std::stod(t, &used));
      if (used != t.size()) throw std::invalid_argument(t);
    } catch (const std::exception&) {
      throw UsageError(std::string(what) + ": '" + t + "' is not a number");
    }
  }
  return v;
}

// Options shared by study and spectrum.
void game_options(Args& args, gan::StudyOptions& o) {
  o.game = args.str("game", o.game,
                    "dirac, bilinear (f = xy), mixture (the --mixture GAN), ring or grid");
  const std::string mixture =
      args.str("mixture", "ring", "with --game mixture: ring (8 modes) or grid (25 modes)");
  if (o.game == "mixture") {
    if (mixture != "ring" && mixture != "grid")
      throw UsageError("--mixture must be ring or grid, got '" + mixture + "'");
    o.game = mixture;
  }
  const std::string loss = args.str("loss", "",
                                    "standard, nonsaturating or wasserstein (default: standard for "
                                    "dirac, nonsaturating for ring/grid)");
  o.dirac.gamma = o.mixture.gamma = args.num("gamma", 0.0, "R1 penalty weight (dirac)");
  const double noise = args.num("noise", 0.0, "instance noise sigma (dirac, ring, grid)");
  try {
    if (!loss.empty()) o.dirac.loss = o.mixture.loss = gan::parse_gan_loss(loss);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  o.dirac.instance_noise = o.mixture.instance_noise = noise;
}

int study(Args& args) {
  gan::StudyOptions o;
  game_options(args, o);
  const std::string methods = args.str(
      "methods", "",
      "comma-separated methods (default: simgd,altgd,adam,optimistic,extragradient,consensus; "
      "ring: altgd,adam,adam05,adam0,oadam,extraadam; grid: adam,adam05,oadam,extraadam); all: " +
          join(gan::method_names()));
  const long steps = args.integer(
      "steps", 0, "steps per method (0: 500 for dirac/bilinear, 5000 for ring, 10000 for grid)");
  o.lr_sgd = args.num("lr", 0, "SGD-family learning rate (0: 0.1, or 0.02 for ring/grid)");
  o.lr_adam =
      args.num("lr-adam", 0, "Adam-family learning rate (0: 0.01; 2e-4 for ring, 1e-3 for grid)");
  o.lr_ratio = args.num("lr-ratio", 1.0, "discriminator lr / generator lr (TTUR)");
  o.n_d = static_cast<int>(args.integer("n-d", 1,
                                        "discriminator steps per generator step "
                                        "(alternating methods)"));
  o.consensus_gamma = args.num("consensus-gamma", 1.0, "consensus optimization weight");
  o.sga_lambda = args.num("sga-lambda", 1.0, "SGA weight");
  const std::string start = args.str("start", "", "starting point, e.g. 1,1 (default all ones)");
  o.mixture.seed = static_cast<std::uint64_t>(args.integer("seed", 0, "seed (ring, grid)"));
  o.mixture.batch_size =
      static_cast<int>(args.integer("batch", o.mixture.batch_size, "minibatch size (ring, grid)"));
  o.snapshots = static_cast<int>(args.integer("snapshots", 6, "sample snapshots (ring, grid)"));
  o.num_threads = static_cast<int>(
      args.integer("threads", 0, "threads over methods (0: all); results do not depend on it"));
  const std::string file =
      args.str("output", "", "write FILE.h5 and FILE_<figure>.png beside it", 'o');
  const std::string dir = args.str("out", "", "write DIR/gan_study_<game>.h5 and PNGs");
  const bool no_save = args.flag("no-save", "write no files");
  const bool quiet = args.flag("quiet", "no progress on stderr");
  if (args.help()) {
    std::cout << args.usage(
        "Runs game optimizers side by side on one game from one start (the same minibatches\n"
        "for the mixture GANs) and prints the convergence table: distance to the equilibrium\n"
        "of the last and of the averaged iterate and the rate (geometric mean of the per-step\n"
        "contraction over the second half) for dirac/bilinear; modes captured and the share of\n"
        "high-quality samples (within 3 sigma of a mode) for mixture/ring/grid.\n"
        "Writes to the HDF5 file the trajectories (schema 'trajectories': iterates; metrics\n"
        "distance, avg_distance, contraction, hamiltonian, f_x, f_y, modes, high_quality), the\n"
        "table /convergence, Jacobian eigenvalues along each trajectory, and for the mixtures\n"
        "mode curves and sample snapshots (docs/schema.md). PNGs: the vector field with the\n"
        "trajectories, distance per step (log scale) and eigenvalues in the complex plane\n"
        "(dirac, bilinear), or generator samples over training and mode curves (mixtures).\n"
        "Mixture defaults: ring --methods altgd,adam,adam05,adam0,oadam,extraadam --steps 5000\n"
        "--lr-adam 2e-4; grid --methods adam,adam05,oadam,extraadam --steps 10000 --lr-adam 1e-3.\n"
        "Methods: simgd/altgd (simultaneous/alternating GDA), momentum (+0.5), negmom (-0.5,\n"
        "alternating), adam/adam05/adam0 (beta1 0.9/0.5/0), optimistic (OGDA), oadam\n"
        "(Optimistic Adam), extragradient, extraadam, past (extrapolation from the past),\n"
        "consensus, sga (symplectic gradient adjustment).");
    return 0;
  }
  args.finish();
  if (!methods.empty()) o.methods = split_list(methods);
  if (!methods.empty() && o.methods.empty()) throw UsageError("--methods lists no method");
  if (!start.empty()) {
    const auto v = parse_numbers(start, "--start");
    o.start = Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
  }
  const gan::StudyOptions defaults = gan::study_defaults(o.game);
  if (methods.empty()) o.methods = defaults.methods;
  if (steps < 0 || steps > 100000000) throw UsageError("--steps must be in [1, 1e8]");
  o.steps = steps > 0 ? static_cast<int>(steps) : defaults.steps;
  if (std::string why = o.validate(); !why.empty()) throw UsageError(why);
  const Output out = output_paths(file, dir, "gan_study_" + o.game, no_save);
  std::printf("adamant gan study: %s, %zu methods, %d steps\n", o.game.c_str(), o.methods.size(),
              o.steps);
  std::fflush(stdout);
  ProgressLine line(quiet, 2.0);
  const gan::StudyResult r = gan::run_study(o, [&](const std::string& s) { line.show(s); });
  line.done();
  std::printf("\n%s", r.format().c_str());
  if (r.equilibrium_eigenvalues.size()) {
    std::printf("\neigenvalues of J at the equilibrium:");
    for (Eigen::Index i = 0; i < r.equilibrium_eigenvalues.size(); ++i)
      std::printf(" %.6g%+.6gi", r.equilibrium_eigenvalues[i].real(),
                  r.equilibrium_eigenvalues[i].imag());
    std::printf("\n");
  }
  std::printf("(%.2f s)\n", r.wall_seconds);
  if (!out.h5.empty()) {
    gan::write_study(out.h5, r);
    const std::string prefix = out.png.substr(0, out.png.size() - 4);
    const auto pngs = gan::plot_study(r, prefix);
    std::printf("wrote %s", out.h5.c_str());
    for (const auto& p : pngs) std::printf(", %s", p.c_str());
    std::printf("\n");
  }
  return 0;
}

int spectrum(Args& args) {
  gan::StudyOptions o;
  game_options(args, o);
  const std::string at = args.str("at", "", "point z (default: the equilibrium)");
  if (args.help()) {
    std::cout << args.usage(
        "Prints the eigenvalues of the game Jacobian J = dxi/dz (dirac, bilinear) at the\n"
        "equilibrium or at --at, and the Hamiltonian 0.5 |xi|^2 there.");
    return 0;
  }
  args.finish();
  if (o.game != "dirac" && o.game != "bilinear")
    throw UsageError("spectrum needs a game with a Jacobian (dirac, bilinear)");
  if (std::string why = o.validate(); !why.empty()) throw UsageError(why);
  auto game = gan::make_game(o);
  Eigen::VectorXd z = game->equilibrium();
  if (!at.empty()) {
    const auto v = parse_numbers(at, "--at");
    if (static_cast<Eigen::Index>(v.size()) != game->dim())
      throw UsageError("--at needs " + std::to_string(game->dim()) + " numbers");
    z = Eigen::Map<const Eigen::VectorXd>(v.data(), game->dim());
  }
  const Eigen::VectorXcd e = gan::jacobian_eigenvalues(*game, z);
  std::printf("eigenvalues of J:");
  for (Eigen::Index i = 0; i < e.size(); ++i)
    std::printf(" %.12g%+.12gi", e[i].real(), e[i].imag());
  std::printf("\nhamiltonian: %.12g\n", gan::hamiltonian(*game, z));
  return 0;
}

const std::vector<Action>& actions() {
  static const std::vector<Action> all = {
      {"study", "game optimizers side by side: trajectories, convergence table, figures", study},
      {"spectrum", "eigenvalues of the game Jacobian at a point", spectrum},
  };
  return all;
}

}  // namespace

int run_gan(Args& args) { return run_action(args, "gan", actions()); }

}  // namespace adamant::cli
