#include "adamant/chem/descriptors.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>
#include <stdexcept>

namespace adamant::chem {

namespace {
constexpr double kPi = 3.14159265358979323846;
const char* symbol(int z) {
  static const char* names[] = {"X",  "H",  "He", "Li", "Be", "B", "C", "N",  "O", "F",
                                "Ne", "Na", "Mg", "Al", "Si", "P", "S", "Cl", "Ar"};
  return z >= 0 && z < 19 ? names[z] : "Z?";
}
}  // namespace

const char* to_string(CutoffType c) {
  switch (c) {
    case CutoffType::kCosine:
      return "cos";
    case CutoffType::kTanh3:
      return "tanh3";
    case CutoffType::kPolynomial:
      return "poly";
  }
  return "?";
}

CutoffType parse_cutoff(const std::string& name) {
  if (name == "cos") return CutoffType::kCosine;
  if (name == "tanh3") return CutoffType::kTanh3;
  if (name == "poly") return CutoffType::kPolynomial;
  throw std::invalid_argument("unknown cutoff function '" + name + "' (known: cos, tanh3, poly)");
}

void cutoff(CutoffType type, double rc, double r, double* fc, double* dfc) {
  if (r >= rc) {
    *fc = 0;
    *dfc = 0;
    return;
  }
  const double x = r / rc;
  switch (type) {
    case CutoffType::kCosine:
      *fc = 0.5 * (std::cos(kPi * x) + 1.0);
      *dfc = -0.5 * kPi / rc * std::sin(kPi * x);
      return;
    case CutoffType::kTanh3: {
      const double t = std::tanh(1.0 - x);
      *fc = t * t * t;
      *dfc = -3.0 * t * t * (1.0 - t * t) / rc;
      return;
    }
    case CutoffType::kPolynomial:
      *fc = 1.0 + x * x * x * (-10.0 + x * (15.0 - 6.0 * x));
      *dfc = x * x * (-30.0 + x * (60.0 - 30.0 * x)) / rc;
      return;
  }
}

std::string SymmetryFunction::describe() const {
  char buf[160];
  if (type == SymmetryType::kG2)
    std::snprintf(buf, sizeof buf, "G2(%s; eta=%g, rs=%g)", symbol(element1), eta, rs);
  else
    std::snprintf(buf, sizeof buf, "G%d(%s,%s; eta=%g, zeta=%g, lambda=%g)", static_cast<int>(type),
                  symbol(element1), symbol(element2), eta, zeta, lambda);
  return buf;
}

std::string DescriptorOptions::validate() const {
  std::vector<std::string> e;
  if (!(cutoff_radius > 0) || !std::isfinite(cutoff_radius))
    e.push_back("cutoff_radius must be > 0");
  if (num_radial < 0) e.push_back("num_radial must be >= 0");
  if (num_radial > 1 && !(rs_max > rs_min)) e.push_back("rs_max must be > rs_min");
  if (num_radial > 0 && !(rs_min >= 0)) e.push_back("rs_min must be >= 0");
  if (angular != SymmetryType::kG3 && angular != SymmetryType::kG9)
    e.push_back("angular must be G3 or G9");
  for (double z : zetas)
    if (!(z >= 1)) e.push_back("every zeta must be >= 1");
  for (double eta : angular_etas)
    if (!(eta >= 0)) e.push_back("every angular eta must be >= 0");
  if (num_radial == 0 && (zetas.empty() || angular_etas.empty()))
    e.push_back("the set would be empty");
  std::string out;
  for (const auto& s : e) out += (out.empty() ? "" : "; ") + s;
  return out;
}

int DescriptorSet::element_index(int z) const {
  for (std::size_t i = 0; i < elements.size(); ++i)
    if (elements[i] == z) return static_cast<int>(i);
  return -1;
}

std::string DescriptorSet::validate() const {
  if (elements.empty()) return "no elements";
  for (std::size_t i = 0; i < elements.size(); ++i) {
    if (elements[i] < 1 || elements[i] > 118) return "atomic number out of 1..118";
    if (i > 0 && elements[i] <= elements[i - 1]) return "elements must be ascending and unique";
  }
  if (!(cutoff_radius > 0) || !std::isfinite(cutoff_radius)) return "cutoff radius must be > 0";
  if (functions.empty()) return "no symmetry functions";
  for (const auto& f : functions) {
    if (element_index(f.element1) < 0) return f.describe() + ": element not in the set";
    if (f.type != SymmetryType::kG2) {
      if (element_index(f.element2) < 0) return f.describe() + ": element not in the set";
      if (f.element2 < f.element1) return f.describe() + ": element2 must be >= element1";
      if (!(f.zeta >= 1)) return f.describe() + ": zeta must be >= 1";
      if (f.lambda != 1 && f.lambda != -1) return f.describe() + ": lambda must be +1 or -1";
    } else if (f.element2 != 0) {
      return f.describe() + ": G2 takes one element (element2 = 0)";
    }
    if (!(f.eta >= 0) || !std::isfinite(f.eta) || !std::isfinite(f.rs))
      return f.describe() + ": eta must be >= 0 and finite";
  }
  return "";
}

std::string DescriptorSet::describe() const {
  int n2 = 0, n3 = 0, n9 = 0;
  for (const auto& f : functions)
    (f.type == SymmetryType::kG2 ? n2 : f.type == SymmetryType::kG3 ? n3 : n9)++;
  std::ostringstream os;
  os << functions.size() << " ACSF (" << n2 << " G2";
  if (n3) os << ", " << n3 << " G3";
  if (n9) os << ", " << n9 << " G9";
  os << ") for ";
  for (std::size_t i = 0; i < elements.size(); ++i) os << (i ? "," : "") << symbol(elements[i]);
  os << ", r_c = " << cutoff_radius << " A, " << to_string(cutoff) << " cutoff";
  return os.str();
}

DescriptorSet standard_descriptor_set(const std::vector<int>& elements,
                                      const DescriptorOptions& o) {
  if (const std::string why = o.validate(); !why.empty())
    throw std::invalid_argument("standard_descriptor_set: " + why);
  DescriptorSet set;
  std::set<int> unique(elements.begin(), elements.end());
  set.elements.assign(unique.begin(), unique.end());
  set.cutoff_radius = o.cutoff_radius;
  set.cutoff = o.cutoff;
  for (int e : set.elements) {
    for (int k = 0; k < o.num_radial; ++k) {
      SymmetryFunction f;
      f.type = SymmetryType::kG2;
      f.element1 = e;
      const double delta = o.num_radial > 1 ? (o.rs_max - o.rs_min) / (o.num_radial - 1) : 1.0;
      f.rs = o.rs_min + k * delta;
      f.eta = 1.0 / (2.0 * delta * delta);
      set.functions.push_back(f);
    }
  }
  for (std::size_t a = 0; a < set.elements.size(); ++a)
    for (std::size_t b = a; b < set.elements.size(); ++b)
      for (double eta : o.angular_etas)
        for (double zeta : o.zetas)
          for (double lambda : {1.0, -1.0}) {
            SymmetryFunction f;
            f.type = o.angular;
            f.element1 = set.elements[a];
            f.element2 = set.elements[b];
            f.eta = eta;
            f.zeta = zeta;
            f.lambda = lambda;
            set.functions.push_back(f);
          }
  if (const std::string why = set.validate(); !why.empty())
    throw std::invalid_argument("standard_descriptor_set: " + why);
  return set;
}

std::string Structure::validate() const {
  const auto a = static_cast<Eigen::Index>(atomic_numbers.size());
  if (a == 0) return "no atoms";
  if (positions.rows() != a || positions.cols() != 3)
    return "positions must be " + std::to_string(a) + " x 3";
  if (!positions.allFinite()) return "positions must be finite";
  for (int z : atomic_numbers)
    if (z < 1 || z > 118) return "atomic number out of 1..118";
  if (cell.size() > 0) {
    if (cell.rows() != 3 || cell.cols() != 3) return "cell must be 3 x 3 (or empty)";
    if (!cell.allFinite()) return "cell must be finite";
    const Eigen::Matrix3d c = cell;
    if (!(std::abs(c.determinant()) > 1e-9)) return "cell vectors must be linearly independent";
  }
  return "";
}

std::vector<std::vector<Neighbor>> neighbor_list(const Structure& s, double rc) {
  std::vector<std::vector<Neighbor>> out;
  neighbor_list(s, rc, out);
  return out;
}

void neighbor_list(const Structure& s, double rc, std::vector<std::vector<Neighbor>>& out) {
  if (const std::string why = s.validate(); !why.empty())
    throw std::invalid_argument("neighbor_list: " + why);
  const int a = static_cast<int>(s.atomic_numbers.size());
  out.resize(static_cast<std::size_t>(a));
  for (auto& list : out) list.clear();  // keeps the capacity: no allocation once warm
  int nimg[3] = {0, 0, 0};
  Eigen::Matrix3d c = Eigen::Matrix3d::Zero();
  if (s.periodic()) {
    c = s.cell;
    // Images needed along cell vector k: rc / (distance between the lattice planes spanned by
    // the other two vectors), plus the spread of the atoms' fractional coordinates along k
    // (positions need not be wrapped into the cell: MD leaves them where they drift).
    const double vol = std::abs(c.determinant());
    const Eigen::Matrix3d inv = c.inverse();
    for (int k = 0; k < 3; ++k) {
      const Eigen::Vector3d u = c.row((k + 1) % 3), v = c.row((k + 2) % 3);
      const double height = vol / u.cross(v).norm();
      double lo = 0, hi = 0;
      for (int i = 0; i < a; ++i) {
        const double f = s.positions.row(i).dot(inv.col(k));
        lo = i == 0 ? f : std::min(lo, f);
        hi = i == 0 ? f : std::max(hi, f);
      }
      nimg[k] = static_cast<int>(std::ceil(rc / height + (hi - lo))) + 1;
    }
  }
  for (int i = 0; i < a; ++i)
    for (int n0 = -nimg[0]; n0 <= nimg[0]; ++n0)
      for (int n1 = -nimg[1]; n1 <= nimg[1]; ++n1)
        for (int n2 = -nimg[2]; n2 <= nimg[2]; ++n2) {
          const Eigen::RowVector3d shift = n0 * c.row(0) + n1 * c.row(1) + n2 * c.row(2);
          const bool home = n0 == 0 && n1 == 0 && n2 == 0;
          for (int j = 0; j < a; ++j) {
            if (home && j == i) continue;
            const Eigen::RowVector3d d = s.positions.row(j) + shift - s.positions.row(i);
            const double r = d.norm();
            if (r < rc) out[static_cast<std::size_t>(i)].push_back({j, d(0), d(1), d(2), r});
          }
        }
}

Descriptors compute_descriptors(const DescriptorSet& set, const Structure& s,
                                bool with_derivatives) {
  Descriptors d;
  compute_descriptors(set, s, neighbor_list(s, set.cutoff_radius), with_derivatives, d.values,
                      d.derivatives);
  return d;
}

void compute_descriptors(const DescriptorSet& set, const Structure& s,
                         const std::vector<std::vector<Neighbor>>& neighbors, bool with_derivatives,
                         RowMatrixXd& values, RowMatrixXd& derivatives) {
  const int a = static_cast<int>(s.atomic_numbers.size());
  const int n = set.size();
  if (static_cast<int>(neighbors.size()) != a)
    throw std::invalid_argument("compute_descriptors: neighbour list is for another structure");
  for (int z : s.atomic_numbers)
    if (set.element_index(z) < 0)
      throw std::invalid_argument("compute_descriptors: element Z=" + std::to_string(z) +
                                  " is not in the descriptor set (" + set.describe() + ")");
  if (values.rows() != a || values.cols() != n) values.resize(a, n);
  values.setZero();
  if (with_derivatives) {
    if (derivatives.rows() != static_cast<Eigen::Index>(a) * n || derivatives.cols() != 3 * a)
      derivatives.resize(static_cast<Eigen::Index>(a) * n, 3 * a);
    derivatives.setZero();
  }
  const double rc = set.cutoff_radius;
  for (int i = 0; i < a; ++i) {
    const auto& nb = neighbors[static_cast<std::size_t>(i)];
    for (int k = 0; k < n; ++k) {
      const SymmetryFunction& f = set.functions[static_cast<std::size_t>(k)];
      double g = 0;
      double* drow =
          with_derivatives ? derivatives.row(static_cast<Eigen::Index>(i) * n + k).data() : nullptr;
      if (f.type == SymmetryType::kG2) {
        for (const Neighbor& p : nb) {
          if (s.atomic_numbers[static_cast<std::size_t>(p.j)] != f.element1) continue;
          double fc, dfc;
          cutoff(set.cutoff, rc, p.r, &fc, &dfc);
          const double dr = p.r - f.rs;
          const double ex = std::exp(-f.eta * dr * dr);
          g += ex * fc;
          if (drow) {
            const double dgdr = ex * (dfc - 2.0 * f.eta * dr * fc);
            const double u[3] = {p.dx / p.r, p.dy / p.r, p.dz / p.r};
            for (int d = 0; d < 3; ++d) {
              drow[3 * p.j + d] += dgdr * u[d];
              drow[3 * i + d] -= dgdr * u[d];
            }
          }
        }
      } else {
        const bool narrow = f.type == SymmetryType::kG3;
        const double pref = std::pow(2.0, 1.0 - f.zeta);
        for (std::size_t jj = 0; jj < nb.size(); ++jj) {
          const Neighbor& pj = nb[jj];
          const int zj = s.atomic_numbers[static_cast<std::size_t>(pj.j)];
          if (zj != f.element1 && zj != f.element2) continue;
          double fcj, dfcj;
          cutoff(set.cutoff, rc, pj.r, &fcj, &dfcj);
          for (std::size_t kk = jj + 1; kk < nb.size(); ++kk) {
            const Neighbor& pk = nb[kk];
            const int zk = s.atomic_numbers[static_cast<std::size_t>(pk.j)];
            if (!((zj == f.element1 && zk == f.element2) || (zj == f.element2 && zk == f.element1)))
              continue;
            double fck, dfck;
            cutoff(set.cutoff, rc, pk.r, &fck, &dfck);
            const double vjk[3] = {pk.dx - pj.dx, pk.dy - pj.dy, pk.dz - pj.dz};
            const double rjk = std::sqrt(vjk[0] * vjk[0] + vjk[1] * vjk[1] + vjk[2] * vjk[2]);
            double fcjk = 1, dfcjk = 0;
            if (narrow) {
              cutoff(set.cutoff, rc, rjk, &fcjk, &dfcjk);
              if (fcjk == 0 && dfcjk == 0) continue;
            }
            const double rij = pj.r, rik = pk.r;
            const double dot = pj.dx * pk.dx + pj.dy * pk.dy + pj.dz * pk.dz;
            const double cos = dot / (rij * rik);
            const double base = 1.0 + f.lambda * cos;
            const double p = std::pow(base, f.zeta);
            const double dp = f.zeta * f.lambda * std::pow(base, f.zeta - 1.0);
            const double rsq = rij * rij + rik * rik + (narrow ? rjk * rjk : 0.0);
            const double ex = std::exp(-f.eta * rsq);
            const double c = fcj * fck * fcjk;
            g += pref * p * ex * c;
            if (!drow) continue;
            const double dcos = pref * dp * ex * c;
            const double drij = pref * p * ex * (-2.0 * f.eta * rij * c + dfcj * fck * fcjk);
            const double drik = pref * p * ex * (-2.0 * f.eta * rik * c + fcj * dfck * fcjk);
            const double drjk =
                narrow ? pref * p * ex * (-2.0 * f.eta * rjk * c + fcj * fck * dfcjk) : 0.0;
            const double vj[3] = {pj.dx, pj.dy, pj.dz}, vk[3] = {pk.dx, pk.dy, pk.dz};
            for (int d = 0; d < 3; ++d) {
              const double dcos_j = vk[d] / (rij * rik) - cos * vj[d] / (rij * rij);
              const double dcos_k = vj[d] / (rij * rik) - cos * vk[d] / (rik * rik);
              const double ujk = narrow && rjk > 0 ? vjk[d] / rjk : 0.0;
              const double gj = dcos * dcos_j + drij * vj[d] / rij - drjk * ujk;
              const double gk = dcos * dcos_k + drik * vk[d] / rik + drjk * ujk;
              drow[3 * pj.j + d] += gj;
              drow[3 * pk.j + d] += gk;
              drow[3 * i + d] -= gj + gk;
            }
          }
        }
      }
      values(i, k) = g;
    }
  }
}

Standardizer Standardizer::fit(const std::vector<const RowMatrixXd*>& values,
                               const std::vector<const std::vector<int>*>& element_index,
                               int num_elements, double min_std) {
  if (values.size() != element_index.size())
    throw std::invalid_argument("Standardizer::fit: values and element_index differ in length");
  Eigen::Index n = values.empty() ? 0 : values.front()->cols();
  Standardizer st;
  st.mean = RowMatrixXd::Zero(num_elements, n);
  st.scale = RowMatrixXd::Ones(num_elements, n);
  st.degenerate.assign(static_cast<std::size_t>(num_elements),
                       std::vector<bool>(static_cast<std::size_t>(n), false));
  RowMatrixXd sum = RowMatrixXd::Zero(num_elements, n), sq = sum;
  std::vector<double> count(static_cast<std::size_t>(num_elements), 0.0);
  for (std::size_t s = 0; s < values.size(); ++s) {
    const RowMatrixXd& v = *values[s];
    const std::vector<int>& e = *element_index[s];
    if (v.cols() != n || static_cast<Eigen::Index>(e.size()) != v.rows())
      throw std::invalid_argument("Standardizer::fit: inconsistent descriptor shapes");
    for (Eigen::Index i = 0; i < v.rows(); ++i) {
      sum.row(e[static_cast<std::size_t>(i)]) += v.row(i);
      count[static_cast<std::size_t>(e[static_cast<std::size_t>(i)])] += 1;
    }
  }
  for (int e = 0; e < num_elements; ++e)
    if (count[static_cast<std::size_t>(e)] > 0)
      st.mean.row(e) = sum.row(e) / count[static_cast<std::size_t>(e)];
  for (std::size_t s = 0; s < values.size(); ++s) {
    const RowMatrixXd& v = *values[s];
    const std::vector<int>& e = *element_index[s];
    for (Eigen::Index i = 0; i < v.rows(); ++i) {
      const int el = e[static_cast<std::size_t>(i)];
      sq.row(el) += (v.row(i) - st.mean.row(el)).cwiseAbs2();
    }
  }
  for (int e = 0; e < num_elements; ++e) {
    const double c = count[static_cast<std::size_t>(e)];
    for (Eigen::Index k = 0; k < n; ++k) {
      const double sd = c > 0 ? std::sqrt(sq(e, k) / c) : 0.0;
      if (sd > min_std * std::max(1.0, std::abs(st.mean(e, k)))) {
        st.scale(e, k) = sd;
      } else {
        st.scale(e, k) = 1.0;
        st.degenerate[static_cast<std::size_t>(e)][static_cast<std::size_t>(k)] = true;
      }
    }
  }
  return st;
}

int Standardizer::num_degenerate() const {
  int c = 0;
  for (const auto& row : degenerate)
    for (bool b : row) c += b;
  return c;
}

}  // namespace adamant::chem
