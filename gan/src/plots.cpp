// PNG figures of a study (study.hpp: plot_study).

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "adamant/gan/study.hpp"
#include "adamant/plot/plot.hpp"

namespace adamant::gan {

namespace plt = adamant::plot;

namespace {

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%g", v);
  return b;
}

std::vector<double> col(const datasets::Table& t, const std::string& name) {
  const Eigen::VectorXd& c = t.column(name);
  return std::vector<double>(c.data(), c.data() + c.size());
}

void vector_field_png(const StudyResult& r, const std::string& path) {
  auto game = make_game(r.options);
  // Limits from the trajectories (their finite part within |v| < 6) and the equilibrium.
  double a = 1.5;
  for (const auto& m : r.runs)
    for (Eigen::Index i = 0; i < m.trajectory.iterates.rows(); ++i)
      for (Eigen::Index j = 0; j < 2; ++j) {
        const double v = m.trajectory.iterates(i, j) - r.equilibrium[j];
        if (std::isfinite(v) && std::abs(v) < 6) a = std::max(a, std::abs(v));
      }
  a *= 1.08;
  const double cx = r.equilibrium[0], cy = r.equilibrium[1];
  plt::Figure fig(960, 820);
  plt::Axes& ax = fig.axes();
  // The flow −ξ on a grid: arrow length ∝ (|ξ| / max|ξ|)^0.35 (so the slow region near the
  // equilibrium still shows a direction), darker where the field is stronger.
  const int g = 21;
  std::vector<double> qx, qy, qu, qv, mag;
  Eigen::VectorXd z(2), xi(2);
  double vmax = 0;
  for (int i = 0; i < g; ++i)
    for (int j = 0; j < g; ++j) {
      z << cx - a + 2 * a * i / (g - 1), cy - a + 2 * a * j / (g - 1);
      game->vector_field(z, xi);
      qx.push_back(z[0]);
      qy.push_back(z[1]);
      qu.push_back(-xi[0]);
      qv.push_back(-xi[1]);
      mag.push_back(xi.norm());
      vmax = std::max(vmax, xi.norm());
    }
  std::vector<plt::Color> qc;
  for (std::size_t k = 0; k < qx.size(); ++k) {
    const double t = vmax > 0 ? std::pow(mag[k] / vmax, 0.35) : 0.0;
    const double len = mag[k] > 0 ? t / mag[k] : 0.0;
    qu[k] *= len;
    qv[k] *= len;
    qc.push_back(plt::mix(plt::Color{205, 205, 205}, plt::Color{90, 90, 90}, t));
  }
  auto& q = ax.quiver(qx, qy, qu, qv);
  q.colors = qc;
  q.width = 1.1;
  q.head_size = 5.0;
  const std::size_t n = r.runs.size();
  for (std::size_t k = 0; k < n; ++k) {
    const auto& it = r.runs[k].trajectory.iterates;
    std::vector<double> x, y;
    for (Eigen::Index i = 0; i < it.rows(); ++i) {
      const bool in = std::abs(it(i, 0) - cx) <= a && std::abs(it(i, 1) - cy) <= a;
      x.push_back(in ? it(i, 0) : NAN);
      y.push_back(in ? it(i, 1) : NAN);
    }
    // Earlier methods drawn wider, so a method that retraces another stays visible beside it.
    auto& l = ax.plot(x, y, r.runs[k].name);
    l.color = plt::tab10(static_cast<int>(k));
    l.width = 1.4 + 2.4 * static_cast<double>(n - 1 - k) / std::max<std::size_t>(n - 1, 1);
    const Eigen::Index last = it.rows() - 1;
    if (std::isfinite(x.back()) && std::isfinite(y.back())) {
      auto& e = ax.scatter({it(last, 0)}, {it(last, 1)});
      e.color = l.color;
      e.size = 9;
      e.alpha = 1;
      e.edge_width = 1.5;
    }
  }
  auto& eq = ax.scatter({cx}, {cy}, "equilibrium z*");
  eq.color = plt::colors::kBlack;
  eq.size = 9;
  eq.alpha = 1;
  auto& st = ax.scatter({r.runs.front().trajectory.iterates(0, 0)},
                        {r.runs.front().trajectory.iterates(0, 1)}, "start");
  st.color = plt::colors::kBlack;
  st.marker = plt::Marker::kSquare;
  st.size = 10;
  st.alpha = 1;
  ax.set_xlim(cx - a, cx + a);
  ax.set_ylim(cy - a, cy + a);
  ax.set_equal_aspect();
  ax.set_legend(plt::Legend::kOutsideRight);
  std::string what = r.options.game;
  if (r.options.game == "dirac") {
    what += std::string(" (") + to_string(r.options.dirac.loss) + " loss";
    if (r.options.dirac.gamma > 0) what += ", R1 gamma " + num(r.options.dirac.gamma);
    if (r.options.dirac.instance_noise > 0)
      what += ", noise " + num(r.options.dirac.instance_noise);
    what += ")";
  }
  ax.set_title(what + ": flow -xi and " + std::to_string(r.options.steps) +
               "-step trajectories (dot: last iterate)");
  ax.set_xlabel(r.options.game == "dirac" ? "theta (generator)" : "x (min player)");
  ax.set_ylabel(r.options.game == "dirac" ? "psi (discriminator)" : "y (max player)");
  fig.save_png(path);
}

void distance_png(const StudyResult& r, const std::string& path) {
  plt::Figure fig(900, 560);
  plt::Axes& ax = fig.axes();
  for (std::size_t k = 0; k < r.runs.size(); ++k) {
    const auto& m = r.runs[k].trajectory.metrics;
    auto& l = ax.plot(col(m, "step"), col(m, "distance"), r.runs[k].name);
    l.color = plt::tab10(static_cast<int>(k));
    l.width = 1.5 + 2.0 * static_cast<double>(r.runs.size() - 1 - k) /
                        static_cast<double>(std::max<std::size_t>(r.runs.size() - 1, 1));
    auto& la = ax.plot(col(m, "step"), col(m, "avg_distance"));
    la.color = l.color;
    la.dashed = true;
    la.width = 1.2;
  }
  ax.set_ylog();
  ax.set_legend(plt::Legend::kOutsideRight);
  ax.set_title(r.options.game +
               ": distance to the equilibrium per step (solid: iterate z_t, "
               "dashed: uniform average of z_0..z_t)");
  ax.set_xlabel("step");
  ax.set_ylabel("|z - z*|");
  fig.save_png(path);
}

void eigen_png(const StudyResult& r, const std::string& path) {
  plt::Figure fig(1400, 620, 1, 2);
  plt::Axes& a0 = fig.axes(0, 0);
  for (std::size_t k = 0; k < r.runs.size(); ++k) {
    const auto& e = r.runs[k].eigenvalues;
    std::vector<double> re, im;
    for (Eigen::Index i = 0; i < e.size(); ++i)
      if (std::isfinite(e(i).real()) && std::abs(e(i)) < 1e3)
        re.push_back(e(i).real()), im.push_back(e(i).imag());
    auto& s = a0.scatter(re, im, r.runs[k].name);
    s.color = plt::tab10(static_cast<int>(k));
    // Earlier methods drawn larger, so coinciding spectra (OGDA and extragradient) both show.
    const double n = static_cast<double>(std::max<std::size_t>(r.runs.size() - 1, 1));
    s.size = 4 + 5 * static_cast<double>(r.runs.size() - 1 - k) / n;
    s.alpha = 0.5;
  }
  std::vector<double> er, ei;
  for (Eigen::Index i = 0; i < r.equilibrium_eigenvalues.size(); ++i)
    er.push_back(r.equilibrium_eigenvalues[i].real()),
        ei.push_back(r.equilibrium_eigenvalues[i].imag());
  auto& se = a0.scatter(er, ei, "at z*");
  se.color = plt::colors::kBlack;
  se.marker = plt::Marker::kCross;
  se.size = 12;
  a0.axvline(0.0);
  a0.axhline(0.0);
  a0.set_title(r.options.game == "bilinear"
                   ? "eigenvalues of J = dxi/dz (constant for the bilinear game)"
                   : "eigenvalues of J = dxi/dz along the trajectories (every " +
                         std::to_string(r.options.eigen_every) + " steps)");
  a0.set_xlabel("Re");
  a0.set_ylabel("Im");
  a0.set_legend(plt::Legend::kOutsideRight);

  plt::Axes& a1 = fig.axes(0, 1);
  std::vector<double> cx, cy;
  for (int i = 0; i <= 200; ++i) {
    cx.push_back(std::cos(2 * M_PI * i / 200));
    cy.push_back(std::sin(2 * M_PI * i / 200));
  }
  auto& circ = a1.plot(cx, cy, "|lambda| = 1");
  circ.color = plt::colors::kGray;
  circ.dashed = true;
  for (std::size_t k = 0; k < r.runs.size(); ++k) {
    const auto& e = r.runs[k].update_eigenvalues;
    if (!e.size()) continue;
    std::vector<double> re, im;
    double rho = 0;
    for (Eigen::Index i = 0; i < e.size(); ++i) {
      re.push_back(e[i].real()), im.push_back(e[i].imag());
      rho = std::max(rho, std::abs(e[i]));
    }
    char label[96];
    std::snprintf(label, sizeof label, "%s  max|lambda| %.5f", r.runs[k].name.c_str(), rho);
    auto& s = a1.scatter(re, im, label);
    s.color = plt::tab10(static_cast<int>(k));
    s.size = 9;
  }
  // Zoom on the eigenvalues (they sit near 1 for small steps); the circle is clipped.
  double rlo = 1e300, rhi = -1e300, ilo = 1e300, ihi = -1e300;
  for (const auto& run : r.runs)
    for (Eigen::Index i = 0; i < run.update_eigenvalues.size(); ++i) {
      rlo = std::min(rlo, run.update_eigenvalues[i].real());
      rhi = std::max(rhi, run.update_eigenvalues[i].real());
      ilo = std::min(ilo, run.update_eigenvalues[i].imag());
      ihi = std::max(ihi, run.update_eigenvalues[i].imag());
    }
  if (rlo <= rhi) {
    const double w = std::max({0.02, 0.6 * (rhi - rlo), 0.6 * (ihi - ilo)});
    const double cr = 0.5 * (rlo + rhi), ci = 0.5 * (ilo + ihi);
    a1.set_xlim(cr - w, cr + w);
    a1.set_ylim(ci - w, ci + w);
  }
  a1.set_equal_aspect();
  a1.set_title("one-step map at z* (memoryless methods): stable inside the circle");
  a1.set_xlabel("Re");
  a1.set_ylabel("Im");
  a1.set_legend(plt::Legend::kOutsideRight);
  fig.save_png(path);
}

void samples_png(const StudyResult& r, const std::string& path) {
  const int rows = static_cast<int>(r.runs.size());
  const int cols = static_cast<int>(r.runs.front().snapshots.size());
  plt::Figure fig(250 * cols + 40, 250 * rows + 70, rows, cols);
  const Mixture mix = parse_mixture(r.options.game);
  const Eigen::MatrixXd modes = mixture_modes(mix);
  const double hq_radius = 3 * mixture_sigma(mix);
  const double lim = r.options.game == "ring" ? 3.0 : 5.8;
  std::vector<double> mx, my;
  for (Eigen::Index k = 0; k < modes.rows(); ++k)
    mx.push_back(modes(k, 0)), my.push_back(modes(k, 1));
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) {
      const MethodRun& run = r.runs[static_cast<std::size_t>(i)];
      plt::Axes& ax = fig.axes(i, j);
      const auto& s = run.snapshots[static_cast<std::size_t>(j)];
      // High-quality samples (within 3 sigma of a mode) in the method's colour, the rest grey.
      std::vector<double> hx, hy, ox, oy;
      for (Eigen::Index k = 0; k < s.rows(); ++k) {
        if (!std::isfinite(s(k, 0)) || !std::isfinite(s(k, 1))) continue;
        const double d = (modes.rowwise() - s.row(k)).rowwise().norm().minCoeff();
        (d <= hq_radius ? hx : ox).push_back(s(k, 0));
        (d <= hq_radius ? hy : oy).push_back(s(k, 1));
      }
      // The modes first (pale discs), so that the samples on them stay visible.
      auto& m = ax.scatter(mx, my);
      m.color = plt::Color{150, 150, 200};
      m.size = 12;
      m.alpha = 0.45;
      auto& o = ax.scatter(ox, oy);
      o.color = plt::colors::kGray;
      o.size = 2.5;
      o.alpha = 0.35;
      auto& h = ax.scatter(hx, hy);
      h.color = plt::tab10(i);
      h.size = 3;
      h.alpha = 0.7;
      ax.set_xlim(-lim, lim);
      ax.set_ylim(-lim, lim);
      ax.set_equal_aspect();
      ax.set_legend(plt::Legend::kNone);
      if (j == 0) ax.set_ylabel(run.name);
      const auto& met = run.trajectory.metrics;
      char t[128];
      std::snprintf(t, sizeof t, "step %d: %d/%d modes, hq %.2f",
                    run.snapshot_steps[static_cast<std::size_t>(j)],
                    static_cast<int>(met.column("modes")[j]), static_cast<int>(modes.rows()),
                    met.column("high_quality")[j]);
      ax.set_title(t);
    }
  char title[200];
  std::snprintf(
      title, sizeof title,
      "%s: %d generator samples over training (lilac discs: the %d modes; coloured: within "
      "3 sigma = %g of a mode, grey: farther)",
      r.options.game.c_str(), static_cast<int>(r.runs.front().snapshots.front().rows()),
      static_cast<int>(modes.rows()), hq_radius);
  fig.set_title(title);
  fig.save_png(path);
}

