// 10. washboard and cliff: a bowl with ripples (local minima every unit) and a slope that ends
// at a wall a million times steeper.

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "adamant/plot/plot.hpp"
#include "experiments.hpp"
#include "helpers.hpp"

namespace adamant::lab {

using namespace detail;

namespace {

// f = x^2 / 2 + A (1 - cos(2 pi x)): A (2 pi)^2 = 19.7 > 1, so a local minimum near every
// integer; the global one at 0.
constexpr double kRipple = 0.5, kOmega = 2 * M_PI;
double washboard_f(double x) { return 0.5 * x * x + kRipple * (1 - std::cos(kOmega * x)); }
Vec washboard_grad(const Vec& th, int) {
  return Vec::Constant(1, th[0] + kRipple * kOmega * std::sin(kOmega * th[0]));
}
// f = -s x for x < 1, and -s x + K (x - 1)^2 beyond: a gentle slope into a wall at x = 1.
constexpr double kSlope = 0.05, kWall = 1e6;
Vec cliff_grad(const Vec& th, int) {
  return Vec::Constant(1, -kSlope + (th[0] > 1 ? 2 * kWall * (th[0] - 1) : 0.0));
}

}  // namespace

Result run_washboard_cliff() {
  Result r;
  r.name = "washboard_cliff";
  r.title = "a rippled bowl from 81 starts, and a slope into a wall 1e6 times steeper";
  r.claim =
      "Momentum carries a heavy ball over small bumps that trap gradient descent in a local "
      "minimum; and at a cliff, where the gradient suddenly grows by orders of magnitude, "
      "Adam's second moment grows with it and brakes the step to about alpha, where SGD (and "
      "momentum) with the same learning rate are thrown far back.";
  r.source =
      "Polyak 1964; Sutskever et al. 2013; Goodfellow, Bengio & Courville 2016 (sec. 8.2.4, "
      "cliffs and exploding gradients); Kingma & Ba 2014";
  const double lr = 0.01;
  core::SgdOptions gd;
  gd.lr = lr;
  core::SgdOptions hb = gd;
  hb.momentum = 0.9;
  struct Method {
    const char* name;
    core::RuleOptions rule;
  };
  const std::vector<Method> methods = {
      {"gd", gd}, {"momentum", hb}, {"adam", adam(lr)}, {"adam_lr_0.2", adam(0.2)}};
  // (a) washboard: the share of 81 starts in [2, 6] that end in the central well |x| < 0.5
  const int starts = 81, steps = 3000;
  r.table.push_back(
      line("(a) washboard f = x^2/2 + %g (1 - cos 2 pi x), %d starts in [2, 6], "
           "%d steps",
           kRipple, starts, steps));
  r.table.push_back(line("    %-12s %8s %8s %22s %12s", "method", "lr", "momentum",
                         "share in central well", "mean f end"));
  std::vector<double> share;
  for (const Method& m : methods) {
    int home = 0;
    double fsum = 0;
    for (int k = 0; k < starts; ++k) {
      const double x0 = 2 + 4.0 * k / (starts - 1);
      const std::vector<Vec> p = run_rule(m.rule, Vec::Constant(1, x0), steps, washboard_grad);
      home += std::fabs(p.back()[0]) < 0.5;
      fsum += washboard_f(p.back()[0]);
      if (k == 56) {  // x0 = 4.8: the paths for the figure
        ds::Table t;
        std::vector<double> xs, fs;
        for (std::size_t s = 0; s < p.size() && s <= 400; ++s) {
          xs.push_back(p[s][0]);
          fs.push_back(washboard_f(p[s][0]));
        }
        t.add("x", col(xs));
        t.add("f", col(fs));
        r.data.emplace_back(std::string("washboard_") + m.name, t);
      }
    }
    share.push_back(static_cast<double>(home) / starts);
    r.table.push_back(
        line("    %-12s %8.3g %8.3g %22.3f %12.4g", m.name, core::get_field(m.rule, "lr"),
             std::string(m.name) == "momentum" ? 0.9 : 0.0, share.back(), fsum / starts));
  }
  ds::Table ws;
  ws.add("share_in_central_well", col(share));
  r.data.emplace_back("washboard_summary", ws);

  // (b) cliff: from x = 0 down the slope into the wall
  r.table.push_back(
      line("(b) cliff: slope %g into a wall of curvature %g at x = 1, from x = 0.5, "
           "lr = alpha = %g",
           kSlope, 2 * kWall, lr));
  r.table.push_back(line("    %-12s %22s %16s %16s", "method", "largest |step| at wall",
                         "lowest x after", "x at step 1500"));
  std::vector<double> jump, lowest;
  for (const Method& m : methods) {
    if (std::string(m.name) == "adam_lr_0.2") continue;
    const std::vector<Vec> p = run_rule(m.rule, Vec::Constant(1, 0.5), 1500, cliff_grad);
    double big = 0, low = 1;
    bool hit = false;
    for (std::size_t s = 1; s < p.size(); ++s) {
      hit = hit || p[s - 1][0] > 1;
      if (hit) {
        big = std::max(big, std::fabs(p[s][0] - p[s - 1][0]));
        low = std::min(low, p[s][0]);
      }
    }
    jump.push_back(big);
    lowest.push_back(low);
    r.table.push_back(line("    %-12s %22.4g %16.4g %16.4g", m.name, big, low, p.back()[0]));
    ds::Table t;
    std::vector<double> xs;
    for (const Vec& v : p) xs.push_back(v[0]);
    t.add("x", col(xs));
    r.data.emplace_back(std::string("cliff_") + m.name, t);
  }
  ds::Table cs;
  cs.add("largest_step_at_wall", col(jump));
  cs.add("lowest_x_after_wall", col(lowest));
  r.data.emplace_back("cliff_summary", cs);
  r.table.push_back(
      "    (the slope alone moves SGD by lr * 0.05 = 5e-4 per step; the wall's gradient at "
      "1 + 5e-4 is 1e3)");
  r.checks.push_back(
      at_most("washboard: gradient descent's share in the central well", share[0], 0.05));
  r.checks.push_back(at_least("washboard: momentum's share in the central well", share[1], 0.5));
  r.checks.push_back(
      at_most("washboard: Adam (alpha = lr)'s share in the central well", share[2], 0.05));
  r.checks.push_back(
      at_most("cliff: Adam's largest step after reaching the wall / alpha", jump[2] / lr, 1.01));
  r.checks.push_back(
      at_least("cliff: SGD's largest step at the wall / Adam's", jump[0] / jump[2], 100));
  r.checks.push_back(
      at_least("cliff: momentum's largest step at the wall / Adam's", jump[1] / jump[2], 100));
  return r;
}

void plot_washboard_cliff(const Result& r, const std::string& png) {
  plot::Figure fig(1200, 520, 1, 2);
  fig.set_title("washboard and cliff (lr = alpha = 0.01)");
  plot::Axes& a = fig.axes(0, 0);
  for (const char* m : {"gd", "momentum", "adam", "adam_lr_0.2"})
    a.plot(vec(r.group(std::string("washboard_") + m).column("x"))).label = m;
  for (int k = 0; k <= 4; ++k) a.axhline(k, plot::colors::kLightGray);  // near the minima
  a.set_xlabel("step");
  a.set_ylabel("x (local minima near the integers)");
  a.set_title("washboard from x = 4.8 (first 400 steps)");
  a.set_legend(plot::Legend::kUpperRight);
  plot::Axes& b = fig.axes(0, 1);
  for (const char* m : {"gd", "momentum", "adam"}) {
    const ds::Table& t = r.group(std::string("cliff_") + m);
    b.plot(vec(t.column("x"))).label = m;
  }
  b.axhline(1.0).label = "the wall";
  b.set_xlabel("step");
  b.set_ylabel("x");
  b.set_ylim(-12, 2);
  b.set_title("cliff: slope 0.05 into a wall of curvature 2e6 (momentum leaves the frame)");
  b.set_legend(plot::Legend::kLowerLeft);
  fig.save_png(png);
}

}  // namespace adamant::lab
