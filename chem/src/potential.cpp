#include "adamant/chem/potential.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "adamant/datasets/elements.hpp"
#include "adamant/datasets/h5.hpp"
#include "adamant/datasets/schema.hpp"

namespace adamant::chem {

namespace {

// σ'(z) and σ''(z) given z and a = σ(z).
inline void act_derivs(core::Activation act, double z, double a, double* d1, double* d2) {
  switch (act) {
    case core::Activation::kIdentity:
      *d1 = 1;
      *d2 = 0;
      return;
    case core::Activation::kTanh:
      *d1 = 1 - a * a;
      *d2 = -2 * a * (*d1);
      return;
    case core::Activation::kSoftplus: {
      const double s = 1 / (1 + std::exp(-z));
      *d1 = s;
      *d2 = s * (1 - s);
      return;
    }
    case core::Activation::kSiLU: {
      const double s = 1 / (1 + std::exp(-z));
      *d1 = s * (1 + z * (1 - s));
      *d2 = s * (1 - s) * (2 + z * (1 - 2 * s));
      return;
    }
    case core::Activation::kReLU:
      *d1 = z > 0 ? 1 : 0;
      *d2 = 0;
      return;
  }
}

inline double act_value(core::Activation act, double z) {
  switch (act) {
    case core::Activation::kIdentity:
      return z;
    case core::Activation::kTanh:
      return std::tanh(z);
    case core::Activation::kSoftplus:
      return std::max(z, 0.0) + std::log1p(std::exp(-std::abs(z)));
    case core::Activation::kSiLU:
      return z / (1 + std::exp(-z));
    case core::Activation::kReLU:
      return z > 0 ? z : 0;
  }
  return z;
}

// ℓ'(r) of the loss: 2r, or Huber's clipped 2δ sign(r).
inline double loss_value(double r, bool huber, double delta) {
  const double ar = std::abs(r);
  return (!huber || ar <= delta) ? r * r : delta * (2 * ar - delta);
}
inline double loss_deriv(double r, bool huber, double delta) {
  if (!huber || std::abs(r) <= delta) return 2 * r;
  return r > 0 ? 2 * delta : -2 * delta;
}

using MapM =
    Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
using MapV = Eigen::Map<Eigen::VectorXd>;
using CMapV = Eigen::Map<const Eigen::VectorXd>;

}  // namespace

std::string NetworkOptions::validate() const {
  for (int h : hidden)
    if (h < 1) return "every hidden width must be >= 1";
  if (activation == core::Activation::kReLU)
    return "relu has no useful second derivative (forces would be piecewise constant): use tanh, "
           "softplus or silu";
  return "";
}

Potential::Potential(DescriptorSet set, NetworkOptions options)
    : set_(std::move(set)), options_(std::move(options)) {
  if (const std::string why = set_.validate(); !why.empty())
    throw std::invalid_argument("Potential: descriptor set: " + why);
  if (const std::string why = options_.validate(); !why.empty())
    throw std::invalid_argument("Potential: " + why);
  core::MlpSpec spec;
  spec.layer_sizes.push_back(set_.size());
  for (int h : options_.hidden) spec.layer_sizes.push_back(h);
  spec.layer_sizes.push_back(1);
  spec.hidden = options_.activation;
  spec.output = core::Activation::kIdentity;
  for (std::size_t e = 0; e < set_.elements.size(); ++e) {
    nets_.emplace_back(spec);
    offsets_.push_back(num_parameters_);
    num_parameters_ += nets_.back().num_parameters();
  }
  layers_ = nets_.front().num_layers();
  max_width_ = *std::max_element(spec.layer_sizes.begin(), spec.layer_sizes.end());
  params = Eigen::VectorXd::Zero(num_parameters_);
  shifts = Eigen::VectorXd::Zero(num_elements());
  const int n = set_.size();
  standardizer.mean = RowMatrixXd::Zero(num_elements(), n);
  standardizer.scale = RowMatrixXd::Ones(num_elements(), n);
  standardizer.degenerate.assign(static_cast<std::size_t>(num_elements()),
                                 std::vector<bool>(static_cast<std::size_t>(n), false));
}

void Potential::init_parameters(std::uint64_t seed) {
  for (int e = 0; e < num_elements(); ++e) {
    const auto& net = nets_[static_cast<std::size_t>(e)];
    net.init_parameters(params.segment(offset(e), net.num_parameters()),
                        seed + static_cast<std::uint64_t>(e), options_.init);
  }
}

std::vector<int> Potential::element_indices(const std::vector<int>& atomic_numbers) const {
  std::vector<int> out;
  out.reserve(atomic_numbers.size());
  for (int z : atomic_numbers) {
    const int e = set_.element_index(z);
    if (e < 0)
      throw std::invalid_argument("Potential: element Z=" + std::to_string(z) +
                                  " is not one the model was built for (" + set_.describe() + ")");
    out.push_back(e);
  }
  return out;
}

void Potential::fit_shifts(const std::vector<std::vector<int>>& element_indices,
                           const Eigen::VectorXd& energies) {
  const auto f = static_cast<Eigen::Index>(element_indices.size());
  if (f != energies.size() || f == 0)
    throw std::invalid_argument("Potential::fit_shifts: need one energy per frame");
  Eigen::MatrixXd counts = Eigen::MatrixXd::Zero(f, num_elements());
  for (Eigen::Index i = 0; i < f; ++i)
    for (int e : element_indices[static_cast<std::size_t>(i)]) counts(i, e) += 1;
  shifts = counts.completeOrthogonalDecomposition().solve(energies);
}

PreparedFrame Potential::prepare(const Structure& s, double energy,
                                 const Eigen::VectorXd& forces) const {
  PreparedFrame f;
  f.element = element_indices(s.atomic_numbers);
  RowMatrixXd g, dg;
  compute_descriptors(set_, s, neighbor_list(s, set_.cutoff_radius), true, g, dg);
  const int a = f.num_atoms(), n = set_.size();
  f.x.resize(a, n);
  f.dx = std::move(dg);
  for (int i = 0; i < a; ++i) {
    const int e = f.element[static_cast<std::size_t>(i)];
    f.x.row(i) = (g.row(i) - standardizer.mean.row(e)).cwiseQuotient(standardizer.scale.row(e));
    for (int k = 0; k < n; ++k)
      f.dx.row(static_cast<Eigen::Index>(i) * n + k) /= standardizer.scale(e, k);
  }
  f.energy = energy;
  f.forces = forces;
  return f;
}

Potential::Workspace Potential::make_workspace(int atoms) const {
  Workspace ws;
  ws.atoms = atoms;
  const std::size_t per = static_cast<std::size_t>(atoms) * static_cast<std::size_t>(layers_ + 1) *
                          static_cast<std::size_t>(max_width_);
  ws.z.assign(per, 0);
  ws.a.assign(per, 0);
  ws.zd.assign(per, 0);
  ws.ad.assign(per, 0);
  ws.zbar.assign(static_cast<std::size_t>(max_width_), 0);
  ws.zdbar.assign(static_cast<std::size_t>(max_width_), 0);
  ws.tmp1.assign(static_cast<std::size_t>(max_width_), 0);
  ws.tmp2.assign(static_cast<std::size_t>(max_width_), 0);
  ws.gx = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(atoms) * set_.size());
  ws.v = ws.gx;
  ws.g = Eigen::VectorXd::Zero(3 * atoms);
  ws.forces = ws.g;
  return ws;
}