void modes_png(const StudyResult& r, const std::string& path) {
  plt::Figure fig(1300, 520, 1, 2);
  plt::Axes& a0 = fig.axes(0, 0);
  plt::Axes& a1 = fig.axes(0, 1);
  const int K = static_cast<int>(mixture_modes(parse_mixture(r.options.game)).rows());
  for (std::size_t k = 0; k < r.runs.size(); ++k) {
    const auto& m = r.runs[k].curve;
    auto& l0 = a0.plot(col(m, "step"), col(m, "modes"), r.runs[k].name);
    l0.color = plt::tab10(static_cast<int>(k));
    auto& l1 = a1.plot(col(m, "step"), col(m, "high_quality"), r.runs[k].name);
    l1.color = l0.color;
  }
  a0.set_ylim(-0.3, K + 0.3);
  a0.set_title("modes captured (of " + std::to_string(K) + ")");
  a0.set_xlabel("step");
  a1.set_ylim(0, 1);
  a1.set_title("share of high-quality samples (within 3 sigma of a mode)");
  a1.set_xlabel("step");
  a1.set_legend(plt::Legend::kOutsideRight);
  a0.set_legend(plt::Legend::kNone);
  fig.set_title(r.options.game + ": mode coverage over training (" +
                std::to_string(r.runs.front().snapshots.empty()
                                   ? 0
                                   : r.runs.front().snapshots.front().rows()) +
                " samples, the same latents each time)");
  fig.save_png(path);
}

}  // namespace

std::vector<std::string> plot_study(const StudyResult& r, const std::string& prefix) {
  std::vector<std::string> out;
  if (r.runs.empty()) return out;
  const bool mixture = r.options.game == "ring" || r.options.game == "grid";
  if (mixture) {
    samples_png(r, prefix + "_samples.png");
    modes_png(r, prefix + "_modes.png");
    return {prefix + "_samples.png", prefix + "_modes.png"};
  }
  if (r.equilibrium.size() == 2) {
    vector_field_png(r, prefix + "_field.png");
    out.push_back(prefix + "_field.png");
  }
  distance_png(r, prefix + "_distance.png");
  out.push_back(prefix + "_distance.png");
  eigen_png(r, prefix + "_eigenvalues.png");
  out.push_back(prefix + "_eigenvalues.png");
  return out;
}

}  // namespace adamant::gan
