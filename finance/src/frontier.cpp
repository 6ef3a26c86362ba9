// The efficient frontier, its HDF5 file and its figures (frontier.hpp).

#include "adamant/finance/frontier.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "adamant/datasets/h5.hpp"
#include "adamant/datasets/schema.hpp"
#include "adamant/finance/qp.hpp"
#include "adamant/plot/plot.hpp"
#include "checks.hpp"
#include "plot_helpers.hpp"

namespace adamant::finance {
namespace {

namespace ds = adamant::datasets;
namespace plt = adamant::plot;
using detail::fixed;
using detail::palette;
using detail::percent;
using detail::percent_ticks;
using detail::stacked_areas;
using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr const char* kSchema = "frontier";

std::vector<std::string> names_or_default(const std::vector<std::string>& tickers, Index n) {
  if (!tickers.empty()) return tickers;
  std::vector<std::string> out;
  for (Index i = 0; i < n; ++i) out.push_back("asset" + std::to_string(i));
  return out;
}

void fill_point(Frontier& f, Index k, const VectorXd& w) {
  const Performance p = portfolio_performance(w, f.mu, f.cov, f.risk_free_rate);
  f.returns[k] = p.expected_return;
  f.volatilities[k] = p.volatility;
  f.sharpes[k] = p.sharpe;
  f.weights.row(k) = w.transpose();
}

// `adamant data info`'s summary of a frontier file (datasets/schema.hpp).
[[maybe_unused]] const bool kSummaryRegistered =
    ds::register_schema_summary("frontier", [](const std::string&, const ds::Reader& r) {
      std::ostringstream os;
      const auto n = static_cast<std::int64_t>(r.read_strings("tickers").size());
      ds::Shape shape;
      const std::vector<double> ret =
          r.read_f64("returns", {ds::kAnyExtent}, ds::Finite::kRequired, &shape);
      const std::vector<double> vol = r.read_f64("volatilities", shape);
      if (ret.empty()) r.fail("returns", "expected at least one frontier point");
      os << "frontier: " << ret.size() << " points × " << n << " assets, return "
         << ds::summary_number(ret.front()) << " … " << ds::summary_number(ret.back())
         << ", volatility " << ds::summary_number(vol.front()) << " … "
         << ds::summary_number(vol.back());
      if (r.has("max_sharpe"))
        os << ", max Sharpe " << ds::summary_number(r.attr_double("max_sharpe", "sharpe"))
           << " at volatility " << ds::summary_number(r.attr_double("max_sharpe", "volatility"));
      return os.str();
    });
}  // namespace

std::string FrontierOptions::validate(int n) const {
  if (points < 2) return "FrontierOptions: points must be >= 2, got " + std::to_string(points);
  return portfolio.validate(n);
}

Frontier efficient_frontier(const VectorXd& mu, const MatrixXd& cov, const FrontierOptions& options,
                            const std::vector<std::string>& tickers) {
  const int n = static_cast<int>(mu.size());
  if (!tickers.empty() && static_cast<int>(tickers.size()) != n)
    throw std::invalid_argument("efficient_frontier: " + std::to_string(tickers.size()) +
                                " tickers for " + std::to_string(n) + " expected returns");
  if (n > 0) {
    if (auto m = options.validate(n); !m.empty())
      throw std::invalid_argument("efficient_frontier: " + m);
  } else if (options.points < 2) {
    throw std::invalid_argument("efficient_frontier: " + options.validate(1));
  }
  if (options.portfolio.cardinality.active())
    throw std::invalid_argument(
        "efficient_frontier: cardinality limits (max_assets, min_weight) are not supported along "
        "the frontier (its attainable returns are not an interval); solve efficient_return at the "
        "targets you need");
  Frontier f;
  f.tickers = tickers;
  f.mu = mu;
  f.cov = cov;
  f.risk_free_rate = options.portfolio.risk_free_rate;
  // Validates μ, Σ and the constraints (the portfolio problems' errors).
  f.min_volatility = min_volatility(mu, cov, options.portfolio);
  const VectorXd& wmv = f.min_volatility.weights;
  const double rmin = mu.dot(wmv);
  const double rmax =
      attainable_return_range(mu, options.portfolio.constraints, options.portfolio.active_set)
          .second;
  if (!std::isfinite(rmax))
    throw InfeasibleError(
        "efficient_frontier: the expected return is unbounded over the feasible set (no finite "
        "largest attainable return to trace the frontier to); add weight bounds");
  const Index N = options.points;
  f.returns.resize(N);
  f.volatilities.resize(N);
  f.sharpes.resize(N);
  f.weights.resize(N, n);
  const bool flat = rmax - rmin <= 1e-12 * std::max(1.0, std::abs(rmax));
  // Each point starts from the previous one (PortfolioOptions::start): neighbours on the path
  // share most of their working set.
  PortfolioOptions along = options.portfolio;
  along.start = wmv;
  for (Index k = 0; k < N; ++k) {
    if (k == 0 || flat) {
      fill_point(f, k, wmv);
      continue;
    }
    const double target =
        k == N - 1 ? rmax : rmin + (rmax - rmin) * static_cast<double>(k) / (N - 1);
    const PortfolioResult r = efficient_return(mu, cov, target, along);
    along.start = r.weights;
    fill_point(f, k, r.weights);
  }
  // The tangency portfolio: only where it is defined (a positive budget, no regularisation) and
  // some feasible portfolio beats r_f.
  const PortfolioConstraints& c = options.portfolio.constraints;
  const bool sharpe_defined = options.portfolio.l1_kappa == 0 && options.portfolio.l2_gamma == 0 &&
                              !c.market_neutral && c.budget > 0;
  if (sharpe_defined && rmax > f.risk_free_rate) {
    try {
      f.max_sharpe = max_sharpe(mu, cov, options.portfolio);
      f.has_max_sharpe = true;
    } catch (const InfeasibleError&) {
      f.has_max_sharpe = false;  // e.g. the supremum is not attained at the budget (κ = 0)
    }
  }
  return f;
}

// ---- HDF5 ----

namespace {

void write_result(ds::Writer& w, const std::string& g, const PortfolioResult& r) {
  const Index n = r.weights.size();
  w.write(g + "/weights", r.weights.data(), {n});
  w.attr(g, "problem", r.problem);
  w.attr(g, "solver", r.solver);
  w.attr(g, "expected_return", r.expected_return);
  w.attr(g, "volatility", r.volatility);
  w.attr(g, "sharpe", r.sharpe);
  w.attr(g, "objective", r.objective);
  w.attr(g, "iterations", std::int64_t{r.iterations});
  w.attr(g, "converged", std::int64_t{r.converged ? 1 : 0});
  w.attr(g, "kkt_residual", r.kkt_residual);
  w.attr(g, "duality_gap", r.duality_gap);
}

PortfolioResult read_result(const ds::Reader& r, const std::string& g, std::int64_t n) {
  PortfolioResult out;
  const std::vector<double> w = r.read_f64(g + "/weights", {n});
  out.weights = Eigen::Map<const VectorXd>(w.data(), n);
  out.problem = r.attr_string(g, "problem");
  out.solver = r.attr_string(g, "solver");
  out.expected_return = r.attr_double(g, "expected_return");
  out.volatility = r.attr_double(g, "volatility");
  out.sharpe = r.attr_double(g, "sharpe");
  out.objective = r.attr_double(g, "objective");
  out.iterations = static_cast<int>(r.attr_int(g, "iterations"));
  out.converged = r.attr_int(g, "converged") != 0;
  out.kkt_residual = r.attr_double(g, "kkt_residual");
  out.duality_gap = r.attr_double(g, "duality_gap");
  if (!std::isfinite(out.expected_return) || !std::isfinite(out.volatility) || out.volatility < 0)
    r.fail(g, "expected a finite expected_return and a finite volatility >= 0");
  return out;
}

}  // namespace

void write_frontier(const std::string& path, const Frontier& f) {
  const Index n = f.mu.size(), N = f.returns.size();
  auto bad = [&](const std::string& what) {
    throw std::invalid_argument("write_frontier: " + path + ": " + what);
  };
  if (n == 0) bad("no assets (mu is empty)");
  if (!f.tickers.empty() && static_cast<Index>(f.tickers.size()) != n)
    bad(std::to_string(f.tickers.size()) + " tickers for " + std::to_string(n) + " assets");
  if (f.cov.rows() != n || f.cov.cols() != n) bad("cov is not n × n");
  if (N < 1) bad("no frontier points");
  if (f.volatilities.size() != N || f.sharpes.size() != N || f.weights.rows() != N ||
      f.weights.cols() != n)
    bad("returns, volatilities, sharpes and weights (N × n) differ in length");
  if (!f.mu.allFinite() || !f.cov.allFinite() || !f.returns.allFinite() ||
      !f.volatilities.allFinite() || !f.weights.allFinite())
    bad("non-finite mu, cov, returns, volatilities or weights");
  if (!std::isfinite(f.risk_free_rate)) bad("non-finite risk_free_rate");
  if (f.min_volatility.weights.size() != n) bad("min_volatility weights do not have n entries");
  if (f.has_max_sharpe && f.max_sharpe.weights.size() != n)
    bad("max_sharpe weights do not have n entries");
  if (!f.min_volatility.weights.allFinite() ||
      (f.has_max_sharpe && !f.max_sharpe.weights.allFinite()))
    bad("non-finite portfolio weights");

  ds::Writer w(path);
  ds::write_schema(w, kSchema);
  w.attr("/", "risk_free_rate", f.risk_free_rate);
  w.attr("/", "solver", f.min_volatility.solver);
  w.write_strings("tickers", names_or_default(f.tickers, n));
  w.write("mu", f.mu.data(), {n});
  const ds::RowMatrixXd cov = f.cov;
  w.write("cov", cov.data(), {n, n});
  w.write("returns", f.returns.data(), {N});
  w.write("volatilities", f.volatilities.data(), {N});
  w.write("sharpes", f.sharpes.data(), {N});
  w.write("weights", f.weights.data(), {N, n});
  write_result(w, "min_volatility", f.min_volatility);
  if (f.has_max_sharpe) write_result(w, "max_sharpe", f.max_sharpe);
  w.commit();
}

Frontier read_frontier(const std::string& path) {
  return ds::guarded_read(path, [&]() -> Frontier {
    ds::Reader r(path);
    detail::check_file_schema(r, kSchema);
    Frontier f;
    f.tickers = r.read_strings("tickers");
    const auto n = static_cast<std::int64_t>(f.tickers.size());
    if (n == 0) r.fail("tickers", "expected at least one ticker");
    f.risk_free_rate = r.attr_double("/", "risk_free_rate");
    if (!std::isfinite(f.risk_free_rate)) r.fail("/", "attribute risk_free_rate must be finite");
    const std::vector<double> mu = r.read_f64("mu", {n});
    const std::vector<double> cov = r.read_f64("cov", {n, n});
    f.mu = Eigen::Map<const VectorXd>(mu.data(), n);
    f.cov = Eigen::Map<const ds::RowMatrixXd>(cov.data(), n, n);
    if ((f.cov - f.cov.transpose()).cwiseAbs().maxCoeff() >
        1e-12 * std::max(1.0, f.cov.cwiseAbs().maxCoeff()))
      r.fail("cov", "expected a symmetric matrix");
    ds::Shape shape;
    const std::vector<double> ret =
        r.read_f64("returns", {ds::kAnyExtent}, ds::Finite::kRequired, &shape);
    const std::int64_t N = shape[0];
    if (N < 1) r.fail("returns", "expected at least one frontier point");
    const std::vector<double> vol = r.read_f64("volatilities", {N});
    const std::vector<double> sh = r.read_f64("sharpes", {N}, ds::Finite::kAny);
    const std::vector<double> w = r.read_f64("weights", {N, n});
    f.returns = Eigen::Map<const VectorXd>(ret.data(), N);
    f.volatilities = Eigen::Map<const VectorXd>(vol.data(), N);
    f.sharpes = Eigen::Map<const VectorXd>(sh.data(), N);
    f.weights = Eigen::Map<const ds::RowMatrixXd>(w.data(), N, n);
    for (std::int64_t k = 0; k < N; ++k)
      if (f.volatilities[k] < 0)
        r.fail("volatilities", "volatility " + detail::num12(f.volatilities[k]) + " at point " +
                                   std::to_string(k) + " (expected >= 0)");
    if (!r.has("min_volatility") || !r.is_group("min_volatility"))
      r.fail("min_volatility",
             "missing (expected a group with weights of shape (" + std::to_string(n) + ",))");
    f.min_volatility = read_result(r, "min_volatility", n);
    f.has_max_sharpe = r.has("max_sharpe");
    if (f.has_max_sharpe) {
      if (!r.is_group("max_sharpe")) r.fail("max_sharpe", "expected a group");
      f.max_sharpe = read_result(r, "max_sharpe", n);
    }
    return f;
  });
}

// ---- figures ----

namespace {

struct Box {
  double x0, y0, x1, y1;
  bool hits(const Box& o) const { return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1; }
};

// Places a text label beside each point (pixel positions): the first of eight positions around
// the point whose box stays inside the frame and clear of earlier labels and of all points.
// Returns the anchors and alignments chosen (labels that fit nowhere go to the first position).
struct Placed {
  plt::Point anchor;
  plt::HAlign h;
  plt::VAlign v;
};
std::vector<Placed> place_labels(const std::vector<plt::Point>& pts,
                                 const std::vector<std::string>& labels,
                                 const std::vector<Box>& obstacles, const Box& frame, double gap) {
  std::vector<Box> taken = obstacles;
  for (const plt::Point& p : pts) taken.push_back({p.x - 3, p.y - 3, p.x + 3, p.y + 3});
  std::vector<Placed> out;
  for (std::size_t i = 0; i < pts.size(); ++i) {
    const plt::TextExtent e = plt::Canvas::measure_text(labels[i]);
    const double w = e.width, h = e.ascent + 2;
    const plt::Point p = pts[i];
    // (dx, dy) of the box's reference corner and the alignment that gives it.
    struct Cand {
      double x0, y0;
      plt::HAlign h;
      plt::VAlign v;
      plt::Point anchor;
    };
    const Cand cands[8] = {
        {p.x + gap, p.y - 0.5 * h, plt::HAlign::kLeft, plt::VAlign::kCenter, {p.x + gap, p.y}},
        {p.x - gap - w, p.y - 0.5 * h, plt::HAlign::kRight, plt::VAlign::kCenter, {p.x - gap, p.y}},
        {p.x - 0.5 * w,
         p.y - gap - h,
         plt::HAlign::kCenter,
         plt::VAlign::kBaseline,
         {p.x, p.y - gap}},
        {p.x - 0.5 * w, p.y + gap, plt::HAlign::kCenter, plt::VAlign::kTop, {p.x, p.y + gap}},
        {p.x + 0.7 * gap,
         p.y - 0.7 * gap - h,
         plt::HAlign::kLeft,
         plt::VAlign::kBaseline,
         {p.x + 0.7 * gap, p.y - 0.7 * gap}},
        {p.x + 0.7 * gap,
         p.y + 0.7 * gap,
         plt::HAlign::kLeft,
         plt::VAlign::kTop,
         {p.x + 0.7 * gap, p.y + 0.7 * gap}},
        {p.x - 0.7 * gap - w,
         p.y - 0.7 * gap - h,
         plt::HAlign::kRight,
         plt::VAlign::kBaseline,
         {p.x - 0.7 * gap, p.y - 0.7 * gap}},
        {p.x - 0.7 * gap - w,
         p.y + 0.7 * gap,
         plt::HAlign::kRight,
         plt::VAlign::kTop,
         {p.x - 0.7 * gap, p.y + 0.7 * gap}},
    };
    int pick = -1;
    double best_overlap = std::numeric_limits<double>::infinity();
    for (int c = 0; c < 8; ++c) {
      const Box b{cands[c].x0 - 1, cands[c].y0 - 1, cands[c].x0 + w + 1, cands[c].y0 + h + 1};
      if (b.x0 < frame.x0 || b.x1 > frame.x1 || b.y0 < frame.y0 || b.y1 > frame.y1) continue;
      double overlap = 0;
      for (const Box& t : taken) {
        if (!b.hits(t)) continue;
        overlap += (std::min(b.x1, t.x1) - std::max(b.x0, t.x0)) *
                   (std::min(b.y1, t.y1) - std::max(b.y0, t.y0));
      }
      if (overlap < best_overlap) {
        best_overlap = overlap;
        pick = c;
        if (overlap == 0) break;
      }
    }
    if (pick < 0) pick = 0;
    const Cand& c = cands[pick];
    taken.push_back({c.x0, c.y0, c.x0 + w, c.y0 + h});
    out.push_back({c.anchor, c.h, c.v});
  }
  return out;
}

// Pixel → data on a linear frame.
plt::Point to_data(const plt::Axes::Frame& fr, plt::Point p) {
  return {fr.x_lo + (p.x - fr.left) / (fr.right - fr.left) * (fr.x_hi - fr.x_lo),
          fr.y_lo + (fr.bottom - p.y) / (fr.bottom - fr.top) * (fr.y_hi - fr.y_lo)};
}

}  // namespace

void plot_frontier(const Frontier& f, const std::string& png_path) {
  const Index n = f.mu.size(), N = f.returns.size();
  if (n == 0 || N == 0 || f.weights.rows() != N || f.weights.cols() != n ||
      f.volatilities.size() != N || f.cov.rows() != n || f.cov.cols() != n)
    throw std::invalid_argument("plot_frontier: " + png_path + ": inconsistent frontier sizes");
  const std::vector<std::string> names = names_or_default(f.tickers, n);
  plt::Figure fig(1500, 640, 1, 2);
  fig.set_title("Efficient frontier (" + std::to_string(n) + " assets, " + std::to_string(N) +
                " points, r_f = " + percent(f.risk_free_rate) + ")");

  // ---- left: (σ, μ) plane
  plt::Axes& ax = fig.axes(0, 0);
  std::vector<double> fx(f.volatilities.data(), f.volatilities.data() + N);
  std::vector<double> fy(f.returns.data(), f.returns.data() + N);
  std::vector<double> ax_x, ax_y;
  for (Index i = 0; i < n; ++i) {
    ax_x.push_back(std::sqrt(std::max(0.0, f.cov(i, i))));
    ax_y.push_back(f.mu[i]);
  }
  double xlo = 0, xhi = 0, ylo = std::min(f.risk_free_rate, 0.0), yhi = 0;
  auto grow = [](double& lo, double& hi, double v) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  };
  for (Index k = 0; k < N; ++k) {
    grow(xlo, xhi, fx[static_cast<std::size_t>(k)]);
    grow(ylo, yhi, fy[static_cast<std::size_t>(k)]);
  }
  for (Index i = 0; i < n; ++i) {
    grow(xlo, xhi, ax_x[static_cast<std::size_t>(i)]);
    grow(ylo, yhi, ax_y[static_cast<std::size_t>(i)]);
  }
  const double xr = std::max(xhi - xlo, 1e-6), yr = std::max(yhi - ylo, 1e-6);
  xhi += 0.06 * xr;
  const double cml_end = xhi;  // the line leaves the box at the top when steep
  ylo -= 0.05 * yr;
  yhi += 0.08 * yr;
  ax.set_xlim(xlo, xhi);
  ax.set_ylim(ylo, yhi);
  percent_ticks(ax, true, xlo, xhi, 7);
  percent_ticks(ax, false, ylo, yhi, 7);