double Potential::predict(const Eigen::Ref<const Eigen::VectorXd>& p, const PreparedFrame& f,
                          Workspace& ws) const {
  LossWeights w;
  w.force = 0;
  w.energy = 0;
  return evaluate_frame(p, f, w, ws, nullptr).energy;
}

FrameResult Potential::evaluate_frame(const Eigen::Ref<const Eigen::VectorXd>& p,
                                      const PreparedFrame& f, const LossWeights& w, Workspace& ws,
                                      double* grad) const {
  const int na = f.num_atoms(), n = set_.size(), L = layers_, mw = max_width_;
  if (na != ws.atoms)
    throw std::invalid_argument("Potential::evaluate_frame: workspace made for " +
                                std::to_string(ws.atoms) + " atoms, frame has " +
                                std::to_string(na));
  if (p.size() != num_parameters_)
    throw std::invalid_argument("Potential::evaluate_frame: parameter buffer has the wrong size");
  const core::Activation act = options_.activation;
  const std::size_t stride = static_cast<std::size_t>(L + 1) * static_cast<std::size_t>(mw);
  auto slot = [&](std::vector<double>& buf, int i, int l) {
    return buf.data() + static_cast<std::size_t>(i) * stride + static_cast<std::size_t>(l) * mw;
  };
  // 1. Primal forward per atom, and ∂E_i/∂x_i by reverse mode.
  double energy = 0;
  for (int i = 0; i < na; ++i) {
    const int e = f.element[static_cast<std::size_t>(i)];
    const core::Mlp<double>& net = nets_[static_cast<std::size_t>(e)];
    const double* pe = p.data() + offsets_[static_cast<std::size_t>(e)];
    std::copy(f.x.row(i).data(), f.x.row(i).data() + n, slot(ws.a, i, 0));
    for (int l = 0; l < L; ++l) {
      const core::MlpLayer& ly = net.layer(l);
      MapM W(pe + ly.weight_offset, ly.out, ly.in);
      CMapV b(pe + ly.bias_offset, ly.out);
      CMapV a_in(slot(ws.a, i, l), ly.in);
      MapV z(slot(ws.z, i, l), ly.out);
      z.noalias() = W * a_in;
      z += b;
      double* a_out = slot(ws.a, i, l + 1);
      const core::Activation al = l + 1 == L ? core::Activation::kIdentity : act;
      for (int j = 0; j < ly.out; ++j) a_out[j] = act_value(al, z[j]);
    }
    energy += slot(ws.a, i, L)[0] + shifts[e];
    // Reverse for the input gradient: δ_{L−1} = 1.
    double* d = ws.tmp1.data();
    double* d2 = ws.tmp2.data();
    d[0] = 1;
    for (int l = L - 1; l >= 0; --l) {
      const core::MlpLayer& ly = net.layer(l);
      MapM W(pe + ly.weight_offset, ly.out, ly.in);
      CMapV dz(d, ly.out);
      MapV da(l == 0 ? ws.gx.data() + static_cast<Eigen::Index>(i) * n : d2, ly.in);
      da.noalias() = W.transpose() * dz;
      if (l > 0) {
        const double* z = slot(ws.z, i, l - 1);
        const double* a = slot(ws.a, i, l);
        for (int j = 0; j < ly.in; ++j) {
          double s1, s2;
          act_derivs(act, z[j], a[j], &s1, &s2);
          d2[j] *= s1;
        }
        std::swap(d, d2);
      }
    }
  }
  // 2. Forces F = −dxᵀ gx.
  ws.forces.setZero();  // −(dxᵀ gx) as one gemv: "= -(product)" would evaluate into a temporary
  ws.forces.noalias() -= f.dx.transpose() * ws.gx;
  FrameResult out;
  out.energy = energy;
  // 3. Loss and its derivatives with respect to E and F.
  const double inv_a = 1.0 / na;
  const double re = (energy - f.energy) * inv_a;
  double loss = w.energy * loss_value(re, w.huber, w.huber_delta_energy);
  const double dl_de = w.energy * loss_deriv(re, w.huber, w.huber_delta_energy) * inv_a;
  const bool use_forces = w.force != 0 && f.forces.size() == 3 * na;
  if (use_forces) {
    const double cf = w.force / (3.0 * na);
    for (int c = 0; c < 3 * na; ++c) {
      const double r = ws.forces[c] - f.forces[c];
      loss += cf * loss_value(r, w.huber, w.huber_delta_force);
      ws.g[c] = cf * loss_deriv(r, w.huber, w.huber_delta_force);
    }
  }
  out.loss = loss;
  if (grad == nullptr) return out;
  // 4. v = dx g (the direction of each atom's tangent pass).
  if (use_forces) ws.v.noalias() = f.dx * ws.g;
  // 5. Tangent forward and the combined reverse pass per atom.
  for (int i = 0; i < na; ++i) {
    const int e = f.element[static_cast<std::size_t>(i)];
    const core::Mlp<double>& net = nets_[static_cast<std::size_t>(e)];
    const double* pe = p.data() + offsets_[static_cast<std::size_t>(e)];
    double* ge = grad + offsets_[static_cast<std::size_t>(e)];
    if (use_forces) {
      std::copy(ws.v.data() + static_cast<Eigen::Index>(i) * n,
                ws.v.data() + static_cast<Eigen::Index>(i + 1) * n, slot(ws.ad, i, 0));
      for (int l = 0; l < L; ++l) {
        const core::MlpLayer& ly = net.layer(l);
        MapM W(pe + ly.weight_offset, ly.out, ly.in);
        CMapV ad_in(slot(ws.ad, i, l), ly.in);
        MapV zd(slot(ws.zd, i, l), ly.out);
        zd.noalias() = W * ad_in;
        if (l + 1 < L) {
          const double* z = slot(ws.z, i, l);
          const double* a = slot(ws.a, i, l + 1);
          double* ad_out = slot(ws.ad, i, l + 1);
          for (int j = 0; j < ly.out; ++j) {
            double s1, s2;
            act_derivs(act, z[j], a[j], &s1, &s2);
            ad_out[j] = s1 * zd[j];
          }
        }
      }
    }
    double* zbar = ws.zbar.data();
    double* zdbar = ws.zdbar.data();
    zbar[0] = dl_de;
    zdbar[0] = use_forces ? -1.0 : 0.0;
    for (int l = L - 1; l >= 0; --l) {
      const core::MlpLayer& ly = net.layer(l);
      Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> gW(
          ge + ly.weight_offset, ly.out, ly.in);
      MapV gb(ge + ly.bias_offset, ly.out);
      CMapV zb(zbar, ly.out), zdb(zdbar, ly.out);
      CMapV a_in(slot(ws.a, i, l), ly.in);
      gW.noalias() += zb * a_in.transpose();
      gb += zb;
      if (use_forces) {
        CMapV ad_in(slot(ws.ad, i, l), ly.in);
        gW.noalias() += zdb * ad_in.transpose();
      }
      if (l == 0) break;
      MapM W(pe + ly.weight_offset, ly.out, ly.in);
      MapV abar(ws.tmp1.data(), ly.in), adbar(ws.tmp2.data(), ly.in);
      abar.noalias() = W.transpose() * zb;
      if (use_forces) adbar.noalias() = W.transpose() * zdb;
      const double* z = slot(ws.z, i, l - 1);
      const double* a = slot(ws.a, i, l);
      const double* zd = slot(ws.zd, i, l - 1);
      for (int j = 0; j < ly.in; ++j) {
        double s1, s2;
        act_derivs(act, z[j], a[j], &s1, &s2);
        if (use_forces) {
          zbar[j] = s1 * abar[j] + s2 * zd[j] * adbar[j];
          zdbar[j] = s1 * adbar[j];
        } else {
          zbar[j] = s1 * abar[j];
          zdbar[j] = 0;
        }
      }
    }
  }
  return out;
}

