#pragma once
// Shared by the chem tests: the bundled ethanol data, a small triclinic cell that is smaller than
// twice the cutoff (atoms see their own images), a set with every symmetry function type, small
// potentials, central finite differences and a per-test temporary directory.

#include <gtest/gtest.h>
#include <unistd.h>

#include <Eigen/Dense>
#include <cmath>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "../datasets/datasets_test_util.hpp"
#include "adamant/chem/descriptors.hpp"
#include "adamant/chem/potential.hpp"
#include "adamant/chem/train.hpp"
#include "adamant/datasets/schema.hpp"

namespace adamant::chem::test {

namespace fs = std::filesystem;

/// The bundled GFN2-xTB ethanol MD set (2,000 frames of C C O H H H H H H), read once.
inline const datasets::MolecularDataset& ethanol() {
  static const datasets::MolecularDataset data =
      datasets::read_molecules(std::string(ADAMANT_DATA_DIR) + "/ethanol_md_gfn2xtb.h5");
  return data;
}
inline Structure ethanol_frame(int f) { return structure_of(ethanol(), f); }

/// Four atoms (H, C, O, H) in a triclinic cell whose plane spacings (≈ 3.1–3.7 Å) are below the
/// 4 Å cutoff used with it: every atom sees several images of every atom, itself included.
inline Structure small_cell() {
  Structure s;
  s.atomic_numbers = {1, 6, 8, 1};
  s.cell.resize(3, 3);
  s.cell << 3.1, 0.0, 0.0,  //
      0.6, 3.4, 0.0,        //
      -0.4, 0.5, 3.7;
  s.positions.resize(4, 3);
  s.positions << 0.21, 0.33, 0.12,  //
      1.52, 1.18, 0.93,             //
      2.41, 2.87, 2.04,             //
      0.93, 2.26, 3.11;
  return s;
}

/// Every combination of one symmetry-function type with H, C, O: for G2 three (η, r_s) per
/// element; for G3 / G9 four (η, ζ, λ) — integer and non-integer ζ, both λ — per element pair.
inline DescriptorSet set_of_type(SymmetryType type, CutoffType cutoff, double rc) {
  DescriptorSet set;
  set.elements = {1, 6, 8};
  set.cutoff_radius = rc;
  set.cutoff = cutoff;
  if (type == SymmetryType::kG2) {
    for (int e : set.elements)
      for (const auto& [eta, rs] :
           std::vector<std::pair<double, double>>{{0.5, 0.0}, {2.0, 1.1}, {1.0, 2.5}}) {
        SymmetryFunction f;
        f.type = type;
        f.element1 = e;
        f.eta = eta;
        f.rs = rs;
        set.functions.push_back(f);
      }
  } else {
    struct P {
      double eta, zeta, lambda;
    };
    for (std::size_t a = 0; a < set.elements.size(); ++a)
      for (std::size_t b = a; b < set.elements.size(); ++b)
        for (const P& p : {P{0.01, 1, 1}, P{0.2, 2, -1}, P{0.05, 4.5, 1}, P{0.1, 7.5, -1}}) {
          SymmetryFunction f;
          f.type = type;
          f.element1 = set.elements[a];
          f.element2 = set.elements[b];
          f.eta = p.eta;
          f.zeta = p.zeta;
          f.lambda = p.lambda;
          set.functions.push_back(f);
        }
  }
  EXPECT_EQ(set.validate(), "");
  return set;
}

/// A small standard set (12 G2 + 24 G9 for H, C, O) for potentials and training.
inline DescriptorOptions small_descriptor_options(double rc = 4.0) {
  DescriptorOptions o;
  o.cutoff_radius = rc;
  o.num_radial = 4;
  o.rs_min = 0.8;
  o.rs_max = 3.2;
  o.zetas = {1, 4};
  o.angular_etas = {0.02};
  return o;
}

/// A random potential for H, C, O: standardiser fitted on a few ethanol frames, random shifts.
inline Potential small_potential(core::Activation act = core::Activation::kTanh,
                                 std::vector<int> hidden = {8, 6}, std::uint64_t seed = 3,
                                 double rc = 4.0) {
  NetworkOptions no;
  no.hidden = std::move(hidden);
  no.activation = act;
  Potential pot(standard_descriptor_set({1, 6, 8}, small_descriptor_options(rc)), no);
  pot.init_parameters(seed);
  std::vector<RowMatrixXd> g;
  std::vector<std::vector<int>> el;
  for (int f : {0, 100, 700, 1500}) {
    const Structure s = ethanol_frame(f);
    g.push_back(compute_descriptors(pot.descriptors(), s, false).values);
    el.push_back(pot.element_indices(s.atomic_numbers));
  }
  std::vector<const RowMatrixXd*> gv;
  std::vector<const std::vector<int>*> ev;
  for (std::size_t k = 0; k < g.size(); ++k) {
    gv.push_back(&g[k]);
    ev.push_back(&el[k]);
  }
  pot.standardizer = Standardizer::fit(gv, ev, pot.num_elements());
  pot.shifts.resize(3);
  pot.shifts << -13.6, -1029.8, -2041.3;
  return pot;
}

/// Central finite differences of f: R^n → R^m at x (columns: ∂f/∂x_c).
inline Eigen::MatrixXd central_jacobian(
    const std::function<Eigen::VectorXd(const Eigen::VectorXd&)>& f, const Eigen::VectorXd& x,
    double h) {
  const Eigen::Index m = f(x).size();
  Eigen::MatrixXd j(m, x.size());
  Eigen::VectorXd xp = x;
  for (Eigen::Index c = 0; c < x.size(); ++c) {
    xp[c] = x[c] + h;
    const Eigen::VectorXd fp = f(xp);
    xp[c] = x[c] - h;
    const Eigen::VectorXd fm = f(xp);
    xp[c] = x[c];
    j.col(c) = (fp - fm) / (2 * h);
  }
  return j;
}

/// Positions as a flat 3A vector and back.
inline Eigen::VectorXd flat(const RowMatrixXd& positions) {
  return Eigen::Map<const Eigen::VectorXd>(positions.data(), positions.size());
}
inline Structure with_positions(Structure s, const Eigen::VectorXd& x) {
  s.positions = Eigen::Map<const RowMatrixXd>(x.data(), x.size() / 3, 3);
  return s;
}

/// max |a − b| / (atol + |b|) over the entries, the measure of the finite-difference tests.
inline double max_scaled_error(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, double atol) {
  return ((a - b).array().abs() / (atol + b.array().abs())).maxCoeff();
}

/// A rotation by `angle` (rad) about `axis` (any length).
inline Eigen::Matrix3d rotation(double angle, const Eigen::Vector3d& axis) {
  return Eigen::AngleAxisd(angle, axis.normalized()).toRotationMatrix();
}

/// A test with its own empty directory (shared with the datasets tests).
using datasets::testing::TempDirTest;

/// The message of the exception of type E that f throws ("" and a failure otherwise).
template <typename E, typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "unexpected exception: " << e.what();
    return "";
  }
  ADD_FAILURE() << "nothing was thrown";
  return "";
}

using datasets::testing::contains;

}  // namespace adamant::chem::test
