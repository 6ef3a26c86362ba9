// `adamant chem`: fit a Behler-Parrinello potential to energies and forces, evaluate it, run MD
// with it, and the gradient-clipping study.
//
//   adamant chem fit --data datasets/data/ethanol_md_gfn2xtb.h5 [-o MODEL.h5 | --out DIR]
//   adamant chem eval --model MODEL.h5 --data FILE.h5
//   adamant chem md --model MODEL.h5 --data FILE.h5 [--steps 20000] [--langevin]
//   adamant chem study [--seeds 3] [-o FILE.h5 | --out DIR]
//
// Files are written atomically; progress goes to stderr, results to stdout.

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "adamant/chem/md.hpp"
#include "adamant/chem/train.hpp"
#include "adamant/datasets/h5.hpp"
#include "adamant/datasets/schema.hpp"
#include "cli.hpp"
#ifdef ADAMANT_HAVE_DIST
#include <cstdlib>
#include <memory>

#include "adamant/dist/dist.hpp"
#endif

#ifndef ADAMANT_DEFAULT_DATA_DIR
#define ADAMANT_DEFAULT_DATA_DIR "datasets/data"
#endif

namespace adamant::cli {
namespace {

// chem::train; under MPI an error on one rank ends every rank with its message (the others may
// be waiting for this one in a collective).
chem::TrainResult train_reporting(const datasets::MolecularDataset& d, const chem::TrainOptions& o,
                                  const std::function<void(const chem::Progress&)>& progress) {
#ifdef ADAMANT_HAVE_DIST
  if (o.block_sum) {
    try {
      return chem::train(d, o, progress);
    } catch (const std::exception& e) {
      dist::abort_job(e);
    }
  }
#endif
  return chem::train(d, o, progress);
}

namespace ds = adamant::datasets;

const std::string kEthanol = "datasets/data/ethanol_md_gfn2xtb.h5";
const std::string kContacts = "datasets/data/ethanol_close_contacts_gfn2xtb.h5";

std::string stem_of(const std::string& path) { return std::filesystem::path(path).stem().string(); }

std::string metrics_text(const chem::Metrics& m) {
  char buf[200];
  std::snprintf(buf, sizeof buf,
                "energy MAE %.2f meV, RMSE %.2f meV; force MAE %.1f meV/A, RMSE %.1f meV/A "
                "(%lld frames)",
                1e3 * m.energy_mae, 1e3 * m.energy_rmse, 1e3 * m.force_mae, 1e3 * m.force_rmse,
                static_cast<long long>(m.frames));
  return buf;
}

std::vector<int> parse_ints(const std::string& s, const std::string& what) {
  std::vector<int> out;
  std::stringstream ss(s);
  std::string tok;
  while (std::getline(ss, tok, ',')) try {
      out.push_back(std::stoi(tok));
    } catch (const std::exception&) {
      throw UsageError(what + ": '" + s + "' is not a comma-separated list of integers");
    }
  return out;
}

int fit(Args& args) {
  chem::TrainOptions o;
  const std::string data = args.str("data", kEthanol, "molecules file with energies and forces");
  o.num_train = static_cast<int>(args.integer("train", o.num_train, "training frames"));
  o.num_validation =
      static_cast<int>(args.integer("validation", o.num_validation, "validation frames"));
  o.num_test = static_cast<int>(args.integer("test", o.num_test, "test frames (at most the rest)"));
  o.seed = static_cast<std::uint64_t>(args.integer("seed", 0, "seed (split, init, shuffling)"));
  o.epochs = static_cast<int>(args.integer("epochs", o.epochs, "epochs"));
  o.batch_size = static_cast<int>(args.integer("batch", o.batch_size, "frames per minibatch"));
  o.rule = rule_flags(args, o.rule, "adam");  // --optimizer, --lr (the initial one), --beta1, ...
  o.lr_final = args.num("lr-final", o.lr_final, "learning rate at the last step");
  o.schedule = args.str("schedule", o.schedule, "exponential, cosine or constant");
  const std::string hidden = args.str("hidden", "32,32", "hidden widths of each element network");
  const std::string act = args.str("activation", "tanh", "tanh, softplus or silu");
  const std::string cutoff = args.str("cutoff", "cos", "cutoff function: cos, tanh3 or poly");
  o.descriptors.cutoff_radius = args.num("rc", o.descriptors.cutoff_radius, "cutoff radius (A)");
  const std::string angular =
      args.str("angular", "G9", "angular functions: G3 (narrow) or G9 (wide)");
  o.energy_weight_start =
      args.num("pe-start", o.energy_weight_start, "energy prefactor at the start");
  o.energy_weight_limit =
      args.num("pe-limit", o.energy_weight_limit, "energy prefactor at the end");
  o.force_weight_start = args.num("pf-start", o.force_weight_start, "force prefactor at the start");
  o.force_weight_limit = args.num("pf-limit", o.force_weight_limit, "force prefactor at the end");
  const std::string clip = args.str(
      "clip", "none", "none, grad (global norm before the moment update) or update (after)");
  o.clip_value = args.num("clip-value", o.clip_value, "clipping threshold (norm)");
  o.huber = args.flag("huber", "Huber loss instead of squared errors");
  o.patience =
      static_cast<int>(args.integer("patience", 0, "early stopping patience in epochs (0: off)"));
  o.checkpoint = args.str("checkpoint", "", "checkpoint file (and FILE.best.h5 beside it)");
  o.checkpoint_every =
      static_cast<int>(args.integer("checkpoint-every", 0, "epochs between checkpoints"));
  o.resume = args.flag("resume", "continue from --checkpoint when it exists");
  o.num_threads =
      static_cast<int>(args.integer("threads", 0, "threads (0: all); results do not depend on it"));
  const std::string file =
      args.str("output", "", "write the model to FILE.h5, the parity plot to FILE.png", 'o');
  const std::string dir = args.str("out", "", "write DIR/chem_<data>_seed<S>.h5 and .png");
  const bool no_save = args.flag("no-save", "write no files");
  const bool quiet = args.flag("quiet", "no progress on stderr");
  if (args.help()) {
    std::cout << args.usage(
        "Fits a Behler-Parrinello potential (one MLP per element on atom-centred symmetry\n"
        "functions) to the energies and forces of a molecules file: a seeded train / validation /\n"
        "test split, Adam with an exponentially decaying learning rate, DeePMD-style energy and\n"
        "force prefactors, the best validation parameters kept. Prints the train / validation /\n"
        "test MAEs and RMSEs and writes the model (schema chem_model, with the learning curve in\n"
        "table 'curve') and a parity plot of the test set. The defaults are the acceptance run\n"
        "on the bundled ethanol data (950 / 50 / 1000 frames).");
    return 0;
  }
  args.finish();
  try {
    o.network.hidden = parse_ints(hidden, "--hidden");
    o.network.activation = core::parse_activation(act);
    o.descriptors.cutoff = chem::parse_cutoff(cutoff);
    o.clip = chem::parse_clip_mode(clip);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  if (angular == "G3" || angular == "g3")
    o.descriptors.angular = chem::SymmetryType::kG3;
  else if (angular != "G9" && angular != "g9")
    throw UsageError("--angular must be G3 or G9");
  if (const std::string why = o.validate(); !why.empty()) throw UsageError(why);
#ifdef ADAMANT_HAVE_DIST
  // Started by mpirun: every rank evaluates its share of each minibatch's frames and the
  // gradient is summed in frame order, so the model is the bits one process fits; rank 0 alone
  // prints and writes files.
  std::unique_ptr<dist::Environment> mpi;
  if (std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMIX_RANK") != nullptr) {
    mpi = std::make_unique<dist::Environment>(nullptr, nullptr);
    o.block_sum = std::make_shared<dist::MpiBlockSum>();
  }
#endif
  const bool root = !o.block_sum || o.block_sum->root();
  if (!root) std::cout.setstate(std::ios::failbit);
  Output out =
      output_paths(file, dir, "chem_" + stem_of(data) + "_seed" + std::to_string(o.seed), no_save);
  if (!root) out = Output{};
  const ds::MolecularDataset d = ds::read_molecules(data);
  std::cout << "adamant chem fit: " << data << " (" << d.num_frames() << " frames, "
            << d.num_atoms() << " atoms)\n  " << o.describe() << "\n";
  if (o.block_sum)
    std::cout << "  each minibatch's frames split over " << o.block_sum->processes()
              << " MPI ranks\n";
  std::cout << std::flush;
  ProgressLine line(quiet || !root);
  const chem::TrainResult r = train_reporting(d, o, [&](const chem::Progress& p) {
    char buf[200];
    std::snprintf(buf, sizeof buf,
                  "epoch %d/%d  loss %.4g  lr %.2e  val E MAE %.2f meV  F MAE %.1f meV/A  %.0f s",
                  p.epoch, p.epochs, p.loss, p.lr, 1e3 * p.validation.energy_mae,
                  1e3 * p.validation.force_mae, p.elapsed);
    line.show(buf);
  });
  line.done();
  std::cout << "descriptors: " << r.potential.descriptors().describe() << " ("
            << r.potential.standardizer.num_degenerate() << " degenerate columns), "
            << r.potential.num_parameters() << " parameters\n";
  std::cout << "epochs run " << r.epochs_run << " (best " << r.best_epoch << ")"
            << (r.stopped_early ? ", stopped early" : "") << (r.diverged ? ", DIVERGED" : "")
            << ", " << r.wall_seconds << " s\n";
  std::cout << "train:      " << metrics_text(r.train) << "\n";
  std::cout << "validation: " << metrics_text(r.validation) << "\n";
  std::cout << "test:       " << metrics_text(r.test) << "\n";
  if (r.diverged) return 1;
  if (!out.h5.empty()) {
    const std::string curve = chem::save_fit(out.h5, r, o, data);
    Eigen::VectorXd pe;
    chem::RowMatrixXd pf;
    chem::evaluate(r.potential, d, r.test_frames, &pe, &pf, o.num_threads);
    Eigen::VectorXd re(static_cast<Eigen::Index>(r.test_frames.size()));
    chem::RowMatrixXd rf(re.size(), pf.cols());
    for (Eigen::Index k = 0; k < re.size(); ++k) {
      re[k] = d.energies[r.test_frames[static_cast<std::size_t>(k)]];
      rf.row(k) = d.forces.row(r.test_frames[static_cast<std::size_t>(k)]);
    }
    chem::parity_plot(out.png, re, pe, rf, pf, "adamant chem fit: test set of " + stem_of(data));
    std::cout << "wrote " << out.h5 << " (model), " << curve << " (learning curve), " << out.png
              << " (parity plot)\n";
  }
  return 0;
}

int eval(Args& args) {
  const std::string model = args.str("model", "", "model file written by 'adamant chem fit'");
  const std::string data = args.str("data", kEthanol, "molecules file with energies (and forces)");
  const std::string png = args.str("plot", "", "write a parity plot PNG here");
  const long threads = args.integer("threads", 0, "threads (0: all)");
  if (args.help()) {
    std::cout << args.usage(
        "Evaluates a fitted model on every frame of a molecules file: energy\n"
        "and force MAE and RMSE, optionally a parity plot.");
    return 0;
  }
  args.finish();
  if (model.empty()) throw UsageError("--model is required");
  const chem::Potential pot = chem::load_potential(model);
  const ds::MolecularDataset d = ds::read_molecules(data);
  Eigen::VectorXd pe;
  chem::RowMatrixXd pf;
  const chem::Metrics m = chem::evaluate(pot, d, {}, &pe, &pf, static_cast<int>(threads));
  std::cout << "adamant chem eval: " << model << " on " << data << "\n" << metrics_text(m) << "\n";
  if (!png.empty()) {
    chem::RowMatrixXd rf = d.has_forces() ? d.forces : chem::RowMatrixXd(0, 0);
    if (!d.has_forces()) pf.resize(0, 0);
    chem::parity_plot(png, d.energies, pe, rf, pf, "adamant chem eval: " + stem_of(data));
    std::cout << "wrote " << png << "\n";
  }
  return 0;
}

int md(Args& args) {
  chem::MdOptions o;
  const std::string model = args.str("model", "", "model file written by 'adamant chem fit'");
  const std::string data = args.str("data", kEthanol, "molecules file: the start geometry");
  const long frame = args.integer("frame", 0, "frame of --data to start from");
  o.steps = args.integer("steps", o.steps, "steps");
  o.timestep = args.num("dt", o.timestep, "time step (fs)");
  o.langevin = args.flag("langevin", "Langevin NVT (BAOAB) instead of NVE velocity Verlet");
  o.temperature = args.num("temperature", o.temperature, "K (thermostat and initial velocities)");
  o.friction = args.num("friction", o.friction, "Langevin friction (1/fs)");
  o.seed = static_cast<std::uint64_t>(args.integer("seed", 0, "seed of the velocities and noise"));
  o.record_every = args.integer("record-every", o.record_every, "steps between recorded frames");
  const std::string file =
      args.str("output", "", "write the trajectory to FILE.h5, energies to FILE.png", 'o');
  const std::string dir = args.str("out", "", "write DIR/chem_md_<nve|nvt>_seed<S>.h5 and .png");
  const bool no_save = args.flag("no-save", "write no files");
  if (args.help()) {
    std::cout << args.usage(
        "Runs molecular dynamics with a fitted model from a frame of a molecules file (default:\n"
        "20 000 steps of 0.5 fs = 10 ps, NVE) and reports the total-energy drift. Writes the\n"
        "recorded frames (molecules schema: positions, model energies and forces, with the\n"
        "kinetic / total energies and temperature in table 'energies') and a plot of energy vs\n"
        "time.");
    return 0;
  }
  args.finish();
  if (model.empty()) throw UsageError("--model is required");
  if (const std::string why = o.validate(); !why.empty()) throw UsageError(why);
  const chem::Potential pot = chem::load_potential(model);
  const ds::MolecularDataset d = ds::read_molecules(data);
  if (frame < 0 || frame >= d.num_frames())
    throw UsageError("--frame must be in 0.." + std::to_string(d.num_frames() - 1));
  const Output out = output_paths(
      file, dir,
      std::string("chem_md_") + (o.langevin ? "nvt" : "nve") + "_seed" + std::to_string(o.seed),
      no_save);
  const chem::MdResult r = chem::run_md(pot, chem::structure_of(d, frame), o);
  std::printf("adamant chem md: %s, %lld steps of %.2f fs (%.2f ps), %s\n", model.c_str(),
              static_cast<long long>(r.steps_done), o.timestep,
              static_cast<double>(r.steps_done) * o.timestep / 1000.0,
              o.langevin ? "Langevin NVT (BAOAB)" : "NVE velocity Verlet");
  std::printf(
      "total-energy drift %.3e eV (%.3e eV/atom/ps), max |E - E0| %.3e eV, mean T %.1f K%s, %.2f "
      "s\n",
      r.drift, r.drift_per_atom_per_ps, r.max_deviation, r.mean_temperature,
      r.blew_up ? ", BLEW UP" : "", r.wall_seconds);
  if (!out.h5.empty()) {
    const std::vector<std::string> files = chem::write_md(out.h5, r, "adamant chem md " + model);
    chem::md_plot(out.png, r, std::string("adamant chem md: ") + (o.langevin ? "NVT" : "NVE"));
    if (files.size() == 1)
      std::printf("not written: %s (the trajectory is not finite)\n", out.h5.c_str());
    std::printf("wrote");
    for (const std::string& f : files) std::printf(" %s,", f.c_str());
    std::printf(" %s (energies vs time)\n", out.png.c_str());
  }
  return r.blew_up ? 1 : 0;
}

int study(Args& args) {
  chem::StudyOptions o;
  const std::string md_data = args.str("data", kEthanol, "MD frames");
  const std::string contacts = args.str("contacts", kContacts, "close-contact frames");
  const long seeds = args.integer("seeds", 3, "seeds 0..N-1");
  o.epochs = static_cast<int>(args.integer("epochs", o.epochs, "epochs per run"));
  o.lr = args.num("lr", o.lr, "learning rate (constant)");
  o.num_md_train = static_cast<int>(args.integer("md-train", o.num_md_train, "MD training frames"));
  o.num_contacts_train = static_cast<int>(
      args.integer("contacts-train", o.num_contacts_train, "close-contact training frames"));
  o.clip_value = args.num("clip-value", o.clip_value, "clip-grad: gradient-norm threshold");
  o.update_fraction = args.num("update-fraction", o.update_fraction,
                               "clip-update: update-norm threshold as a fraction of lr*sqrt(P)");
  o.num_threads = static_cast<int>(args.integer("threads", 0, "threads (0: all)"));
  const std::string file =
      args.str("output", "", "write the tables to FILE.h5, the plot to FILE.png", 'o');
  const std::string dir = args.str("out", "", "write DIR/chem_clipping_study.h5 and .png");
  const bool no_save = args.flag("no-save", "write no files");
  const bool quiet = args.flag("quiet", "no progress on stderr");
  if (args.help()) {
    std::cout << args.usage(
        "Trains on ethanol MD frames with close-contact frames (forces up to ~900 eV/A) mixed in,\n"
        "with no clipping, gradient clipping by global norm before the moment update, update\n"
        "clipping after it, and the Huber loss, over several seeds; reports divergences and the\n"
        "MAEs on held-out MD frames as a table and a plot.");
    return 0;
  }
  args.finish();
  o.seeds.clear();
  for (long s = 0; s < seeds; ++s) o.seeds.push_back(static_cast<std::uint64_t>(s));
  if (const std::string why = o.validate(); !why.empty()) throw UsageError(why);
  const Output out = output_paths(file, dir, "chem_clipping_study", no_save);
  const ds::MolecularDataset a = ds::read_molecules(md_data), b = ds::read_molecules(contacts);
  std::printf(
      "adamant chem study: %d MD + %d close-contact training frames, %d held-out MD frames, "
      "%d epochs at lr %g, %ld seeds x 4 methods\n",
      o.num_md_train, o.num_contacts_train, o.num_test, o.epochs, o.lr, seeds);
  std::fflush(stdout);
  ProgressLine line(quiet, 0.0);
  const chem::StudyResult r =
      chem::clipping_study(a, b, o, [&](const std::string& m) { line.show(m, true); });
  line.done();
  std::printf("\n%s", r.report().c_str());
  if (!out.h5.empty()) {
    chem::write_study(out.h5, r);
    chem::study_plot(out.png, r);
    std::printf("wrote %s (tables study, curves) and %s\n", out.h5.c_str(), out.png.c_str());
  }
  return 0;
}

const std::vector<Action>& actions() {
  static const std::vector<Action> all = {
      {"fit", "fit a Behler-Parrinello potential to energies and forces", fit},
      {"eval", "energy / force MAE and RMSE of a fitted model on a data file", eval},
      {"md", "NVE / Langevin MD with a fitted model, energy drift", md},
      {"study", "none / clip-grad / clip-update / Huber on ethanol + close contacts", study},
  };
  return all;
}

}  // namespace

int run_chem(Args& args) { return run_action(args, "chem", actions()); }

}  // namespace adamant::cli
