// 5. rare gradients: a coordinate whose small gradients are interrupted, once every P steps, by
// a large one (the rare class of an imbalanced problem), next to a dense coordinate with the
// small gradients only.

#include <cmath>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "adamant/plot/plot.hpp"
#include "experiments.hpp"
#include "helpers.hpp"

namespace adamant::lab {

using namespace detail;

namespace {
constexpr double kCalm = 0.01, kRare = 10, kAlpha = 1e-3;
constexpr int kPeriod = 1000, kEvents = 6;
}  // namespace

Result run_rare_gradients() {
  Result r;
  r.name = "rare_gradients";
  r.title = "gradients of +-0.01 with one of 10 every 1000 steps: how long Adam stays spooked";
  r.claim =
      "A rare large gradient inflates Adam's second moment of its coordinate, and the "
      "coordinate's effective learning rate alpha / (sqrt(v_hat) + eps) stays suppressed until "
      "v has forgotten it: after each rare gradient G among calm ones g the rate is below half "
      "its calm value for k = ln((1 - beta2)(G^2 - g^2) / (3 g^2)) / -ln(beta2) steps. When k "
      "exceeds the interval between rare gradients the coordinate is suppressed all the time, "
      "which with G / g = 1000 already happens at the default beta2 = 0.999; AMSGrad's running "
      "maximum never forgets at all.";
  r.source =
      "Kingma & Ba 2014 (sec. 3, v as an estimate of the raw second moment); Reddi et al. 2018; "
      "Zhou et al. 2018 (AdaShift: rare large gradients and beta2)";
  const std::vector<double> beta2s = {0.9, 0.99, 0.999, 0.9999};
  const int steps = kPeriod * kEvents + kPeriod / 2;
  // gradient at step t (1-based): the rare coordinate 1 also gets kRare at every multiple of P
  auto grad = [](const Vec&, int t) -> Vec {
    const double calm = (t % 2 ? kCalm : -kCalm);
    return Vec{{calm, t % kPeriod == 0 ? kRare : calm}};
  };
  r.table.push_back(line("%-8s %-8s %14s %14s %18s %16s", "rule", "beta2", "k predicted",
                         "k measured", "suppressed share", "dense share"));
  std::vector<double> b2col, kpred, kmeas, share, dense_share, ams_share;
  double worst_k = 0, share_small = 1, share_large = 0, ams_least = 1;
  for (double beta2 : beta2s) {
    for (bool ams : {false, true}) {
      core::AdamOptions o = adam(kAlpha, 0.9, beta2);
      o.amsgrad = ams;
      std::vector<double> rare_lr, dense_lr;
      run_rule(o, Vec::Zero(2), steps, grad,
               [&](const core::Optimizer<double>& opt, const Vec&, int t) {
                 const auto& s = opt.state();
                 const auto& v = *s.slot(ams ? "max_exp_avg_sq" : "exp_avg_sq");
                 const double bc = std::sqrt(1 - std::pow(beta2, t));
                 dense_lr.push_back(kAlpha / (std::sqrt(v[0]) / bc + 1e-8));
                 rare_lr.push_back(kAlpha / (std::sqrt(v[1]) / bc + 1e-8));
               });
      const double calm_lr = kAlpha / kCalm;  // alpha / sqrt(g^2)
      // after each rare gradient (step e P, index e P - 1): steps until the rate is back above
      // half the calm rate, within the interval
      double measured = std::numeric_limits<double>::infinity();
      for (int e = 2; e <= kEvents; ++e) {  // the first interval still carries the warm-up
        const auto at = static_cast<std::size_t>(e * kPeriod - 1);
        for (std::size_t k = at; k < at + kPeriod && k < rare_lr.size(); ++k)
          if (rare_lr[k] >= 0.5 * calm_lr) {
            measured = static_cast<double>(k - at);
            break;
          }
      }
      int below = 0, dense_below = 0, counted = 0;
      // over whole intervals after the first (events 2 .. kEvents - 1 and what follows each)
      for (std::size_t k = 2 * kPeriod - 1; k < (kEvents * kPeriod) - 1; ++k, ++counted) {
        below += rare_lr[k] < 0.5 * calm_lr;
        dense_below += dense_lr[k] < 0.5 * calm_lr;
      }
      const double frac = static_cast<double>(below) / counted;
      const double dfrac = static_cast<double>(dense_below) / counted;
      const double pred =
          std::log((1 - beta2) * (kRare * kRare - kCalm * kCalm) / (3 * kCalm * kCalm)) /
          -std::log(beta2);
      r.table.push_back(line(
          "%-8s %-8g %14.1f %14s %18.3f %16.3f", ams ? "amsgrad" : "adam", beta2, pred,
          std::isfinite(measured) ? std::to_string(int(measured)).c_str() : "never", frac, dfrac));
      if (ams) {
        ams_share.push_back(frac);
        ams_least = std::min(ams_least, frac);
      } else {
        b2col.push_back(beta2);
        kpred.push_back(pred);
        kmeas.push_back(measured);
        share.push_back(frac);
        dense_share.push_back(dfrac);
        if (pred < kPeriod) {
          worst_k = std::max(worst_k, std::fabs(measured - pred));
          share_small = std::min(share_small, 1 - std::fabs(frac - pred / kPeriod));
        } else {
          share_large = std::max(share_large, 1 - frac);
        }
      }
      // the trace for the figure: two intervals, every 5th step
      if (beta2 == 0.99 || beta2 == 0.999) {
        ds::Table t;
        std::vector<double> ts, rl;
        for (std::size_t k = 2 * kPeriod - 50; k < 4 * kPeriod; k += 5) {
          ts.push_back(static_cast<double>(k + 1));
          rl.push_back(rare_lr[k] / calm_lr);
        }
        t.add("step", col(ts));
        t.add("effective_lr_over_calm", col(rl));
        r.data.emplace_back(line("trace_%s_%g", ams ? "amsgrad" : "adam", beta2), t);
      }
    }
  }
  ds::Table summary;
  summary.add("beta2", col(b2col));
  summary.add("k_predicted", col(kpred));
  summary.add("k_measured", col(kmeas));
  summary.add("suppressed_share", col(share));
  summary.add("dense_suppressed_share", col(dense_share));
  summary.add("amsgrad_suppressed_share", col(ams_share));
  r.data.emplace_back("summary", summary);
  r.table.push_back(
      line("suppressed share: steps of intervals 2-%d (after the warm-up) with the rare "
           "coordinate's rate below half of alpha / %g",
           kEvents - 1, kCalm));
  r.checks.push_back(
      at_most("beta2 = 0.9, 0.99: max |k measured - k predicted| (steps)", worst_k, 2));
  r.checks.push_back(
      at_least("beta2 = 0.9, 0.99: 1 - |suppressed share - k / P|", share_small, 0.99));
  r.checks.push_back(
      at_most("beta2 = 0.999, 0.9999 (k > P): share of steps not suppressed", share_large, 0.0));
  r.checks.push_back(at_least("AMSGrad, every beta2: suppressed share", ams_least, 0.999));
  r.checks.push_back(at_most("dense coordinate, every beta2: suppressed share",
                             std::accumulate(dense_share.begin(), dense_share.end(), 0.0), 0.0));
  return r;
}

void plot_rare_gradients(const Result& r, const std::string& png) {
  plot::Figure fig(1200, 520, 1, 2);
  fig.set_title("rare gradients: 10 once every 1000 steps among +-0.01");
  plot::Axes& a = fig.axes(0, 0);
  for (const char* g : {"trace_adam_0.99", "trace_adam_0.999", "trace_amsgrad_0.999"}) {
    const ds::Table& t = r.group(g);
    a.plot(vec(t.column("step")), vec(t.column("effective_lr_over_calm")),
           std::string(g).substr(6));
  }
  a.axhline(0.5).label = "half the calm rate";
  a.set_ylog();
  a.set_xlabel("step");
  a.set_ylabel("effective lr / (alpha / 0.01)");
  a.set_title("the rare coordinate's effective learning rate");
  a.set_legend(plot::Legend::kLowerRight);
  plot::Axes& b = fig.axes(0, 1);
  const ds::Table& s = r.group("summary");
  std::vector<double> b2 = vec(s.column("beta2"));
  std::vector<double> x;
  for (double v : b2) x.push_back(1 / (1 - v));
  plot::LineSeries& l1 = b.plot(x, vec(s.column("suppressed_share")), "Adam");
  l1.marker = plot::Marker::kCircle;
  plot::LineSeries& l2 = b.plot(x, vec(s.column("amsgrad_suppressed_share")), "AMSGrad");
  l2.marker = plot::Marker::kCircle;
  l2.dashed = true;
  b.set_xlog();
  b.set_ylim(0, 1.05);
  b.set_xlabel("1 / (1 - beta2)");
  b.set_ylabel("share of steps suppressed (< half the calm rate)");
  b.set_title("how much of the time the rare coordinate is spooked");
  b.set_legend(plot::Legend::kLowerRight);
  fig.save_png(png);
}

}  // namespace adamant::lab
