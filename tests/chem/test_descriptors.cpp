// Atom-centred symmetry functions (descriptors.hpp): the cutoff functions at 0, r_c and beyond;
// G2 / G3 / G9 values against a hand computation from Behler's formulas (J. Chem. Phys. 134,
// 074106 (2011)); the analytic derivatives with respect to every coordinate against central
// finite differences for every type × cutoff, on an ethanol frame and on a periodic cell smaller
// than 2 r_c; the periodic neighbour list against brute force over images (wrapped and unwrapped
// positions); invariance under rotation, translation, lattice shifts and permutation of atoms of
// one element; the standardiser (moments, degenerate columns, consistency with the derivatives).

#include <gtest/gtest.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "adamant/chem/descriptors.hpp"
#include "adamant/chem/potential.hpp"
#include "chem_test_util.hpp"

namespace {

using namespace adamant::chem;
using namespace adamant::chem::test;

constexpr double kPi = 3.14159265358979323846;
const CutoffType kCutoffs[] = {CutoffType::kCosine, CutoffType::kTanh3, CutoffType::kPolynomial};

// ---- cutoff functions ----

// The published forms, written out independently of the library.
double fc_ref(CutoffType t, double rc, double r) {
  if (r >= rc) return 0;
  const double x = r / rc;
  switch (t) {
    case CutoffType::kCosine:
      return 0.5 * (std::cos(kPi * r / rc) + 1);
    case CutoffType::kTanh3:
      return std::pow(std::tanh(1 - r / rc), 3);
    case CutoffType::kPolynomial:
      return 1 - 10 * std::pow(x, 3) + 15 * std::pow(x, 4) - 6 * std::pow(x, 5);
  }
  return NAN;
}

TEST(Cutoff, ValuesAndDerivativesAtZeroCutoffAndBeyond) {
  const double rc = 5.5;
  for (CutoffType t : kCutoffs) {
    SCOPED_TRACE(to_string(t));
    double fc, dfc;
    cutoff(t, rc, 0.0, &fc, &dfc);
    if (t == CutoffType::kTanh3) {
      const double th = std::tanh(1.0);
      EXPECT_DOUBLE_EQ(fc, th * th * th);  // tanh³ is not 1 at the origin (Behler 2011, eq. 5)
      EXPECT_NEAR(dfc, -3 * th * th * (1 - th * th) / rc, 1e-15);
    } else {
      EXPECT_EQ(fc, 1.0);
      EXPECT_NEAR(dfc, 0.0, 1e-15);
    }
    // Half way: cos and poly are 1/2 by symmetry.
    cutoff(t, rc, rc / 2, &fc, &dfc);
    EXPECT_NEAR(fc, t == CutoffType::kTanh3 ? std::pow(std::tanh(0.5), 3) : 0.5, 1e-15);
    // At r_c and beyond: exactly zero, with zero slope.
    for (double r : {rc, rc * (1 + 1e-15), rc + 0.1, 2 * rc, 1e6}) {
      fc = dfc = -1;
      cutoff(t, rc, r, &fc, &dfc);
      EXPECT_EQ(fc, 0.0) << r;
      EXPECT_EQ(dfc, 0.0) << r;
    }
    // Just inside r_c: value and slope go to zero continuously (C¹ for every type).
    cutoff(t, rc, rc * (1 - 1e-6), &fc, &dfc);
    EXPECT_LT(std::abs(fc), 1e-11);
    EXPECT_LT(std::abs(dfc), 1e-5);
    // Interior: the published form and its derivative (central differences).
    for (double r : {0.3, 1.7, 2.9, 4.4, 5.3}) {
      cutoff(t, rc, r, &fc, &dfc);
      EXPECT_NEAR(fc, fc_ref(t, rc, r), 1e-14) << r;
      const double h = 1e-6;
      const double fd = (fc_ref(t, rc, r + h) - fc_ref(t, rc, r - h)) / (2 * h);
      EXPECT_NEAR(dfc, fd, 1e-9) << r;
      EXPECT_LT(dfc, 0.0) << "cutoff functions decrease on (0, r_c)";
    }
  }
  EXPECT_EQ(parse_cutoff("tanh3"), CutoffType::kTanh3);
  for (CutoffType t : kCutoffs) EXPECT_EQ(parse_cutoff(to_string(t)), t);
  const std::string why = error_of<std::invalid_argument>([] { parse_cutoff("gauss"); });
  EXPECT_TRUE(contains(why, "'gauss'") && contains(why, "cos, tanh3, poly")) << why;
}

// ---- values against a hand computation ----

// O at the centre, H at 1.1 Å and C at 1.6 Å with an angle of 105° at O; the triangle is placed
// at an arbitrary orientation and position. Every value below is written from the formulas in
// the header / Behler 2011 (sum over unordered neighbour pairs j < k) with the angles from the
// law of cosines, independently of the vector algebra the library uses.
TEST(Descriptors, ValuesMatchAHandComputationOfG2G3G9) {
  const double r_oh = 1.1, r_oc = 1.6, theta_o = 105.0 * kPi / 180.0;
  const double r_hc = std::sqrt(r_oh * r_oh + r_oc * r_oc - 2 * r_oh * r_oc * std::cos(theta_o));
  const double cos_o = std::cos(theta_o);
  const double cos_h = (r_oh * r_oh + r_hc * r_hc - r_oc * r_oc) / (2 * r_oh * r_hc);
  const double cos_c = (r_oc * r_oc + r_hc * r_hc - r_oh * r_oh) / (2 * r_oc * r_hc);

  Structure s;
  s.atomic_numbers = {8, 1, 6};
  Eigen::Matrix3d local;
  local.row(0) << 0, 0, 0;
  local.row(1) << r_oh, 0, 0;
  local.row(2) << r_oc * cos_o, r_oc * std::sin(theta_o), 0;
  const Eigen::Matrix3d rot = rotation(0.83, Eigen::Vector3d(0.3, -1.0, 0.6));
  s.positions = (local * rot.transpose()).rowwise() + Eigen::RowVector3d(4.0, -2.5, 7.25);

  auto sf = [](SymmetryType t, int e1, int e2, double eta, double rs, double zeta, double lambda) {
    SymmetryFunction f;
    f.type = t;
    f.element1 = e1;
    f.element2 = e2;
    f.eta = eta;
    f.rs = rs;
    f.zeta = zeta;
    f.lambda = lambda;
    return f;
  };
  using T = SymmetryType;
  for (CutoffType ct : kCutoffs) {
    SCOPED_TRACE(to_string(ct));
    const double rc = 3.0;
    DescriptorSet set;
    set.elements = {1, 6, 8};
    set.cutoff_radius = rc;
    set.cutoff = ct;
    set.functions = {sf(T::kG2, 1, 0, 0.7, 0.5, 1, 1), sf(T::kG2, 6, 0, 1.3, 1.0, 1, 1),
                     sf(T::kG2, 8, 0, 0.4, 0.0, 1, 1), sf(T::kG3, 1, 6, 0.2, 0, 2, -1),
                     sf(T::kG9, 1, 6, 0.05, 0, 4, 1),  sf(T::kG9, 6, 8, 0.1, 0, 1, -1),
                     sf(T::kG3, 1, 8, 0.3, 0, 3, 1),   sf(T::kG9, 1, 1, 0.1, 0, 1, 1)};
    ASSERT_EQ(set.validate(), "");
    auto fc = [&](double r) { return fc_ref(ct, rc, r); };
    const double oh2 = r_oh * r_oh, oc2 = r_oc * r_oc, hc2 = r_hc * r_hc;
    Eigen::Matrix<double, 3, 8, Eigen::RowMajor> want = Eigen::Matrix<double, 3, 8>::Zero();
    // O: neighbours H (1.1) and C (1.6), angle θ_O.
    want(0, 0) = std::exp(-0.7 * std::pow(r_oh - 0.5, 2)) * fc(r_oh);
    want(0, 1) = std::exp(-1.3 * std::pow(r_oc - 1.0, 2)) * fc(r_oc);
    want(0, 3) = std::pow(2.0, 1 - 2) * std::pow(1 - cos_o, 2) *
                 std::exp(-0.2 * (oh2 + oc2 + hc2)) * fc(r_oh) * fc(r_oc) * fc(r_hc);
    want(0, 4) = std::pow(2.0, 1 - 4) * std::pow(1 + cos_o, 4) * std::exp(-0.05 * (oh2 + oc2)) *
                 fc(r_oh) * fc(r_oc);
    // H: neighbours O (1.1) and C (r_hc), angle θ_H.
    want(1, 1) = std::exp(-1.3 * std::pow(r_hc - 1.0, 2)) * fc(r_hc);
    want(1, 2) = std::exp(-0.4 * oh2) * fc(r_oh);
    want(1, 5) = (1 - cos_h) * std::exp(-0.1 * (oh2 + hc2)) * fc(r_oh) * fc(r_hc);
    // C: neighbours O (1.6) and H (r_hc), angle θ_C.
    want(2, 0) = std::exp(-0.7 * std::pow(r_hc - 0.5, 2)) * fc(r_hc);
    want(2, 2) = std::exp(-0.4 * oc2) * fc(r_oc);
    want(2, 6) = std::pow(2.0, 1 - 3) * std::pow(1 + cos_c, 3) *
                 std::exp(-0.3 * (oc2 + hc2 + oh2)) * fc(r_oc) * fc(r_hc) * fc(r_oh);
    // Column 7 (G9 of an H–H pair) is zero everywhere: no atom has two H neighbours.
    const Descriptors d = compute_descriptors(set, s, false);
    ASSERT_EQ(d.values.rows(), 3);
    ASSERT_EQ(d.values.cols(), 8);
    for (int i = 0; i < 3; ++i)
      for (int k = 0; k < 8; ++k) {
        EXPECT_NEAR(d.values(i, k), want(i, k), 1e-14 * std::max(1.0, std::abs(want(i, k))))
            << "atom " << i << ", " << set.functions[static_cast<std::size_t>(k)].describe();
        if (want(i, k) != 0) {
          EXPECT_GT(std::abs(want(i, k)), 1e-6) << i << " " << k;
        }
      }
  }
}

// A pair of same-element neighbours counts once (unordered pairs), and an atom beyond r_c counts
// not at all.
TEST(Descriptors, AngularSumRunsOverUnorderedPairsWithinTheCutoff) {
  Structure s;
  s.atomic_numbers = {8, 1, 1, 1};
  s.positions.resize(4, 3);
  s.positions << 0, 0, 0,  //
      1.0, 0, 0,           //
      0, 1.2, 0,           //
      0, 0, 3.5;           // beyond r_c = 3
  DescriptorSet set;
  set.elements = {1, 8};
  set.cutoff_radius = 3.0;
  SymmetryFunction f;
  f.type = SymmetryType::kG9;
  f.element1 = f.element2 = 1;
  f.eta = 0.1;
  f.zeta = 2;
  f.lambda = 1;
  set.functions = {f};
  const double want = 0.5 * 1.0 * std::exp(-0.1 * (1.0 + 1.44)) * fc_ref(set.cutoff, 3.0, 1.0) *
                      fc_ref(set.cutoff, 3.0, 1.2);  // (1 + cos 90°)² = 1
  const Descriptors d = compute_descriptors(set, s);
  EXPECT_NEAR(d.values(0, 0), want, 1e-15);
  // The far H has no neighbour but O (3.5 Å > r_c from O): nothing.
  EXPECT_EQ(d.values(3, 0), 0.0);
  EXPECT_EQ(d.derivatives.row(3).cwiseAbs().maxCoeff(), 0.0);
}

// ---- derivatives against finite differences ----

using DerivCase = std::tuple<CutoffType, SymmetryType, bool>;  // cutoff, type, periodic

class DescriptorDerivatives : public ::testing::TestWithParam<DerivCase> {};

TEST_P(DescriptorDerivatives, MatchCentralDifferencesForEveryCoordinate) {
  const auto [ct, type, periodic] = GetParam();
  const double rc = periodic ? 4.0 : 3.2;  // the molecule: some pairs beyond r_c
  const DescriptorSet set = set_of_type(type, ct, rc);
  const Structure s = periodic ? small_cell() : ethanol_frame(123);
  const Descriptors d = compute_descriptors(set, s);
  const int a = static_cast<int>(s.atomic_numbers.size()), n = set.size();
  ASSERT_EQ(d.derivatives.rows(), a * n);
  ASSERT_EQ(d.derivatives.cols(), 3 * a);
  const auto values = [&](const Eigen::VectorXd& x) -> Eigen::VectorXd {
    const RowMatrixXd g = compute_descriptors(set, with_positions(s, x), false).values;
    return Eigen::Map<const Eigen::VectorXd>(g.data(), g.size());  // row-major: i·n + k
  };
  const Eigen::MatrixXd fd = central_jacobian(values, flat(s.positions), 1e-5);
  const Eigen::MatrixXd an = d.derivatives;
  const double scale = an.cwiseAbs().maxCoeff();
  ASSERT_GT(scale, 1e-3);
  ASSERT_GT(d.values.cwiseAbs().maxCoeff(), 1e-3);
  // |FD − analytic| <= 1e-7 (|analytic| + 1e-3 max|analytic|): 1e-7 relative on the entries that
  // matter; the central-difference error itself is ≈ h² g''' + ε g / h ≈ 1e-11 of the scale.
  const double err = max_scaled_error(fd, an, 1e-3 * scale);
  EXPECT_LT(err, 1e-7) << "max scaled error " << err;
  // Translation invariance: the derivatives along x, y, z sum to zero over the atoms.
  for (Eigen::Index r = 0; r < an.rows(); ++r)
    for (int dim = 0; dim < 3; ++dim) {
      double sum = 0;
      for (int c = 0; c < a; ++c) sum += an(r, 3 * c + dim);
      EXPECT_NEAR(sum, 0.0, 1e-12 * scale) << r << " " << dim;
    }
}

INSTANTIATE_TEST_SUITE_P(
    AllTypesAndCutoffs, DescriptorDerivatives,
    ::testing::Combine(::testing::Values(CutoffType::kCosine, CutoffType::kTanh3,
                                         CutoffType::kPolynomial),
                       ::testing::Values(SymmetryType::kG2, SymmetryType::kG3, SymmetryType::kG9),
                       ::testing::Bool()),
    [](const ::testing::TestParamInfo<DerivCase>& p) {
      return std::string(to_string(std::get<0>(p.param))) + "_G" +
             std::to_string(static_cast<int>(std::get<1>(p.param))) +
             (std::get<2>(p.param) ? "_cell" : "_molecule");
    });

// ---- neighbour lists ----

struct Pair {
  int j;
  double dx, dy, dz;
};

// Brute force over a generous box of images, computed the same way (r_j + shift − r_i).
std::vector<std::vector<Pair>> brute_force_neighbors(const Structure& s, double rc, int images) {
  const int a = static_cast<int>(s.atomic_numbers.size());
  std::vector<std::vector<Pair>> out(static_cast<std::size_t>(a));
  for (int i = 0; i < a; ++i)
    for (int n0 = -images; n0 <= images; ++n0)
      for (int n1 = -images; n1 <= images; ++n1)
        for (int n2 = -images; n2 <= images; ++n2)
          for (int j = 0; j < a; ++j) {
            if (n0 == 0 && n1 == 0 && n2 == 0 && j == i) continue;
            const Eigen::RowVector3d shift =
                n0 * s.cell.row(0) + n1 * s.cell.row(1) + n2 * s.cell.row(2);
            const Eigen::RowVector3d d = s.positions.row(j) + shift - s.positions.row(i);
            if (d.norm() < rc) out[static_cast<std::size_t>(i)].push_back({j, d(0), d(1), d(2)});
          }
  return out;
}

bool pair_less(const Pair& p, const Pair& q) {
  return std::tie(p.j, p.dx, p.dy, p.dz) < std::tie(q.j, q.dx, q.dy, q.dz);
}

void expect_same_neighbors(const Structure& s, double rc) {
  const auto got = neighbor_list(s, rc);
  const auto want = brute_force_neighbors(s, rc, 8);
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    std::vector<Pair> g;
    for (const Neighbor& nb : got[i]) {
      g.push_back({nb.j, nb.dx, nb.dy, nb.dz});
      EXPECT_NEAR(nb.r, std::sqrt(nb.dx * nb.dx + nb.dy * nb.dy + nb.dz * nb.dz), 1e-14);
      EXPECT_LT(nb.r, rc);
    }
    std::vector<Pair> w = want[i];
    std::sort(g.begin(), g.end(), pair_less);
    std::sort(w.begin(), w.end(), pair_less);
    ASSERT_EQ(g.size(), w.size()) << "atom " << i;
    for (std::size_t k = 0; k < g.size(); ++k) {
      EXPECT_EQ(g[k].j, w[k].j);
      EXPECT_NEAR(g[k].dx, w[k].dx, 1e-12);
      EXPECT_NEAR(g[k].dy, w[k].dy, 1e-12);
      EXPECT_NEAR(g[k].dz, w[k].dz, 1e-12);
    }
  }
}

