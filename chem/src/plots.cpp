// PNG figures of the chem module: parity plots, the clipping study, MD energies.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "adamant/chem/md.hpp"
#include "adamant/chem/train.hpp"
#include "adamant/plot/plot.hpp"

namespace adamant::chem {

namespace plt = adamant::plot;

namespace {
void parity_axes(plt::Axes& ax, const std::vector<double>& x, const std::vector<double>& y,
                 const std::string& title, const std::string& unit) {
  double lo = 1e300, hi = -1e300;
  for (std::size_t i = 0; i < x.size(); ++i) {
    lo = std::min({lo, x[i], y[i]});
    hi = std::max({hi, x[i], y[i]});
  }
  if (!(hi > lo)) {
    lo -= 1;
    hi += 1;
  }
  auto& sc = ax.scatter(x, y);
  sc.size = 3.0;
  sc.alpha = 0.5;
  auto& diag = ax.plot({lo, hi}, {lo, hi});
  diag.color = plt::colors::kDarkGray;
  diag.dashed = true;
  diag.width = 1.25;
  ax.set_title(title);
  ax.set_xlabel("reference " + unit);
  ax.set_ylabel("predicted " + unit);
  ax.set_legend(plt::Legend::kNone);
}
}  // namespace

void parity_plot(const std::string& png_path, const Eigen::VectorXd& ref_energy,
                 const Eigen::VectorXd& pred_energy, const RowMatrixXd& ref_forces,
                 const RowMatrixXd& pred_forces, const std::string& title) {
  plt::Figure fig(1200, 560, 1, 2);
  fig.set_title(title);
  const double e0 = ref_energy.size() ? ref_energy.mean() : 0;
  std::vector<double> xe, ye, xf, yf;
  double emae = 0, fmae = 0;
  for (Eigen::Index i = 0; i < ref_energy.size(); ++i) {
    xe.push_back(ref_energy[i] - e0);
    ye.push_back(pred_energy[i] - e0);
    emae += std::abs(pred_energy[i] - ref_energy[i]);
  }
  for (Eigen::Index i = 0; i < ref_forces.rows(); ++i)
    for (Eigen::Index j = 0; j < ref_forces.cols(); ++j) {
      xf.push_back(ref_forces(i, j));
      yf.push_back(pred_forces(i, j));
      fmae += std::abs(pred_forces(i, j) - ref_forces(i, j));
    }
  char buf[128];
  std::snprintf(buf, sizeof buf, "energy (MAE %.2f meV)",
                ref_energy.size() ? 1e3 * emae / static_cast<double>(ref_energy.size()) : 0.0);
  parity_axes(fig.axes(0, 0), xe, ye, buf, "E - <E> (eV)");
  std::snprintf(buf, sizeof buf, "force components (MAE %.1f meV/A)",
                xf.empty() ? 0.0 : 1e3 * fmae / static_cast<double>(xf.size()));
  parity_axes(fig.axes(0, 1), xf, yf, buf, "F (eV/A)");
  fig.save_png(png_path);
}

void study_plot(const std::string& png_path, const StudyResult& r) {
  plt::Figure fig(1300, 520, 1, 2);
  fig.set_title("Clipping study: ethanol MD + close contacts");
  plt::Axes& ax = fig.axes(0, 0);
  const char* methods[] = {"none", "clip-grad", "clip-update", "huber"};
  const Eigen::VectorXd& epoch = r.curves.column("epoch");
  for (int m = 0; m < 4; ++m) {
    bool labelled = false;
    for (std::size_t c = 0; c < r.curves.names.size(); ++c) {
      const std::string& name = r.curves.names[c];
      if (name.rfind(std::string(methods[m]) + "_seed", 0) != 0) continue;
      std::vector<double> x, y;
      for (Eigen::Index i = 0; i < epoch.size(); ++i)
        if (std::isfinite(r.curves.columns[c][i]) && r.curves.columns[c][i] > 0) {
          x.push_back(epoch[i]);
          y.push_back(r.curves.columns[c][i]);
        }
      if (x.empty()) continue;
      auto& l = ax.plot(x, y, labelled ? "" : methods[m]);
      l.color = plt::tab10(m);
      l.width = 1.5;
      labelled = true;
    }
  }
  ax.set_ylog();
  ax.set_xlabel("epoch");
  ax.set_ylabel("training loss");
  ax.set_title("training loss (all seeds)");
  plt::Axes& bx = fig.axes(0, 1);
  std::vector<std::string> names;
  std::vector<double> fm;
  for (int m = 0; m < 4; ++m) {
    double s = 0;
    int n = 0, div = 0;
    for (const auto& row : r.rows) {
      if (row.method != methods[m]) continue;
      if (row.diverged || !std::isfinite(row.test.force_mae)) {
        ++div;
        continue;
      }
      s += row.test.force_mae * 1e3;
      ++n;
    }
    names.push_back(std::string(methods[m]) + " (" + std::to_string(div) + " div)");
    fm.push_back(n ? s / n : 0.0);
  }
  bx.bar(names, fm);
  bx.set_ylabel("test force MAE (meV/A), mean over seeds");
  bx.set_title("held-out MD frames");
  fig.save_png(png_path);
}

void md_plot(const std::string& png_path, const MdResult& r, const std::string& title) {
  plt::Figure fig(1200, 520, 1, 2);
  fig.set_title(title);
  std::vector<double> t(r.time.data(), r.time.data() + r.time.size());
  for (double& x : t) x /= 1000.0;
  auto sub = [&](const Eigen::VectorXd& v, double ref) {
    std::vector<double> out(v.data(), v.data() + v.size());
    for (double& x : out) x -= ref;
    return out;
  };
  const double e0 = r.total.size() ? r.total[0] : 0;
  plt::Axes& ax = fig.axes(0, 0);
  ax.plot(t, sub(r.total, e0), "total");
  ax.plot(t, sub(r.potential, e0), "potential");
  ax.plot(t, sub(r.kinetic, 0), "kinetic");
  ax.set_xlabel("time (ps)");
  ax.set_ylabel("energy - E_total(0) (eV)");
  ax.set_title("energies");
  plt::Axes& bx = fig.axes(0, 1);
  auto& l = bx.plot(t, sub(r.total, e0), "total");
  l.color = plt::tab10(0);
  bx.set_xlabel("time (ps)");
  bx.set_ylabel("E_total - E_total(0) (eV)");
  char buf[96];
  std::snprintf(buf, sizeof buf, "total-energy drift %.2e eV", r.drift);
  bx.set_title(buf);
  fig.save_png(png_path);
}

}  // namespace adamant::chem
