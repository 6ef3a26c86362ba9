// Best-first branch and bound for "at most K assets, each held one at least w_min"
// (CardinalityOptions, portfolio.hpp).
//
// Each asset i with bounds [l, u] may be out (wᵢ = 0, when l ≤ 0 ≤ u) or held in one of at most
// two pieces: long [max(l, w_min), u] and, with w_min > 0, short [l, min(u, −w_min)] (with
// w_min = 0 one piece, [l, u]). A node fixes some assets out and some in a piece; the others keep
// the convex hull of their options, and the count limit is dropped. Solving that relaxation by the
// exact solver gives a lower bound on every portfolio of the node's subtree (a minimum over a
// superset), attained when the relaxed portfolio itself satisfies the limits. Otherwise the node
// branches on one asset:
//   - an asset held below w_min (the most ambiguous one, |wᵢ| nearest w_min / 2), else
//   - with more than K held, the largest held asset not yet decided,
// into an out child and one in child per piece. A child starts with its parent's bound; when the
// parent's portfolio lies within the child's bounds it is the child's optimum too (no solve).
// Once K assets are in, every undecided asset goes out. Children are warm-started at the
// parent's portfolio projected onto their box and budget. Incumbents come from the relaxations
// that satisfy the limits and from a rounding heuristic (the K largest held assets, re-solved on
// that support) at the root and every 16th node. Nodes are taken by least bound (ties by creation
// order, so the search is deterministic); the search stops when the least bound is within the
// gap tolerance of the incumbent, or at the node or time limit with the proven gap.
//
// Sources: Bienstock (1996), "Computational study of a family of mixed-integer quadratic
// programming problems", Math. Programming 74; Bertsimas & Shioda (2009), "Algorithm for
// cardinality-constrained quadratic optimization", Comput. Optim. Appl. 43.
#include "cardinality.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <queue>
#include <sstream>
#include <vector>

#include "adamant/core/projection.hpp"
#include "checks.hpp"

namespace adamant::finance {

std::string CardinalityOptions::validate(int n) const {
  std::ostringstream os;
  if (max_assets < 0 || max_assets > n) {
    os << "cardinality: max_assets must be in [1, " << n << "] (0: no limit), got " << max_assets;
    return os.str();
  }
  if (!(min_weight >= 0) || !std::isfinite(min_weight)) {
    os << "cardinality: min_weight must be finite and >= 0, got " << min_weight;
    return os.str();
  }
  if (!(time_limit > 0)) {
    os << "cardinality: time_limit must be > 0 seconds (inf: none), got " << time_limit;
    return os.str();
  }
  if (max_nodes < 0) return "cardinality: max_nodes must be >= 0 (0: no limit)";
  if (!(gap_tolerance >= 0) || !std::isfinite(gap_tolerance))
    return "cardinality: gap_tolerance must be finite and >= 0";
  if (!(hold_tolerance >= 0) || !std::isfinite(hold_tolerance))
    return "cardinality: hold_tolerance must be finite and >= 0";
  return "";
}

namespace detail {
namespace {

using Eigen::VectorXd;
constexpr double kInf = std::numeric_limits<double>::infinity();

enum State : signed char { kFree = 0, kOut = 1, kLong = 2, kShort = 3 };

// The options of one asset.
struct Asset {
  bool zero_ok = false;  // wᵢ = 0 allowed
  bool has_long = false, has_short = false;
  double long_lo = 0, long_hi = 0, short_lo = 0, short_hi = 0;
  double hull_lo = 0, hull_hi = 0;  // convex hull of the allowed set
};

struct Node {
  double bound = -kInf;  // a lower bound on the subtree (the parent's relaxation)
  long order = 0;        // creation order: ties in the queue
  std::vector<signed char> state;
  std::shared_ptr<const PortfolioResult> parent;  // the parent's relaxation (root: none)
  std::shared_ptr<const VectorXd> seed;  // the parent's last perspective portfolio (or none)
};

struct LaterFirst {
  bool operator()(const Node& a, const Node& b) const {
    return a.bound > b.bound || (a.bound == b.bound && a.order > b.order);
  }
};

class Search {
 public:
  Search(const char* problem, int n, const PortfolioOptions& o, const NodeSolver& solve,
         PerspectiveTerm perspective)
      : problem_(problem),
        n_(n),
        o_(o),
        c_(o.cardinality),
        solve_(solve),
        perspective_(perspective) {
    const VectorXd lo = o.constraints.lower_vector(n), hi = o.constraints.upper_vector(n);
    budget_ = o.constraints.target_sum();
    const double wmin = c_.min_weight;
    assets_.resize(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      Asset& a = assets_[static_cast<std::size_t>(i)];
      a.zero_ok = lo[i] <= 0 && 0 <= hi[i];
      if (wmin == 0) {
        a.has_long = true;
        a.long_lo = lo[i];
        a.long_hi = hi[i];
      } else {
        a.long_lo = std::max(lo[i], wmin);
        a.long_hi = hi[i];
        a.has_long = a.long_lo <= a.long_hi;
        a.short_lo = lo[i];
        a.short_hi = std::min(hi[i], -wmin);
        a.has_short = a.short_lo <= a.short_hi;
      }
      a.hull_lo = kInf;
      a.hull_hi = -kInf;
      auto widen = [&a](double l, double h) {
        a.hull_lo = std::min(a.hull_lo, l);
        a.hull_hi = std::max(a.hull_hi, h);
      };
      if (a.zero_ok) widen(0, 0);
      if (a.has_long) widen(a.long_lo, a.long_hi);
      if (a.has_short) widen(a.short_lo, a.short_hi);
      if (!a.zero_ok && !a.has_long && !a.has_short)
        throw InfeasibleError(std::string(problem) + ": asset " + std::to_string(i) +
                              "'s bounds [" + num12(lo[i]) + ", " + num12(hi[i]) +
                              "] admit neither 0 nor a holding of at least min_weight " +
                              num12(wmin));
    }
  }

