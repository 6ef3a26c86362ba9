// Hierarchical Risk Parity: statistics, distances, agglomerative clustering, quasi-
// diagonalisation, recursive bisection and the dendrogram figure. Conventions and sources: see
// hrp.hpp.

#include "adamant/finance/hrp.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "adamant/plot/plot.hpp"
#include "checks.hpp"
#include "plot_helpers.hpp"

namespace adamant::finance {

namespace {

using detail::fail;
using detail::num;

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr double kInf = std::numeric_limits<double>::infinity();

void check_square_finite(const char* who, const MatrixXd& m, const char* what) {
  if (m.rows() != m.cols())
    fail(who, std::string(what) + " must be square, got " + num(m.rows()) + " x " + num(m.cols()));
  if (m.rows() < 2) fail(who, std::string(what) + " must cover at least 2 assets");
  if (!m.allFinite()) fail(who, std::string(what) + " has NaN or infinite entries");
}

// Rows >= 2, columns >= 2, no ±inf, every column with >= 2 non-NaN values.
void check_returns(const char* who, const RowMatrixXd& r) {
  if (r.cols() < 2) fail(who, "need returns of at least 2 assets, got " + num(r.cols()));
  detail::check_return_rows(who, r);
}

// Moments of columns a, b over their common non-NaN rows, two passes (pandas' nancorr):
// n, Σ(x − x̄)(y − ȳ), Σ(x − x̄)², Σ(y − ȳ)².
struct PairMoments {
  Index n = 0;
  double sxy = 0, sxx = 0, syy = 0;
};

PairMoments pair_moments(const double* a, const double* b, Index rows) {
  PairMoments m;
  double sa = 0, sb = 0;
  for (Index t = 0; t < rows; ++t) {
    if (std::isnan(a[t]) || std::isnan(b[t])) continue;
    sa += a[t];
    sb += b[t];
    ++m.n;
  }
  if (m.n == 0) return m;
  const double ma = sa / static_cast<double>(m.n), mb = sb / static_cast<double>(m.n);
  for (Index t = 0; t < rows; ++t) {
    if (std::isnan(a[t]) || std::isnan(b[t])) continue;
    const double x = a[t] - ma, y = b[t] - mb;
    m.sxy += x * y;
    m.sxx += x * x;
    m.syy += y * y;
  }
  return m;
}

// kind 0: covariance (divisor n − 1), 1: correlation.
MatrixXd pairwise(const char* who, const RowMatrixXd& returns, int kind) {
  check_returns(who, returns);
  const Index n = returns.cols(), rows = returns.rows();
  const MatrixXd x = returns;  // column-major: contiguous columns
  MatrixXd out(n, n);
  for (Index i = 0; i < n; ++i) {
    for (Index j = 0; j <= i; ++j) {
      const PairMoments m = pair_moments(x.col(i).data(), x.col(j).data(), rows);
      if (m.n < 2)
        fail(who, "returns columns " + num(j) + " and " + num(i) + " overlap on " + num(m.n) +
                      " rows (need at least 2)");
      double v;
      if (kind == 0) {
        v = m.sxy / static_cast<double>(m.n - 1);
      } else {
        const double div = std::sqrt(m.sxx * m.syy);
        if (!(div > 0))
          fail(who, "returns columns " + num(j) + " and " + num(i) +
                        " have no correlation (a constant column over their common rows)");
        v = m.sxy / div;
      }
      out(i, j) = out(j, i) = v;
    }
  }
  return out;
}

// Index of pair (i, j), i < j, in the condensed vector of n points.
inline Index condensed_index(Index n, Index i, Index j) {
  return n * i - i * (i + 1) / 2 + (j - i - 1);
}

Index points_of(const char* who, Index m) {
  // n(n − 1)/2 = m  ⇒  n = (1 + √(1 + 8m)) / 2
  const auto n =
      static_cast<Index>(std::llround((1.0 + std::sqrt(1.0 + 8.0 * static_cast<double>(m))) / 2.0));
  if (n * (n - 1) / 2 != m)
    fail(who,
         "a condensed distance vector has n(n-1)/2 entries; " + num(m) + " is not of that form");
  if (n < 2) fail(who, "need distances between at least 2 points, got " + num(m) + " entries");
  return n;
}

struct Merge {
  Index a, b;
  double height;
};

// Prim's minimum spanning tree, starting at point 0; each step joins the point y nearest to
// the tree (lowest index on ties) and records (x, y, key) with x the point joined last. Sorted
// by height and relabelled, these merges are the single-linkage dendrogram.
std::vector<Merge> single_linkage(const VectorXd& d, Index n) {
  std::vector<char> in_tree(static_cast<std::size_t>(n), 0);
  std::vector<double> key(static_cast<std::size_t>(n), kInf);
  std::vector<Merge> merges;
  merges.reserve(static_cast<std::size_t>(n - 1));
  Index x = 0;
  for (Index k = 0; k + 1 < n; ++k) {
    in_tree[static_cast<std::size_t>(x)] = 1;
    double best = kInf;
    Index y = -1;
    for (Index i = 0; i < n; ++i) {
      const auto s = static_cast<std::size_t>(i);
      if (in_tree[s]) continue;
      const double dist = d[x < i ? condensed_index(n, x, i) : condensed_index(n, i, x)];
      key[s] = std::min(key[s], dist);
      if (key[s] < best) {
        best = key[s];
        y = i;
      }
    }
    merges.push_back({x, y, best});
    x = y;
  }
  return merges;
}

// Lance-Williams update of the distance from cluster i to the union of x and y.
double lance_williams(Linkage method, double dxi, double dyi, double dxy, double nx, double ny,
                      double ni) {
  switch (method) {
    case Linkage::kComplete:
      return std::max(dxi, dyi);
    case Linkage::kAverage:
      return (nx * dxi + ny * dyi) / (nx + ny);
    case Linkage::kWeighted:
      return 0.5 * (dxi + dyi);
    case Linkage::kWard: {
      const double t = 1.0 / (nx + ny + ni);
      return std::sqrt((ni + nx) * t * dxi * dxi + (ni + ny) * t * dyi * dyi - ni * t * dxy * dxy);
    }
    case Linkage::kSingle:
    default:
      return std::min(dxi, dyi);
  }
}

// The nearest-neighbour chain: follow nearest neighbours from an active cluster until two are
// each other's nearest (the chain's predecessor wins ties, then the lowest index), merge them
// into the slot of the larger index, update the distances, continue from the rest of the chain.
std::vector<Merge> nn_chain_linkage(VectorXd d, Index n, Linkage method) {
  std::vector<Index> size(static_cast<std::size_t>(n), 1);
  std::vector<Index> chain;
  chain.reserve(static_cast<std::size_t>(n));
  std::vector<Merge> merges;
  merges.reserve(static_cast<std::size_t>(n - 1));
  auto at = [&d, n](Index i, Index j) -> double& {
    return d[i < j ? condensed_index(n, i, j) : condensed_index(n, j, i)];
  };
  for (Index k = 0; k + 1 < n; ++k) {
    if (chain.empty()) {
      for (Index i = 0; i < n; ++i)
        if (size[static_cast<std::size_t>(i)] > 0) {
          chain.push_back(i);
          break;
        }
    }
    Index x = 0, y = -1;
    double best = kInf;
    while (true) {
      x = chain.back();
      const bool has_prev = chain.size() > 1;
      y = has_prev ? chain[chain.size() - 2] : -1;
      best = has_prev ? at(x, y) : kInf;
      for (Index i = 0; i < n; ++i) {
        if (size[static_cast<std::size_t>(i)] == 0 || i == x) continue;
        const double dist = at(x, i);
        if (dist < best) {
          best = dist;
          y = i;
        }
      }
      if (has_prev && y == chain[chain.size() - 2]) break;
      chain.push_back(y);
    }
    chain.pop_back();
    chain.pop_back();
    if (x > y) std::swap(x, y);
    const Index nx = size[static_cast<std::size_t>(x)], ny = size[static_cast<std::size_t>(y)];
    merges.push_back({x, y, best});
    size[static_cast<std::size_t>(x)] = 0;
    size[static_cast<std::size_t>(y)] = nx + ny;
    for (Index i = 0; i < n; ++i) {
      const Index ni = size[static_cast<std::size_t>(i)];
      if (ni == 0 || i == y) continue;
      at(i, y) = lance_williams(method, at(i, x), at(i, y), best, static_cast<double>(nx),
                                static_cast<double>(ny), static_cast<double>(ni));
    }
  }
  return merges;
}

// Stable sort by height, then cluster ids by union-find: the clusters containing the two
// recorded points are merged into a new id n + k (smaller id first).
MatrixXd to_linkage_matrix(std::vector<Merge> merges, Index n) {
  std::stable_sort(merges.begin(), merges.end(),
                   [](const Merge& p, const Merge& q) { return p.height < q.height; });
  std::vector<Index> parent(static_cast<std::size_t>(2 * n - 1));
  std::iota(parent.begin(), parent.end(), Index{0});
  std::vector<Index> count(static_cast<std::size_t>(2 * n - 1), 1);
  auto find = [&parent](Index v) {
    Index root = v;
    while (parent[static_cast<std::size_t>(root)] != root)
      root = parent[static_cast<std::size_t>(root)];
    while (parent[static_cast<std::size_t>(v)] != root) {
      const Index next = parent[static_cast<std::size_t>(v)];
      parent[static_cast<std::size_t>(v)] = root;
      v = next;
    }
    return root;
  };
  MatrixXd z(n - 1, 4);
  for (Index k = 0; k + 1 < n; ++k) {
    const Merge& m = merges[static_cast<std::size_t>(k)];
    const Index ra = find(m.a), rb = find(m.b);
    const Index id = n + k;
    parent[static_cast<std::size_t>(ra)] = id;
    parent[static_cast<std::size_t>(rb)] = id;
    count[static_cast<std::size_t>(id)] =
        count[static_cast<std::size_t>(ra)] + count[static_cast<std::size_t>(rb)];
    z(k, 0) = static_cast<double>(std::min(ra, rb));
    z(k, 1) = static_cast<double>(std::max(ra, rb));
    z(k, 2) = m.height;
    z(k, 3) = static_cast<double>(count[static_cast<std::size_t>(id)]);
  }
  return z;
}

// The children of every cluster of a validated linkage matrix.
struct Tree {
  Index n = 0;
  std::vector<Index> left, right;  // indexed by cluster id − n
};

Tree validate_linkage(const char* who, const MatrixXd& z) {
  if (z.cols() != 4 || z.rows() < 1)
    fail(who,
         "a linkage matrix is (n-1) x 4 with n >= 2, got " + num(z.rows()) + " x " + num(z.cols()));
  if (!z.allFinite()) fail(who, "the linkage matrix has NaN or infinite entries");
  Tree t;
  t.n = z.rows() + 1;
  std::vector<Index> count(static_cast<std::size_t>(2 * t.n - 1), 1);
  std::vector<char> used(static_cast<std::size_t>(2 * t.n - 1), 0);
  for (Index k = 0; k < z.rows(); ++k) {
    Index child[2];
    for (int c = 0; c < 2; ++c) {
      const double v = z(k, c);
      if (v != std::floor(v) || v < 0 || v >= static_cast<double>(t.n + k))
        fail(who, "linkage row " + num(k) + ": cluster id " + num(v) +
                      " is not an asset or an earlier cluster");
      child[c] = static_cast<Index>(v);
      if (used[static_cast<std::size_t>(child[c])]++)
        fail(who, "linkage row " + num(k) + ": cluster " + num(v) + " is merged twice");
    }
    const Index want =
        count[static_cast<std::size_t>(child[0])] + count[static_cast<std::size_t>(child[1])];
    if (z(k, 3) != static_cast<double>(want))
      fail(who, "linkage row " + num(k) + ": count " + num(z(k, 3)) + ", the children hold " +
                    num(want));
    count[static_cast<std::size_t>(t.n + k)] = want;
    t.left.push_back(child[0]);
    t.right.push_back(child[1]);
  }
  return t;
}

void check_order(const char* who, const std::vector<int>& order, Index n) {
  if (static_cast<Index>(order.size()) != n)
    fail(who, "order has " + num(static_cast<double>(order.size())) + " entries for " + num(n) +
                  " assets");
  std::vector<char> seen(static_cast<std::size_t>(n), 0);
  for (int i : order) {
    if (i < 0 || i >= n || seen[static_cast<std::size_t>(i)]++)
      fail(who, "order must be a permutation of 0.." + num(n - 1) + " (bad entry " + num(i) + ")");
  }
}

// From the correlation (and the covariance of the bisection): distances, tree, weights.
HrpResult cluster_and_allocate(const char* who, MatrixXd corr, const MatrixXd& bisect_cov,
                               const HrpOptions& o) {
  if (!corr.allFinite()) fail(who, "the correlation matrix has NaN or infinite entries");
  HrpResult r;
  r.method = o.linkage;
  r.distance = o.distance;
  r.dist = correlation_distance(corr);
  if (o.distance == HrpDistance::kDistanceOfDistances) r.dist = distance_of_distances(r.dist);
  r.corr = std::move(corr);
  r.linkage = linkage(condensed_distances(r.dist), o.linkage);
  r.order = leaf_order(r.linkage);
  r.weights = recursive_bisection(bisect_cov, r.order);
  return r;
}

}  // namespace

// ---- names ----

const std::vector<std::string>& linkage_methods() {
  static const std::vector<std::string> names = {"single", "complete", "average", "weighted",
                                                 "ward"};
  return names;
}

std::string linkage_name(Linkage method) {
  return linkage_methods()[static_cast<std::size_t>(method)];
}

Linkage linkage_from_name(const std::string& name) {
  const auto& names = linkage_methods();
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<Linkage>(i);
  std::string list;
  for (const auto& k : names) list += (list.empty() ? "" : ", ") + k;
  fail("linkage", "unknown linkage method \"" + name + "\" (known: " + list + ")");
}

std::string hrp_distance_name(HrpDistance distance) {
  return distance == HrpDistance::kCorrelation ? "correlation" : "distance_of_distances";
}

HrpDistance hrp_distance_from_name(const std::string& name) {
  if (name == "correlation") return HrpDistance::kCorrelation;
  if (name == "distance_of_distances") return HrpDistance::kDistanceOfDistances;
  fail("hrp", "unknown distance \"" + name + "\" (known: correlation, distance_of_distances)");
}

// ---- statistics and distances ----

MatrixXd pairwise_correlation(const RowMatrixXd& returns) {
  return pairwise("pairwise_correlation", returns, 1);
}

MatrixXd pairwise_covariance(const RowMatrixXd& returns) {
  return pairwise("pairwise_covariance", returns, 0);
}

MatrixXd cov_to_corr(const MatrixXd& cov) {
  const char* who = "cov_to_corr";
  check_square_finite(who, cov, "the covariance matrix");
  const Index n = cov.rows();
  VectorXd dinv(n);
  for (Index i = 0; i < n; ++i) {
    if (!(cov(i, i) > 0))
      fail(who, "variance " + num(i) + " must be positive, got " + num(cov(i, i)));
    dinv[i] = 1.0 / std::sqrt(cov(i, i));
  }
  MatrixXd corr(n, n);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < n; ++j) corr(i, j) = dinv[i] * (cov(i, j) * dinv[j]);
  return corr;
}

