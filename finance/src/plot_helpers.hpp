#pragma once
// Plotting helpers shared by the finance figures (frontier.cpp, backtest.cpp); internal.

#include <Eigen/Dense>
#include <algorithm>
#include <cstdio>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "adamant/datasets/schema.hpp"
#include "adamant/plot/plot.hpp"

namespace adamant::finance::detail {

namespace plt = adamant::plot;
namespace ds = adamant::datasets;
using Eigen::Index;
using Eigen::VectorXd;

inline std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

/// "12.3%" (with U+2212 for negatives).
inline std::string percent(double v, int digits = 1) {
  std::string s = fixed(100 * v, digits) + "%";
  if (s.front() == '-') {
    if (s.find_first_not_of("-0.%") == std::string::npos) return s.substr(1);  // "−0.0%"
    s = "\xE2\x88\x92" + s.substr(1);
  }
  return s;
}

// 20 distinguishable colours: tab10, then its lighter shades.
inline plt::Color palette(int i) {
  const int k = ((i % 20) + 20) % 20;
  return k < 10 ? plt::tab10(k) : plt::mix(plt::tab10(k - 10), plt::colors::kWhite, 0.5);
}

// Percent tick labels on [lo, hi].
inline void percent_ticks(plt::Axes& ax, bool x_axis, double lo, double hi, int target) {
  const std::vector<double> at = plt::nice_ticks(lo, hi, target);
  const double step = at.size() > 1 ? at[1] - at[0] : 1.0;
  const int digits = step >= 0.00999 ? 0 : (step >= 0.000999 ? 1 : 2);
  std::vector<std::string> labels;
  for (double v : at) {
    labels.push_back(percent(v, digits));
  }
  if (x_axis)
    ax.set_xticks(at, labels);
  else
    ax.set_yticks(at, labels);
}

// Stacked areas of the columns of `w` (rows along x): positive parts upward from 0, negative
// parts downward. Columns never above `threshold` in |w| are summed into "other"; at most
// `max_named` columns keep their names (the largest by their peak |w|).
inline void stacked_areas(plt::Axes& ax, const std::vector<double>& x, const ds::RowMatrixXd& w,
                          const std::vector<std::string>& names, double threshold, int max_named) {
  const Index m = w.rows(), n = w.cols();
  std::vector<int> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  VectorXd peak = w.cwiseAbs().colwise().maxCoeff().transpose();
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return peak[a] > peak[b]; });
  std::vector<int> named;
  for (int i : order)
    if (peak[i] > threshold && static_cast<int>(named.size()) < max_named) named.push_back(i);
  std::sort(named.begin(), named.end());  // ticker order, stable colours
  std::vector<bool> is_named(static_cast<std::size_t>(n), false);
  for (int i : named) is_named[static_cast<std::size_t>(i)] = true;
  std::vector<std::pair<std::string, VectorXd>> groups;
  for (std::size_t k = 0; k < named.size(); ++k)
    groups.emplace_back(names[static_cast<std::size_t>(named[k])], w.col(named[k]));
  VectorXd other = VectorXd::Zero(m);
  bool any_other = false;
  for (Index i = 0; i < n; ++i)
    if (!is_named[static_cast<std::size_t>(i)]) {
      other += w.col(i);
      any_other = any_other || w.col(i).cwiseAbs().maxCoeff() > 0;
    }
  if (any_other) groups.emplace_back("other", other);
  std::vector<double> pos(static_cast<std::size_t>(m), 0.0), neg(pos);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const VectorXd& v = groups[g].second;
    std::vector<double> lo(static_cast<std::size_t>(m)), hi(lo);
    bool has_neg = false;
    for (Index k = 0; k < m; ++k) {
      const auto s = static_cast<std::size_t>(k);
      lo[s] = pos[s];
      pos[s] += std::max(0.0, v[k]);
      hi[s] = pos[s];
      has_neg = has_neg || v[k] < 0;
    }
    const plt::Color col = groups[g].first == "other" && g + 1 == groups.size()
                               ? plt::Color{190, 190, 190}
                               : palette(static_cast<int>(g));
    plt::BandSeries& band = ax.fill_between(x, lo, hi, col, groups[g].first);
    band.alpha = 0.9;
    if (has_neg) {
      for (Index k = 0; k < m; ++k) {
        const auto s = static_cast<std::size_t>(k);
        hi[s] = neg[s];
        neg[s] += std::min(0.0, v[k]);
        lo[s] = neg[s];
      }
      ax.fill_between(x, lo, hi, col).alpha = 0.9;
    }
  }
}

}  // namespace adamant::finance::detail