  PortfolioResult run() {
    const auto t0 = std::chrono::steady_clock::now();
    auto seconds = [&t0]() {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    };
    Node root;
    root.state.assign(static_cast<std::size_t>(n_), kFree);
    int forced_in = 0;
    for (int i = 0; i < n_; ++i) {
      const Asset& a = assets_[static_cast<std::size_t>(i)];
      if (!a.zero_ok) {  // held whatever happens: in its only piece
        root.state[static_cast<std::size_t>(i)] = a.has_long ? kLong : kShort;
        ++forced_in;
      } else if (!a.has_long && !a.has_short) {
        root.state[static_cast<std::size_t>(i)] = kOut;
      }
    }
    if (c_.max_assets > 0 && forced_in > c_.max_assets)
      throw InfeasibleError(std::string(problem_) + ": " + std::to_string(forced_in) +
                            " assets have bounds that exclude 0, more than max_assets = " +
                            std::to_string(c_.max_assets));
    close_if_full(root.state);
    queue_.push(std::move(root));

    double last_report = 0;
    bool limit = false;
    while (!queue_.empty()) {
      if (queue_.top().bound >= incumbent_ - tolerance()) break;  // every open node is pruned
      if ((c_.max_nodes > 0 && nodes_ >= c_.max_nodes) || seconds() >= c_.time_limit) {
        limit = true;
        break;
      }
      Node node = queue_.top();
      queue_.pop();
      process(node);
      if (c_.progress && seconds() - last_report >= 1.0) {
        last_report = seconds();
        c_.progress(progress(seconds()));
      }
    }
    const double open_bound = queue_.empty() ? kInf : queue_.top().bound;
    if (!has_incumbent_) {
      if (limit)
        throw std::runtime_error(
            std::string(problem_) + ": the " +
            (c_.max_nodes > 0 && nodes_ >= c_.max_nodes ? "node" : "time") +
            " limit of the cardinality search was reached after " + std::to_string(nodes_) +
            " nodes before any portfolio satisfying max_assets = " + std::to_string(c_.max_assets) +
            " and min_weight = " + num12(c_.min_weight) +
            " was found; raise time_limit / max_nodes");
      throw InfeasibleError(std::string(problem_) + ": no portfolio with at most " +
                            (c_.max_assets > 0 ? std::to_string(c_.max_assets) : std::string("n")) +
                            " assets, each held at least " + num12(c_.min_weight) +
                            ", satisfies the constraints");
    }
    PortfolioResult r = best_;
    r.nodes = nodes_;
    r.iterations = iterations_;
    r.bound = std::min(open_bound, incumbent_);
    const double scale = std::max(std::abs(incumbent_), 1e-12);
    r.gap = std::max(0.0, (incumbent_ - r.bound) / scale);
    r.optimal = !limit;  // a limit stops the search only while the gap exceeds the tolerance
    if (c_.progress) c_.progress(progress(seconds()));
    return r;
  }

 private:
  double tolerance() const {
    return has_incumbent_ ? c_.gap_tolerance * std::max(std::abs(incumbent_), 1e-12) : 0.0;
  }