MatrixXd correlation_distance(const MatrixXd& corr) {
  const char* who = "correlation_distance";
  check_square_finite(who, corr, "the correlation matrix");
  return ((1.0 - corr.array()) / 2.0).max(0.0).min(1.0).sqrt().matrix();
}

MatrixXd distance_of_distances(const MatrixXd& dist) {
  const char* who = "distance_of_distances";
  check_square_finite(who, dist, "the distance matrix");
  const Index n = dist.rows();
  MatrixXd out = MatrixXd::Zero(n, n);
  for (Index i = 0; i < n; ++i)
    for (Index j = i + 1; j < n; ++j) {
      double s = 0;
      for (Index k = 0; k < n; ++k) {
        const double e = dist(k, i) - dist(k, j);
        s += e * e;
      }
      out(i, j) = out(j, i) = std::sqrt(s);
    }
  return out;
}

VectorXd condensed_distances(const MatrixXd& dist) {
  const char* who = "condensed_distances";
  check_square_finite(who, dist, "the distance matrix");
  const Index n = dist.rows();
  VectorXd out(n * (n - 1) / 2);
  Index k = 0;
  for (Index i = 0; i < n; ++i)
    for (Index j = i + 1; j < n; ++j) out[k++] = dist(i, j);
  return out;
}

