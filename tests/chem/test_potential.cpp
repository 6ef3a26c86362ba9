// The Behler-Parrinello potential (potential.hpp): forces = −∂E/∂x against central differences of
// the energy (molecule and periodic cell, every smooth activation), rotation covariance; the
// per-element least-squares shift; the exact gradient of the energy + force loss with respect to
// every weight (squared and Huber, non-trivial prefactors — the force term needs the network's
// second derivatives) against central differences; the model file's bit-exact round trip and
// the reader's errors on malformed files.

#include <gtest/gtest.h>
#include <hdf5.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "adamant/chem/potential.hpp"
#include "adamant/datasets/h5.hpp"
#include "adamant/datasets/schema.hpp"
#include "chem_test_util.hpp"

namespace {

using namespace adamant::chem;
using namespace adamant::chem::test;
using adamant::core::Activation;
using adamant::datasets::DataError;

const Activation kSmooth[] = {Activation::kTanh, Activation::kSoftplus, Activation::kSiLU};

// ---- forces ----

void expect_forces_are_minus_energy_gradient(const Potential& pot, const Structure& s) {
  RowMatrixXd forces;
  pot.energy_forces(s, &forces);
  const auto energy = [&](const Eigen::VectorXd& x) -> Eigen::VectorXd {
    return Eigen::VectorXd::Constant(1, pot.energy_forces(with_positions(s, x), nullptr));
  };
  const Eigen::MatrixXd fd = -central_jacobian(energy, flat(s.positions), 2e-6).transpose();
  const Eigen::MatrixXd an = flat(forces);
  const double scale = an.cwiseAbs().maxCoeff();
  ASSERT_GT(scale, 1e-2);
  EXPECT_LT(max_scaled_error(fd, an, 1e-3 * scale), 1e-7);
  // Translation invariance: no net force.
  EXPECT_LT(forces.colwise().sum().cwiseAbs().maxCoeff(), 1e-12 * scale);
}

TEST(Potential, ForcesAreMinusTheEnergyGradientForEverySmoothActivation) {
  for (Activation act : kSmooth) {
    SCOPED_TRACE(adamant::core::to_string(act));
    Potential pot = small_potential(act, {8, 6}, 11);
    pot.shifts.setZero();  // constant; zero keeps |E| small so differences of E stay accurate
    expect_forces_are_minus_energy_gradient(pot, ethanol_frame(1234));
  }
}

TEST(Potential, ForcesInAPeriodicCellSmallerThanTwiceTheCutoff) {
  for (CutoffType ct : {CutoffType::kCosine, CutoffType::kPolynomial}) {
    DescriptorOptions o = small_descriptor_options(4.0);
    o.cutoff = ct;
    o.angular = SymmetryType::kG3;
    NetworkOptions no;
    no.hidden = {7};
    no.activation = Activation::kSiLU;
    Potential pot(standard_descriptor_set({1, 6, 8}, o), no);
    pot.init_parameters(5);
    expect_forces_are_minus_energy_gradient(pot, small_cell());
  }
}

TEST(Potential, EnergyIsInvariantAndForcesRotateWithTheMolecule) {
  const Potential pot = small_potential();
  const Structure s = ethanol_frame(99);
  RowMatrixXd f0, f1;
  const double e0 = pot.energy_forces(s, &f0);
  const Eigen::MatrixXd rot = rotation(1.3, Eigen::Vector3d(-0.2, 0.7, 1.0));
  Structure r = s;
  r.positions = (s.positions * rot.transpose()).rowwise() + Eigen::RowVector3d(1.5, -7, 2);
  const double e1 = pot.energy_forces(r, &f1);
  EXPECT_NEAR(e1, e0, 1e-12 * std::abs(e0));
  const RowMatrixXd rotated = f0 * rot.transpose();
  EXPECT_LT((rotated - f1).cwiseAbs().maxCoeff(), 1e-11 * f0.cwiseAbs().maxCoeff());
}

// The workspace path (evaluate_frame on a prepared frame) and the Calculator agree exactly, and a
// Calculator reused for another structure with the same atom count but other elements does not
// keep the first structure's elements.
TEST(Potential, CalculatorAgreesWithEvaluateFrameAndFollowsTheStructure) {
  const Potential pot = small_potential();
  const Structure s = ethanol_frame(10);
  const PreparedFrame f = pot.prepare(s, 0.0, Eigen::VectorXd());
  Potential::Workspace ws = pot.make_workspace(9);
  const double e = pot.predict(pot.params, f, ws);
  Calculator calc(pot);
  RowMatrixXd forces;
  EXPECT_EQ(calc.compute(s, forces), e);
  EXPECT_EQ(flat(forces), ws.forces);
  Structure other = s;
  std::swap(other.atomic_numbers[2], other.atomic_numbers[5]);  // O ↔ H: same count
  RowMatrixXd f_fresh, f_reused;
  const double fresh = pot.energy_forces(other, &f_fresh);
  const double reused = calc.compute(other, f_reused);
  EXPECT_EQ(reused, fresh);
  EXPECT_EQ(f_reused, f_fresh);
  EXPECT_NE(fresh, e);
}

// ---- shifts ----

TEST(Potential, LeastSquaresShiftsReproduceALinearCompositionEnergyExactly) {
  Potential pot = small_potential();
  const std::vector<std::vector<int>> compositions = {
      {1, 1, 1, 2},           // element indices: 0 = H, 1 = C, 2 = O
      {0, 0, 0, 0, 1, 1},     //
      {2, 2, 1, 0, 0},        //
      {1, 1, 1, 1, 1, 2, 0},  //
      {0, 2}};
  const Eigen::Vector3d truth(-13.25, -1033.5, -2040.125);
  Eigen::VectorXd energies(static_cast<Eigen::Index>(compositions.size()));
  for (std::size_t f = 0; f < compositions.size(); ++f) {
    double e = 0;
    for (int el : compositions[f]) e += truth[el];
    energies[static_cast<Eigen::Index>(f)] = e;
  }
  pot.fit_shifts(compositions, energies);
  ASSERT_EQ(pot.shifts.size(), 3);
  for (int e = 0; e < 3; ++e) EXPECT_NEAR(pot.shifts[e], truth[e], 1e-9 * std::abs(truth[e]));
  // One composition (ethanol: 6 H, 2 C, 1 O) fixes only Σ n_e s_e: the minimum-norm solution is
  // parallel to the counts and reproduces the mean energy.
  const std::vector<int> eth = pot.element_indices({6, 6, 8, 1, 1, 1, 1, 1, 1});
  Eigen::VectorXd e3(3);
  e3 << -310.0, -309.5, -309.0;
  pot.fit_shifts({eth, eth, eth}, e3);
  const Eigen::Vector3d counts(6, 2, 1);
  EXPECT_NEAR(counts.dot(pot.shifts), -309.5, 1e-9);
  EXPECT_NEAR(pot.shifts.normalized().dot(counts.normalized()), -1.0, 1e-12);
  EXPECT_THROW(pot.fit_shifts({eth}, e3), std::invalid_argument);
}

// ---- loss gradient ----

struct LossCase {
  const char* name;
  Activation act;
  double pe, pf;
  bool huber;
  double delta_e;  // < 0: chosen inside the data (some residuals each side)
  double delta_f;
  bool with_forces;
};

class LossGradient : public ::testing::TestWithParam<LossCase> {};

TEST_P(LossGradient, MatchesCentralDifferencesForEveryWeight) {
  const LossCase c = GetParam();
  Potential pot = small_potential(c.act, {6, 5}, 21);
  pot.shifts.setZero();  // constant in the weights; |E| ~ 10 eV keeps differences of E accurate
  const int frame = 321;
  const Structure s = ethanol_frame(frame);
  // References: the data's GFN2-xTB forces (far from a random network's) and an energy 0.4 eV
  // away from the prediction.
  Eigen::VectorXd ref_f = ethanol().forces.row(frame).transpose();
  PreparedFrame f = pot.prepare(s, 0.0, c.with_forces ? ref_f : Eigen::VectorXd());
  Potential::Workspace ws = pot.make_workspace(9);
  f.energy = pot.predict(pot.params, f, ws) + 0.4;
  const Eigen::VectorXd pred_f = ws.forces;
  LossWeights w;
  w.energy = c.pe;
  w.force = c.pf;
  w.huber = c.huber;
  w.huber_delta_energy = c.delta_e;
  w.huber_delta_force = c.delta_f;
  if (c.huber && c.delta_f < 0) {
    // Between two middle |residuals|, away from both: half the components in each regime.
    std::vector<double> r;
    for (int k = 0; k < 27; ++k) r.push_back(std::abs(pred_f[k] - ref_f[k]));
    std::sort(r.begin(), r.end());
    w.huber_delta_force = 0.5 * (r[13] + r[14]);
    ASSERT_GT(r[14] - r[13], 1e-4);
  }
  const Eigen::VectorXd p0 = pot.params;
  Eigen::VectorXd grad = Eigen::VectorXd::Zero(p0.size());
  const FrameResult res = pot.evaluate_frame(p0, f, w, ws, grad.data());
  ASSERT_GT(res.loss, 0.0);
  ASSERT_GT(grad.cwiseAbs().maxCoeff(), 1e-3);
  const auto loss = [&](const Eigen::VectorXd& p) -> Eigen::VectorXd {
    return Eigen::VectorXd::Constant(1, pot.evaluate_frame(p, f, w, ws, nullptr).loss);
  };
  const Eigen::VectorXd fd = central_jacobian(loss, p0, 1e-5).transpose();
  const double scale = grad.cwiseAbs().maxCoeff();
  const double err = max_scaled_error(fd, grad, 1e-3 * scale);
  EXPECT_LT(err, 1e-6) << "max scaled error over " << p0.size() << " weights";
  // The gradient accumulates into grad (the training loop sums frames this way).
  Eigen::VectorXd twice = grad;
  pot.evaluate_frame(p0, f, w, ws, twice.data());
  EXPECT_LT((twice - 2 * grad).cwiseAbs().maxCoeff(), 1e-15 * scale);
}

INSTANTIATE_TEST_SUITE_P(
    SquaredAndHuber, LossGradient,
    ::testing::Values(
        LossCase{"squared_tanh", Activation::kTanh, 0.7, 3.3, false, 0, 0, true},
        LossCase{"squared_softplus", Activation::kSoftplus, 2.5, 0.15, false, 0, 0, true},
        LossCase{"squared_silu", Activation::kSiLU, 1.0, 10.0, false, 0, 0, true},
        LossCase{"force_only", Activation::kTanh, 0.0, 4.0, false, 0, 0, true},
        LossCase{"energy_only_frame", Activation::kSiLU, 1.3, 1.0, false, 0, 0, false},
        LossCase{"huber_linear_energy", Activation::kTanh, 0.7, 3.3, true, 0.01, -1, true},
        LossCase{"huber_quadratic_energy", Activation::kSiLU, 20.0, 2.0, true, 0.2, -1, true},
        LossCase{"huber_all_linear", Activation::kSoftplus, 1.0, 1.0, true, 0.001, 1e-3, true}),
    [](const ::testing::TestParamInfo<LossCase>& p) { return std::string(p.param.name); });

// The loss itself: the documented per-atom energy and per-component force form, and Huber equal
// to the square inside δ and linear outside.
TEST(LossValue, MatchesTheDocumentedForm) {
  const Potential pot = small_potential();
  const int frame = 17;
  const Eigen::VectorXd ref_f = ethanol().forces.row(frame).transpose();
  PreparedFrame f = pot.prepare(ethanol_frame(frame), 0.0, ref_f);
  Potential::Workspace ws = pot.make_workspace(9);
  const double e = pot.predict(pot.params, f, ws);
  f.energy = e - 0.9;
  const Eigen::VectorXd r = ws.forces - ref_f;
  LossWeights w;
  w.energy = 0.3;
  w.force = 7.0;
  const double re = 0.9 / 9;
  EXPECT_NEAR(pot.evaluate_frame(pot.params, f, w, ws, nullptr).loss,
              0.3 * re * re + 7.0 / 27 * r.squaredNorm(), 1e-12);
  w.huber = true;
  w.huber_delta_energy = 0.05;
  w.huber_delta_force = 0.5;
  double want = 0.3 * 0.05 * (2 * re - 0.05);
  for (int k = 0; k < 27; ++k) {
    const double a = std::abs(r[k]);
    want += 7.0 / 27 * (a <= 0.5 ? a * a : 0.5 * (2 * a - 0.5));
  }
  EXPECT_NEAR(pot.evaluate_frame(pot.params, f, w, ws, nullptr).loss, want, 1e-12);
  // A workspace for another atom count is refused.
  Potential::Workspace small = pot.make_workspace(3);
  const std::string why = error_of<std::invalid_argument>(
      [&] { pot.evaluate_frame(pot.params, f, w, small, nullptr); });
  EXPECT_TRUE(contains(why, "3 atoms") && contains(why, "9")) << why;
}

// ---- the model file ----

class ModelFile : public TempDirTest {};

TEST_F(ModelFile, RoundTripIsBitExact) {
  for (Activation act : kSmooth) {
    Potential pot = small_potential(act, {5, 4}, 8);
    const std::string path =
        this->path(std::string("model_") + adamant::core::to_string(act) + ".h5");
    save_potential(path, pot, {{"note", "round trip"}});
    const Potential back = load_potential(path);
    EXPECT_EQ(back.params, pot.params);
    EXPECT_EQ(back.shifts, pot.shifts);
    EXPECT_EQ(back.standardizer.mean, pot.standardizer.mean);
    EXPECT_EQ(back.standardizer.scale, pot.standardizer.scale);
    EXPECT_GT(pot.standardizer.num_degenerate(), 0);  // ethanol's O-O columns
    EXPECT_EQ(back.standardizer.degenerate, pot.standardizer.degenerate);
    EXPECT_EQ(back.options().hidden, pot.options().hidden);
    EXPECT_EQ(back.options().activation, act);
    EXPECT_EQ(back.options().init, pot.options().init);
    const DescriptorSet& a = pot.descriptors();
    const DescriptorSet& b = back.descriptors();
    EXPECT_EQ(b.elements, a.elements);
    EXPECT_EQ(b.cutoff_radius, a.cutoff_radius);
    EXPECT_EQ(b.cutoff, a.cutoff);
    ASSERT_EQ(b.size(), a.size());
    for (int k = 0; k < a.size(); ++k) {
      const auto& x = a.functions[static_cast<std::size_t>(k)];
      const auto& y = b.functions[static_cast<std::size_t>(k)];
      EXPECT_EQ(y.describe(), x.describe());
      EXPECT_TRUE(x.type == y.type && x.element1 == y.element1 && x.element2 == y.element2 &&
                  x.eta == y.eta && x.rs == y.rs && x.zeta == y.zeta && x.lambda == y.lambda);
    }
    for (int frame : {0, 999}) {
      RowMatrixXd f0, f1;
      const Structure s = ethanol_frame(frame);
      EXPECT_EQ(back.energy_forces(s, &f1), pot.energy_forces(s, &f0));
      EXPECT_EQ(f1, f0);
    }
    EXPECT_EQ(adamant::datasets::Reader(path).attr_string("/", "note"), "round trip");
  }
}

// HDF5 surgery on a valid model file.
void replace_f64(const std::string& path, const std::string& name, const std::vector<double>& v,
                 const std::vector<hsize_t>& dims) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  ASSERT_GE(H5Ldelete(file, name.c_str(), H5P_DEFAULT), 0);
  if (!v.empty()) {
    const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
    const hid_t ds = H5Dcreate2(file, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT,
                                H5P_DEFAULT);
    H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
    H5Dclose(ds);
    H5Sclose(space);
  }
  H5Fclose(file);
}