double Potential::energy_forces(const Structure& s, RowMatrixXd* forces) const {
  Calculator calc(*this);
  RowMatrixXd f;
  const double e = calc.compute(s, f);
  if (forces) *forces = f;
  return e;
}

double Calculator::compute(const Structure& s, RowMatrixXd& forces) {
  const Potential& pot = *pot_;
  const DescriptorSet& set = pot.descriptors();
  const int a = static_cast<int>(s.atomic_numbers.size()), n = set.size();
  if (atomic_numbers_ != s.atomic_numbers) {  // another molecule (not only another atom count)
    frame_.element = pot.element_indices(s.atomic_numbers);
    if (frame_.num_atoms() != ws_atoms_) ws_ = pot.make_workspace(a);
    ws_atoms_ = a;
    atomic_numbers_ = s.atomic_numbers;
  }
  neighbor_list(s, set.cutoff_radius, nb_);
  compute_descriptors(set, s, nb_, true, g_, frame_.dx);
  frame_.x.resize(a, n);
  for (int i = 0; i < a; ++i) {
    const int e = frame_.element[static_cast<std::size_t>(i)];
    frame_.x.row(i) =
        (g_.row(i) - pot.standardizer.mean.row(e)).cwiseQuotient(pot.standardizer.scale.row(e));
    for (int k = 0; k < n; ++k)
      frame_.dx.row(static_cast<Eigen::Index>(i) * n + k) /= pot.standardizer.scale(e, k);
  }
  const double energy = pot.predict(pot.params, frame_, ws_);
  forces.resize(a, 3);
  for (int i = 0; i < a; ++i)
    for (int d = 0; d < 3; ++d) forces(i, d) = ws_.forces[3 * i + d];
  return energy;
}