// ---- clustering ----

MatrixXd linkage(const VectorXd& condensed, Linkage method) {
  const char* who = "linkage";
  const Index n = points_of(who, condensed.size());
  for (Index k = 0; k < condensed.size(); ++k)
    if (!(condensed[k] >= 0) || std::isinf(condensed[k]))
      fail(who, "distance " + num(k) + " must be finite and >= 0, got " + num(condensed[k]));
  if (static_cast<int>(method) < 0 || static_cast<int>(method) > static_cast<int>(Linkage::kWard))
    fail(who, "unknown linkage method");
  std::vector<Merge> merges = method == Linkage::kSingle ? single_linkage(condensed, n)
                                                         : nn_chain_linkage(condensed, n, method);
  return to_linkage_matrix(std::move(merges), n);
}

std::vector<int> leaf_order(const MatrixXd& z) {
  const Tree t = validate_linkage("leaf_order", z);
  std::vector<int> out;
  out.reserve(static_cast<std::size_t>(t.n));
  std::vector<Index> stack = {2 * t.n - 2};
  while (!stack.empty()) {
    const Index id = stack.back();
    stack.pop_back();
    if (id < t.n) {
      out.push_back(static_cast<int>(id));
      continue;
    }
    const auto c = static_cast<std::size_t>(id - t.n);
    stack.push_back(t.right[c]);  // popped after the whole left subtree
    stack.push_back(t.left[c]);
  }
  if (static_cast<Index>(out.size()) != t.n)
    fail("leaf_order", "the linkage matrix is not one tree over " + num(t.n) + " assets");
  return out;
}

