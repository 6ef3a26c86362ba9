#pragma once
// Atom-centred symmetry functions (ACSF) with exact derivatives with respect to every atomic
// coordinate, neighbour lists for molecules and periodic cells, and standardisation of the
// descriptor columns.
//
// References: J. Behler & M. Parrinello, Phys. Rev. Lett. 98, 146401 (2007);
//             J. Behler, J. Chem. Phys. 134, 074106 (2011);
//             the n2p2 naming of function types (G2 radial, G3 narrow and G9 wide angular).
//
// Cutoff functions (x = r / r_c, f_c = 0 for r >= r_c):
//   kCosine      f_c = ½ (cos(π x) + 1)                              (Behler 2011, eq. 4)
//   kTanh3       f_c = tanh³(1 − x)                                  (Behler 2011, eq. 5)
//   kPolynomial  f_c = 1 − 10 x³ + 15 x⁴ − 6 x⁵  (C² at r_c; n2p2's "poly2")
//
// For a centre atom i with neighbours j, k (r_ij = |r_j − r_i| < r_c) of the element(s) the
// function names:
//   G2  = Σ_j exp(−η (r_ij − r_s)²) f_c(r_ij)                                  (radial)
//   G3  = 2^{1−ζ} Σ_{j<k} (1 + λ cos θ_ijk)^ζ exp(−η (r_ij² + r_ik² + r_jk²))
//                 f_c(r_ij) f_c(r_ik) f_c(r_jk)                                (narrow angular)
//   G9  = 2^{1−ζ} Σ_{j<k} (1 + λ cos θ_ijk)^ζ exp(−η (r_ij² + r_ik²)) f_c(r_ij) f_c(r_ik)
//                                                                             (wide angular)
// where θ_ijk is the angle at i, λ = ±1, ζ >= 1, and the angular sums run over unordered
// neighbour pairs whose elements are {element1, element2}. Derivatives are analytic:
// ∂/∂r_j and ∂/∂r_k through r_ij, r_ik, r_jk and cos θ, and ∂/∂r_i = −(∂/∂r_j + ∂/∂r_k)
// (translation invariance). A periodic image of atom j contributes to the derivative with
// respect to atom j itself.
//
// Layout: every element sees the same ordered list of functions (DescriptorSet::functions), so
// a structure's descriptors are an A × n matrix G (row-major) and the derivatives an
// (A·n) × 3A matrix dG with dG(i·n + k, 3c + d) = ∂G_ik / ∂x_cd. The derivative is dense in
// the atoms: right for molecules and small cells (ethanol: 9 atoms, 72 functions); large cells
// would want a sparse layout (not implemented).

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

