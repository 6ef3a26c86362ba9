#pragma once
// Fitting a Potential (potential.hpp) to energies and forces: a seeded train / validation /
// test split, minibatches of frames, the core optimizers (Adam, AdamW, AMSGrad) with an
// exponential, cosine or constant learning-rate schedule, DeePMD's prefactor schedule
//   p(t) = p_limit + (p_start − p_limit) · lr(t) / lr(0)        (Zhang et al., PRL 120, 143001)
// for the energy and force weights, gradient clipping by global norm before the moment update
// (Pascanu, Mikolov & Bengio 2013) or clipping of the update's norm after it, the Huber loss,
// early stopping on the validation loss (the best parameters are restored), checkpoints that
// resume bit-identically, and a progress callback.
//
// Determinism: frames of a minibatch are evaluated in parallel (OpenMP) into per-frame gradient
// slots that are summed in frame order, so the same seed gives the same numbers on any thread
// count.

#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "adamant/chem/potential.hpp"
#include "adamant/core/block_sum.hpp"
#include "adamant/core/rules.hpp"
#include "adamant/datasets/schema.hpp"

namespace adamant::chem {

/// Errors of a set of frames (energies per frame, force components).
struct Metrics {
  double energy_mae = 0;   ///< eV
  double energy_rmse = 0;  ///< eV
  double force_mae = 0;    ///< eV/Å (over components)
  double force_rmse = 0;   ///< eV/Å
  std::int64_t frames = 0;
};

enum class ClipMode { kNone, kGradNorm, kUpdateNorm };
/// "none", "grad" (global norm before the moment update), "update" (update norm after it).
const char* to_string(ClipMode m);
ClipMode parse_clip_mode(const std::string& name);

struct TrainOptions {
  // -- data
  int num_train = 950;      ///< training frames (drawn by the seed)
  int num_validation = 50;  ///< validation frames (early stopping)
  int num_test = 1000;      ///< test frames (0: none; fewer when the file is smaller)
  std::uint64_t seed = 0;   ///< split, initialisation, shuffling
  // -- model
  DescriptorOptions descriptors;
  NetworkOptions network;
  // -- optimisation
  /// Any rule of the core's table with its options (core/rules.hpp); its lr is the initial
  /// learning rate. Default: Adam (PyTorch's β, ε) at lr 5e-3.
  core::RuleOptions rule = default_rule();
  double lr_final = 2e-5;  ///< reached at the last step (exponential and cosine)
  /// exponential (lr·γ^t, γ per step), cosine (annealing lr → lr_final over all steps) or
  /// constant (lr throughout; lr_final unused). The DeePMD prefactors follow lr(t)/lr.
  std::string schedule = "exponential";
  int epochs = 600;
  int batch_size = 16;
  double energy_weight_start = 1.0, energy_weight_limit = 20.0;  ///< p_e
  double force_weight_start = 100.0, force_weight_limit = 10.0;  ///< p_f
  ClipMode clip = ClipMode::kNone;
  double clip_value = 1.0;  ///< max global norm of the gradient or of the update
  bool huber = false;
  double huber_delta_energy = 0.01, huber_delta_force = 1.0;
  // -- control
  int patience = 0;     ///< epochs without validation improvement before stopping (0: off)
  int eval_every = 1;   ///< epochs between validation evaluations
  int num_threads = 1;  ///< 0: all; results do not depend on it
  /// The frames of every minibatch split over processes (dist::MpiBlockSum under mpirun: each
  /// rank evaluates its share, the gradient is summed in frame order), or null: this process
  /// evaluates them all. The fitted model is the same bits either way; only the root process
  /// writes checkpoints.
  std::shared_ptr<const core::BlockSum> block_sum;
  /// path of the checkpoint ("" = none); "<path>.best.h5" (best parameters) and "<path>.curve.h5"
  /// (the learning curve so far) beside it
  std::string checkpoint;
  int checkpoint_every = 0;  ///< epochs between checkpoints (0: only at the end)
  bool resume = false;       ///< continue from `checkpoint` when it exists
  /// A loss above this (or NaN) counts as a divergence and stops the run.
  double divergence_loss = 1e8;

  static core::RuleOptions default_rule();
  /// The rule's learning rate (the initial one).
  double lr() const { return core::get_field(rule, "lr"); }
  void set_lr(double lr) { core::set_field(rule, "lr", lr); }