// ---- allocation ----

double cluster_variance(const MatrixXd& cov, const std::vector<int>& items) {
  const char* who = "cluster_variance";
  check_square_finite(who, cov, "the covariance matrix");
  if (items.empty()) fail(who, "a cluster needs at least one asset");
  const Index m = static_cast<Index>(items.size());
  VectorXd w(m);
  for (Index k = 0; k < m; ++k) {
    const int i = items[static_cast<std::size_t>(k)];
    if (i < 0 || i >= cov.rows()) fail(who, "asset index " + num(i) + " out of range");
    if (!(cov(i, i) > 0))
      fail(who, "variance " + num(i) + " must be positive, got " + num(cov(i, i)));
    w[k] = 1.0 / cov(i, i);
  }
  w /= w.sum();
  double v = 0;
  for (Index a = 0; a < m; ++a) {
    double row = 0;
    for (Index b = 0; b < m; ++b)
      row += w[b] * cov(items[static_cast<std::size_t>(b)], items[static_cast<std::size_t>(a)]);
    v += row * w[a];
  }
  return v;
}

VectorXd recursive_bisection(const MatrixXd& cov, const std::vector<int>& order) {
  const char* who = "recursive_bisection";
  check_square_finite(who, cov, "the covariance matrix");
  check_order(who, order, cov.rows());
  VectorXd w = VectorXd::Ones(cov.rows());
  std::vector<std::vector<int>> clusters = {order};
  while (!clusters.empty()) {
    std::vector<std::vector<int>> halves;
    for (const auto& c : clusters) {
      if (c.size() < 2) continue;
      const auto mid = static_cast<std::ptrdiff_t>(c.size() / 2);
      halves.emplace_back(c.begin(), c.begin() + mid);
      halves.emplace_back(c.begin() + mid, c.end());
    }
    for (std::size_t p = 0; p + 1 < halves.size(); p += 2) {
      const double v1 = cluster_variance(cov, halves[p]);
      const double v2 = cluster_variance(cov, halves[p + 1]);
      const double alpha = 1 - v1 / (v1 + v2);
      for (int i : halves[p]) w[i] *= alpha;
      for (int i : halves[p + 1]) w[i] *= 1 - alpha;
    }
    clusters = std::move(halves);
  }
  return w;
}