void replace_i64(const std::string& path, const std::string& name,
                 const std::vector<std::int64_t>& v) {
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  ASSERT_GE(H5Ldelete(file, name.c_str(), H5P_DEFAULT), 0);
  const hsize_t dims[1] = {v.size()};
  const hid_t space = H5Screate_simple(1, dims, nullptr);
  const hid_t ds =
      H5Dcreate2(file, name.c_str(), H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(ds, H5T_NATIVE_INT64, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
  H5Dclose(ds);
  H5Sclose(space);
  H5Fclose(file);
}

TEST_F(ModelFile, MalformedFilesGiveErrorsNamingFileObjectAndExpectation) {
  const Potential pot = small_potential(Activation::kTanh, {5}, 2);
  const auto ne = static_cast<hsize_t>(pot.num_elements());
  const auto nf = static_cast<hsize_t>(pot.descriptors().size());
  const std::string good = path("good.h5");
  save_potential(good, pot);
  int n = 0;
  // Each case: a fresh copy, one defect, and what the message must contain.
  auto expect_error = [&](const std::function<void(const std::string&)>& damage,
                          const std::vector<std::string>& parts) {
    const std::string p = path("bad" + std::to_string(n++) + ".h5");
    fs::copy_file(good, p);
    damage(p);
    const std::string why = error_of<DataError>([&] { load_potential(p); });
    EXPECT_TRUE(contains(why, p)) << why;
    for (const std::string& part : parts) EXPECT_TRUE(contains(why, part)) << why;
  };
  expect_error([](const std::string& p) { replace_f64(p, "model/params", {}, {}); },
               {"model/params", "missing"});
  expect_error(
      [&](const std::string& p) {
        replace_f64(p, "model/params", std::vector<double>(10, 0.1), {10});
      },
      {"model/params", "(10,)", std::to_string(pot.num_parameters())});
  expect_error(
      [&](const std::string& p) {
        replace_f64(p, "shifts", {1, 2, 3, 4, 5}, {5});
      },
      {"shifts", "(5,)", "(3,)"});
  expect_error(
      [&](const std::string& p) {
        replace_f64(p, "standardizer/mean", std::vector<double>(ne * (nf + 1), 0.0), {ne, nf + 1});
      },
      {"standardizer/mean", "(3, " + std::to_string(nf) + ")"});
  expect_error(
      [&](const std::string& p) {
        std::vector<double> scale(ne * nf, 1.0);
        scale[4] = 0.0;
        replace_f64(p, "standardizer/scale", scale, {ne, nf});
      },
      {"standardizer/scale", "> 0"});
  expect_error(
      [&](const std::string& p) {
        std::vector<std::int64_t> type(nf, 2);
        type[1] = 4;
        replace_i64(p, "descriptors/type", type);
      },
      {"descriptors/type", "expected 2, 3 or 9"});
  expect_error(
      [&](const std::string& p) {
        std::vector<double> lambda(nf, 1.0);
        lambda.back() = 0.25;
        replace_f64(p, "descriptors/lambda", lambda, {nf});
      },
      {"descriptors", "lambda"});
  expect_error([](const std::string& p) { replace_f64(p, "elements", {}, {}); },
               {"elements", "missing"});
  // Another schema: a molecules file.
  {
    const std::string p = path("molecules.h5");
    adamant::datasets::MolecularDataset d;
    d.atomic_numbers = ethanol().atomic_numbers;
    d.positions = ethanol().positions.topRows(2);
    d.energies = ethanol().energies.head(2);
    adamant::datasets::write_molecules(p, d);
    const std::string why = error_of<DataError>([&] { load_potential(p); });
    EXPECT_TRUE(contains(why, p) && contains(why, "'molecules'") && contains(why, "chem_model"))
        << why;
  }
  // Not HDF5, and no file at all.
  {
    const std::string p = path("text.h5");
    std::ofstream(p) << "not a model\n";
    EXPECT_TRUE(contains(error_of<DataError>([&] { load_potential(p); }), "not an HDF5 file"));
    const std::string none = path("none.h5");
    EXPECT_TRUE(contains(error_of<DataError>([&] { load_potential(none); }), none));
  }
}

TEST(Potential, ConstructorValidatesItsOptions) {
  NetworkOptions no;
  no.activation = Activation::kReLU;
  const DescriptorSet set = standard_descriptor_set({1, 6, 8}, small_descriptor_options());
  EXPECT_TRUE(contains(error_of<std::invalid_argument>([&] { Potential(set, no); }), "relu"));
  no.activation = Activation::kTanh;
  no.hidden = {4, 0};
  EXPECT_TRUE(contains(error_of<std::invalid_argument>([&] { Potential(set, no); }), "width"));
  no.hidden = {4};
  const Potential pot(set, no);
  EXPECT_EQ(pot.num_parameters(), 3 * ((set.size() + 1) * 4 + 5));
  EXPECT_EQ(pot.offset(2), 2 * ((set.size() + 1) * 4 + 5));
  EXPECT_TRUE(contains(error_of<std::invalid_argument>([&] {
                         pot.element_indices({1, 7});
                       }),
                       "Z=7"));
}

}  // namespace