TEST(NeighborList, PeriodicCellMatchesBruteForceOverImages) {
  const Structure s = small_cell();
  for (double rc : {1.5, 3.0, 4.0, 6.5}) {
    SCOPED_TRACE(rc);
    expect_same_neighbors(s, rc);
  }
  // r_c = 4 Å exceeds every plane spacing: each atom sees images of itself.
  const auto nl = neighbor_list(s, 4.0);
  for (std::size_t i = 0; i < nl.size(); ++i) {
    int self = 0;
    for (const Neighbor& nb : nl[i]) self += nb.j == static_cast<int>(i);
    EXPECT_GE(self, 2) << i;  // ±a1 at least (|a1| = 3.1 Å)
  }
}

TEST(NeighborList, UnwrappedPositionsInAPeriodicCellMatchBruteForce) {
  // Positions several cells away from the home cell (as MD leaves them) describe the same
  // crystal: the same neighbours, the same descriptors.
  Structure s = small_cell();
  s.positions.row(0) += 2 * s.cell.row(0) - s.cell.row(2);
  s.positions.row(2) -= 3 * s.cell.row(1);
  s.positions.row(3) += s.cell.row(0) + s.cell.row(1) + 2 * s.cell.row(2);
  for (double rc : {1.5, 4.0}) {
    SCOPED_TRACE(rc);
    expect_same_neighbors(s, rc);
  }
  const DescriptorSet set = set_of_type(SymmetryType::kG9, CutoffType::kCosine, 4.0);
  const Descriptors a = compute_descriptors(set, small_cell());
  const Descriptors b = compute_descriptors(set, s);
  EXPECT_LT((a.values - b.values).cwiseAbs().maxCoeff(), 1e-12 * a.values.cwiseAbs().maxCoeff());
  EXPECT_LT((a.derivatives - b.derivatives).cwiseAbs().maxCoeff(),
            1e-11 * a.derivatives.cwiseAbs().maxCoeff());
}

