// Molecular dynamics (md.hpp) with a small random potential: velocity Verlet conserves the total
// energy with an error that falls as Δt² (molecule and periodic cell) and keeps the centre of
// mass at rest; BAOAB Langevin on force-free atoms is an exact Ornstein–Uhlenbeck process, so its
// kinetic temperature averages to the target and its autocorrelation decays as e^{−2γt};
// recorded frames are the model's energies and forces; the same seed gives the same trajectory;
// blow-ups stop the run; options are validated.

#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <cmath>
#include <string>
#include <vector>

#include "adamant/chem/md.hpp"
#include "chem_test_util.hpp"

namespace {

using namespace adamant::chem;
using namespace adamant::chem::test;

constexpr double kBoltzmann = 8.617333262e-5;  // eV/K

// A random potential with its output layers scaled by 1/20: forces of a few eV/Å, like
// ethanol's at 500 K, instead of a random network's tens. For the cell: no standardisation and
// no scaling (the ethanol-fitted standardiser saturates the networks on the denser cell).
Potential gentle_potential(bool for_cell = false) {
  Potential pot = small_potential();
  if (for_cell) {
    pot = Potential(pot.descriptors(), pot.options());
    pot.init_parameters(3);
    return pot;
  }
  for (int e = 0; e < pot.num_elements(); ++e) {
    const auto& net = pot.network(e);
    const auto& out = net.layer(net.num_layers() - 1);
    pot.params.segment(pot.offset(e) + out.weight_offset, out.in * out.out) *= 0.05;
    pot.params.segment(pot.offset(e) + out.bias_offset, out.out) *= 0.05;
  }
  return pot;
}

MdOptions nve(double dt, std::int64_t steps) {
  MdOptions o;
  o.timestep = dt;
  o.steps = steps;
  o.temperature = 300;
  o.seed = 4;
  o.record_every = 1;
  return o;
}

TEST(MolecularDynamics, VelocityVerletEnergyErrorFallsAsTimestepSquared) {
  for (bool periodic : {false, true}) {
    SCOPED_TRACE(periodic ? "periodic cell" : "ethanol");
    const Potential pot = gentle_potential(periodic);
    const Structure start = periodic ? small_cell() : ethanol_frame(300);
    // 60 fs with Δt = 0.5 fs and 0.25 fs: the same initial velocities (they depend on the seed).
    MdOptions o = nve(0.5, 120);
    if (periodic) o.temperature = 1000;  // atoms leave the home cell (positions are not wrapped)
    const MdResult coarse = run_md(pot, start, o);
    o.timestep = 0.25;
    o.steps = 240;
    const MdResult fine = run_md(pot, start, o);
    ASSERT_FALSE(coarse.blew_up);
    ASSERT_FALSE(fine.blew_up);
    EXPECT_EQ(coarse.steps_done, 120);
    ASSERT_EQ(coarse.total.size(), 121);
    EXPECT_EQ(coarse.potential[0], fine.potential[0]);
    EXPECT_EQ(coarse.kinetic[0], fine.kinetic[0]);
    // Something happens: the kinetic energy changes by far more than the total does.
    const double k_range = coarse.kinetic.maxCoeff() - coarse.kinetic.minCoeff();
    EXPECT_GT(k_range, 20 * coarse.max_deviation);
    EXPECT_GT(coarse.max_deviation, 0.0);
    const double ratio = coarse.max_deviation / fine.max_deviation;
    EXPECT_GT(ratio, 3.0);
    EXPECT_LT(ratio, 5.3);
    if (periodic) {
      // Some atom's fractional coordinate left [0, 1): neighbours across a drifted position.
      const Eigen::Matrix3d inv = Eigen::Matrix3d(start.cell).inverse();
      double lo = 1, hi = 0;
      for (Eigen::Index f = 0; f < coarse.trajectory.positions.rows(); ++f)
        for (int i = 0; i < 4; ++i) {
          const Eigen::RowVector3d x = coarse.trajectory.positions.row(f).segment(3 * i, 3);
          const Eigen::RowVector3d frac = x * inv;
          lo = std::min(lo, frac.minCoeff());
          hi = std::max(hi, frac.maxCoeff());
        }
      EXPECT_TRUE(lo < 0 || hi >= 1) << lo << " " << hi;
    }
    // Bookkeeping.
    EXPECT_EQ(coarse.drift, coarse.total[120] - coarse.total[0]);
    EXPECT_LT((coarse.total - coarse.potential - coarse.kinetic).cwiseAbs().maxCoeff(), 1e-9);
    EXPECT_NEAR(coarse.time[120], 60.0, 1e-12);
  }
}

TEST(MolecularDynamics, NveKeepsTheCentreOfMassAtRestAndRecordsTheModel) {
  const Potential pot = small_potential();
  const Structure start = ethanol_frame(800);
  const MdResult r = run_md(pot, start, nve(0.5, 40));
  const auto& traj = r.trajectory;
  ASSERT_EQ(traj.num_frames(), 41);
  EXPECT_EQ(traj.atomic_numbers, ethanol().atomic_numbers);
  Eigen::VectorXd mass(9);
  for (int i = 0; i < 9; ++i)
    mass[i] = atomic_mass(start.atomic_numbers[static_cast<std::size_t>(i)]);
  auto com = [&](std::int64_t f) {
    const RowMatrixXd x = Eigen::Map<const RowMatrixXd>(traj.positions.row(f).data(), 9, 3);
    return Eigen::RowVector3d((mass.transpose() * x) / mass.sum());
  };
  EXPECT_EQ(Eigen::Map<const RowMatrixXd>(traj.positions.row(0).data(), 9, 3), start.positions);
  double moved = 0;
  for (std::int64_t f = 1; f <= 40; ++f) {
    EXPECT_LT((com(f) - com(0)).norm(), 1e-10) << f;
    moved = std::max(moved, (traj.positions.row(f) - traj.positions.row(0)).cwiseAbs().maxCoeff());
  }
  EXPECT_GT(moved, 0.05);
  // Each recorded frame carries the model's energy and forces at its positions.
  for (std::int64_t f : {0, 17, 40}) {
    Structure s = start;
    s.positions = Eigen::Map<const RowMatrixXd>(traj.positions.row(f).data(), 9, 3);
    RowMatrixXd forces;
    EXPECT_EQ(traj.energies[f], pot.energy_forces(s, &forces));
    EXPECT_EQ(traj.forces.row(f), Eigen::Map<const Eigen::RowVectorXd>(forces.data(), 27));
    EXPECT_EQ(r.potential[f], traj.energies[f]);
  }
}

// Atoms 40 Å apart (r_c = 4 Å): no neighbours, zero forces, and BAOAB's velocity update is the
// exact Ornstein–Uhlenbeck step v ← c₁ v + c₂ σ ξ, c₁ = e^{−γΔt}, whatever Δt is. In equilibrium
// the kinetic energy of the 3A free degrees of freedom averages 3A k_B T / 2 and its
// autocorrelation at lag n is c₁^{2n}.
TEST(MolecularDynamics, LangevinOnFreeAtomsIsAnExactOrnsteinUhlenbeckProcess) {
  const Potential pot = small_potential();
  Structure s;
  s.atomic_numbers = {6, 8, 6, 8, 6, 8, 6, 8};
  s.positions.resize(8, 3);
  for (int i = 0; i < 8; ++i)
    s.positions.row(i) << 40.0 * (i % 2), 40.0 * ((i / 2) % 2), 40.0 * (i / 4);
  MdOptions o;
  o.langevin = true;
  o.timestep = 1.0;
  o.friction = 0.05;
  o.temperature = 300;
  o.initial_temperature = 0;  // starts cold: the thermostat has to heat it
  o.steps = 12000;
  o.record_every = 1;
  o.seed = 11;
  o.blowup_energy = 1e-9;  // not used by Langevin runs (no energy conservation to check)
  const MdResult r = run_md(pot, s, o);
  ASSERT_FALSE(r.blew_up);
  ASSERT_EQ(r.kinetic.size(), 12001);
  EXPECT_EQ(r.kinetic[0], 0.0);
  EXPECT_EQ(r.potential.maxCoeff(), r.potential.minCoeff());  // nothing interacts
  const double kt = kBoltzmann * o.temperature;
  const int burn = 200;  // 10 relaxation times 1/(2γ)
  const Eigen::VectorXd k = r.kinetic.tail(12001 - burn);
  const double mean = k.mean();
  EXPECT_NEAR(mean / (24 * kt / 2), 1.0, 0.05);
  // The reported temperature is the kinetic one over the 3A degrees of freedom.
  const Eigen::VectorXd t = r.temperature.tail(12001 - burn);
  EXPECT_NEAR(t.mean() / o.temperature, 1.0, 0.05);
  EXPECT_NEAR(t.mean(), 2 * mean / (24 * kBoltzmann), 1e-9 * o.temperature);
  // Fluctuations: Var K = 3A (k_B T)² / 2 for Gaussian velocities.
  const double var = (k.array() - mean).square().mean();
  EXPECT_NEAR(var / (24 * kt * kt / 2), 1.0, 0.2);
  // Autocorrelation at lags 1 and 10.
  auto autocorr = [&](int lag) {
    const Eigen::Index n = k.size() - lag;
    return ((k.head(n).array() - mean) * (k.tail(n).array() - mean)).mean() / var;
  };
  const double c1 = std::exp(-o.friction * o.timestep);
  EXPECT_NEAR(autocorr(1), std::pow(c1, 2), 0.03);
  EXPECT_NEAR(autocorr(10), std::pow(c1, 20), 0.06);
}

TEST(MolecularDynamics, SameSeedSameTrajectory) {
  const Potential pot = small_potential();
  for (bool langevin : {false, true}) {
    SCOPED_TRACE(langevin ? "langevin" : "nve");
    MdOptions o = nve(0.5, 30);
    o.langevin = langevin;
    o.friction = 0.02;
    o.record_every = 10;
    const MdResult a = run_md(pot, ethanol_frame(3), o);
    const MdResult b = run_md(pot, ethanol_frame(3), o);
    ASSERT_EQ(a.trajectory.num_frames(), 4);
    EXPECT_EQ(a.trajectory.positions, b.trajectory.positions);
    EXPECT_EQ(a.total, b.total);
    o.seed += 1;
    const MdResult c = run_md(pot, ethanol_frame(3), o);
    EXPECT_NE(c.trajectory.positions, a.trajectory.positions);
  }
}

TEST(MolecularDynamics, BlowUpStopsTheRun) {
  const Potential pot = small_potential();
  MdOptions o = nve(2.0, 500);
  o.blowup_energy = 1e-12;  // any rounding of the total energy counts
  const MdResult r = run_md(pot, ethanol_frame(0), o);
  EXPECT_TRUE(r.blew_up);
  EXPECT_LT(r.steps_done, 500);
  EXPECT_GT(r.max_deviation, o.blowup_energy);
}

TEST(MolecularDynamics, OptionsAreValidated) {
  const Potential pot = small_potential();
  auto why = [&](const std::function<void(MdOptions&)>& set) {
    MdOptions o;
    set(o);
    return error_of<std::invalid_argument>([&] { run_md(pot, ethanol_frame(0), o); });
  };
  EXPECT_TRUE(contains(why([](MdOptions& o) { o.timestep = 0; }), "timestep"));
  EXPECT_TRUE(contains(why([](MdOptions& o) { o.timestep = std::nan(""); }), "timestep"));
  EXPECT_TRUE(contains(why([](MdOptions& o) { o.steps = 0; }), "steps"));
  EXPECT_TRUE(contains(why([](MdOptions& o) { o.temperature = -1; }), "temperature"));
  EXPECT_TRUE(contains(why([](MdOptions& o) {
                         o.langevin = true;
                         o.friction = 0;
                       }),
                       "friction"));
  EXPECT_TRUE(contains(why([](MdOptions& o) { o.record_every = 0; }), "record_every"));
  Structure bad = ethanol_frame(0);
  bad.atomic_numbers[0] = 92;
  EXPECT_THROW(run_md(pot, bad, MdOptions{}), std::invalid_argument);
  EXPECT_NEAR(atomic_mass(6), 12.011, 1e-12);
  EXPECT_THROW(atomic_mass(37), std::invalid_argument);
}

}  // namespace