  plt::LineSeries& front = ax.plot(fx, fy, "efficient frontier");
  front.color = plt::colors::kBlue;
  front.width = 2.5;
  if (f.has_max_sharpe) {
    const double s = f.max_sharpe.sharpe;
    plt::LineSeries& cml = ax.plot(
        {0.0, cml_end}, {f.risk_free_rate, f.risk_free_rate + s * cml_end}, "capital market line");
    cml.color = plt::colors::kDarkGray;
    cml.width = 1.5;
    cml.dashed = true;
  }
  plt::ScatterSeries& assets = ax.scatter(ax_x, ax_y, "assets");
  assets.color = plt::Color{120, 120, 120};
  assets.size = 6;
  assets.alpha = 0.9;
  plt::ScatterSeries& mv =
      ax.scatter({f.min_volatility.volatility}, {f.min_volatility.expected_return},
                 "min volatility (" + percent(f.min_volatility.volatility) + ", " +
                     percent(f.min_volatility.expected_return) + ")");
  mv.color = plt::colors::kGreen;
  mv.marker = plt::Marker::kDiamond;
  mv.size = 15;
  mv.alpha = 1;
  mv.edge_width = 1;
  mv.edge_color = plt::colors::kBlack;
  if (f.has_max_sharpe) {
    plt::ScatterSeries& ms = ax.scatter({f.max_sharpe.volatility}, {f.max_sharpe.expected_return},
                                        "max Sharpe (" + percent(f.max_sharpe.volatility) + ", " +
                                            percent(f.max_sharpe.expected_return) +
                                            "; S = " + fixed(f.max_sharpe.sharpe, 2) + ")");
    ms.color = plt::colors::kRed;
    ms.marker = plt::Marker::kTriangle;
    ms.size = 16;
    ms.alpha = 1;
    ms.edge_width = 1;
    ms.edge_color = plt::colors::kBlack;
  }
  ax.set_xlabel("volatility (annualised)");
  ax.set_ylabel("expected return (annualised)");
  ax.set_title("mean-variance frontier");
  ax.set_legend(plt::Legend::kBest);