TEST(NeighborList, MoleculeHasNoImagesAndIsSymmetric) {
  const Structure s = ethanol_frame(0);
  const auto nl = neighbor_list(s, 2.0);
  std::size_t total = 0;
  for (std::size_t i = 0; i < nl.size(); ++i)
    for (const Neighbor& nb : nl[i]) {
      ++total;
      EXPECT_NE(nb.j, static_cast<int>(i));
      const Eigen::RowVector3d d =
          s.positions.row(nb.j) - s.positions.row(static_cast<Eigen::Index>(i));
      EXPECT_EQ(nb.dx, d(0));
      EXPECT_LT(nb.r, 2.0);
      // j sees i at the opposite vector.
      bool back = false;
      for (const Neighbor& m : nl[static_cast<std::size_t>(nb.j)])
        back |= m.j == static_cast<int>(i) && m.dx == -nb.dx;
      EXPECT_TRUE(back);
    }
  std::size_t want = 0;
  for (Eigen::Index i = 0; i < s.positions.rows(); ++i)
    for (Eigen::Index j = 0; j < s.positions.rows(); ++j)
      want += i != j && (s.positions.row(i) - s.positions.row(j)).norm() < 2.0;
  EXPECT_EQ(total, want);
  EXPECT_GT(want, 0u);
}

