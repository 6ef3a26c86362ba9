// 11. low precision: what eps and v become in float16 and bfloat16, Adam computed entirely in
// 16 bits, and the mixed-precision optimizer (core::MixedPrecisionOptimizer) that fixes it.

#include <Eigen/Dense>
#include <cmath>
#include <string>
#include <vector>

#include "adamant/core/mixed_precision.hpp"
#include "adamant/plot/plot.hpp"
#include "experiments.hpp"
#include "helpers.hpp"

namespace adamant::lab {

using namespace detail;

namespace {

using core::HalfType;
float rnd(float x, HalfType t) { return core::from_half(core::to_half(x, t), t); }

/// Adam with every tensor stored in 16 bits, as torch.optim.Adam runs on float16 / bfloat16
/// tensors: each kernel computes in float32 and rounds its output (lerp for m, mul then addcmul
/// for v, sqrt, division by the bias correction, + eps, then addcdiv into the parameter).
struct HalfAdam {
  HalfAdam(HalfType type_, float lr_) : type(type_), lr(lr_) {}
  HalfType type;
  float lr, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
  Eigen::VectorXf m, v;
  int t = 0;
  void step(Eigen::VectorXf& theta, const Eigen::VectorXf& g) {
    if (m.size() == 0) m = v = Eigen::VectorXf::Zero(theta.size());
    ++t;
    const double bc1 = 1 - std::pow(double{beta1}, t),
                 bc2 = std::sqrt(1 - std::pow(double{beta2}, t));
    const auto step_size = static_cast<float>(lr / bc1);
    for (Eigen::Index i = 0; i < theta.size(); ++i) {
      m[i] = rnd(m[i] + (1 - beta1) * (g[i] - m[i]), type);
      v[i] = rnd(rnd(v[i] * beta2, type) + (1 - beta2) * g[i] * g[i], type);
      float denom = rnd(std::sqrt(v[i]), type);
      denom = rnd(denom / static_cast<float>(bc2), type);
      denom = rnd(denom + eps, type);
      theta[i] = rnd(theta[i] - step_size * m[i] / denom, type);
    }
  }
};

struct LeastSquares {
  Eigen::MatrixXf A;
  Eigen::VectorXf b;
  float scale;  // the loss is scale * |A theta - b|^2 / 2
  float loss(const Eigen::VectorXf& th) const { return 0.5f * scale * (A * th - b).squaredNorm(); }
  Eigen::VectorXf grad(const Eigen::VectorXf& th) const {
    return scale * (A.transpose() * (A * th - b));
  }
};

}  // namespace

Result run_low_precision() {
  Result r;
  r.name = "low_precision";
  r.title = "eps and v in float16 / bfloat16; Adam in 16 bits against mixed precision";
  r.claim =
      "In float16 the default eps = 1e-8 is zero (the smallest subnormal is 6e-8) and v = "
      "(1 - beta2) g^2 underflows to zero for |g| below about 5e-3, so Adam's step divides by "
      "zero; bfloat16 keeps float32's range but only 8 significant bits, so an update below "
      "half the spacing of the parameter (2^-9 |theta|) is lost and training stalls. Keeping "
      "float32 master weights and moments, and scaling the loss for float16 so that small "
      "gradients do not flush to zero, recovers the float32 run to the precision 16-bit "
      "parameters can hold.";
  r.source =
      "Micikevicius et al. 2018 (Mixed Precision Training); Kalamkar et al. 2019 (bfloat16); "
      "IEEE 754-2008 binary16";
  // (a) the constants
  const HalfType bf = HalfType::kBFloat16, fp = HalfType::kFloat16;
  const float eps16 = rnd(1e-8f, fp), epsbf = rnd(1e-8f, bf);
  // smallest constant |g| whose first v = (1 - beta2) g^2 is not zero, on a grid of 1/8 decade
  auto v_floor = [](HalfType t) {
    for (int k = -160; k <= 0; ++k) {
      const float g = std::pow(10.0f, k / 8.0f);
      if (rnd(0.001f * g * g, t) > 0) return static_cast<double>(g);
    }
    return 1.0;
  };
  const double vf16 = v_floor(fp), vfbf = v_floor(bf);
  r.table.push_back("(a) what Adam's constants become");
  r.table.push_back(line("    %-10s %14s %28s %18s", "format", "eps = 1e-8",
                         "smallest g with v_1 > 0", "spacing at 1"));
  r.table.push_back(
      line("    %-10s %14.5g %28.3g %18.5g", "float32", 1e-8, 1e-19, std::ldexp(1.0, -23)));
  r.table.push_back(
      line("    %-10s %14.5g %28.3g %18.5g", "float16", eps16, vf16, std::ldexp(1.0, -10)));
  r.table.push_back(
      line("    %-10s %14.5g %28.3g %18.5g", "bfloat16", epsbf, vfbf, std::ldexp(1.0, -7)));
  // pure float16 Adam on a constant gradient: the first step
  std::vector<double> gs, first16, firstbf;
  double finite_below = 0;
  for (int k = 0; k <= 16; ++k) {
    const float g = std::pow(10.0f, -6 + 0.375f * k);
    for (HalfType t : {fp, bf}) {
      HalfAdam h(t, 1e-3f);
      Eigen::VectorXf th = Eigen::VectorXf::Zero(1);
      h.step(th, Eigen::VectorXf::Constant(1, rnd(g, t)));
      const double s = -th[0] / 1e-3;
      (t == fp ? first16 : firstbf).push_back(std::isfinite(s) ? s : 1e9);
      if (t == fp && !std::isfinite(s)) finite_below = std::max(finite_below, double(g));
    }
    gs.push_back(g);
  }
  ds::Table tc;
  tc.add("g", col(gs));
  tc.add("float16_first_step_over_alpha", col(first16));
  tc.add("bfloat16_first_step_over_alpha", col(firstbf));
  r.data.emplace_back("first_step", tc);
  r.table.push_back(
      line("    Adam in float16 (alpha 1e-3, eps 1e-8): the first step is Inf for "
           "every constant |g| up to %.3g (v and eps both 0)",
           finite_below));

  // (b) training: least squares, 64 parameters near 4 (bfloat16 spacing 2^-5 there), loss
  // scaled by 1e-5 (a mean over a large batch) so that late gradients are below float16's range
  std::mt19937_64 rng(3);
  const int n = 64, m = 256, steps = 3000;
  LeastSquares p;
  p.A.resize(m, n);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) p.A(i, j) = static_cast<float>(normal(rng) / std::sqrt(m));
  Eigen::VectorXf target(n);
  for (int j = 0; j < n; ++j) target[j] = static_cast<float>(4 + normal(rng));
  p.b = p.A * target;
  p.scale = 1e-5f;
  core::AdamOptions ao;
  ao.lr = 1e-2;
  struct Curve {
    std::string name;
    std::vector<double> loss;
    double final = 0;
  };
  std::vector<Curve> curves;
  auto record = [&](Curve& c, const Eigen::VectorXf& th) {
    c.loss.push_back(static_cast<double>(p.loss(th)));
  };
  const float l0 = p.loss(Eigen::VectorXf::Zero(n));
  {  // float32
    Curve c{"float32", {}};
    Eigen::VectorXf th = Eigen::VectorXf::Zero(n);
    core::Optimizer<float> o(ao, n);
    for (int s = 0; s < steps; ++s) {
      o.step(th, p.grad(th));
      record(c, th);
    }
    curves.push_back(c);
  }
  Eigen::VectorXf th32_final;
  {
    Eigen::VectorXf th = Eigen::VectorXf::Zero(n);
    core::Optimizer<float> o(ao, n);
    for (int s = 0; s < steps; ++s) o.step(th, p.grad(th));
    th32_final = th;
  }
  for (HalfType t : {bf, fp}) {  // Adam entirely in 16 bits
    Curve c{std::string(core::half_type_name(t)) + " throughout", {}};
    HalfAdam h(t, 1e-2f);
    Eigen::VectorXf th = Eigen::VectorXf::Zero(n);
    for (int s = 0; s < steps; ++s) {
      Eigen::VectorXf g = p.grad(th);
      for (float& x : g) x = rnd(x, t);
      h.step(th, g);
      record(c, th);
    }
    curves.push_back(c);
  }
  // mixed precision: 16-bit parameters and gradients (computed from the 16-bit parameters),
  // float32 master weights; float16 without and with GradScaler's dynamic loss scale
  struct Mixed {
    HalfType type;
    bool scaled;
  };
  for (const Mixed mx : {Mixed{bf, false}, Mixed{fp, false}, Mixed{fp, true}}) {
    Curve c{
        std::string(core::half_type_name(mx.type)) + " mixed" + (mx.scaled ? " + loss scale" : ""),
        {}};
    std::vector<std::uint16_t> p16(n, 0), g16(n);
    core::LossScaleOptions ls;
    if (mx.scaled) {
      ls.scale = 65536;
      ls.dynamic = true;
    }
    core::MixedPrecisionOptimizer o(ao, p16.data(), n, mx.type, {}, ls);
    Eigen::VectorXf th(n);
    for (int s = 0; s < steps; ++s) {
      core::from_half(p16.data(), th.data(), n, mx.type);
      const Eigen::VectorXf g = p.grad(th) * static_cast<float>(o.loss_scale());
      core::to_half(g.data(), g16.data(), n, mx.type);
      o.step(p16.data(), g16.data());
      core::from_half(p16.data(), th.data(), n, mx.type);
      record(c, th);
    }
    curves.push_back(c);
  }
  // what 16-bit parameters can reach at best: the float32 result rounded
  auto rounded_loss = [&](HalfType t) {
    Eigen::VectorXf q = th32_final;
    for (float& x : q) x = rnd(x, t);
    return static_cast<double>(p.loss(q));
  };
  const double floor_bf = rounded_loss(bf), floor_fp = rounded_loss(fp);
  r.table.push_back(
      line("(b) least squares, %d parameters near 4, loss scaled by 1e-5, Adam "
           "alpha 1e-2, %d steps; loss at 0: %.4g",
           n, steps, static_cast<double>(l0)));
  r.table.push_back(line("    %-26s %14s %18s", "run", "final loss", "final / floor"));
  for (Curve& c : curves) {
    c.final = c.loss.back();
    const double fl = c.name.rfind("bfloat16", 0) == 0  ? floor_bf
                      : c.name.rfind("float16", 0) == 0 ? floor_fp
                                                        : c.final;
    r.table.push_back(line("    %-26s %14.4g %18.4g", c.name.c_str(), c.final, c.final / fl));
  }
  r.table.push_back(line("    floor: the float32 result rounded, bfloat16 %.4g, float16 %.4g",
                         floor_bf, floor_fp));
  ds::Table tl;
  std::vector<double> idx;
  for (int s = 0; s < steps; s += 10) idx.push_back(s + 1);
  tl.add("step", col(idx));
  std::vector<double> finals;
  for (const Curve& c : curves) {
    std::vector<double> every;
    for (int s = 0; s < steps; s += 10) every.push_back(c.loss[static_cast<std::size_t>(s)]);
    tl.add(c.name, col(every));
    finals.push_back(c.final);
  }
  r.data.emplace_back("loss", tl);
  ds::Table fin;
  fin.add("final_loss", col(finals));
  r.data.emplace_back("final", fin);
  // curves: 0 float32, 1 bf16 throughout, 2 fp16 throughout, 3 bf16 mixed, 4 fp16 mixed,
  // 5 fp16 mixed + loss scale
  r.checks.push_back(at_most("float16 value of eps = 1e-8", eps16, 0.0));
  r.checks.push_back(
      at_least("Adam in float16: largest constant |g| with an Inf first step", finite_below, 1e-3));
  r.checks.push_back(at_most("float16 throughout: final loss is finite (1) or not (0)",
                             std::isfinite(curves[2].final) ? 1 : 0, 0));
  r.checks.push_back(
      at_least("bfloat16 throughout: final loss / loss at 0 (stalls)", curves[1].final / l0, 1e-2));
  r.checks.push_back(at_most("bfloat16 mixed: final loss / the rounded float32 result's",
                             curves[3].final / floor_bf, 4));
  r.checks.push_back(
      at_least("float16 mixed, no loss scale: final loss / the rounded float32 "
               "result's (small gradients flush to zero)",
               curves[4].final / floor_fp, 5));
  r.checks.push_back(
      at_most("float16 mixed with loss scale: final loss / the rounded float32 "
              "result's",
              curves[5].final / floor_fp, 4));
  return r;
}

