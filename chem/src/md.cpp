#include "adamant/chem/md.hpp"

#include <chrono>
#include <cmath>
#include <random>
#include <stdexcept>

namespace adamant::chem {

namespace {
constexpr double kAccel = 9.648533212e-3;      // (eV/Å/amu) → Å/fs²
constexpr double kBoltzmann = 8.617333262e-5;  // eV/K
constexpr double kTwoPi = 6.283185307179586;

// Standard normal by Box–Muller from 53-bit uniforms (same numbers with every standard library).
struct Normal {
  std::mt19937_64 rng;
  bool has = false;
  double spare = 0;
  double uniform() { return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53; }
  double operator()() {
    if (has) {
      has = false;
      return spare;
    }
    const double u1 = uniform(), u2 = uniform();
    const double r = std::sqrt(-2.0 * std::log(u1));
    spare = r * std::sin(kTwoPi * u2);
    has = true;
    return r * std::cos(kTwoPi * u2);
  }
};
}  // namespace

double atomic_mass(int z) {
  static const double m[] = {0,      1.008,  4.0026, 6.94,   9.0122, 10.81,  12.011, 14.007,
                             15.999, 18.998, 20.180, 22.990, 24.305, 26.982, 28.085, 30.974,
                             32.06,  35.45,  39.948, 39.098, 40.078, 44.956, 47.867, 50.942,
                             51.996, 54.938, 55.845, 58.933, 58.693, 63.546, 65.38,  69.723,
                             72.630, 74.922, 78.971, 79.904, 83.798};
  if (z < 1 || z > 36)
    throw std::invalid_argument("atomic_mass: no mass for Z=" + std::to_string(z) + " (1..36)");
  return m[z];
}

std::string MdOptions::validate() const {
  if (!(timestep > 0)) return "timestep must be > 0";
  if (steps < 1) return "steps must be >= 1";
  if (!(temperature >= 0)) return "temperature must be >= 0";
  if (langevin && !(friction > 0)) return "friction must be > 0";
  if (record_every < 1) return "record_every must be >= 1";
  if (!(blowup_energy > 0)) return "blowup_energy must be > 0";
  return "";
}

MdResult run_md(const Potential& pot, const Structure& start, const MdOptions& o) {
  if (const std::string why = o.validate(); !why.empty())
    throw std::invalid_argument("run_md: " + why);
  if (const std::string why = start.validate(); !why.empty())
    throw std::invalid_argument("run_md: " + why);
  const auto t0 = std::chrono::steady_clock::now();
  const int a = static_cast<int>(start.atomic_numbers.size());
  Eigen::VectorXd mass(a);
  for (int i = 0; i < a; ++i)
    mass[i] = atomic_mass(start.atomic_numbers[static_cast<std::size_t>(i)]);
  Structure s = start;
  Calculator calc(pot);
  RowMatrixXd f;
  double epot = calc.compute(s, f);
  Normal normal;
  normal.rng.seed(o.seed);
  const double t_init = o.initial_temperature >= 0 ? o.initial_temperature : o.temperature;
  RowMatrixXd v(a, 3);
  for (int i = 0; i < a; ++i)
    for (int d = 0; d < 3; ++d)
      v(i, d) = normal() * std::sqrt(kBoltzmann * t_init * kAccel / mass[i]);
  double p[3] = {0, 0, 0};
  for (int i = 0; i < a; ++i)
    for (int d = 0; d < 3; ++d) p[d] += mass[i] * v(i, d);
  for (int i = 0; i < a; ++i)
    for (int d = 0; d < 3; ++d) v(i, d) -= p[d] / mass.sum();
  // NVE conserves the total momentum (zeroed above), leaving 3N - 3 degrees of freedom; the
  // Langevin thermostat acts on every atom independently and thermalises all 3N.
  const int dof = o.langevin ? 3 * a : std::max(1, 3 * a - 3);
  auto kinetic = [&] {
    double k = 0;
    for (int i = 0; i < a; ++i) k += 0.5 * mass[i] * v.row(i).squaredNorm();
    return k / kAccel;
  };
  std::vector<double> tt, ep, ek, et, tk;
  MdResult res;
  res.trajectory.atomic_numbers.assign(start.atomic_numbers.begin(), start.atomic_numbers.end());
  std::vector<double> pos, en, fo;
  auto record = [&](std::int64_t step) {
    const double k = kinetic();
    tt.push_back(static_cast<double>(step) * o.timestep);
    ep.push_back(epot);
    ek.push_back(k);
    et.push_back(epot + k);
    tk.push_back(2 * k / (dof * kBoltzmann));
    pos.insert(pos.end(), s.positions.data(), s.positions.data() + 3 * a);
    fo.insert(fo.end(), f.data(), f.data() + 3 * a);
    en.push_back(epot);
  };
  record(0);
  const double e0 = et.front();
  const double dt = o.timestep;
  const double c1 = std::exp(-o.friction * dt), c2 = std::sqrt(1 - c1 * c1);
  std::int64_t step = 0;
  for (step = 1; step <= o.steps; ++step) {
    for (int i = 0; i < a; ++i) v.row(i) += 0.5 * dt * kAccel / mass[i] * f.row(i);
    if (o.langevin) {
      s.positions += 0.5 * dt * v;
      for (int i = 0; i < a; ++i) {
        const double sd = std::sqrt(kBoltzmann * o.temperature * kAccel / mass[i]);
        for (int d = 0; d < 3; ++d) v(i, d) = c1 * v(i, d) + c2 * sd * normal();
      }
      s.positions += 0.5 * dt * v;
    } else {
      s.positions += dt * v;
    }
    epot = calc.compute(s, f);
    for (int i = 0; i < a; ++i) v.row(i) += 0.5 * dt * kAccel / mass[i] * f.row(i);
    const double etot = epot + kinetic();
    const bool bad = !std::isfinite(etot) ||
                     (!o.langevin && std::abs(etot - e0) > o.blowup_energy) ||
                     !s.positions.allFinite();
    if (step % o.record_every == 0 || step == o.steps || bad) record(step);
    if (bad) {
      res.blew_up = true;
      break;
    }
  }
  res.steps_done = std::min(step, o.steps);
  auto vec = [](const std::vector<double>& x) {
    return Eigen::Map<const Eigen::VectorXd>(x.data(), static_cast<Eigen::Index>(x.size())).eval();
  };
  res.time = vec(tt);
  res.potential = vec(ep);
  res.kinetic = vec(ek);
  res.total = vec(et);
  res.temperature = vec(tk);
  const auto nrec = static_cast<Eigen::Index>(tt.size());
  res.trajectory.positions = Eigen::Map<const RowMatrixXd>(pos.data(), nrec, 3 * a);
  res.trajectory.forces = Eigen::Map<const RowMatrixXd>(fo.data(), nrec, 3 * a);
  res.trajectory.energies = vec(en);
  res.drift = et.back() - e0;
  for (double e : et) res.max_deviation = std::max(res.max_deviation, std::abs(e - e0));
  const double ps = static_cast<double>(res.steps_done) * dt / 1000.0;
  res.drift_per_atom_per_ps = ps > 0 ? std::abs(res.drift) / a / ps : 0;
  res.mean_temperature = res.temperature.mean();
  res.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

}  // namespace adamant::chem