namespace adamant::chem {

using RowMatrixXd = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

enum class CutoffType { kCosine, kTanh3, kPolynomial };
/// "cos", "tanh3" or "poly".
const char* to_string(CutoffType c);
/// Inverse of to_string; throws std::invalid_argument listing the names.
CutoffType parse_cutoff(const std::string& name);

/// f_c(r) and df_c/dr for r >= 0 (both 0 for r >= rc).
void cutoff(CutoffType type, double rc, double r, double* fc, double* dfc);

enum class SymmetryType { kG2 = 2, kG3 = 3, kG9 = 9 };

/// One symmetry function: its type, the neighbour element(s) and its parameters.
struct SymmetryFunction {
  SymmetryType type = SymmetryType::kG2;
  int element1 = 0;   ///< atomic number of the (first) neighbour
  int element2 = 0;   ///< second neighbour's atomic number (angular only; 0 for G2)
  double eta = 0;     ///< Å⁻²
  double rs = 0;      ///< Å (G2 only)
  double zeta = 1;    ///< >= 1 (angular only)
  double lambda = 1;  ///< ±1 (angular only)
  /// E.g. "G2(H; eta=1.389, rs=0.8)" or "G9(C,O; eta=0.01, zeta=4, lambda=-1)".
  std::string describe() const;
};

/// Options of the standard set (standard_descriptor_set).
struct DescriptorOptions {
  double cutoff_radius = 6.0;  ///< r_c, Å
  CutoffType cutoff = CutoffType::kCosine;
  /// Radial G2 per neighbour element: centres r_s evenly spaced in [rs_min, rs_max] (Å),
  /// η = 1 / (2 Δ²) with Δ the spacing (n2p2's "shifted" grid).
  int num_radial = 8;
  double rs_min = 0.8;
  double rs_max = 5.0;
  /// Angular functions per unordered neighbour-element pair: every ζ × λ ∈ {+1, −1} × η.
  SymmetryType angular = SymmetryType::kG9;
  std::vector<double> zetas = {1, 2, 4, 8};
  std::vector<double> angular_etas = {0.01};
  /// "" when valid, else every problem ("; "-separated).
  std::string validate() const;
};

/// The symmetry functions of a model: the same list for every element.
struct DescriptorSet {
  std::vector<int> elements;  ///< atomic numbers, ascending, unique
  double cutoff_radius = 6.0;
  CutoffType cutoff = CutoffType::kCosine;
  std::vector<SymmetryFunction> functions;
  int size() const { return static_cast<int>(functions.size()); }
  /// Index of an atomic number in `elements`, −1 when absent.
  int element_index(int z) const;
  /// "" when valid (elements sorted/unique/in 1..118, r_c > 0, every function's elements in
  /// `elements`, η >= 0, ζ >= 1, λ = ±1), else the first problem.
  std::string validate() const;
  /// E.g. "72 ACSF (24 G2, 48 G9) for H,C,O, r_c = 6 Å, cos cutoff".
  std::string describe() const;
};

/// The standard set for `elements` (atomic numbers, any order): options.num_radial G2 per
/// element, then for every unordered element pair (e1 <= e2) options.zetas × {+1, −1} ×
/// options.angular_etas angular functions of type options.angular. Throws std::invalid_argument
/// when the options are invalid. For H, C, O with the defaults: 24 G2 + 48 G9 = 72 functions.
DescriptorSet standard_descriptor_set(const std::vector<int>& elements,
                                      const DescriptorOptions& options = {});

/// Atoms in a molecule (no cell) or a periodic cell.
struct Structure {
  std::vector<int> atomic_numbers;  ///< A
  RowMatrixXd positions;            ///< A × 3, Å
  /// 3 × 3, the cell vectors as rows (Å), periodic in all three directions; 0 × 0: a molecule.
  RowMatrixXd cell;
  bool periodic() const { return cell.size() > 0; }
  std::string validate() const;
};

/// One neighbour of an atom: atom index j and the vector r_j + shift − r_i (Å).
struct Neighbor {
  int j = 0;
  double dx = 0, dy = 0, dz = 0;
  double r = 0;
};

/// Neighbours within rc of every atom (A lists), including periodic images (and an atom's own
/// images) in a periodic cell. Brute force over atoms × images: O(A² · images).
std::vector<std::vector<Neighbor>> neighbor_list(const Structure& s, double rc);
/// The same into caller-owned lists, cleared and refilled (no allocation once their capacity
/// suffices: the MD loop's Calculator reuses them).
void neighbor_list(const Structure& s, double rc, std::vector<std::vector<Neighbor>>& out);

/// Descriptors of one structure: G (A × n) and, when requested, dG ((A·n) × 3A).
struct Descriptors {
  RowMatrixXd values;
  RowMatrixXd derivatives;
};

/// Computes G (and dG when with_derivatives) for every atom. Throws std::invalid_argument when
/// the structure is invalid or holds an element the set does not know.
Descriptors compute_descriptors(const DescriptorSet& set, const Structure& s,
                                bool with_derivatives = true);
/// The same into caller-owned storage (resized when needed; no allocation once sized) with a
/// precomputed neighbour list.
void compute_descriptors(const DescriptorSet& set, const Structure& s,
                         const std::vector<std::vector<Neighbor>>& neighbors, bool with_derivatives,
                         RowMatrixXd& values, RowMatrixXd& derivatives);

/// Per-element standardisation x = (G − μ) / s of the descriptor columns, fitted on training
/// atoms. A column whose standard deviation is below `min_std` · max(1, |μ|) (e.g. an O–O
/// angular function in a molecule with one O) is degenerate: its scale is 1, so x = G − μ
/// (0 on the training set) and nothing is divided by zero.
struct Standardizer {
  RowMatrixXd mean;                           ///< elements × n
  RowMatrixXd scale;                          ///< elements × n, > 0
  std::vector<std::vector<bool>> degenerate;  ///< elements × n
  static constexpr double kMinStd = 1e-8;
  /// Fits from descriptor rows `values` (rows = atoms) with their element indices; an element
  /// without atoms gets μ = 0, s = 1.
  static Standardizer fit(const std::vector<const RowMatrixXd*>& values,
                          const std::vector<const std::vector<int>*>& element_index,
                          int num_elements, double min_std = kMinStd);
  int num_degenerate() const;
};

}  // namespace adamant::chem