  BranchProgress progress(double s) const {
    BranchProgress p;
    p.nodes = nodes_;
    p.open = static_cast<long>(queue_.size());
    p.incumbent = incumbent_;
    p.bound = queue_.empty() ? incumbent_ : std::min(incumbent_, queue_.top().bound);
    p.seconds = s;
    return p;
  }

  int count_in(const std::vector<signed char>& st) const {
    int k = 0;
    for (signed char s : st) k += s == kLong || s == kShort;
    return k;
  }

  // With K assets in, the undecided ones are out.
  void close_if_full(std::vector<signed char>& st) const {
    if (c_.max_assets == 0 || count_in(st) < c_.max_assets) return;
    for (signed char& s : st)
      if (s == kFree) s = kOut;
  }

  void bounds_of(const std::vector<signed char>& st, VectorXd& lo, VectorXd& hi) const {
    lo.resize(n_);
    hi.resize(n_);
    for (int i = 0; i < n_; ++i) {
      const Asset& a = assets_[static_cast<std::size_t>(i)];
      switch (st[static_cast<std::size_t>(i)]) {
        case kOut:
          lo[i] = hi[i] = 0;
          break;
        case kLong:
          lo[i] = a.long_lo;
          hi[i] = a.long_hi;
          break;
        case kShort:
          lo[i] = a.short_lo;
          hi[i] = a.short_hi;
          break;
        default:
          lo[i] = a.hull_lo;
          hi[i] = a.hull_hi;
      }
    }
  }

  // The relaxation of the node with bounds [lo, hi], warm-started near `near` (may be null).
  // False when it is infeasible.
  bool relax(const VectorXd& lo, const VectorXd& hi, const VectorXd* near, bool root,
             PortfolioResult& out, const VectorXd* cov_add = nullptr) {
    const double slo = lo.sum(), shi = hi.sum();
    const double tol = 1e-12 * std::max(1.0, std::abs(budget_));
    if (slo > budget_ + tol || shi < budget_ - tol) return false;  // bounds cannot meet the budget
    PortfolioOptions node = o_;
    node.cardinality = CardinalityOptions{};
    node.constraints.lower_bounds = lo;
    node.constraints.upper_bounds = hi;
    node.start.resize(0);
    if (near) {
      node.start.resize(n_);
      core::project_box_hyperplane(*near, lo, hi, budget_, node.start);
    }
    ++solves_;
    try {
      out = solve_(node, root, cov_add);
    } catch (const InfeasibleError&) {
      if (root) throw;
      return false;
    }
    iterations_ += out.iterations;
    return true;
  }

  bool held(double w) const { return std::abs(w) > c_.hold_tolerance; }

  // The portfolio satisfies the limits exactly (no tolerance): it can be the incumbent as is.
  bool exactly_feasible(const VectorXd& w) const {
    int k = 0;
    for (int i = 0; i < n_; ++i) {
      if (w[i] == 0) continue;
      ++k;
      if (std::abs(w[i]) < c_.min_weight) return false;
    }
    return c_.max_assets == 0 || k <= c_.max_assets;
  }

  void offer(const PortfolioResult& r) {
    if (!has_incumbent_ || r.objective < incumbent_) {
      has_incumbent_ = true;
      incumbent_ = r.objective;
      best_ = r;
    }
  }

  // Re-solves with exactly the assets of `support` held (with the sign of w), the rest out, and
  // offers the result.
  void solve_support(const std::vector<signed char>& base, const std::vector<int>& support,
                     const VectorXd& w) {
    std::vector<signed char> st = base;
    for (signed char& s : st)
      if (s == kFree) s = kOut;
    for (int i : support) {
      const Asset& a = assets_[static_cast<std::size_t>(i)];
      if (st[static_cast<std::size_t>(i)] != kOut) continue;  // already in
      const State piece =
          w[i] >= 0 ? (a.has_long ? kLong : kShort) : (a.has_short ? kShort : kLong);
      if (piece == kLong ? !a.has_long : !a.has_short) continue;
      st[static_cast<std::size_t>(i)] = piece;
    }
    VectorXd lo, hi;
    bounds_of(st, lo, hi);
    PortfolioResult r;
    if (relax(lo, hi, &w, false, r)) offer(r);
  }