  // Asset labels: lay out once to learn the frame, then place the labels clear of each other,
  // of the points and of the frontier.
  fig.render();
  const plt::Axes::Frame fr = ax.frame();
  std::vector<plt::Point> pts;
  for (Index i = 0; i < n; ++i)
    pts.push_back(
        fr.to_pixel(ax_x[static_cast<std::size_t>(i)], ax_y[static_cast<std::size_t>(i)]));
  std::vector<Box> obstacles;
  for (Index k = 0; k < N; ++k) {
    const plt::Point p =
        fr.to_pixel(fx[static_cast<std::size_t>(k)], fy[static_cast<std::size_t>(k)]);
    obstacles.push_back({p.x - 3, p.y - 3, p.x + 3, p.y + 3});
  }
  for (const PortfolioResult* r : {&f.min_volatility, f.has_max_sharpe ? &f.max_sharpe : nullptr}) {
    if (!r) continue;
    const plt::Point p = fr.to_pixel(r->volatility, r->expected_return);
    obstacles.push_back({p.x - 9, p.y - 9, p.x + 9, p.y + 9});
  }
  const Box frame{fr.left + 2, fr.top + 2, fr.right - 2, fr.bottom - 2};
  const std::vector<Placed> placed = place_labels(pts, names, obstacles, frame, 6);
  for (std::size_t i = 0; i < placed.size(); ++i) {
    const plt::Point d = to_data(fr, placed[i].anchor);
    plt::TextAnnotation& t = ax.text(d.x, d.y, names[i]);
    t.style.halign = placed[i].h;
    t.style.valign = placed[i].v;
    t.color = plt::Color{70, 70, 70};
  }

