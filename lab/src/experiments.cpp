// The lab's experiments: each runs the core optimizers (core::Optimizer<double>, PyTorch's
// update rules) on a problem built to show one claim, and states the claim as checks.

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "adamant/core/optimizer.hpp"
#include "adamant/core/rules.hpp"
#include "adamant/plot/plot.hpp"
#include "experiments.hpp"
#include "helpers.hpp"

namespace adamant::lab {

using namespace detail;

namespace {

// ---- 1. ravine --------------------------------------------------------------------------------

constexpr double kKappa = 100;

Vec ravine_grad(const Vec& th, int) { return Vec{{th[0], kKappa * th[1]}}; }
double ravine_f(const Vec& th) { return 0.5 * (th[0] * th[0] + kKappa * th[1] * th[1]); }

}  // namespace

Result run_ravine() {
  Result r;
  r.name = "ravine";
  r.title = "f = (x^2 + 100 y^2) / 2 from (1, 1): gradient descent, heavy ball, Adam";
  r.claim =
      "On an ill-conditioned quadratic Adam's per-coordinate scaling moves every coordinate by "
      "about the same amount per step, so its path runs along the diagonal while gradient "
      "descent drops into the steep direction first; momentum shortens gradient descent's "
      "crawl along the shallow one.";
  r.source = "Kingma & Ba 2014 (sec. 2.1, invariance to diagonal rescaling); Polyak 1964";
  const Vec start{{1.0, 1.0}};
  struct Method {
    std::string name;
    core::RuleOptions rule;
  };
  core::SgdOptions gd;
  gd.lr = 1.0 / kKappa;
  core::SgdOptions hb;  // Polyak's optimal heavy ball for eigenvalues 1 and kappa
  hb.lr = 4.0 / ((std::sqrt(kKappa) + 1) * (std::sqrt(kKappa) + 1));
  hb.momentum = std::pow((std::sqrt(kKappa) - 1) / (std::sqrt(kKappa) + 1), 2);
  const std::vector<Method> methods = {
      {"gd", gd}, {"momentum", hb}, {"adam", adam(0.05)}, {"adam_small_lr", adam(0.01)}};
  const int max_steps = 20000;
  r.table.push_back(line("%-14s %10s %10s %16s %16s", "method", "lr", "momentum", "steps to f<1e-8",
                         "|dx|/|dy| step 1"));
  std::vector<double> steps_to, ratio1;
  for (const Method& m : methods) {
    const std::vector<Vec> p = run_rule(m.rule, start, max_steps, ravine_grad);
    const int reached = first_step(p, [](const Vec& th) { return ravine_f(th) < 1e-8; });
    const double rx = std::fabs(p[1][0] - p[0][0]) / std::fabs(p[1][1] - p[0][1]);
    steps_to.push_back(reached < 0 ? std::numeric_limits<double>::infinity() : reached);
    ratio1.push_back(rx);
    const double lr = core::get_field(m.rule, "lr");
    const double mom = m.name == "momentum" ? hb.momentum : 0.0;
    r.table.push_back(line("%-14s %10.4g %10.4g %16s %16.4g", m.name.c_str(), lr, mom,
                           reached < 0 ? "not in 20000" : std::to_string(reached).c_str(), rx));
    // The first 300 iterates for the figure.
    ds::Table path;
    std::vector<double> xs, ys, fs;
    for (std::size_t t = 0; t < p.size() && t <= 300; ++t) {
      xs.push_back(p[t][0]);
      ys.push_back(p[t][1]);
      fs.push_back(ravine_f(p[t]));
    }
    path.add("x", col(xs));
    path.add("y", col(ys));
    path.add("f", col(fs));
    r.data.emplace_back("path_" + m.name, path);
  }
  // Adam's diagonal: |dx| / |dy| over its first 10 steps (the sign of each gradient is constant
  // there, so m_hat / sqrt(v_hat) is about 1 in both coordinates).
  const std::vector<Vec> pa = run_rule(methods[2].rule, start, 10, ravine_grad);
  double worst = 0;
  for (int t = 1; t <= 10; ++t) {
    const double rx = std::fabs(pa[t][0] - pa[t - 1][0]) / std::fabs(pa[t][1] - pa[t - 1][1]);
    worst = std::max(worst, std::fabs(std::log(rx)));
  }
  ds::Table summary;
  summary.add("steps_to_1e-8", col(steps_to));
  summary.add("ratio_step1", col(ratio1));
  r.data.emplace_back("summary", summary);
  r.checks.push_back(at_most("Adam, steps 1-10: max |ln(|dx| / |dy|)| (0 = exactly diagonal)",
                             worst, std::log(1.25)));
  r.checks.push_back(at_most("gradient descent, step 1: |dx| / |dy| (1/kappa)", ratio1[0], 0.02));
  r.checks.push_back(
      at_most("heavy ball / gradient descent, steps to f < 1e-8", steps_to[1] / steps_to[0], 0.2));
  return r;
}

void plot_ravine(const Result& r, const std::string& png) {
  plot::Figure fig(1200, 520, 1, 2);
  fig.set_title("ravine: f = (x\u00b2 + 100 y\u00b2) / 2");
  plot::Axes& a = fig.axes(0, 0);
  plot::Axes& b = fig.axes(0, 1);
  for (const char* m : {"gd", "momentum", "adam", "adam_small_lr"}) {
    const ds::Table& t = r.group(std::string("path_") + m);
    plot::LineSeries& l = a.plot(vec(t.column("x")), vec(t.column("y")), m);
    l.marker = plot::Marker::kCircle;
    l.marker_size = 3;
    std::vector<double> f = vec(t.column("f"));
    for (double& v : f) v = std::max(v, 1e-16);
    b.plot(f).label = m;
  }
  // level sets f = c, drawn after the paths so that the paths keep the colour cycle of the
  // loss panel
  for (double c : {0.005, 0.05, 0.2, 0.5, 1.0, 2.0}) {
    std::vector<double> x, y;
    for (int k = 0; k <= 200; ++k) {
      const double s = 2 * M_PI * k / 200;
      x.push_back(std::sqrt(2 * c) * std::cos(s));
      y.push_back(std::sqrt(2 * c / kKappa) * std::sin(s));
    }
    plot::LineSeries& l = a.plot(x, y);
    l.color = plot::colors::kLightGray;
    l.width = 1;
  }
  a.set_xlim(-1.6, 1.6);
  a.set_ylim(-1.2, 1.2);
  a.set_xlabel("x");
  a.set_ylabel("y");
  a.set_title("paths over the contours (first 300 steps)");
  a.set_legend(plot::Legend::kLowerRight);
  b.set_ylog();
  b.set_xlabel("step");
  b.set_ylabel("f");
  b.set_title("loss");
  b.set_legend(plot::Legend::kUpperRight);
  fig.save_png(png);
}

// ---- 2. sign step ---------------------------------------------------------------------------

Result run_sign_step() {
  Result r;
  r.name = "sign_step";
  r.title = "constant gradients g from 1e-12 to 1e6: Adam's step against SGD's";
  r.claim =
      "With a constant gradient Adam's step is alpha * g / (|g| + eps) at every step (exactly "
      "at t = 1, where m_hat = g and v_hat = g^2): alpha * sign(g) whatever the gradient's "
      "magnitude, as long as |g| >> eps; SGD's step is lr * g.";
  r.source = "Kingma & Ba 2014, sec. 2.1 (|step| <= alpha, scale invariance)";
  const double alpha = 1e-3, eps = 1e-8;
  const int steps = 50;
  std::vector<double> gs, step1, step_last, sgd, predicted;
  double worst_exact = 0, worst_const = 0, smallest_ge6 = 1, largest = 0;
  r.table.push_back(line("%12s %14s %14s %14s %14s", "g", "step1/alpha", "step50/alpha",
                         "g/(|g|+eps)", "SGD lr*g/alpha"));
  for (int k = 0; k <= 36; ++k) {
    const double mag = std::pow(10.0, -12 + 0.5 * k);
    for (double sign : {1.0, -1.0}) {
      const double g = sign * mag;
      std::vector<double> dtheta;
      run_rule(
          adam(alpha, 0.9, 0.999, eps), Vec::Zero(1), steps,
          [&](const Vec&, int) { return Vec::Constant(1, g); },
          [&](const core::Optimizer<double>&, const Vec& th, int) { dtheta.push_back(th[0]); });
      // Steps are differences of the iterates (theta_0 = 0), in units of -alpha * sign(g).
      std::vector<double> s;
      double prev = 0;
      for (double th : dtheta) {
        s.push_back(-(th - prev) / alpha * sign);
        prev = th;
      }
      const double pred = mag / (mag + eps);
      worst_exact = std::max(worst_exact, std::fabs(s[0] - pred));
      for (double v : s) worst_const = std::max(worst_const, std::fabs(v - pred) / pred);
      if (mag >= 1e-6) smallest_ge6 = std::min(smallest_ge6, s.back());
      largest = std::max(largest, *std::max_element(s.begin(), s.end()));
      if (sign > 0) {
        gs.push_back(mag);
        step1.push_back(s[0]);
        step_last.push_back(s.back());
        predicted.push_back(pred);
        sgd.push_back(mag);  // SGD with lr = alpha: step / alpha = g
        if (k % 4 == 0)
          r.table.push_back(
              line("%12.3g %14.10f %14.10f %14.10f %14.3g", mag, s[0], s.back(), pred, mag));
      }
    }
  }
  ds::Table t;
  t.add("g", col(gs));
  t.add("step1_over_alpha", col(step1));
  t.add("step50_over_alpha", col(step_last));
  t.add("predicted", col(predicted));
  t.add("sgd_over_alpha", col(sgd));
  r.data.emplace_back("steps", t);
  r.checks.push_back(at_most("t = 1: max |step/alpha - |g|/(|g|+eps)| over g", worst_exact, 1e-15));
  r.checks.push_back(
      at_most("t = 1..50: max relative deviation from |g|/(|g|+eps)", worst_const, 1e-12));
  r.checks.push_back(at_least("|g| >= 1e-6: smallest step/alpha", smallest_ge6, 0.99));
  r.checks.push_back(at_most("largest step/alpha", largest, 1.0));
  return r;
}

void plot_sign_step(const Result& r, const std::string& png) {
  const ds::Table& t = r.group("steps");
  plot::Figure fig(900, 560);
  plot::Axes& a = fig.axes();
  a.plot(vec(t.column("g")), vec(t.column("sgd_over_alpha")), "SGD (lr = alpha): step / alpha");
  plot::LineSeries& s1 =
      a.plot(vec(t.column("g")), vec(t.column("step1_over_alpha")), "Adam, t = 1");
  s1.marker = plot::Marker::kCircle;
  plot::LineSeries& s50 =
      a.plot(vec(t.column("g")), vec(t.column("step50_over_alpha")), "Adam, t = 50");
  s50.dashed = true;
  a.axvline(1e-8).label = "eps = 1e-8";
  a.set_xlog();
  a.set_ylog();
  a.set_xlabel("constant gradient g");
  a.set_ylabel("|step| / alpha");
  a.set_title("Adam's step is alpha whatever |g| (>> eps); SGD's is proportional to g");
  a.set_legend(plot::Legend::kUpperLeft);
  fig.save_png(png);
}

// ---- 3. epsilon -----------------------------------------------------------------------------

Result run_epsilon() {
  Result r;
  r.name = "epsilon";
  r.title = "tiny gradients in a flat region; eps = 1e4 on a quadratic";
  r.claim =
      "eps bounds the step where gradients are tiny: |step| <= alpha * |m_hat| / eps, so in a "
      "flat region Adam creeps instead of leaping. With eps much larger than |g| the update "
      "becomes alpha / eps * m_hat: momentum SGD (a bias-corrected moving average of the "
      "gradients) with learning rate alpha / eps.";
  r.source = "Kingma & Ba 2014 (eps); Zaheer et al. 2018 and Choi et al. 2019 (large eps)";
  // (a) tiny constant gradients.
  const double alpha = 1e-3, eps = 1e-8;
  std::vector<double> gs, ratio;
  double worst = 0;
  r.table.push_back(line("(a) %12s %16s %20s", "g", "step / alpha", "step / (alpha g/eps)"));
  for (int k = 0; k <= 12; ++k) {
    const double g = std::pow(10.0, -14 + 0.5 * k);
    const std::vector<Vec> p = run_rule(adam(alpha, 0.9, 0.999, eps), Vec::Zero(1), 20,
                                        [&](const Vec&, int) { return Vec::Constant(1, g); });
    double w = 0;
    for (int t = 1; t <= 20; ++t)
      w = std::max(w, std::fabs(p[t][0] - p[t - 1][0]) / (alpha * g / eps));
    worst = std::max(worst, w);
    gs.push_back(g);
    ratio.push_back(w);
    if (k % 2 == 0)
      r.table.push_back(
          line("    %12.3g %16.6g %20.6g", g, std::fabs(p[1][0] - p[0][0]) / alpha, w));
  }
  ds::Table tiny;
  tiny.add("g", col(gs));
  tiny.add("max_step_over_alpha_g_over_eps", col(ratio));
  r.data.emplace_back("tiny", tiny);
  r.checks.push_back(
      at_most("tiny g: max over g, t of |step| / (alpha |g| / eps)", worst, 1.0 + 1e-12));

  // (b) large eps against momentum SGD written out: theta -= (alpha/eps) m_hat.
  const Vec h{{1.0, 10.0}}, start{{1.0, -1.0}};
  auto grad = [&](const Vec& th, int) -> Vec { return h.cwiseProduct(th); };
  const int steps = 400;
  ds::Table traj;
  std::vector<double> ts, a_big, ref, a_small;
  double dev_big = 0, dev_small = 0;
  const double lr_sgd = 0.05;
  for (double e : {1e4, 1e-8}) {
    const double a_lr = e > 1 ? lr_sgd * e : lr_sgd;  // same alpha/eps for the large eps
    const std::vector<Vec> p = run_rule(adam(a_lr, 0.9, 0.999, e), start, steps, grad);
    // The reference recurrence: m = b1 m + (1 - b1) g, theta -= lr_sgd * m / (1 - b1^t).
    Vec th = start, m = Vec::Zero(2);
    double dev = 0, b1t = 1;
    for (int t = 1; t <= steps; ++t) {
      const Vec g = grad(th, t);
      m = 0.9 * m + 0.1 * g;
      b1t *= 0.9;
      th -= lr_sgd * m / (1 - b1t);
      dev = std::max(dev, (p[t] - th).cwiseAbs().maxCoeff() / start.cwiseAbs().maxCoeff());
      if (e > 1) {
        ts.push_back(t);
        a_big.push_back(p[t][1]);
        ref.push_back(th[1]);
      } else {
        a_small.push_back(p[t][1]);
      }
    }
    (e > 1 ? dev_big : dev_small) = dev;
  }
  traj.add("step", col(ts));
  traj.add("adam_eps_1e4", col(a_big));
  traj.add("momentum_sgd", col(ref));
  traj.add("adam_eps_1e-8", col(a_small));
  r.data.emplace_back("large_eps", traj);
  r.table.push_back(
      line("(b) max |theta_adam - theta_momentum_sgd| / |theta_0| over %d steps, "
           "lr/eps = %.3g:",
           steps, lr_sgd));
  r.table.push_back(
      line("    eps = 1e4: %.3g    eps = 1e-8 (alpha = %.3g): %.3g", dev_big, lr_sgd, dev_small));
  r.checks.push_back(
      at_most("eps = 1e4: max deviation from momentum SGD (lr alpha/eps)", dev_big, 1e-3));
  r.checks.push_back(at_least("eps = 1e-8: max deviation from momentum SGD (not the same method)",
                              dev_small, 0.1));
  return r;
}

void plot_epsilon(const Result& r, const std::string& png) {
  plot::Figure fig(1200, 480, 1, 2);
  const ds::Table& tiny = r.group("tiny");
  plot::Axes& a = fig.axes(0, 0);
  plot::LineSeries& l =
      a.plot(vec(tiny.column("g")), vec(tiny.column("max_step_over_alpha_g_over_eps")),
             "max |step| / (alpha |g| / eps)");
  l.marker = plot::Marker::kCircle;
  a.axhline(1.0).label = "the bound";
  a.set_xlog();
  a.set_xlabel("constant gradient g (eps = 1e-8)");
  a.set_ylabel("step relative to alpha |g| / eps");
  a.set_title("tiny gradients: the step stays below alpha |g| / eps");
  a.set_legend(plot::Legend::kLowerLeft);
  const ds::Table& t = r.group("large_eps");
  plot::Axes& b = fig.axes(0, 1);
  b.plot(vec(t.column("step")), vec(t.column("momentum_sgd")), "momentum SGD, lr 0.05");
  plot::LineSeries& big =
      b.plot(vec(t.column("step")), vec(t.column("adam_eps_1e4")), "Adam, eps 1e4, alpha 500");
  big.dashed = true;
  b.plot(vec(t.column("step")), vec(t.column("adam_eps_1e-8")), "Adam, eps 1e-8, alpha 0.05");
  b.set_xlabel("step");
  b.set_ylabel("theta_2 (curvature 10)");
  b.set_title("large eps: Adam becomes momentum SGD");
  b.set_legend(plot::Legend::kUpperRight);
  fig.save_png(png);
}

// ---- 4. spike then calm ---------------------------------------------------------------------

Result run_spike() {
  Result r;
  r.name = "spike";
  r.title = "gradients 1e-3, one gradient of 1e4, then 1e-3 again (beta2 = 0.99, 0.999)";
  r.claim =
      "After one large gradient Adam's effective step alpha / (sqrt(v_hat) + eps) collapses and "
      "then grows back as v forgets the spike, by about a factor 1/beta2 per step: the step "
      "size recovers and can leap (the non-convergence example behind AMSGrad). AMSGrad divides "
      "by the running maximum of v, so its effective step never grows back.";
  r.source = "Reddi, Kale & Kumar 2018 (AMSGrad)";
  const double alpha = 1e-3, calm = 1e-3, spike = 1e4;
  r.table.push_back(line("%8s %10s %22s %22s %14s", "beta2", "rule", "steps to half (pred.)",
                         "x (1 - beta2)", "max growth"));
  for (double beta2 : {0.99, 0.999}) {
    const int before = static_cast<int>(10 / (1 - beta2));
    const int after = static_cast<int>(40 / (1 - beta2));
    for (bool ams : {false, true}) {
      core::AdamOptions o = adam(alpha, 0.9, beta2);
      o.amsgrad = ams;
      std::vector<double> eff;
      const int total = before + 1 + after;
      double b2t = 1;
      run_rule(
          o, Vec::Zero(1), total,
          [&](const Vec&, int t) { return Vec::Constant(1, t == before + 1 ? spike : calm); },
          [&](const core::Optimizer<double>& opt, const Vec&, int) {
            b2t *= beta2;
            const core::State<double>& s = opt.state();
            const double v = (*s.slot(ams ? "max_exp_avg_sq" : "exp_avg_sq"))[0];
            eff.push_back(alpha / (std::sqrt(v) / std::sqrt(1 - b2t) + 1e-8));
          });
      const double pre = eff[static_cast<std::size_t>(before - 1)];
      const std::size_t at = static_cast<std::size_t>(before);  // the spike's step
      int half = -1;
      double growth = 0;
      for (std::size_t k = at; k < eff.size(); ++k) {
        if (half < 0 && eff[k] >= 0.5 * pre) half = static_cast<int>(k - at);
        growth = std::max(growth, eff[k] / eff[at]);
      }
      // v after the spike, decaying: v_k = beta2^k (v_s - calm^2) + calm^2; half the pre-spike
      // step when v_k = 4 calm^2 (bias correction ~ 1 here).
      const double vs = beta2 * calm * calm + (1 - beta2) * spike * spike;
      const double pred = std::log((vs - calm * calm) / (3 * calm * calm)) / -std::log(beta2);
      r.table.push_back(
          line("%8.3f %10s %22s %22.3g %14.4g", beta2, ams ? "amsgrad" : "adam",
               half < 0 ? "never" : line("%d (%.0f)", half, pred).c_str(),
               half < 0 ? std::numeric_limits<double>::infinity() : half * (1 - beta2), growth));
      ds::Table t;
      std::vector<double> k_since, ratio;
      for (std::size_t k = at; k < eff.size(); k += 10) {
        k_since.push_back(static_cast<double>(k - at) * (1 - beta2));
        ratio.push_back(eff[k] / pre);
      }
      t.add("steps_since_spike_times_1_minus_beta2", col(k_since));
      t.add("effective_lr_over_pre_spike", col(ratio));
      const std::string tag = line("%s_%g", ams ? "amsgrad" : "adam", beta2);
      r.data.emplace_back(tag, t);
      if (ams) {
        r.checks.push_back(at_most(
            line("AMSGrad beta2 %g: largest effective step after the spike / at the spike", beta2),
            growth, 1.0 + 1e-4));
      } else {
        r.checks.push_back(at_most(
            line("Adam beta2 %g: |steps to half the pre-spike step - ln-prediction|", beta2),
            half < 0 ? std::numeric_limits<double>::infinity() : std::fabs(half - pred), 2.0));
        r.checks.push_back(at_least(
            line("Adam beta2 %g: recovery in units of 1/(1 - beta2) (the claim's 'about 1')",
                 beta2),
            half * (1 - beta2), 10.0));
      }
    }
  }
  return r;
}

void plot_spike(const Result& r, const std::string& png) {
  plot::Figure fig(900, 560);
  plot::Axes& a = fig.axes();
  for (const char* tag : {"adam_0.99", "amsgrad_0.99", "adam_0.999", "amsgrad_0.999"}) {
    const ds::Table& t = r.group(tag);
    plot::LineSeries& l = a.plot(vec(t.column("steps_since_spike_times_1_minus_beta2")),
                                 vec(t.column("effective_lr_over_pre_spike")), tag);
    l.dashed = std::string(tag).find("amsgrad") == 0;
  }
  a.axhline(0.5).label = "half the pre-spike step";
  a.axvline(1.0).label = "1 / (1 - beta2)";
  a.set_ylog();
  a.set_xlabel("steps since the spike x (1 - beta2)");
  a.set_ylabel("effective step alpha / (sqrt(v_hat) + eps), / before the spike");
  a.set_title(
      "one gradient of 1e4 among 1e-3: Adam recovers after ~25 / (1 - beta2) steps, AMSGrad never");
  a.set_legend(plot::Legend::kLowerRight);
  fig.save_png(png);
}

// ---- 6. decoupled decay ---------------------------------------------------------------------

Result run_decoupled_decay() {
  Result r;
  r.name = "decoupled_decay";
  r.title = "weight decay 0.1 as L2 inside Adam and as AdamW's decoupled decay";
  r.claim =
      "L2 regularisation added to the gradient passes through Adam's scaling: a parameter with "
      "no loss gradient then shrinks by about alpha per step (its whole gradient is the decay "
      "term, normalised to about alpha), i.e. linearly and independently of lambda, and "
      "parameters with large historical gradients are decayed less. AdamW's decoupled decay "
      "theta <- theta (1 - alpha lambda) is geometric and the same for every parameter.";
  r.source = "Loshchilov & Hutter 2019 (AdamW)";
  const double alpha = 1e-3;
  // (a) one parameter, no loss gradient.
  const int steps = 2000;
  r.table.push_back(line("(a) no loss gradient, theta_0 = 1, alpha = %g:", alpha));
  r.table.push_back(line("    %8s %26s %26s", "lambda", "L2: mean decrement/alpha (500)",
                         "AdamW: |theta_t/(1-a l)^t - 1|"));
  std::vector<double> lambdas, l2_dec, adamw_err;
  ds::Table curves;
  for (double lambda : {1e-4, 1e-2, 1.0}) {
    core::AdamOptions l2 = adam(alpha);
    l2.weight_decay = lambda;
    core::AdamOptions w = l2;
    w.decoupled_weight_decay = true;
    const auto zero = [](const Vec&, int) { return Vec::Zero(1); };
    const std::vector<Vec> pl = run_rule(l2, Vec::Ones(1), steps, zero);
    const std::vector<Vec> pw = run_rule(w, Vec::Ones(1), steps, zero);
    const double dec = (pl[0][0] - pl[500][0]) / 500 / alpha;
    double err = 0;
    for (int t = 0; t <= steps; ++t)
      err = std::max(err, std::fabs(pw[t][0] / std::pow(1 - alpha * lambda, t) - 1));
    lambdas.push_back(lambda);
    l2_dec.push_back(dec);
    adamw_err.push_back(err);
    r.table.push_back(line("    %8.3g %26.6f %26.3g", lambda, dec, err));
    if (lambda == 1e-2) {
      std::vector<double> t_axis, a_l2, a_w;
      for (int t = 0; t <= steps; t += 10) {
        t_axis.push_back(t);
        a_l2.push_back(pl[t][0]);
        a_w.push_back(pw[t][0]);
      }
      curves.add("step", col(t_axis));
      curves.add("l2_in_adam", col(a_l2));
      curves.add("adamw", col(a_w));
    }
  }
  ds::Table a_tab;
  a_tab.add("lambda", col(lambdas));
  a_tab.add("l2_mean_decrement_over_alpha", col(l2_dec));
  a_tab.add("adamw_max_rel_error_geometric", col(adamw_err));
  r.data.emplace_back("no_gradient", a_tab);
  r.data.emplace_back("no_gradient_curves", curves);
  // Not quite alpha: the decay gradient lambda theta shrinks with theta while v still holds its
  // larger past values, so m_hat / sqrt(v_hat) falls below 1 (0.88 over the first 500 steps).
  const double lo = *std::min_element(l2_dec.begin(), l2_dec.end());
  const double hi = *std::max_element(l2_dec.begin(), l2_dec.end());
  r.checks.push_back(
      at_least("L2: smallest mean decrement per step / alpha (steps 1-500)", lo, 0.8));
  r.checks.push_back(at_most("L2: largest mean decrement per step / alpha (steps 1-500)", hi, 1.0));
  r.checks.push_back(
      at_most("L2: largest / smallest decrement over lambda = 1e-4, 1e-2, 1 "
              "(independent of lambda)",
              hi / lo, 1.01));
  r.checks.push_back(at_most("AdamW: max relative deviation from theta_0 (1 - alpha lambda)^t",
                             *std::max_element(adamw_err.begin(), adamw_err.end()), 1e-12));

  // (b) noisy loss gradients of two sizes: how much of theta_0 = 1 is decayed after 3000 steps.
  const int n = 1000, T = 3000;
  const double lambda = 0.1;
  std::mt19937_64 rng(20190101);
  Eigen::MatrixXd noise(2 * n, T);
  for (Eigen::Index j = 0; j < T; ++j)
    for (Eigen::Index i = 0; i < 2 * n; ++i) noise(i, j) = normal(rng) * (i < n ? 1.0 : 0.01);
  r.table.push_back(
      line("(b) %d parameters with gradient noise sd 1 and %d with sd 0.01, "
           "lambda %g, %d steps:",
           n, n, lambda, T));
  r.table.push_back(
      line("    %12s %18s %18s %12s", "", "decayed (sd 1)", "decayed (sd 0.01)", "ratio"));
  std::vector<double> big_dec, small_dec;
  for (bool decoupled : {false, true}) {
    core::AdamOptions o = adam(alpha);
    o.weight_decay = lambda;
    o.decoupled_weight_decay = decoupled;
    const std::vector<Vec> p = run_rule(o, Vec::Ones(2 * n), T,
                                        [&](const Vec&, int t) -> Vec { return noise.col(t - 1); });
    const Vec& last = p.back();
    const double big = 1 - last.head(n).mean(), small = 1 - last.tail(n).mean();
    big_dec.push_back(big);
    small_dec.push_back(small);
    r.table.push_back(line("    %12s %18.4f %18.4f %12.3f", decoupled ? "AdamW" : "L2 in Adam", big,
                           small, big / small));
  }
  ds::Table b_tab;
  b_tab.add("decoupled", Vec{{0.0, 1.0}});
  b_tab.add("decayed_sd1", col(big_dec));
  b_tab.add("decayed_sd001", col(small_dec));
  r.data.emplace_back("noisy", b_tab);
  r.checks.push_back(at_most("L2: decay of the large-gradient group / the small-gradient group",
                             big_dec[0] / small_dec[0], 0.5));
  r.checks.push_back(at_least("AdamW: decay of the large-gradient group / the small-gradient group",
                              big_dec[1] / small_dec[1], 0.8));
  r.checks.push_back(
      at_most("AdamW: decay of the large-gradient group / the small-gradient group "
              "(upper)",
              big_dec[1] / small_dec[1], 1.25));
  return r;
}

void plot_decoupled_decay(const Result& r, const std::string& png) {
  plot::Figure fig(1200, 480, 1, 2);
  const ds::Table& c = r.group("no_gradient_curves");
  plot::Axes& a = fig.axes(0, 0);
  a.plot(vec(c.column("step")), vec(c.column("l2_in_adam")), "L2 inside Adam");
  a.plot(vec(c.column("step")), vec(c.column("adamw")), "AdamW");
  a.set_xlabel("step");
  a.set_ylabel("theta (no loss gradient)");
  a.set_title("lambda = 0.01: L2 ~0.88 alpha per step at first, then slower; AdamW geometric");
  a.set_legend(plot::Legend::kLowerLeft);
  const ds::Table& b = r.group("noisy");
  plot::Axes& ax = fig.axes(0, 1);
  const std::vector<std::string> names = {"L2: sd 1", "L2: sd 0.01", "AdamW: sd 1",
                                          "AdamW: sd 0.01"};
  ax.bar(names, {b.column("decayed_sd1")[0], b.column("decayed_sd001")[0],
                 b.column("decayed_sd1")[1], b.column("decayed_sd001")[1]});
  ax.set_ylabel("1 - mean theta after 3000 steps");
  ax.set_title("decay reached, by gradient noise: L2 spares large gradients");
  fig.save_png(png);
}

// ---- 8. beta2 = 0 ---------------------------------------------------------------------------

Result run_beta2_zero() {
  Result r;
  r.name = "beta2_zero";
  r.title = "beta2 = 0 on random gradients: the step is alpha * m_hat / (|g| + eps)";
  r.claim =
      "With beta2 = 0 the second moment remembers only the last gradient, v_hat = g_t^2, so "
      "the step is alpha * m_hat_t / (|g_t| + eps): a momentum direction divided by the current "
      "gradient's size. It is not bounded by alpha: when the current gradient is small against "
      "the momentum the step explodes.";
  r.source = "Kingma & Ba 2014 (the update rule with beta2 = 0); Reddi et al. 2018 (sec. 3)";
  const int n = 64, T = 200;
  const double alpha = 1e-3, beta1 = 0.9, eps = 1e-8;
  std::mt19937_64 rng(8);
  Eigen::MatrixXd g(n, T);
  for (Eigen::Index j = 0; j < T; ++j)
    for (Eigen::Index i = 0; i < n; ++i) g(i, j) = normal(rng);
  auto grad = [&](const Vec&, int t) -> Vec { return g.col(t - 1); };
  const std::vector<Vec> p0 = run_rule(adam(alpha, beta1, 0.0, eps), Vec::Zero(n), T, grad);
  const std::vector<Vec> p9 = run_rule(adam(alpha, beta1, 0.999, eps), Vec::Zero(n), T, grad);
  Vec m = Vec::Zero(n);
  double b1t = 1, dev = 0, max0 = 0, max9 = 0;
  std::vector<double> ts, med0, med9, top0;
  for (int t = 1; t <= T; ++t) {
    const Eigen::ArrayXd gt = g.col(t - 1).array();
    // Rounding errors of m are relative to the terms summed into it (m itself can nearly
    // cancel), and the step is read as a difference of iterates (one rounding of theta each).
    const Eigen::ArrayXd terms = beta1 * m.array().abs() + (1 - beta1) * gt.abs();
    m = beta1 * m + (1 - beta1) * g.col(t - 1);
    b1t *= beta1;
    const Eigen::ArrayXd denom = (gt.abs() + eps) * (1 - b1t);
    const Eigen::ArrayXd step_ref = -alpha * m.array() / denom;
    const Vec s0 = p0[t] - p0[t - 1], s9 = p9[t] - p9[t - 1];
    const Eigen::ArrayXd read_err = 4 * std::numeric_limits<double>::epsilon() *
                                    (p0[t].array().abs() + p0[t - 1].array().abs());
    dev = std::max(
        dev,
        (((s0.array() - step_ref).abs() - read_err).max(0.0) / (alpha * terms / denom)).maxCoeff());
    max0 = std::max(max0, s0.cwiseAbs().maxCoeff() / alpha);
    max9 = std::max(max9, s9.cwiseAbs().maxCoeff() / alpha);
    std::vector<double> a0(n), a9(n);
    for (int i = 0; i < n; ++i) {
      a0[static_cast<std::size_t>(i)] = std::fabs(s0[i]) / alpha;
      a9[static_cast<std::size_t>(i)] = std::fabs(s9[i]) / alpha;
    }
    std::sort(a0.begin(), a0.end());
    std::sort(a9.begin(), a9.end());
    ts.push_back(t);
    med0.push_back(a0[n / 2]);
    med9.push_back(a9[n / 2]);
    top0.push_back(a0.back());
  }
  ds::Table t;
  t.add("step", col(ts));
  t.add("median_step_over_alpha_beta2_0", col(med0));
  t.add("max_step_over_alpha_beta2_0", col(top0));
  t.add("median_step_over_alpha_beta2_0.999", col(med9));
  r.data.emplace_back("steps", t);
  r.table.push_back(line("%d coordinates, %d steps of N(0, 1) gradients, alpha %g, beta1 %g:", n, T,
                         alpha, beta1));
  r.table.push_back(
      line("  max deviation from alpha * m_hat / (|g| + eps), relative to the size of "
           "the terms summed into m: %.3g",
           dev));
  r.table.push_back(
      line("  largest |step| / alpha: beta2 = 0: %.4g, beta2 = 0.999: %.4g", max0, max9));
  r.checks.push_back(at_most(
      "beta2 = 0: max relative deviation of the step from alpha m_hat / (|g| + eps)", dev, 1e-13));
  r.checks.push_back(at_least("beta2 = 0: largest |step| / alpha (unbounded by alpha)", max0, 10));
  return r;
}

void plot_beta2_zero(const Result& r, const std::string& png) {
  const ds::Table& t = r.group("steps");
  plot::Figure fig(900, 560);
  plot::Axes& a = fig.axes();
  a.plot(vec(t.column("step")), vec(t.column("max_step_over_alpha_beta2_0")),
         "beta2 = 0: largest of 64");
  a.plot(vec(t.column("step")), vec(t.column("median_step_over_alpha_beta2_0")),
         "beta2 = 0: median");
  a.plot(vec(t.column("step")), vec(t.column("median_step_over_alpha_beta2_0.999")),
         "beta2 = 0.999: median");
  a.axhline(1.0).label = "alpha";
  a.set_ylog();
  a.set_xlabel("step");
  a.set_ylabel("|step| / alpha");
  a.set_title("beta2 = 0: the step is m_hat / |g_t|, unbounded by alpha");
  a.set_legend(plot::Legend::kUpperRight);
  fig.save_png(png);
}

// ---- 9. saddle ------------------------------------------------------------------------------

namespace {
/// f = (x^2 - y^2) / 2 + y^4 / 4: a strict saddle at the origin, minima at (0, +-1).
Vec saddle_grad(const Vec& th, int) { return Vec{{th[0], -th[1] + th[1] * th[1] * th[1]}}; }
}  // namespace

Result run_saddle() {
  Result r;
  r.name = "saddle";
  r.title = "f = (x^2 - y^2)/2 + y^4/4 from (1, 1e-8): steps to escape (|y| > 0.5)";
  r.claim =
      "Near a strict saddle the gradient along the escape direction is tiny, so gradient "
      "descent leaves it only geometrically, by a factor (1 + lr) per step; momentum "
      "multiplies the rate by about 1/(1 - mu); Adam normalises the tiny gradient to a step of "
      "about alpha and walks off in about |y_escape| / alpha steps.";
  r.source =
      "Dauphin et al. 2014; Staib et al. 2019 (Escaping saddle points with adaptive "
      "gradient methods)";
  const double lr = 0.01, y0 = 1e-8, y_escape = 0.5;
  core::SgdOptions sgd;
  sgd.lr = lr;
  core::SgdOptions mom = sgd;
  mom.momentum = 0.9;
  struct Method {
    const char* name;
    core::RuleOptions rule;
  };
  const std::vector<Method> methods = {{"sgd", sgd}, {"momentum", mom}, {"adam", adam(lr)}};
  const int max_steps = 5000;
  r.table.push_back(line("%-10s %8s %20s %14s", "method", "lr", "steps to |y| > 0.5", "|y| at 20"));
  std::vector<double> steps;
  for (const Method& m : methods) {
    const std::vector<Vec> p = run_rule(m.rule, Vec{{1.0, y0}}, max_steps, saddle_grad);
    const int escaped = first_step(p, [&](const Vec& th) { return std::fabs(th[1]) > y_escape; });
    steps.push_back(escaped < 0 ? std::numeric_limits<double>::infinity() : escaped);
    r.table.push_back(line("%-10s %8.3g %20s %14.3g", m.name, lr,
                           escaped < 0 ? "not in 5000" : std::to_string(escaped).c_str(),
                           std::fabs(p[20][1])));
    ds::Table t;
    std::vector<double> ys, xs;
    for (std::size_t k = 0; k < p.size() && k <= 2000; ++k) {
      xs.push_back(static_cast<double>(k));
      ys.push_back(std::max(std::fabs(p[k][1]), 1e-12));
    }
    t.add("step", col(xs));
    t.add("abs_y", col(ys));
    r.data.emplace_back(std::string("path_") + m.name, t);
  }
  // Gradient descent's escape written out: y grows by (1 + lr) per step while y^3 << y.
  const double sgd_pred = std::log(y_escape / y0) / std::log(1 + lr);
  r.table.push_back(
      line("gradient descent predicted ln(0.5 / 1e-8) / ln(1 + lr) = %.0f steps; "
           "Adam's |y_escape| / alpha = %.0f",
           sgd_pred, y_escape / lr));
  ds::Table summary;
  summary.add("steps_to_escape", col(steps));
  r.data.emplace_back("summary", summary);
  r.checks.push_back(at_most("gradient descent: |steps / geometric prediction - 1|",
                             std::fabs(steps[0] / sgd_pred - 1), 0.1));
  r.checks.push_back(
      at_most("momentum / gradient descent, steps to escape", steps[1] / steps[0], 0.25));
  r.checks.push_back(
      at_most("Adam: steps to escape / (|y_escape| / alpha)", steps[2] / (y_escape / lr), 1.5));
  r.checks.push_back(at_most("Adam / momentum, steps to escape", steps[2] / steps[1], 1.0));
  return r;
}

void plot_saddle(const Result& r, const std::string& png) {
  plot::Figure fig(900, 560);
  plot::Axes& a = fig.axes();
  for (const char* m : {"sgd", "momentum", "adam"}) {
    const ds::Table& t = r.group(std::string("path_") + m);
    a.plot(vec(t.column("step")), vec(t.column("abs_y")), m);
  }
  a.axhline(0.5).label = "escaped (|y| = 0.5)";
  a.set_ylog();
  a.set_xlabel("step");
  a.set_ylabel("|y| (the escape direction)");
  a.set_title("leaving a strict saddle from 1e-8 off it (lr = alpha = 0.01)");
  a.set_legend(plot::Legend::kLowerRight);
  fig.save_png(png);
}

}  // namespace adamant::lab