  std::string validate() const;
  std::string describe() const;
  /// Every option that determines a run's numbers (not its threads or file names), by name: a
  /// checkpoint stores them ("options.<name>" in its config) and resumes only with equal ones,
  /// naming the first that differs.
  std::map<std::string, datasets::AttrValue> identity() const;
};

struct Progress {
  int epoch = 0, epochs = 0;
  double loss = 0;  ///< mean training loss of the epoch
  double lr = 0;
  Metrics validation;
  double elapsed = 0;  ///< seconds
};

struct TrainResult {
  Potential potential;    ///< with the best validation parameters
  datasets::Table curve;  ///< epoch, loss, lr, val_energy_mae, val_force_mae, wall_time
  Metrics train, validation, test;
  std::vector<int> train_frames, validation_frames, test_frames;  ///< indices into the file
  int epochs_run = 0, best_epoch = 0;
  bool stopped_early = false;
  bool diverged = false;  ///< NaN / loss above divergence_loss
  double wall_seconds = 0;
};

/// Splits 0..n−1 by the seed into train / validation / test index lists (disjoint).
void split_frames(std::int64_t n, int num_train, int num_validation, int num_test,
                  std::uint64_t seed, std::vector<int>* train, std::vector<int>* validation,
                  std::vector<int>* test);

/// A Structure for frame f of a data set (molecule, no cell).
Structure structure_of(const datasets::MolecularDataset& data, std::int64_t frame);

/// Trains on `data` (which must have forces). Throws std::invalid_argument when the options or
/// data are unusable (naming the problem).
TrainResult train(const datasets::MolecularDataset& data, const TrainOptions& options,
                  const std::function<void(const Progress&)>& progress = {});

/// Errors of the potential on the given frames (all when empty); optionally the predicted
/// energies (F) and forces (F × 3A). Parallel over frames, deterministic.
Metrics evaluate(const Potential& potential, const datasets::MolecularDataset& data,
                 const std::vector<int>& frames = {}, Eigen::VectorXd* energies = nullptr,
                 RowMatrixXd* forces = nullptr, int num_threads = 1);

/// Parity plot (predicted vs reference energy per atom and force components) as PNG.
void parity_plot(const std::string& png_path, const Eigen::VectorXd& ref_energy,
                 const Eigen::VectorXd& pred_energy, const RowMatrixXd& ref_forces,
                 const RowMatrixXd& pred_forces, const std::string& title);

// ---- the clipping study ----

struct StudyOptions {
  std::vector<std::uint64_t> seeds = {0, 1, 2};
  int num_md_train = 300;       ///< MD frames in the training set
  int num_contacts_train = 30;  ///< close-contact frames mixed into the training set (~10 %)
  int num_test = 200;           ///< MD frames held out for the MAEs
  int epochs = 60;
  double lr = 5e-3;         ///< constant: the study is about the raw step
  double clip_value = 1.0;  ///< clip-grad: global gradient-norm threshold
  /// clip-update: update-norm threshold as a fraction of lr·√P, the norm of a step that moves
  /// each of the P parameters by lr (what a saturated Adam step does).
  double update_fraction = 0.5;
  int num_threads = 1;
  std::string validate() const;
};

struct StudyRow {
  std::string method;  ///< none, clip-grad, clip-update, huber
  std::uint64_t seed = 0;
  bool diverged = false;
  int epochs_run = 0;
  double final_loss = 0;
  Metrics test;  ///< on held-out MD frames (NaN when diverged)
};

struct StudyResult {
  std::vector<StudyRow> rows;
  /// Training loss per epoch per run (method_seedS), NaN after a divergence.
  datasets::Table curves;
  datasets::Table table() const;  ///< one row per run: method index, seed, diverged, MAEs
  std::string report() const;     ///< the summary table as text (mean over seeds per method)
};

/// none / clip before (global gradient norm) / clip after (update norm) / Huber, on ethanol MD
/// frames mixed with close contacts (forces up to ~900 eV/Å), over several seeds.
StudyResult clipping_study(const datasets::MolecularDataset& md,
                           const datasets::MolecularDataset& contacts, const StudyOptions& options,
                           const std::function<void(const std::string&)>& progress = {});
void study_plot(const std::string& png_path, const StudyResult& result);

// ---- files (docs/schema.md) ----

/// What `adamant chem fit` writes: the model (save_potential, with the data file, the options'
/// description and the test MAEs as root attributes) to h5_path, and the learning curve (a table
/// file) beside it. Returns the curve's path, h5_path with "_curve.h5" for its ".h5".
std::string save_fit(const std::string& h5_path, const TrainResult& result,
                     const TrainOptions& options, const std::string& data_path);

/// The clipping study's file, schema "chem_study": the table (/study) and the training curves
/// (/curves). Written atomically; `adamant data info` summarises it.
void write_study(const std::string& path, const StudyResult& result);
struct StudyFile {
  datasets::Table study, curves;
};
/// Reads a file write_study wrote; datasets::DataError naming the file and the object otherwise.
StudyFile read_study(const std::string& path);

}  // namespace adamant::chem