void plot_low_precision(const Result& r, const std::string& png) {
  plot::Figure fig(1200, 520, 1, 2);
  fig.set_title("low precision: Adam in 16 bits and with float32 master weights");
  plot::Axes& a = fig.axes(0, 0);
  const ds::Table& f = r.group("first_step");
  a.plot(vec(f.column("g")), vec(f.column("bfloat16_first_step_over_alpha")), "bfloat16");
  plot::LineSeries& l = a.plot(vec(f.column("g")), vec(f.column("float16_first_step_over_alpha")),
                               "float16 (1e9: Inf)");
  l.marker = plot::Marker::kCircle;
  a.set_xlog();
  a.set_ylog();
  a.set_xlabel("constant gradient g");
  a.set_ylabel("first step / alpha");
  a.set_title("Adam computed in 16 bits: the first step");
  a.set_legend(plot::Legend::kUpperRight);
  plot::Axes& b = fig.axes(0, 1);
  const ds::Table& t = r.group("loss");
  for (const std::string& name : t.names) {
    if (name == "step") continue;
    std::vector<double> y = vec(t.column(name));
    for (double& v : y) v = std::isfinite(v) ? std::max(v, 1e-12) : NAN;
    b.plot(vec(t.column("step")), y, name);
  }
  b.set_ylog();
  b.set_xlabel("step");
  b.set_ylabel("loss");
  b.set_title("least squares, parameters near 4, loss scaled by 1e-5");
  b.set_legend(plot::Legend::kUpperRight);
  fig.save_png(png);
}

}  // namespace adamant::lab