  // ---- right: weights along the frontier
  plt::Axes& wx = fig.axes(0, 1);
  stacked_areas(wx, fx, f.weights, names, 0.01, 15);
  wx.set_xlabel("volatility (annualised)");
  wx.set_ylabel("weight");
  wx.set_title("weights along the frontier");
  wx.set_legend(plt::Legend::kOutsideRight);
  wx.set_margins(0, 0);
  double pos_max = 0, neg_min = 0;
  for (Index k = 0; k < N; ++k) {
    double p = 0, q = 0;
    for (Index i = 0; i < n; ++i) (f.weights(k, i) > 0 ? p : q) += f.weights(k, i);
    pos_max = std::max(pos_max, p);
    neg_min = std::min(neg_min, q);
  }
  const double top = std::max(pos_max, 1e-9), bottom = std::min(neg_min, 0.0);
  wx.set_ylim(bottom, top);
  percent_ticks(wx, false, bottom, top, 6);
  if (fx.front() < fx.back()) {
    wx.set_xlim(fx.front(), fx.back());
    percent_ticks(wx, true, fx.front(), fx.back(), 6);
  }
  fig.save_png(png_path);
}

void plot_weights(const PortfolioResult& result, const std::vector<std::string>& tickers,
                  const std::string& png_path) {
  const Index n = result.weights.size();
  if (n == 0) throw std::invalid_argument("plot_weights: " + png_path + ": no weights");
  if (!tickers.empty() && static_cast<Index>(tickers.size()) != n)
    throw std::invalid_argument("plot_weights: " + png_path + ": " +
                                std::to_string(tickers.size()) + " tickers for " +
                                std::to_string(n) + " weights");
  const std::vector<std::string> names = names_or_default(tickers, n);
  std::vector<int> order;
  for (Index i = 0; i < n; ++i)
    if (result.weights[i] != 0) order.push_back(static_cast<int>(i));
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return std::abs(result.weights[a]) > std::abs(result.weights[b]);
  });
  // Largest at the top: bar k (from the bottom) is order[m − 1 − k].
  const std::size_t m = order.size();
  std::vector<std::string> labels(m);
  std::vector<double> values(m);
  std::vector<plt::Color> colors(m);
  for (std::size_t k = 0; k < m; ++k) {
    const int i = order[m - 1 - k];
    labels[k] = names[static_cast<std::size_t>(i)];
    values[k] = result.weights[i];
    colors[k] = values[k] >= 0 ? plt::colors::kBlue : plt::colors::kRed;
  }
  const int height = std::max(260, 110 + 24 * static_cast<int>(std::max<std::size_t>(m, 1)));
  plt::Figure fig(820, height);
  plt::Axes& ax = fig.axes();
  const std::string problem = result.problem.empty() ? "portfolio" : result.problem;
  ax.set_title(problem + ": return " + percent(result.expected_return) + ", volatility " +
               percent(result.volatility) + ", Sharpe " + fixed(result.sharpe, 2));
  ax.set_xlabel("weight");
  ax.set_legend(plt::Legend::kNone);
  if (m == 0) {
    ax.text(0.5, 0.5, "all weights are zero").axes_fraction = true;
    fig.save_png(png_path);
    return;
  }
  plt::BarSeries& bars = ax.barh(labels, values);
  bars.colors = colors;
  bars.width = 0.7;
  double lo = std::min(0.0, *std::min_element(values.begin(), values.end()));
  double hi = std::max(0.0, *std::max_element(values.begin(), values.end()));
  const double span = std::max(hi - lo, 1e-9);
  // Room for the value labels at the bar ends.
  if (hi > 0) hi += 0.16 * span;
  if (lo < 0) lo -= 0.16 * span;
  ax.set_xlim(lo, hi);
  ax.set_ylim(-0.6, static_cast<double>(m) - 0.4);
  percent_ticks(ax, true, lo, hi, 6);
  ax.axvline(0.0, plt::colors::kDarkGray).dashed = false;
  for (std::size_t k = 0; k < m; ++k) {
    const double v = values[k];
    plt::TextAnnotation& t =
        ax.text(v + (v >= 0 ? 0.012 : -0.012) * span, static_cast<double>(k), percent(v));
    t.style.halign = v >= 0 ? plt::HAlign::kLeft : plt::HAlign::kRight;
    t.style.valign = plt::VAlign::kCenter;
  }
  fig.save_png(png_path);
}

}  // namespace adamant::finance