// ---- invariances ----

TEST(Descriptors, InvariantUnderRotationTranslationAndLatticeShifts) {
  for (SymmetryType t : {SymmetryType::kG2, SymmetryType::kG3, SymmetryType::kG9}) {
    SCOPED_TRACE(static_cast<int>(t));
    const DescriptorSet set = set_of_type(t, CutoffType::kPolynomial, 4.0);
    const Eigen::Matrix3d rot = rotation(2.1, Eigen::Vector3d(1, 2, -0.5));
    for (bool periodic : {false, true}) {
      const Structure s = periodic ? small_cell() : ethanol_frame(42);
      Structure m = s;
      m.positions = (s.positions * rot.transpose()).rowwise() + Eigen::RowVector3d(-3, 11, 0.4);
      if (periodic) m.cell = s.cell * rot.transpose();
      const Descriptors a = compute_descriptors(set, s), b = compute_descriptors(set, m);
      const double scale = a.values.cwiseAbs().maxCoeff();
      ASSERT_GT(scale, 1e-3);
      EXPECT_LT((a.values - b.values).cwiseAbs().maxCoeff(), 1e-12 * scale);
      // The derivatives rotate with the frame: dG' = dG Rᵀ per atom block.
      const int na = static_cast<int>(s.atomic_numbers.size());
      RowMatrixXd rotated(a.derivatives.rows(), a.derivatives.cols());
      for (int c = 0; c < na; ++c)
        rotated.middleCols(3 * c, 3) = a.derivatives.middleCols(3 * c, 3) * rot.transpose();
      EXPECT_LT((rotated - b.derivatives).cwiseAbs().maxCoeff(),
                1e-11 * a.derivatives.cwiseAbs().maxCoeff());
    }
  }
}

