// Writes the seed corpus of fuzz_readers (fuzz/corpus/readers): one small, valid file per
// schema the readers know, so mutations start from files that reach deep into each reader.
//   fuzz_make_seeds DIR

#include <cstdio>
#include <limits>
#include <string>

#include "adamant/core/mlp.hpp"
#include "adamant/datasets/h5.hpp"
#include "adamant/datasets/schema.hpp"

namespace ds = adamant::datasets;

namespace {

ds::AttrValue text(const std::string& s) {
  ds::AttrValue v;
  v.s = s;
  return v;
}

template <typename T>
void checkpoint(const std::string& path) {
  ds::Checkpoint<T> c;
  c.model.kind = "mlp";
  adamant::core::MlpSpec spec;
  spec.layer_sizes = {2, 2, 1};
  c.model.attributes = ds::mlp_attributes(spec);
  c.model.params = Eigen::VectorXd::LinSpaced(9, -1.0, 1.0);
  c.rule = "adam";
  c.optimizer.step = 3;
  c.optimizer.slot_names = {"exp_avg", "exp_avg_sq"};
  c.optimizer.slots.assign(2, adamant::core::AlignedVector<T>(9, T(0.25)));
  c.optimizer.scalar_names = {"mu_product"};
  c.optimizer.scalars = {0.5};
  c.step = 3;
  c.rng_state = {1, 2, 3, 4};
  c.config["lr"] = ds::AttrValue{ds::AttrValue::Kind::kFloat, "", 0, 1e-3};
  ds::write_checkpoint<T>(path, c);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_make_seeds DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  const double nan = std::numeric_limits<double>::quiet_NaN();

  ds::PricePanel p;
  p.dates = {"2020-01-02", "2020-01-03", "2020-01-06"};
  p.tickers = {"AAA", "BBB"};
  p.prices.resize(3, 2);
  p.prices << 1.0, nan, 1.5, 2.0, 1.25, 2.5;
  p.metadata = {{"source", "seed"}};
  ds::write_prices(dir + "/prices.h5", p);

  ds::MolecularDataset m;
  m.atomic_numbers = {8, 1, 1};
  m.positions = ds::RowMatrixXd::Zero(2, 9);
  m.positions.row(0) << 0, 0, 0.1, 0.75, 0, -0.5, -0.75, 0, -0.5;
  m.positions.row(1) << 0, 0, 0.2, 0.8, 0, -0.5, -0.8, 0, -0.5;
  m.energies.resize(2);
  m.energies << -10.5, -10.25;
  m.forces = ds::RowMatrixXd::Constant(2, 9, 0.125);
  m.metadata["method"] = text("seed");
  ds::write_molecules(dir + "/molecules.h5", m);
  m.forces.resize(0, 0);
  ds::write_molecules(dir + "/molecules_noforces.h5", m);

  checkpoint<double>(dir + "/checkpoint_f64.h5");
  checkpoint<float>(dir + "/checkpoint_f32.h5");

  ds::Table t;
  t.add("step", Eigen::VectorXd::LinSpaced(4, 0, 3));
  t.add("loss", Eigen::VectorXd::Constant(4, 0.5));
  ds::write_table(dir + "/table.h5", t);
  std::printf("fuzz_make_seeds: wrote 6 files to %s\n", dir.c_str());
  return 0;
}