HrpResult hrp(const RowMatrixXd& returns, const HrpOptions& options) {
  const char* who = "hrp";
  if (options.frequency < 1)
    fail(who, "frequency must be >= 1 (periods per year), got " + num(options.frequency));
  MatrixXd corr = pairwise_correlation(returns);
  const MatrixXd cov = pairwise_covariance(returns);
  HrpResult r = cluster_and_allocate(who, std::move(corr), cov, options);
  const double f = options.frequency;
  r.cov = cov * f;
  r.mu.resize(returns.cols());
  for (Index j = 0; j < returns.cols(); ++j) {
    double s = 0;
    Index k = 0;
    for (Index t = 0; t < returns.rows(); ++t) {
      if (std::isnan(returns(t, j))) continue;
      s += returns(t, j);
      ++k;
    }
    r.mu[j] = s / static_cast<double>(k) * f;
  }
  return r;
}

HrpResult hrp_from_cov(const MatrixXd& cov, const HrpOptions& options) {
  const char* who = "hrp_from_cov";
  check_square_finite(who, cov, "the covariance matrix");
  if ((cov - cov.transpose()).cwiseAbs().maxCoeff() >
      1e-12 * std::max(1.0, cov.cwiseAbs().maxCoeff()))
    fail(who, "the covariance matrix is not symmetric");
  MatrixXd corr = cov_to_corr(cov);
  // numpy's round(x, 6): rint(x · 10⁶) / 10⁶ (ties to even).
  corr = corr.unaryExpr([](double v) { return std::nearbyint(v * 1e6) / 1e6; });
  HrpResult r = cluster_and_allocate(who, std::move(corr), cov, options);
  r.cov = cov;
  return r;
}