  // Rounding: the assets in, then the largest held undecided ones up to K (all held ones when
  // there is no count limit, those at least w_min / 2 with a minimum weight).
  void round(const std::vector<signed char>& st, const VectorXd& w) {
    std::vector<int> cand;
    for (int i = 0; i < n_; ++i)
      if (st[static_cast<std::size_t>(i)] == kFree && held(w[i]) &&
          std::abs(w[i]) >= 0.5 * c_.min_weight)
        cand.push_back(i);
    std::stable_sort(cand.begin(), cand.end(),
                     [&w](int a, int b) { return std::abs(w[a]) > std::abs(w[b]); });
    if (c_.max_assets > 0) {
      const int room = c_.max_assets - count_in(st);
      if (static_cast<int>(cand.size()) > room) cand.resize(static_cast<std::size_t>(room));
    }
    solve_support(st, cand, w);
  }

  // z minimising Σ wᵢ²/zᵢ over 0 < zᵢ ≤ 1, Σzᵢ = k for the free assets F (zᵢ = min(1, |wᵢ|/θ),
  // the k-support norm's weights), floored at a small positive value so that every zᵢ > 0.
  void optimal_z(const std::vector<int>& F, const VectorXd& w, int k, VectorXd& z) const {
    std::vector<double> a;
    a.reserve(F.size());
    for (int i : F) a.push_back(std::abs(w[i]));
    std::sort(a.begin(), a.end(), std::greater<double>());
    double tail = 0;
    for (double v : a) tail += v;
    double theta = 0;
    for (int r = 0; r < k; ++r) {  // r assets capped at 1, the rest ∝ |w|
      theta = tail / (k - r);
      if (a[static_cast<std::size_t>(r)] <= theta) break;
      tail -= a[static_cast<std::size_t>(r)];
      theta = 0;
    }
    const double floor = 1e-4 * k / static_cast<double>(F.size());
    double sum = 0;
    for (int i : F) {
      const double v = theta > 0 ? std::min(1.0, std::abs(w[i]) / theta) : 1.0;
      z[i] = std::max(v, floor);
      sum += z[i];
    }
    if (sum > k)
      for (int i : F) z[i] *= k / sum;
  }

  // A lower bound on the node's subtree from the perspective relaxation g(z) = min_w F(w, z)
  // (cardinality.hpp: the objective with coefficient·wᵢ²/zᵢ for the free assets), convex in z:
  // g(z) + min over {0 ≤ z' ≤ 1, Σz' ≤ k} of ∇g(z)ᵀ(z' − z) with ∂g/∂zᵢ = −coefficient·wᵢ²/zᵢ²
  // (a Frank–Wolfe bound; the minimum puts z' = 1 on the k most negative entries), at a few z
  // improved by alternating minimisation (z optimal for the last w), starting from the z optimal
  // for `seed` (the parent's last perspective portfolio, or the node's relaxation). −∞ when not
  // applicable. `last`: the last perspective portfolio (the children's seed).
  double perspective_bound(const std::vector<signed char>& st, const VectorXd& lo,
                           const VectorXd& hi, const VectorXd& seed, VectorXd& last) {
    if (perspective_.coefficient <= 0 || c_.max_assets == 0) return -kInf;
    std::vector<int> F;
    for (int i = 0; i < n_; ++i)
      if (st[static_cast<std::size_t>(i)] == kFree) F.push_back(i);
    const int k = c_.max_assets - count_in(st);
    if (k <= 0 || static_cast<int>(F.size()) <= k) return -kInf;
    const double coef = perspective_.coefficient;
    VectorXd z = VectorXd::Ones(n_), add = VectorXd::Zero(n_);
    optimal_z(F, seed, k, z);
    const VectorXd* near = &seed;
    PortfolioResult q;
    double best = -kInf;
    std::vector<double> grad(F.size());
    for (int it = 0; it < 8; ++it) {
      for (int i : F) add[i] = coef * (1 / z[i] - 1) / perspective_.cov_scale;
      if (!relax(lo, hi, near, false, q, &add)) break;
      last = q.weights;  // (may alias seed, which is read only before this point)
      near = &last;
      double lin = 0;
      for (std::size_t j = 0; j < F.size(); ++j) {
        const int i = F[j];
        grad[j] = -coef * q.weights[i] * q.weights[i] / (z[i] * z[i]);
        lin -= grad[j] * z[i];
      }
      std::nth_element(grad.begin(), grad.begin() + (k - 1), grad.end());
      for (int j = 0; j < k; ++j) lin += std::min(0.0, grad[static_cast<std::size_t>(j)]);
      const double lb = q.objective + lin;
      best = std::max(best, lb);
      if (best >= incumbent_ - tolerance()) break;                  // pruned already
      if (q.objective - lb <= 1e-9 * std::abs(q.objective)) break;  // z optimal
      optimal_z(F, last, k, z);
    }
    return best;
  }

