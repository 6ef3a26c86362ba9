// 7. standardisation: least squares and logistic regression on features whose scales run from
// 1e-3 to 1e3 (with non-zero means), in raw units and standardised, by gradient descent and Adam.

#include <Eigen/Dense>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "adamant/plot/plot.hpp"
#include "experiments.hpp"
#include "helpers.hpp"

namespace adamant::lab {

using namespace detail;

namespace {

constexpr int kSamples = 200, kSteps = 10000;

struct Problem {
  Eigen::MatrixXd A;  // design, first column the intercept
  Vec y;
  bool logistic = false;
  double loss(const Vec& w) const {
    const Vec z = A * w;
    if (!logistic) return 0.5 * (z - y).squaredNorm() / kSamples;
    double s = 0;
    for (Eigen::Index i = 0; i < z.size(); ++i)
      s += (z[i] > 0 ? z[i] + std::log1p(std::exp(-z[i])) : std::log1p(std::exp(z[i]))) -
           y[i] * z[i];
    return s / kSamples;
  }
  Vec grad(const Vec& w) const {
    const Vec z = A * w;
    Vec r(z.size());
    for (Eigen::Index i = 0; i < z.size(); ++i)
      r[i] = logistic ? 1 / (1 + std::exp(-z[i])) - y[i] : z[i] - y[i];
    return A.transpose() * r / kSamples;
  }
  Eigen::MatrixXd hessian(const Vec& w) const {
    if (!logistic) return A.transpose() * A / kSamples;
    const Vec z = A * w;
    Vec d(z.size());
    for (Eigen::Index i = 0; i < z.size(); ++i) {
      const double p = 1 / (1 + std::exp(-z[i]));
      d[i] = p * (1 - p);
    }
    return A.transpose() * d.asDiagonal() * A / kSamples;
  }
  /// The minimum, by damped Newton (the problem is strictly convex).
  double minimum() const {
    Vec w = Vec::Zero(A.cols());
    for (int it = 0; it < 100; ++it) {
      const Vec step = hessian(w).ldlt().solve(grad(w));
      double t = 1;
      const double f = loss(w);
      while (loss(w - t * step) > f && t > 1e-10) t /= 2;
      w -= t * step;
      if (step.norm() < 1e-14 * (1 + w.norm())) break;
    }
    return loss(w);
  }
};

struct Outcome {
  double suboptimality = 1;  ///< (f - f*) / (f0 - f*) at the end
  int steps = -1;            ///< to 1e-6 relative, -1 when not within kSteps
};

Outcome descend(const Problem& p, const core::RuleOptions& rule, double fstar) {
  core::Optimizer<double> opt(rule, static_cast<std::size_t>(p.A.cols()));
  Vec w = Vec::Zero(p.A.cols());
  const double f0 = p.loss(w) - fstar;
  Outcome o;
  for (int t = 0; t <= kSteps; ++t) {
    o.suboptimality = (p.loss(w) - fstar) / f0;
    if (o.suboptimality <= 1e-6) {
      o.steps = t;
      break;
    }
    if (t < kSteps) opt.step(w, p.grad(w));
  }
  return o;
}

}  // namespace

Result run_standardisation() {
  Result r;
  r.name = "standardisation";
  r.title = "regression on features scaled 1e-3 .. 1e3: raw against standardised";
  r.claim =
      "Adam's per-coordinate scaling makes it far less sensitive to badly scaled features than "
      "gradient descent, whose best step size is set by the largest scale, but it is not "
      "invariant to them: it moves every coordinate by about alpha per step, and a feature of "
      "scale 1e-3 needs a weight 1e3 times larger. Standardising the features (zero mean, unit "
      "variance) still gains by orders of magnitude.";
  r.source =
      "Kingma & Ba 2014 (sec. 2.1, invariance to diagonal rescaling); LeCun, Bottou, Orr & "
      "Mueller 1998 (Efficient BackProp: normalise the inputs)";
  // Seven features, scales 1e-3 .. 1e3, each correlated with the first and offset from zero by
  // twice its scale; the targets come from a planted model on the standardised features.
  std::mt19937_64 rng(17);
  const int d = 7;
  Eigen::MatrixXd Z(kSamples, d), X(kSamples, d);
  for (int i = 0; i < kSamples; ++i)
    for (int j = 0; j < d; ++j) Z(i, j) = normal(rng);
  for (int j = 1; j < d; ++j) Z.col(j) += 0.5 * Z.col(0);
  for (int j = 0; j < d; ++j) {
    const double s = std::pow(10.0, j - 3);
    X.col(j) = (Z.col(j).array() * s + 2 * s).matrix();
  }
  const Eigen::RowVectorXd mean = X.colwise().mean();
  Eigen::MatrixXd S = X.rowwise() - mean;
  for (int j = 0; j < d; ++j) S.col(j) /= std::sqrt(S.col(j).squaredNorm() / kSamples);
  Vec planted(d);
  for (int j = 0; j < d; ++j) planted[j] = normal(rng);
  const Vec eta = (S * planted).array() + 0.3;
  Vec y_ls(kSamples), y_lr(kSamples);
  std::uniform_real_distribution<double> unif(0, 1);
  for (int i = 0; i < kSamples; ++i) {
    y_ls[i] = eta[i] + 0.1 * normal(rng);
    y_lr[i] = unif(rng) < 1 / (1 + std::exp(-eta[i])) ? 1 : 0;
  }
  auto design = [](const Eigen::MatrixXd& F) {
    Eigen::MatrixXd A(F.rows(), F.cols() + 1);
    A.col(0).setOnes();
    A.rightCols(F.cols()) = F;
    return A;
  };
  const std::vector<double> alphas = {1e-3, 1e-2, 1e-1, 1, 10};
  r.table.push_back(line("%-9s %-13s %-6s %10s %14s %16s", "loss", "features", "method", "lr",
                         "steps to 1e-6", "rel. gap at 1e4"));
  ds::Table t;
  std::vector<double> is_logistic, is_std, is_adam, lrs, gaps, steps;
  double gd_raw[2] = {}, adam_raw[2] = {};
  int adam_std_steps[2] = {};
  for (int loss = 0; loss < 2; ++loss) {
    for (int standard = 0; standard < 2; ++standard) {
      Problem p{design(standard ? S : X), loss ? y_lr : y_ls, loss == 1};
      // both parametrisations have the same minimum; it is computed where it is well
      // conditioned
      const double fstar = Problem{design(S), p.y, p.logistic}.minimum();
      // gradient descent at 1/L (L the largest curvature at the start), Adam at its best alpha
      const double L =
          p.hessian(Vec::Zero(p.A.cols())).selfadjointView<Eigen::Lower>().eigenvalues().maxCoeff();
      core::SgdOptions gd;
      gd.lr = 1 / L;
      const Outcome og = descend(p, gd, fstar);
      Outcome best;
      double best_alpha = 0;
      for (double a : alphas) {
        const Outcome o = descend(p, adam(a), fstar);
        const bool better = best_alpha == 0 ||
                            (o.steps >= 0 && (best.steps < 0 || o.steps < best.steps)) ||
                            (o.steps < 0 && best.steps < 0 && o.suboptimality < best.suboptimality);
        if (better) {
          best = o;
          best_alpha = a;
        }
      }
      const char* lname = loss ? "logistic" : "least sq.";
      const char* fname = standard ? "standardised" : "raw";
      for (int m = 0; m < 2; ++m) {
        const Outcome& o = m ? best : og;
        const double lr = m ? best_alpha : gd.lr;
        r.table.push_back(
            line("%-9s %-13s %-6s %10.3g %14s %16.3g", lname, fname, m ? "adam" : "gd", lr,
                 o.steps >= 0 ? std::to_string(o.steps).c_str() : "not in 1e4", o.suboptimality));
        is_logistic.push_back(loss);
        is_std.push_back(standard);
        is_adam.push_back(m);
        lrs.push_back(lr);
        gaps.push_back(std::max(o.suboptimality, 0.0));
        steps.push_back(o.steps >= 0 ? o.steps : std::numeric_limits<double>::infinity());
      }
      if (!standard) {
        gd_raw[loss] = og.suboptimality;
        adam_raw[loss] = best.suboptimality;
      } else {
        adam_std_steps[loss] = best.steps;
      }
    }
  }
  t.add("logistic", col(is_logistic));
  t.add("standardised", col(is_std));
  t.add("adam", col(is_adam));
  t.add("lr", col(lrs));
  t.add("relative_gap", col(gaps));
  t.add("steps_to_1e-6", col(steps));
  r.data.emplace_back("runs", t);
  r.table.push_back(
      "gd: lr = 1/L (L the largest curvature at w = 0); adam: the best alpha of 1e-3 .. 10");
  for (int loss = 0; loss < 2; ++loss) {
    const std::string l = loss ? "logistic" : "least squares";
    r.checks.push_back(
        at_least(l + ", raw: gradient descent's relative gap after 1e4 steps", gd_raw[loss], 0.5));
    r.checks.push_back(at_most(l + ", raw: Adam's gap / gradient descent's (suffers less)",
                               adam_raw[loss] / gd_raw[loss], 0.75));
    r.checks.push_back(at_least(l + ", raw: Adam's relative gap after 1e4 steps (not invariant)",
                                adam_raw[loss], 1e-3));
    r.checks.push_back(at_most(l + ", standardised: Adam's steps to 1e-6 (still gains)",
                               adam_std_steps[loss] >= 0 ? adam_std_steps[loss] : 1e300, 1000));
  }
  return r;
}

void plot_standardisation(const Result& r, const std::string& png) {
  const ds::Table& t = r.group("runs");
  plot::Figure fig(900, 560);
  plot::Axes& a = fig.axes();
  std::vector<std::string> labels;
  std::vector<double> gaps;
  const std::vector<double> lg = vec(t.column("logistic")), st = vec(t.column("standardised")),
                            ad = vec(t.column("adam")), gap = vec(t.column("relative_gap"));
  for (std::size_t i = 0; i < gap.size(); ++i) {
    labels.push_back(std::string(lg[i] ? "logistic" : "least sq.") + ", " +
                     (st[i] ? "std" : "raw") + ", " + (ad[i] ? "adam" : "gd"));
    gaps.push_back(std::max(gap[i], 1e-16));
  }
  plot::BarSeries& bars = a.barh(labels, gaps);
  bars.bottom.assign(gaps.size(), 1e-16);  // bars on a log axis start at 1e-16, not 0
  for (std::size_t i = 0; i < gaps.size(); ++i) bars.height[i] = std::max(gaps[i] - 1e-16, 1e-17);
  a.set_xlog();
  a.set_xlabel("relative gap (f - f*) / (f0 - f*) when stopped (1e-6 reached, or after 1e4 steps)");
  a.set_title("features scaled 1e-3 .. 1e3: gradient descent, Adam, raw and standardised");
  fig.save_png(png);
}

}  // namespace adamant::lab