TEST(Descriptors, PermutingAtomsOfOneElementPermutesRows) {
  const DescriptorSet set = set_of_type(SymmetryType::kG3, CutoffType::kCosine, 4.0);
  const Structure s = ethanol_frame(7);
  ASSERT_EQ(s.atomic_numbers[3], 1);
  ASSERT_EQ(s.atomic_numbers[8], 1);
  ASSERT_EQ(s.atomic_numbers[0], 6);
  ASSERT_EQ(s.atomic_numbers[1], 6);
  // Swap H3 ↔ H8 and C0 ↔ C1.
  const std::vector<int> perm = {1, 0, 2, 8, 4, 5, 6, 7, 3};  // new atom i is old atom perm[i]
  Structure p = s;
  for (int i = 0; i < 9; ++i)
    p.positions.row(i) = s.positions.row(perm[static_cast<std::size_t>(i)]);
  const Descriptors a = compute_descriptors(set, s), b = compute_descriptors(set, p);
  const int n = set.size();
  for (int i = 0; i < 9; ++i) {
    const int o = perm[static_cast<std::size_t>(i)];
    EXPECT_LT((b.values.row(i) - a.values.row(o)).cwiseAbs().maxCoeff(), 1e-13) << i;
    for (int k = 0; k < n; ++k)
      for (int c = 0; c < 9; ++c)
        for (int d = 0; d < 3; ++d)
          ASSERT_NEAR(b.derivatives(i * n + k, 3 * c + d),
                      a.derivatives(o * n + k, 3 * perm[static_cast<std::size_t>(c)] + d), 1e-12);
  }
  // The swap did change the matrix (the check above is not vacuous).
  EXPECT_GT((a.values - b.values).cwiseAbs().maxCoeff(), 1e-3);
}