// ---- model file ----

void save_potential(const std::string& path, const Potential& pot,
                    const std::map<std::string, std::string>& metadata) {
  namespace ds = adamant::datasets;
  const DescriptorSet& set = pot.descriptors();
  ds::Writer w(path);
  ds::write_schema(w, "chem_model");
  for (const auto& [k, v] : metadata) w.attr("/", k, v);
  std::vector<std::int32_t> el(set.elements.begin(), set.elements.end());
  w.write("elements", el.data(), {static_cast<std::int64_t>(el.size())});
  const auto nf = static_cast<std::int64_t>(set.size());
  std::vector<std::int32_t> type, e1, e2;
  std::vector<double> eta, rs, zeta, lambda;
  for (const auto& f : set.functions) {
    type.push_back(static_cast<std::int32_t>(f.type));
    e1.push_back(f.element1);
    e2.push_back(f.element2);
    eta.push_back(f.eta);
    rs.push_back(f.rs);
    zeta.push_back(f.zeta);
    lambda.push_back(f.lambda);
  }
  w.group("descriptors");
  w.attr("descriptors", "cutoff", to_string(set.cutoff));
  w.attr("descriptors", "cutoff_radius", set.cutoff_radius);
  w.write("descriptors/type", type.data(), {nf});
  w.write("descriptors/element1", e1.data(), {nf});
  w.write("descriptors/element2", e2.data(), {nf});
  w.write("descriptors/eta", eta.data(), {nf});
  w.write("descriptors/rs", rs.data(), {nf});
  w.write("descriptors/zeta", zeta.data(), {nf});
  w.write("descriptors/lambda", lambda.data(), {nf});
  const auto ne = static_cast<std::int64_t>(set.elements.size());
  w.write("standardizer/mean", pot.standardizer.mean.data(), {ne, nf});
  w.write("standardizer/scale", pot.standardizer.scale.data(), {ne, nf});
  std::vector<std::int32_t> degenerate(static_cast<std::size_t>(ne * nf), 0);
  for (std::size_t e = 0; e < pot.standardizer.degenerate.size(); ++e)
    for (std::size_t k = 0; k < pot.standardizer.degenerate[e].size(); ++k)
      degenerate[e * static_cast<std::size_t>(nf) + k] = pot.standardizer.degenerate[e][k] ? 1 : 0;
  w.write("standardizer/degenerate", degenerate.data(), {ne, nf});
  w.write("shifts", pot.shifts.data(), {ne});
  w.group("model");
  w.attr("model", "kind", "behler_parrinello");
  std::string hidden;
  for (int h : pot.options().hidden) hidden += (hidden.empty() ? "" : ",") + std::to_string(h);
  w.attr("model", "hidden", hidden);
  w.attr("model", "activation", core::to_string(pot.options().activation));
  w.attr("model", "init", core::to_string(pot.options().init));
  w.write("model/params", pot.params.data(), {static_cast<std::int64_t>(pot.params.size())});
  w.commit();
}

