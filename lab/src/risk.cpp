// 12. risk as second moment: a long-only mean-variance portfolio on the bundled 20 stocks,
// trained by Adam on minibatches of days; Adam's per-asset v against each asset's variance.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "adamant/core/projection.hpp"
#include "adamant/datasets/schema.hpp"
#include "adamant/plot/plot.hpp"
#include "experiments.hpp"
#include "helpers.hpp"

namespace adamant::lab {

using namespace detail;

namespace {

constexpr int kBatch = 32, kSteps = 6000;
constexpr double kGamma = 5;  // risk aversion (daily returns)

std::string bundled_prices() {
  const std::string name = "stock_prices_20.h5";
  for (const char* dir : {ADAMANT_SOURCE_DATA_DIR, ADAMANT_INSTALL_DATA_DIR}) {
    const std::string p = std::string(dir) + "/" + name;
    if (std::filesystem::exists(p)) return p;
  }
  throw std::runtime_error(std::string("lab risk: the bundled ") + name + " is in neither " +
                           ADAMANT_SOURCE_DATA_DIR + " nor " + ADAMANT_INSTALL_DATA_DIR);
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = static_cast<double>(a.size());
  const double ma = std::accumulate(a.begin(), a.end(), 0.0) / n;
  const double mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

std::vector<double> ranks(const std::vector<double>& a) {
  std::vector<std::size_t> idx(a.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::sort(idx.begin(), idx.end(), [&](std::size_t i, std::size_t j) { return a[i] < a[j]; });
  std::vector<double> r(a.size());
  for (std::size_t k = 0; k < idx.size(); ++k) r[idx[k]] = static_cast<double>(k);
  return r;
}

}  // namespace

Result run_risk() {
  Result r;
  r.name = "risk";
  r.title = "a portfolio trained on minibatches of days: Adam's v against each asset's variance";
  r.claim =
      "Adam's second moment estimates the raw second moment of each coordinate's stochastic "
      "gradient. For a portfolio trained on minibatches of B days the gradient of the expected "
      "return term is minus the batch's mean return, whose variance is the asset's return "
      "variance over B: so v is a per-asset risk estimate, and Adam's step alpha / sqrt(v) "
      "moves the risky assets' weights less, a risk-parity-like preconditioning it never asked "
      "for.";
  r.source =
      "Kingma & Ba 2014 (sec. 3, v estimates E[g^2]); Markowitz 1952; the bundled panel of 20 US "
      "stocks (datasets/data/README.md)";
  const datasets::PricePanel panel = datasets::read_prices(bundled_prices());
  const auto T = static_cast<Eigen::Index>(panel.prices.rows());
  const auto n = static_cast<Eigen::Index>(panel.prices.cols());
  // daily simple returns on the days where every price and the day before are known
  std::vector<Vec> rows;
  for (Eigen::Index t = 1; t < T; ++t) {
    const Vec ratio = (panel.prices.row(t).array() / panel.prices.row(t - 1).array()).matrix();
    if (ratio.allFinite()) rows.push_back(ratio.array() - 1);
  }
  const auto D = static_cast<Eigen::Index>(rows.size());
  Eigen::MatrixXd R(D, n);
  for (Eigen::Index t = 0; t < D; ++t) R.row(t) = rows[static_cast<std::size_t>(t)];
  const Vec mu = R.colwise().mean();
  const Eigen::MatrixXd C = R.rowwise() - mu.transpose();
  const Vec var = C.colwise().squaredNorm() / static_cast<double>(D);  // population variance
  // minibatch loss: -mean_b(r)' w + gamma / 2 w' Sigma_b w over B days drawn with replacement;
  // long-only with a budget: projected onto the simplex after each step
  core::Optimizer<double> opt(adam(1e-3), static_cast<std::size_t>(n));
  Vec w = Vec::Constant(n, 1.0 / static_cast<double>(n));
  std::mt19937_64 rng(12);
  std::uniform_int_distribution<Eigen::Index> day(0, D - 1);
  Eigen::MatrixXd batch(kBatch, n);
  core::ProjectionWorkspace ws;
  const Vec lo = Vec::Zero(n), hi = Vec::Constant(n, HUGE_VAL);
  Vec vsum = Vec::Zero(n);
  int vcount = 0;
  for (int s = 1; s <= kSteps; ++s) {
    for (int b = 0; b < kBatch; ++b) batch.row(b) = R.row(day(rng));
    const Vec mb = batch.colwise().mean();
    const Eigen::MatrixXd cb = batch.rowwise() - mb.transpose();
    const Vec g = -mb + kGamma * (cb.transpose() * (cb * w)) / kBatch;
    opt.step(w, g);
    core::project_box_hyperplane(w, lo, hi, 1.0, w, &ws);
    if (s > kSteps / 2) {
      vsum += Eigen::Map<const Eigen::VectorXd>(opt.state().slot("exp_avg_sq")->data(), n);
      ++vcount;
    }
  }
  const Vec v_last = Eigen::Map<const Eigen::VectorXd>(opt.state().slot("exp_avg_sq")->data(), n);
  const Vec v_mean = vsum / vcount;
  // the prediction for the return term alone: E[g^2] = mu^2 + var / B
  const Vec pred = (mu.array().square() + var.array() / kBatch).matrix();
  std::vector<double> lv, lvar, ratio, vv, sv;
  for (Eigen::Index i = 0; i < n; ++i) {
    lv.push_back(std::log(v_mean[i]));
    lvar.push_back(std::log(var[i]));
    ratio.push_back(v_mean[i] / pred[i]);
    vv.push_back(v_mean[i] * kBatch);
    sv.push_back(var[i]);
  }
  const double corr_log = pearson(lv, lvar);
  const double corr_rank = pearson(ranks(vv), ranks(sv));
  std::vector<double> sorted = ratio;
  std::sort(sorted.begin(), sorted.end());
  const double median = 0.5 * (sorted[9] + sorted[10]);
  r.table.push_back(
      line("%zu stocks, %lld days of returns, batches of %d days, gamma %g, Adam "
           "alpha 1e-3, %d steps",
           panel.tickers.size(), static_cast<long long>(D), kBatch, kGamma, kSteps));
  r.table.push_back(line("%-8s %12s %14s %14s %12s %10s", "ticker", "variance", "B * v (mean)",
                         "B * v (last)", "v / pred", "weight"));
  std::vector<std::size_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return sv[a] > sv[b]; });
  for (std::size_t i : order) {
    const auto k = static_cast<Eigen::Index>(i);
    r.table.push_back(line("%-8s %12.4g %14.4g %14.4g %12.3f %10.4f", panel.tickers[i].c_str(),
                           var[k], v_mean[k] * kBatch, v_last[k] * kBatch, ratio[i], w[k]));
  }
  r.table.push_back(
      line("correlation of log v and log variance %.4f; rank correlation %.4f; "
           "median v / (mu^2 + var / B) %.3f (range %.3f .. %.3f)",
           corr_log, corr_rank, median, sorted.front(), sorted.back()));
  ds::Table t;
  t.add("variance", var);
  t.add("mean_return", mu);
  t.add("v_mean_second_half", v_mean);
  t.add("v_last", v_last);
  t.add("weight", w);
  r.data.emplace_back("assets", t);
  r.checks.push_back(at_least("Pearson correlation of log v and log variance", corr_log, 0.95));
  r.checks.push_back(at_least("Spearman rank correlation of v and variance", corr_rank, 0.9));
  r.checks.push_back(
      at_most("|median of v / (mu^2 + variance / B) - 1|", std::fabs(median - 1), 0.25));
  return r;
}

void plot_risk(const Result& r, const std::string& png) {
  const ds::Table& t = r.group("assets");
  plot::Figure fig(900, 620);
  plot::Axes& a = fig.axes();
  const std::vector<double> var = vec(t.column("variance"));
  std::vector<double> bv = vec(t.column("v_mean_second_half"));
  for (double& x : bv) x *= kBatch;
  a.scatter(var, bv, "the 20 stocks");
  const double lo = *std::min_element(var.begin(), var.end()) * 0.7;
  const double hi = *std::max_element(var.begin(), var.end()) * 1.4;
  plot::LineSeries& l = a.plot({lo, hi}, {lo, hi}, "B v = variance");
  l.dashed = true;
  a.set_xlog();
  a.set_ylog();
  a.set_xlabel("variance of the stock's daily return");
  a.set_ylabel("B x Adam's v (mean over the second half of training)");
  a.set_title("Adam's second moment is each asset's risk (batches of B = 32 days)");
  a.set_legend(plot::Legend::kUpperLeft);
  fig.save_png(png);
}

}  // namespace adamant::lab