// ---- sets and validation ----

TEST(DescriptorSet, StandardSetLayoutAndValidation) {
  const DescriptorSet set = standard_descriptor_set({8, 1, 6, 1});
  EXPECT_EQ(set.elements, (std::vector<int>{1, 6, 8}));
  EXPECT_EQ(set.size(), 72);
  EXPECT_EQ(set.describe(), "72 ACSF (24 G2, 48 G9) for H,C,O, r_c = 6 A, cos cutoff");
  EXPECT_EQ(set.validate(), "");
  DescriptorOptions o;
  o.cutoff_radius = std::nan("");
  o.zetas = {0.5};
  const std::string why = o.validate();
  EXPECT_TRUE(contains(why, "cutoff_radius") && contains(why, "zeta")) << why;
  EXPECT_THROW(standard_descriptor_set({1}, o), std::invalid_argument);
  DescriptorSet bad = set;
  bad.functions[30].lambda = 0.5;
  EXPECT_TRUE(contains(bad.validate(), "lambda")) << bad.validate();
  bad = set;
  bad.functions[0].element1 = 7;
  EXPECT_TRUE(contains(bad.validate(), "element not in the set")) << bad.validate();
  // An element the set does not know is named.
  Structure s = ethanol_frame(0);
  s.atomic_numbers[2] = 7;
  const std::string e = error_of<std::invalid_argument>([&] { compute_descriptors(set, s); });
  EXPECT_TRUE(contains(e, "Z=7")) << e;
  Structure nan_pos = ethanol_frame(0);
  nan_pos.positions(4, 1) = std::nan("");
  EXPECT_TRUE(
      contains(error_of<std::invalid_argument>([&] { neighbor_list(nan_pos, 3.0); }), "finite"));
}

