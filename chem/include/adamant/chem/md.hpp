#pragma once
// Molecular dynamics with a fitted Potential.
//
// Units: Å, fs, amu, eV. a = F / m · κ with κ = 1 eV/(Å·amu) in Å/fs² = 9.648533212e-3;
// kinetic energy ½ m v² / κ in eV; k_B = 8.617333262e-5 eV/K.
//
// NVE: velocity Verlet (Swope, Andersen, Berens & Wilson, J. Chem. Phys. 76, 637 (1982)):
//   v ← v + ½ Δt a(x);  x ← x + Δt v;  v ← v + ½ Δt a(x).
// NVT: Langevin dynamics by the BAOAB splitting (Leimkuhler & Matthews, Appl. Math. Res. Express
// 2013, 34): B (half kick), A (half drift), O (v ← c₁ v + c₂ √(k_B T / m) ξ, c₁ = e^{−γΔt},
// c₂ = √(1 − c₁²), ξ ~ N(0, 1) from the seeded std::mt19937_64 by Box–Muller), A, B.
// Initial velocities: Maxwell–Boltzmann at the initial temperature from the seed, centre-of-mass
// momentum removed.

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "adamant/chem/potential.hpp"
#include "adamant/datasets/schema.hpp"

namespace adamant::chem {

/// Atomic mass in amu (standard atomic weights) of Z = 1..36; throws std::invalid_argument
/// beyond.
double atomic_mass(int z);

struct MdOptions {
  double timestep = 0.5;            ///< fs
  std::int64_t steps = 20000;       ///< 20 000 × 0.5 fs = 10 ps
  bool langevin = false;            ///< false: NVE velocity Verlet; true: BAOAB Langevin NVT
  double temperature = 300;         ///< K, of the thermostat and of the initial velocities
  double initial_temperature = -1;  ///< K; < 0: `temperature`
  double friction = 0.01;           ///< γ, 1/fs (Langevin)
  std::uint64_t seed = 0;
  std::int64_t record_every = 20;  ///< steps between recorded frames and energies
  /// A step whose |E_total − E_0| exceeds this (eV) or is non-finite counts as a blow-up and
  /// stops the run.
  double blowup_energy = 10.0;
  std::string validate() const;
};

struct MdResult {
  Eigen::VectorXd time;                                    ///< fs, recorded steps
  Eigen::VectorXd potential, kinetic, total, temperature;  ///< eV, eV, eV, K
  datasets::MolecularDataset trajectory;  ///< recorded frames: positions, energies, forces
  double drift = 0;                       ///< E_total(end) − E_total(0), eV
  double max_deviation = 0;               ///< max |E_total − E_total(0)|, eV
  double drift_per_atom_per_ps = 0;       ///< |drift| / atoms / simulated ps, eV
  double mean_temperature = 0;            ///< K, over recorded steps
  bool blew_up = false;
  std::int64_t steps_done = 0;
  double wall_seconds = 0;
};

/// Runs MD from `start` (a molecule or a periodic cell).
MdResult run_md(const Potential& potential, const Structure& start, const MdOptions& options);

/// What `adamant chem md` writes: the recorded frames as a molecules file at h5_path (its method
/// attribute set to `method`), unless a frame is not finite (a run that blew up), and the
/// energies (time_fs, potential, kinetic, total, temperature) as a table file beside it
/// (h5_path with "_energies.h5" for its ".h5"). Returns the paths written.
std::vector<std::string> write_md(const std::string& h5_path, const MdResult& result,
                                  const std::string& method);

/// Energies against time (total, potential, kinetic) as PNG.
void md_plot(const std::string& png_path, const MdResult& result, const std::string& title);

}  // namespace adamant::chem