// ---- figure ----

void plot_dendrogram(const HrpResult& r, const std::vector<std::string>& tickers,
                     const std::string& png_path) {
  namespace plt = adamant::plot;
  using detail::percent;
  const Index n = r.weights.size();
  auto bad = [&](const std::string& what) {
    throw std::invalid_argument("plot_dendrogram: " + png_path + ": " + what);
  };
  if (n < 2 || r.linkage.rows() != n - 1 || static_cast<Index>(r.order.size()) != n)
    bad("inconsistent HRP result sizes");
  if (!tickers.empty() && static_cast<Index>(tickers.size()) != n)
    bad(std::to_string(tickers.size()) + " tickers for " + std::to_string(n) + " weights");
  const Tree t = validate_linkage("plot_dendrogram", r.linkage);
  std::vector<std::string> names;
  for (Index i = 0; i < n; ++i)
    names.push_back(tickers.empty() ? "asset" + std::to_string(i)
                                    : tickers[static_cast<std::size_t>(i)]);

  // Positions: leaf k of the order at x = k; a cluster midway between its children.
  std::vector<double> x(static_cast<std::size_t>(2 * n - 1), 0.0), h(x);
  for (Index k = 0; k < n; ++k)
    x[static_cast<std::size_t>(r.order[static_cast<std::size_t>(k)])] = k;
  double top = 0;
  for (Index k = 0; k + 1 < n; ++k) {
    const auto id = static_cast<std::size_t>(n + k);
    const auto a = static_cast<std::size_t>(t.left[static_cast<std::size_t>(k)]);
    const auto b = static_cast<std::size_t>(t.right[static_cast<std::size_t>(k)]);
    x[id] = 0.5 * (x[a] + x[b]);
    h[id] = r.linkage(k, 2);
    top = std::max(top, h[id]);
  }
  // Colours: each maximal subtree below 70 % of the top height gets its own colour (scipy's
  // default colour_threshold); the links above it are grey.
  const double threshold = 0.7 * top;
  std::vector<int> colour(static_cast<std::size_t>(2 * n - 1), -1);
  int next = 0;
  for (Index id = 2 * n - 2; id >= n; --id) {  // parents before children
    const auto s = static_cast<std::size_t>(id);
    if (colour[s] < 0 && h[s] < threshold) colour[s] = next++;
    const auto c = static_cast<std::size_t>(id - n);
    colour[static_cast<std::size_t>(t.left[c])] = colour[s];
    colour[static_cast<std::size_t>(t.right[c])] = colour[s];
  }

  const int width = std::clamp(140 + 34 * static_cast<int>(n), 900, 2400);
  plt::Figure fig(width, 820, 2, 1);
  fig.set_title("Hierarchical risk parity: " + linkage_name(r.method) + " linkage, " +
                (r.distance == HrpDistance::kCorrelation ? std::string("correlation distance")
                                                         : std::string("distance of distances")) +
                ", " + std::to_string(n) + " assets");
  std::vector<double> at;
  std::vector<std::string> leaf_names;
  for (Index k = 0; k < n; ++k) {
    at.push_back(static_cast<double>(k));
    leaf_names.push_back(names[static_cast<std::size_t>(r.order[static_cast<std::size_t>(k)])]);
  }
  const double xlo = -0.6, xhi = static_cast<double>(n) - 0.4;

  plt::Axes& ax = fig.axes(0, 0);
  for (Index k = 0; k + 1 < n; ++k) {
    const auto id = static_cast<std::size_t>(n + k);
    const auto a = static_cast<std::size_t>(t.left[static_cast<std::size_t>(k)]);
    const auto b = static_cast<std::size_t>(t.right[static_cast<std::size_t>(k)]);
    plt::LineSeries& link = ax.plot({x[a], x[a], x[b], x[b]}, {h[a], h[id], h[id], h[b]});
    link.color = colour[id] < 0 ? plt::Color{110, 110, 110} : detail::palette(colour[id] + 1);
    link.width = 1.75;
  }
  ax.set_xlim(xlo, xhi);
  ax.set_ylim(0.0, top > 0 ? 1.05 * top : 1.0);
  ax.set_xticks(at, leaf_names);
  ax.set_ylabel("merge height (distance)");
  ax.set_title("dendrogram (leaves in quasi-diagonal order)");
  ax.set_legend(plt::Legend::kNone);
  ax.set_frame_padding(72, 24);

  plt::Axes& wx = fig.axes(1, 0);
  std::vector<double> wv;
  for (Index k = 0; k < n; ++k) wv.push_back(r.weights[r.order[static_cast<std::size_t>(k)]]);
  plt::BarSeries& bars = wx.bar(at, wv, "weight");
  bars.color = plt::colors::kBlue;
  bars.width = 0.7;
  const double wmax = std::max(1e-9, *std::max_element(wv.begin(), wv.end()));
  wx.set_xlim(xlo, xhi);
  wx.set_ylim(0.0, 1.15 * wmax);
  wx.set_xticks(at, leaf_names);
  detail::percent_ticks(wx, false, 0.0, 1.15 * wmax, 6);
  wx.set_ylabel("weight");
  wx.set_title("HRP weights (recursive bisection)");
  wx.set_legend(plt::Legend::kNone);
  wx.set_frame_padding(72, 24);
  if (n <= 40)
    for (Index k = 0; k < n; ++k) {
      plt::TextAnnotation& label =
          wx.text(static_cast<double>(k), wv[static_cast<std::size_t>(k)] + 0.02 * wmax,
                  percent(wv[static_cast<std::size_t>(k)]));
      label.style.halign = plt::HAlign::kCenter;
      label.style.valign = plt::VAlign::kBottom;
    }
  fig.save_png(png_path);
}

}  // namespace adamant::finance