// ---- standardisation ----

TEST(Standardizer, MeanAndStdFromTheTrainingAtomsPerElement) {
  const DescriptorSet set = standard_descriptor_set({1, 6, 8}, small_descriptor_options());
  std::vector<RowMatrixXd> g;
  std::vector<int> el;
  for (int f = 0; f < 20; ++f) {
    const Structure s = ethanol_frame(f * 37);
    g.push_back(compute_descriptors(set, s, false).values);
    if (el.empty())
      for (int z : s.atomic_numbers) el.push_back(set.element_index(z));
  }
  std::vector<const RowMatrixXd*> gv;
  std::vector<const std::vector<int>*> ev;
  for (const auto& m : g) {
    gv.push_back(&m);
    ev.push_back(&el);
  }
  const Standardizer st = Standardizer::fit(gv, ev, 3);
  const int n = set.size();
  ASSERT_EQ(st.mean.rows(), 3);
  ASSERT_EQ(st.mean.cols(), n);
  for (int e = 0; e < 3; ++e)
    for (int k = 0; k < n; ++k) {
      // Two-pass population moments over this element's atoms in every frame.
      std::vector<double> x;
      for (const auto& m : g)
        for (int i = 0; i < 9; ++i)
          if (el[static_cast<std::size_t>(i)] == e) x.push_back(m(i, k));
      double mu = 0;
      for (double v : x) mu += v;
      mu /= static_cast<double>(x.size());
      double var = 0;
      for (double v : x) var += (v - mu) * (v - mu);
      const double sd = std::sqrt(var / static_cast<double>(x.size()));
      EXPECT_NEAR(st.mean(e, k), mu, 1e-13 * std::max(1.0, std::abs(mu)));
      if (st.degenerate[static_cast<std::size_t>(e)][static_cast<std::size_t>(k)]) {
        EXPECT_EQ(st.scale(e, k), 1.0);
        EXPECT_LE(sd, Standardizer::kMinStd * std::max(1.0, std::abs(mu)));
      } else {
        EXPECT_NEAR(st.scale(e, k), sd, 1e-10 * sd);
      }
    }
  // Ethanol has one O: every O–O angular function is identically zero, for every centre; so are
  // the O-centred functions needing two O or O + another O (degenerate, not divided by zero).
  const int deg = st.num_degenerate();
  EXPECT_GT(deg, 0);
  for (int k = 0; k < n; ++k) {
    const SymmetryFunction& f = set.functions[static_cast<std::size_t>(k)];
    if (f.type != SymmetryType::kG2 && f.element1 == 8 && f.element2 == 8)
      for (int e = 0; e < 3; ++e) {
        EXPECT_TRUE(st.degenerate[static_cast<std::size_t>(e)][static_cast<std::size_t>(k)]);
        EXPECT_EQ(st.mean(e, k), 0.0);
        EXPECT_EQ(st.scale(e, k), 1.0);
      }
  }
  EXPECT_GT(st.scale.minCoeff(), 0.0);
  EXPECT_TRUE(st.scale.allFinite() && st.mean.allFinite());
}

