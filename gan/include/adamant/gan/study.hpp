#pragma once
// Diagnostics of game dynamics and the method-comparison study behind `adamant gan study`.
//
// Diagnostics, for a game with equilibrium z*:
//   eigenvalues of J(z) (complex, Eigen::EigenSolver) at z* and along a trajectory;
//   Hamiltonian H(z) = ½‖ξ(z)‖² (Balduzzi et al. 2018); distance ‖z_t − z*‖ and of the averaged
//   iterate; the per-step contraction factor c_t = ‖z_{t+1} − z*‖ / ‖z_t − z*‖; the rate
//   (‖z_S − z*‖ / ‖z_{S/2} − z*‖)^{1/(S − S/2)} (geometric mean of c_t over the second half);
//   the eigenvalues of the linearised one-step map of a memoryless method (SGD without momentum:
//   simultaneous, alternating, extragradient, consensus, SGA) at z*, by central differences of
//   one step (|λ| < 1 for all: locally convergent).
// For the mixture GAN: modes captured and the high-quality share (mixture.hpp) of 2000 samples
// (the same latents each time) at curve_points steps; the iterates and the samples are kept
// only at a few snapshots.
//
// Diverged: a non-finite iterate, or a final distance above 1000 × the initial one.
// Determinism: the methods run in parallel (one game copy each, the same minibatch stream), each
// single-threaded, so the numbers do not depend on num_threads.

#include <complex>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "adamant/datasets/schema.hpp"
#include "adamant/gan/games.hpp"
#include "adamant/gan/mixture.hpp"
#include "adamant/gan/optimizers.hpp"