Potential load_potential(const std::string& path) {
  namespace ds = adamant::datasets;
  return ds::guarded_read(path, [&]() -> Potential {
    ds::Reader r(path);
    if (ds::schema_of(r) != "chem_model")
      r.fail("/", "attribute adamant_schema is '" + ds::schema_of(r) +
                      "', expected 'chem_model' (a model written by 'adamant chem fit')");
    const auto el = r.read_i64("elements", {ds::kAnyExtent});
    DescriptorSet set;
    for (auto z : el) set.elements.push_back(static_cast<int>(z));
    set.cutoff_radius = r.attr_double("descriptors", "cutoff_radius");
    try {
      set.cutoff = parse_cutoff(r.attr_string("descriptors", "cutoff"));
    } catch (const std::invalid_argument& e) {
      r.fail("descriptors", e.what());
    }
    ds::Shape shape;
    const auto type = r.read_i64("descriptors/type", {ds::kAnyExtent}, &shape);
    const std::int64_t nf = shape.at(0);
    const auto e1 = r.read_i64("descriptors/element1", {nf});
    const auto e2 = r.read_i64("descriptors/element2", {nf});
    const auto eta = r.read_f64("descriptors/eta", {nf});
    const auto rs = r.read_f64("descriptors/rs", {nf});
    const auto zeta = r.read_f64("descriptors/zeta", {nf});
    const auto lambda = r.read_f64("descriptors/lambda", {nf});
    for (std::int64_t k = 0; k < nf; ++k) {
      SymmetryFunction f;
      const auto t = type[static_cast<std::size_t>(k)];
      if (t != 2 && t != 3 && t != 9)
        r.fail("descriptors/type",
               "entry " + std::to_string(k) + " is " + std::to_string(t) + ", expected 2, 3 or 9");
      f.type = static_cast<SymmetryType>(t);
      f.element1 = static_cast<int>(e1[static_cast<std::size_t>(k)]);
      f.element2 = static_cast<int>(e2[static_cast<std::size_t>(k)]);
      f.eta = eta[static_cast<std::size_t>(k)];
      f.rs = rs[static_cast<std::size_t>(k)];
      f.zeta = zeta[static_cast<std::size_t>(k)];
      f.lambda = lambda[static_cast<std::size_t>(k)];
      set.functions.push_back(f);
    }
    if (const std::string why = set.validate(); !why.empty()) r.fail("descriptors", why);
    NetworkOptions o;
    o.hidden.clear();
    {
      const std::string h = r.attr_string("model", "hidden");
      std::size_t pos = 0;
      while (pos < h.size()) {
        const std::size_t next = h.find(',', pos);
        const std::string tok =
            h.substr(pos, next == std::string::npos ? std::string::npos : next - pos);
        try {
          o.hidden.push_back(std::stoi(tok));
        } catch (const std::exception&) {
          r.fail("model", "attribute hidden is '" + h + "', expected comma-separated widths");
        }
        if (next == std::string::npos) break;
        pos = next + 1;
      }
    }
    try {
      o.activation = core::parse_activation(r.attr_string("model", "activation"));
      o.init = core::parse_mlp_init(r.attr_string("model", "init"));
    } catch (const std::invalid_argument& e) {
      r.fail("model", e.what());
    }
    if (const std::string why = o.validate(); !why.empty()) r.fail("model", why);
    Potential pot(set, o);
    const auto ne = static_cast<std::int64_t>(set.elements.size());
    const auto mean = r.read_f64("standardizer/mean", {ne, nf});
    const auto scale = r.read_f64("standardizer/scale", {ne, nf});
    for (double s : scale)
      if (!(s > 0) || !std::isfinite(s))
        r.fail("standardizer/scale", "every scale must be finite and > 0");
    for (double m : mean)
      if (!std::isfinite(m)) r.fail("standardizer/mean", "every mean must be finite");
    pot.standardizer.mean = Eigen::Map<const RowMatrixXd>(mean.data(), ne, nf);
    pot.standardizer.scale = Eigen::Map<const RowMatrixXd>(scale.data(), ne, nf);
    const auto degenerate = r.read_i64("standardizer/degenerate", {ne, nf});
    pot.standardizer.degenerate.assign(static_cast<std::size_t>(ne),
                                       std::vector<bool>(static_cast<std::size_t>(nf), false));
    for (std::int64_t e = 0; e < ne; ++e)
      for (std::int64_t k = 0; k < nf; ++k) {
        const auto d = degenerate[static_cast<std::size_t>(e * nf + k)];
        if (d != 0 && d != 1)
          r.fail("standardizer/degenerate", "entries must be 0 or 1, got " + std::to_string(d));
        pot.standardizer.degenerate[static_cast<std::size_t>(e)][static_cast<std::size_t>(k)] = d;
      }
    const auto shifts = r.read_f64("shifts", {ne});
    pot.shifts = Eigen::Map<const Eigen::VectorXd>(shifts.data(), ne);
    for (double x : shifts)
      if (!std::isfinite(x)) r.fail("shifts", "every shift must be finite");
    const auto params = r.read_f64("model/params", {pot.num_parameters()});
    for (std::size_t k = 0; k < params.size(); ++k)
      if (!std::isfinite(params[k]))
        r.fail("model/params", "entry " + std::to_string(k) + " is not finite");
    pot.params = Eigen::Map<const Eigen::VectorXd>(params.data(), pot.num_parameters());
    return pot;
  });
}

namespace {

// `adamant data info`'s summary of a model file (datasets/schema.hpp).
[[maybe_unused]] const bool kModelSummaryRegistered = datasets::register_schema_summary(
    "chem_model", [](const std::string& path, const datasets::Reader& r) {
      const Potential pot = load_potential(path);
      std::ostringstream os;
      os << "chem_model: Behler-Parrinello potential for";
      for (int z : pot.descriptors().elements) os << " " << datasets::element_symbol(z);
      os << ", " << pot.descriptors().size() << " symmetry functions per atom, hidden";
      for (int h : pot.options().hidden) os << " " << h;
      os << ", " << pot.num_parameters() << " parameters";
      if (r.has_attr("/", "data")) os << "\n  fitted to " << r.attr_string("/", "data");
      if (r.has_attr("/", "test_energy_mae_meV") && r.has_attr("/", "test_force_mae_meV_per_A")) {
        os << "; test MAE " << r.attr_string("/", "test_energy_mae_meV") << " meV, "
           << r.attr_string("/", "test_force_mae_meV_per_A") << " meV/Å";
      }
      return os.str();
    });

}  // namespace

}  // namespace adamant::chem