TEST(Standardizer, ConstantColumnsAndMissingElementsAreHandled) {
  // Column 0 constant and non-zero, column 1 constant zero, column 2 tiny relative noise
  // (below min_std · |μ|), column 3 ordinary; element 1 has no atoms.
  RowMatrixXd v(4, 4);
  v << 5.0, 0.0, 1e6, 1.0,        //
      5.0, 0.0, 1e6 + 1e-4, 2.0,  //
      5.0, 0.0, 1e6, 4.0,         //
      5.0, 0.0, 1e6 - 1e-4, 7.0;
  const std::vector<int> el = {0, 0, 2, 2};
  const Standardizer st = Standardizer::fit({&v}, {&el}, 3);
  for (int e : {0, 2}) {
    EXPECT_TRUE(st.degenerate[static_cast<std::size_t>(e)][0]);
    EXPECT_TRUE(st.degenerate[static_cast<std::size_t>(e)][1]);
    EXPECT_TRUE(st.degenerate[static_cast<std::size_t>(e)][2]);
    EXPECT_FALSE(st.degenerate[static_cast<std::size_t>(e)][3]);
    EXPECT_EQ(st.mean(e, 0), 5.0);
    EXPECT_EQ(st.scale(e, 0), 1.0);
    EXPECT_EQ(st.scale(e, 1), 1.0);
    EXPECT_EQ(st.scale(e, 2), 1.0);
  }
  EXPECT_EQ(st.scale(0, 3), 0.5);  // {1, 2}: mean 1.5, population sd 0.5
  EXPECT_EQ(st.mean(2, 3), 5.5);
  EXPECT_EQ(st.scale(2, 3), 1.5);
  // The element without atoms: μ = 0, s = 1 (not degenerate-flagged as fitted data).
  EXPECT_EQ(st.mean.row(1).cwiseAbs().maxCoeff(), 0.0);
  EXPECT_EQ(st.scale.row(1).minCoeff(), 1.0);
  // Inconsistent shapes are refused.
  const std::vector<int> short_el = {0};
  EXPECT_THROW(Standardizer::fit({&v}, {&short_el}, 3), std::invalid_argument);
}

// The potential's prepared frame standardises values and derivatives with the same scale: its
// dx is the finite-difference derivative of its x, and degenerate columns stay finite (zero).
TEST(Standardizer, AppliedConsistentlyToValuesAndDerivatives) {
  const Potential pot = small_potential();
  ASSERT_GT(pot.standardizer.num_degenerate(), 0);
  ASSERT_GT((pot.standardizer.scale.array() - 1).abs().maxCoeff(), 0.5);  // non-trivial
  const Structure s = ethanol_frame(555);
  const PreparedFrame f = pot.prepare(s, 0.0, Eigen::VectorXd());
  ASSERT_TRUE(f.x.allFinite());
  ASSERT_TRUE(f.dx.allFinite());
  const int n = pot.descriptors().size();
  // Hand standardisation from the raw descriptors.
  const Descriptors raw = compute_descriptors(pot.descriptors(), s);
  for (int i = 0; i < 9; ++i) {
    const int e = f.element[static_cast<std::size_t>(i)];
    for (int k = 0; k < n; ++k) {
      const double want =
          (raw.values(i, k) - pot.standardizer.mean(e, k)) / pot.standardizer.scale(e, k);
      EXPECT_NEAR(f.x(i, k), want, 1e-12 * std::max(1.0, std::abs(want)));
      if (pot.standardizer.degenerate[static_cast<std::size_t>(e)][static_cast<std::size_t>(k)]) {
        EXPECT_EQ(f.x(i, k), 0.0) << "an identically-zero column of ethanol";
      }
    }
  }
  const auto xs = [&](const Eigen::VectorXd& pos) -> Eigen::VectorXd {
    const PreparedFrame g = pot.prepare(with_positions(s, pos), 0.0, Eigen::VectorXd());
    return Eigen::Map<const Eigen::VectorXd>(g.x.data(), g.x.size());
  };
  const Eigen::MatrixXd fd = central_jacobian(xs, flat(s.positions), 1e-5);
  const Eigen::MatrixXd an = f.dx;
  EXPECT_LT(max_scaled_error(fd, an, 1e-4 * an.cwiseAbs().maxCoeff()), 1e-7);
}

}  // namespace