namespace adamant::gan {

/// Eigenvalues of J(z).
Eigen::VectorXcd jacobian_eigenvalues(Game<double>& game, const Eigen::VectorXd& z);
/// H(z) = ½‖ξ(z)‖².
double hamiltonian(Game<double>& game, const Eigen::VectorXd& z);
/// Eigenvalues of the one-step map of `o` at z (central differences, step h); o must be
/// memoryless (is_memoryless).
Eigen::VectorXcd update_eigenvalues(const Game<double>& game, const GameOptimizerOptions& o,
                                    const Eigen::VectorXd& z, double h = 1e-6);
bool is_memoryless(const GameOptimizerOptions& o);

/// The named presets of the study: simgd, altgd, momentum (simultaneous, μ = 0.5), negmom
/// (alternating, μ = −0.5), adam (β₁ 0.9), adam05 (β₁ 0.5), adam0 (β₁ 0), optimistic (OGDA),
/// oadam, extragradient, extraadam, past, consensus, sga. lr_sgd / lr_adam: the SGD-family and
/// Adam-family learning rates of player x; player y gets lr × lr_ratio (TTUR).
GameOptimizerOptions method_preset(const std::string& name, double lr_sgd, double lr_adam,
                                   double lr_ratio = 1.0);
std::vector<std::string> method_names();

struct StudyOptions {
  std::string game = "dirac";  ///< dirac, bilinear, ring, grid
  std::vector<std::string> methods = {"simgd",      "altgd",         "adam",
                                      "optimistic", "extragradient", "consensus"};
  int steps = 500;
  double lr_sgd = 0;    ///< 0: 0.1 (dirac, bilinear) or 0.02 (ring, grid)
  double lr_adam = 0;   ///< 0: 0.01 (dirac, bilinear), 2e-4 (ring) or 1e-3 (grid)
  double lr_ratio = 1;  ///< y's lr / x's lr (TTUR)
  int n_d = 1;
  double consensus_gamma = 1.0;
  double sga_lambda = 1.0;
  DiracOptions dirac;
  BilinearOptions bilinear;  ///< default f = xy
  MixtureOptions mixture;
  Eigen::VectorXd start;    ///< empty: (1, 1) for 2-D games, (1, …, 1) for bilinear
  int eigen_every = 10;     ///< Jacobian spectrum every k steps (games with a Jacobian)
  int snapshots = 6;        ///< mixture: sample snapshots over training (incl. start and end)
  int curve_points = 51;    ///< mixture: steps with mode statistics (incl. start and end)
  int eval_samples = 2000;  ///< mixture: samples per snapshot
  int num_threads = 1;      ///< 0: all hardware threads
  std::string validate() const;
};

struct MethodRun {
  std::string name;
  GameOptimizerOptions options;
  datasets::Trajectory trajectory;  ///< iterates + metrics (columns below)
  /// Jacobian eigenvalues along the trajectory: steps (eigen_steps) × dim.
  std::vector<int> eigen_steps;
  Eigen::MatrixXcd eigenvalues;
  Eigen::VectorXcd update_eigenvalues;  ///< one-step map at z* (memoryless methods), else empty
  /// Mixture: samples (eval_samples × 2) at snapshot steps.
  std::vector<int> snapshot_steps;
  std::vector<datasets::RowMatrixXd> snapshots;
  /// Mixture: step, modes, high_quality, f_x, f_y at curve_points steps (snapshots included).
  datasets::Table curve;
  double final_distance = NAN, avg_distance = NAN, rate = NAN;
  int modes = -1;                  ///< mixture: modes captured at the last step
  double high_quality = NAN;       ///< mixture: high-quality share at the last step
  double modes_late = NAN;         ///< mixture: mean modes over the last fifth of the curve
  double high_quality_late = NAN;  ///< mixture: mean high-quality share, same steps
  std::int64_t evaluations = 0;    ///< evaluations of the vector field
  bool diverged = false;
  double wall_seconds = 0;
};

struct StudyResult {
  StudyOptions options;
  std::vector<MethodRun> runs;
  Eigen::VectorXd equilibrium;               ///< empty for the mixture GAN
  Eigen::VectorXcd equilibrium_eigenvalues;  ///< eig J(z*) when the game has both
  double wall_seconds = 0;
  /// Columns method_index, final_distance, avg_distance, rate, diverged, modes, high_quality,
  /// modes_late, high_quality_late, evaluations; metadata methods (comma-separated), game, steps
  /// and the game's settings (loss, gamma, instance_noise; seed, batch_size).
  datasets::Table table() const;
  /// The convergence table as text.
  std::string format() const;
};

/// StudyOptions{} with the methods and steps a game is studied with by default: dirac and
/// bilinear — simgd, altgd, adam, optimistic, extragradient, consensus, 500 steps; ring — altgd,
/// adam, adam05, adam0, oadam, extraadam, 5000 steps; grid — adam, adam05, oadam, extraadam,
/// 10000 steps (the CLI's and adamant.gan.study's defaults).
StudyOptions study_defaults(const std::string& game);

/// Builds the study's game (double precision).
std::unique_ptr<Game<double>> make_game(const StudyOptions& o);

/// The optimizer options the study gives method `name` (preset, default learning rates, n_d,
/// consensus γ, SGA λ); throws std::invalid_argument for an unknown name.
GameOptimizerOptions study_method(const StudyOptions& o, const std::string& name);

/// Runs every method; progress(text) is called now and then (from one thread at a time).
StudyResult run_study(const StudyOptions& o,
                      const std::function<void(const std::string&)>& progress = {});

/// Writes trajectories (schema `trajectories`, one run per method) plus the groups convergence
/// (table), eigenvalues/<method> (re, im, step), and for the mixture curves/<method> (table) and
/// snapshots/<method>/step_<k> (samples), atomically (docs/schema.md, "GAN study").
void write_study(const std::string& path, const StudyResult& r);
/// What write_study put in a file, read back and checked (throws datasets::DataError naming the
/// file, the object and what was expected).
struct StudyFile {
  std::map<std::string, datasets::Trajectory> trajectories;  ///< by method
  datasets::Table convergence;                               ///< rows in `methods` order
  std::vector<std::string> methods;                          ///< the table's metadata "methods"
  std::map<std::string, std::vector<int>> eigen_steps;       ///< dirac, bilinear
  std::map<std::string, Eigen::MatrixXcd> eigenvalues;       ///< steps × dim
  std::map<std::string, datasets::Table> curves;             ///< mixture
  std::map<std::string, std::map<int, datasets::RowMatrixXd>> snapshots;  ///< mixture: step → N × 2
  Eigen::VectorXd equilibrium;                                            ///< empty for the mixture
  Eigen::VectorXcd equilibrium_eigenvalues;
};
StudyFile read_study(const std::string& path);

/// PNGs <prefix>_field.png (2-D games), _distance.png, _eigenvalues.png (games with a
/// Jacobian), _samples.png and _modes.png (mixture). Returns the paths written.
std::vector<std::string> plot_study(const StudyResult& r, const std::string& prefix);

}  // namespace adamant::gan