  void push_child(const Node& parent, std::vector<signed char> st, double bound,
                  const std::shared_ptr<const PortfolioResult>& relaxed,
                  const std::shared_ptr<const VectorXd>& seed) {
    close_if_full(st);
    Node child;
    child.bound = std::max(bound, parent.bound);
    child.order = ++created_;
    child.state = std::move(st);
    child.parent = relaxed;
    child.seed = seed;
    queue_.push(std::move(child));
  }

  void process(const Node& node) {
    ++nodes_;
    VectorXd lo, hi;
    bounds_of(node.state, lo, hi);
    PortfolioResult r;
    const bool root = !node.parent;
    // The parent's optimum, when it lies in this node's box, is this node's optimum.
    const bool reuse = !root && ((node.parent->weights.array() >= lo.array()).all() &&
                                 (node.parent->weights.array() <= hi.array()).all());
    if (reuse) {
      r = *node.parent;
    } else if (!relax(lo, hi, root ? nullptr : &node.parent->weights, root, r)) {
      return;  // infeasible: pruned
    }
    if (r.objective >= incumbent_ - tolerance()) return;  // bound: pruned
    const VectorXd& w = r.weights;

    // Which asset to branch on.
    int branch = -1;
    double best_score = -1;
    int held_count = 0;
    for (int i = 0; i < n_; ++i) {
      if (!held(w[i])) continue;
      ++held_count;
      if (node.state[static_cast<std::size_t>(i)] != kFree) continue;
      const double a = std::abs(w[i]);
      if (a < c_.min_weight - c_.hold_tolerance) {
        const double score = std::min(a, c_.min_weight - a);
        if (score > best_score) {
          best_score = score;
          branch = i;
        }
      }
    }
    if (branch < 0 && c_.max_assets > 0 && held_count > c_.max_assets) {
      for (int i = 0; i < n_; ++i) {
        if (node.state[static_cast<std::size_t>(i)] != kFree || !held(w[i])) continue;
        if (branch < 0 || std::abs(w[i]) > std::abs(w[branch])) branch = i;
      }
    }
    if (branch < 0) {
      // Within tolerance the relaxed portfolio satisfies the limits: the node's optimum.
      if (exactly_feasible(w)) {
        offer(r);
      } else {
        std::vector<int> support;
        for (int i = 0; i < n_; ++i)
          if (held(w[i])) support.push_back(i);
        solve_support(node.state, support, w);
      }
      return;
    }
    // The perspective bound, for pruning and for the children.
    double bound = r.objective;
    std::shared_ptr<const VectorXd> seed = node.seed;
    if (perspective_.coefficient > 0) {
      VectorXd last = seed ? *seed : w;
      bound = std::max(bound, perspective_bound(node.state, lo, hi, last, last));
      if (bound >= incumbent_ - tolerance()) return;
      seed = std::make_shared<const VectorXd>(std::move(last));
    }
    if (root || ++branched_ % 16 == 0) round(node.state, w);

    auto shared = std::make_shared<const PortfolioResult>(r);
    const Asset& a = assets_[static_cast<std::size_t>(branch)];
    // In children first in creation order: with equal bounds they are taken first (depth first
    // towards a full support, which finds incumbents early).
    for (const State piece : {kLong, kShort}) {
      if (piece == kLong ? !a.has_long : !a.has_short) continue;
      std::vector<signed char> st = node.state;
      st[static_cast<std::size_t>(branch)] = piece;
      push_child(node, std::move(st), bound, shared, seed);
    }
    if (a.zero_ok) {
      std::vector<signed char> st = node.state;
      st[static_cast<std::size_t>(branch)] = kOut;
      push_child(node, std::move(st), bound, shared, seed);
    }
  }

  const char* problem_;
  int n_;
  const PortfolioOptions& o_;
  const CardinalityOptions& c_;
  const NodeSolver& solve_;
  PerspectiveTerm perspective_;
  double budget_ = 1;
  std::vector<Asset> assets_;
  std::priority_queue<Node, std::vector<Node>, LaterFirst> queue_;
  long nodes_ = 0, solves_ = 0, created_ = 0, branched_ = 0;
  int iterations_ = 0;
  bool has_incumbent_ = false;
  double incumbent_ = kInf;
  PortfolioResult best_;
};

}  // namespace

PortfolioResult branch_and_bound(const char* problem, int n, const PortfolioOptions& o,
                                 const NodeSolver& solve, PerspectiveTerm perspective) {
  return Search(problem, n, o, solve, perspective).run();
}

}  // namespace detail
}  // namespace adamant::finance
