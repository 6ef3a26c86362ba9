#include "adamant/finance/portfolio.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <numeric>
#include <sstream>

#include "adamant/core/optimizer.hpp"
#include "adamant/core/projection.hpp"
#include "adamant/core/schedule.hpp"
#include "cardinality.hpp"
#include "checks.hpp"

namespace adamant::finance {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr double kInf = std::numeric_limits<double>::infinity();

// The feasible set in explicit form.
struct Feasible {
  int n = 0;
  VectorXd lo, hi;
  double b = 1;
  std::vector<SectorConstraint> sectors;
  MatrixXd extra_eq = MatrixXd(0, 0);  // extra equality rows (efficient_return: μᵀ)
  VectorXd extra_b;
  bool simple() const { return sectors.empty() && extra_eq.rows() == 0; }
};

// `factor`: when not null and Σ is positive definite, its lower Cholesky factor (the PSD test's
// by-product, handed to the solver so that it does not factorise Σ again), else left empty.
void check_inputs(const char* problem, const VectorXd& mu, const MatrixXd& cov,
                  MatrixXd* factor = nullptr) {
  const std::string p = problem;
  if (mu.size() == 0) throw std::invalid_argument(p + ": expected returns are empty");
  if (cov.rows() != mu.size() || cov.cols() != mu.size()) {
    std::ostringstream os;
    os << p << ": size mismatch: " << mu.size() << " expected returns but the covariance is "
       << cov.rows() << "×" << cov.cols();
    throw std::invalid_argument(os.str());
  }
  for (Index i = 0; i < mu.size(); ++i)
    if (!std::isfinite(mu[i]))
      throw std::invalid_argument(p + ": expected return " + std::to_string(i) +
                                  " is NaN or infinite");
  if (!cov.allFinite()) throw std::invalid_argument(p + ": the covariance contains NaN or Inf");
  const Index n = cov.rows();
  const double scale = std::max(1e-300, cov.cwiseAbs().maxCoeff());
  double asym = 0;
  for (Index j = 0; j < n; ++j)
    for (Index i = j + 1; i < n; ++i) asym = std::max(asym, std::abs(cov(i, j) - cov(j, i)));
  if (asym > 1e-10 * scale)
    throw std::invalid_argument(p + ": the covariance matrix is not symmetric");
  // PSD: accept when λ_min ≥ −1e-10·max(1, |λ_max|). Fast sufficient test first: a Cholesky
  // factorisation of Σ + τI with τ = 1e-10·max(1, max_i Σ_ii) ≤ the tolerance above (the
  // largest diagonal entry is a lower bound of λ_max) succeeds only when λ_min > −τ (to
  // rounding). When it fails, the eigenvalues decide (and name the smallest in the message).
  if (factor) {  // (in place: the lower triangle becomes L, the upper keeps Σ's, unused)
    *factor = cov;
    Eigen::LLT<Eigen::Ref<MatrixXd>> llt(*factor);
    if (llt.info() == Eigen::Success) return;  // positive definite
    factor->resize(0, 0);
  }
  const double tau = 1e-10 * std::max(1.0, cov.diagonal().maxCoeff());
  MatrixXd shifted = cov;
  shifted.diagonal().array() += tau;
  if (Eigen::LLT<MatrixXd, Eigen::Lower>(shifted).info() == Eigen::Success) return;
  Eigen::SelfAdjointEigenSolver<MatrixXd> es(cov, Eigen::EigenvaluesOnly);
  const double lmin = es.eigenvalues()[0], lmax = es.eigenvalues()[mu.size() - 1];
  if (lmin < -1e-10 * std::max(1.0, std::abs(lmax)))
    throw std::invalid_argument(
        p + ": the covariance matrix is not positive semidefinite (smallest eigenvalue " +
        detail::num12(lmin) + "); repair it with finance::fix_nonpositive_semidefinite");
}

Feasible make_feasible(const char* problem, int n, const PortfolioConstraints& c) {
  if (auto m = c.validate(n); !m.empty())
    throw std::invalid_argument(std::string(problem) + ": " + m);
  Feasible f;
  f.n = n;
  f.lo = c.lower_vector(n);
  f.hi = c.upper_vector(n);
  f.b = c.target_sum();
  f.sectors = c.sectors;
  const double slo = f.lo.sum(), shi = f.hi.sum();
  if (slo > f.b || shi < f.b)
    throw InfeasibleError(std::string(problem) + ": infeasible bounds: the weights cannot sum to " +
                          detail::num12(f.b) + " (sum of lower bounds " + detail::num12(slo) +
                          ", sum of upper bounds " + detail::num12(shi) + ")");
  return f;
}

// QP over w (and u⁺, u⁻ when kappa > 0): ½wᵀQw + qᵀw + κ1ᵀ(u⁺ + u⁻), constraints of C.
QpProblem build_qp(const Feasible& C, const MatrixXd& Q, const VectorXd& q, double kappa,
                   const VectorXd& wprev) {
  const int n = C.n;
  const bool l1 = kappa > 0;
  const Index nv = l1 ? 3 * n : n;
  QpProblem p;
  p.H = MatrixXd::Zero(nv, nv);
  p.H.topLeftCorner(n, n) = Q;
  p.c = VectorXd::Zero(nv);
  p.c.head(n) = q;
  if (l1) p.c.tail(2 * n).setConstant(kappa);
  const Index me = 1 + C.extra_eq.rows() + (l1 ? n : 0);
  p.A_eq = MatrixXd::Zero(me, nv);
  p.b_eq = VectorXd::Zero(me);
  p.A_eq.row(0).head(n).setOnes();
  p.b_eq[0] = C.b;
  for (Index r = 0; r < C.extra_eq.rows(); ++r) {
    p.A_eq.row(1 + r).head(n) = C.extra_eq.row(r);
    p.b_eq[1 + r] = C.extra_b[r];
  }
  if (l1) {
    const Index r0 = 1 + C.extra_eq.rows();
    p.A_eq.block(r0, 0, n, n) = MatrixXd::Identity(n, n);
    p.A_eq.block(r0, n, n, n) = -MatrixXd::Identity(n, n);
    p.A_eq.block(r0, 2 * n, n, n) = MatrixXd::Identity(n, n);
    p.b_eq.segment(r0, n) = wprev;
  }
  std::vector<std::pair<VectorXd, double>> rows;
  for (int i = 0; i < n; ++i) {
    VectorXd a = VectorXd::Zero(nv);
    a[i] = 1;
    if (std::isfinite(C.lo[i])) rows.emplace_back(a, C.lo[i]);
    if (std::isfinite(C.hi[i])) rows.emplace_back(-a, -C.hi[i]);
  }
  for (const auto& s : C.sectors) {
    VectorXd a = VectorXd::Zero(nv);
    for (int i : s.assets) a[i] = 1;
    if (std::isfinite(s.lower)) rows.emplace_back(a, s.lower);
    if (std::isfinite(s.upper)) rows.emplace_back(-a, -s.upper);
  }
  if (l1)
    for (Index i = n; i < nv; ++i) {
      VectorXd a = VectorXd::Zero(nv);
      a[i] = 1;
      rows.emplace_back(a, 0.0);
    }
  p.A_in = MatrixXd::Zero(static_cast<Index>(rows.size()), nv);
  p.b_in = VectorXd::Zero(static_cast<Index>(rows.size()));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    p.A_in.row(static_cast<Index>(r)) = rows[r].first.transpose();
    p.b_in[static_cast<Index>(r)] = rows[r].second;
  }
  return p;
}

// A starting guess: the projection of equal weights onto box ∩ hyperplane.
VectorXd simple_start(const Feasible& C) {
  VectorXd y = VectorXd::Constant(C.n, C.b / C.n);
  VectorXd x(C.n);
  core::project_box_hyperplane(y, C.lo, C.hi, C.b, x);
  return x;
}

VectorXd prev_or_zero(const PortfolioOptions& o, int n) {
  return o.w_prev.size() == n ? o.w_prev : VectorXd::Zero(n);
}

void fill_performance(PortfolioResult& r, const VectorXd& mu, const MatrixXd& cov, double rf) {
  const Performance p = portfolio_performance(r.weights, mu, cov, rf);
  r.expected_return = p.expected_return;
  r.volatility = p.volatility;
  r.sharpe = p.sharpe;
}

void throw_status(const std::string& problem, QpStatus s) {
  if (s == QpStatus::kInfeasible)
    throw InfeasibleError(problem + ": the constraints are infeasible (no weights satisfy the " +
                          "budget, bounds, sector and target constraints together)");
  if (s == QpStatus::kUnbounded)
    throw InfeasibleError(problem + ": the problem is unbounded over the feasible set (add " +
                          "weight bounds or risk aversion)");
}

// The problem in solve_structured_qp's form: the budget row, the bounds, sectors and extra
// equalities (efficient_return's μᵀw = r*) as general rows, ℓ1 costs as kinks at w_prev.
StructuredQpProblem structured(const Feasible& C, const MatrixXd& Q, const VectorXd& q,
                               double kappa, const VectorXd& wprev) {
  const int n = C.n;
  StructuredQpProblem sp;
  sp.H = Q;
  sp.c = q;
  sp.a = VectorXd::Ones(n);
  sp.b = C.b;
  sp.lower = C.lo;
  sp.upper = C.hi;
  const Index m = static_cast<Index>(C.sectors.size()) + C.extra_eq.rows();
  sp.R = MatrixXd::Zero(m, n);
  sp.r_lower.resize(m);
  sp.r_upper.resize(m);
  Index r = 0;
  for (const auto& s : C.sectors) {
    for (int i : s.assets) sp.R(r, i) = 1;
    sp.r_lower[r] = s.lower;
    sp.r_upper[r++] = s.upper;
  }
  for (Index e = 0; e < C.extra_eq.rows(); ++e) {
    sp.R.row(r) = C.extra_eq.row(e);
    sp.r_lower[r] = sp.r_upper[r] = C.extra_b[e];
    ++r;
  }
  if (kappa > 0) {
    sp.kappa = VectorXd::Constant(n, kappa);
    sp.kink = wprev;
  }
  return sp;
}

// Exact: solve the QP over w — structured (free-set Cholesky, qp.hpp) by default, the dense
// solver on the general form (ℓ1 split) with exploit_bounds off.
// `Q_factor`: a lower Cholesky factor of Q, when known (the solver then need not compute it;
// it is moved from).
PortfolioResult solve_exact(const std::string& problem, const Feasible& C, const MatrixXd& Q,
                            const VectorXd& q, const PortfolioOptions& o,
                            MatrixXd* Q_factor = nullptr) {
  const int n = C.n;
  QpResult r;
  const VectorXd wp = prev_or_zero(o, n);
  if (o.active_set.exploit_bounds) {
    const VectorXd* start = o.start.size() == n ? &o.start : nullptr;
    StructuredQpWorkspace ws;
    if (Q_factor) {
      ws.h_diagonal = Q.diagonal();
      ws.L = std::move(*Q_factor);
      ws.keep_factor = false;  // one call: the solver may take it over
    }
    r = solve_structured_qp(structured(C, Q, q, o.l1_kappa, wp), o.active_set, start, nullptr,
                            nullptr, Q_factor ? &ws : nullptr);
  } else {
    const QpProblem qp = build_qp(C, Q, q, o.l1_kappa, wp);
    VectorXd start = VectorXd::Zero(qp.c.size());
    start.head(n) = simple_start(C);
    if (o.l1_kappa > 0) {
      start.segment(n, n) = (start.head(n) - wp).cwiseMax(0.0);
      start.tail(n) = (wp - start.head(n)).cwiseMax(0.0);
    }
    r = solve_qp(qp, o.active_set, &start);
  }
  if (r.status != QpStatus::kOptimal) {
    throw_status(problem, r.status);
    throw std::runtime_error(problem + ": active-set solver stopped: " + to_string(r.status));
  }
  PortfolioResult out;
  out.problem = problem;
  out.solver = "active_set";
  out.weights = r.x.head(n);
  out.objective = r.objective;
  out.iterations = r.iterations;
  out.converged = true;
  out.kkt_residual = r.kkt_residual;
  out.duality_gap = r.duality_gap;
  return out;
}

// ---- Adam path ----

class ProxMap {
 public:
  ProxMap(const Feasible& C, double kappa, VectorXd wprev, const ActiveSetOptions& as)
      : C_(C), kappa_(kappa), wprev_(std::move(wprev)), as_(as) {
    if (!C_.simple()) {
      proj_ = build_qp(C_, MatrixXd::Identity(C_.n, C_.n), VectorXd::Zero(C_.n), 0.0, wprev_);
    }
  }
  // out = prox_{t h}(z) with h = κ‖· − w_prev‖₁ + ι_C; `feasible` is a point of C (warm start).
  void prox(const VectorXd& z, double t, const VectorXd& feasible, VectorXd& out) {
    if (C_.simple()) {
      if (kappa_ > 0)
        core::prox_l1_box_hyperplane(z, wprev_, t * kappa_, C_.lo, C_.hi, C_.b, out, &ws_);
      else
        core::project_box_hyperplane(z, C_.lo, C_.hi, C_.b, out, &ws_);
      return;
    }
    proj_.c = -z;
    const QpResult r = solve_qp(proj_, as_, &feasible);
    if (r.status != QpStatus::kOptimal)
      throw std::runtime_error("projection QP failed: " + std::string(to_string(r.status)));
    out = r.x;
  }

 private:
  const Feasible& C_;
  double kappa_;
  VectorXd wprev_;
  ActiveSetOptions as_;
  QpProblem proj_;
  core::ProjectionWorkspace ws_;
};

using SmoothFn = std::function<double(const VectorXd&, VectorXd*)>;

PortfolioResult solve_adam(const std::string& problem, const Feasible& C, const SmoothFn& f,
                           double eta, VectorXd w, const PortfolioOptions& o) {
  const int n = C.n;
  if (o.l1_kappa > 0 && !C.simple())
    throw std::invalid_argument(problem +
                                ": the Adam solver supports ℓ1 transaction costs only with box "
                                "and budget constraints (no sectors or target return); use "
                                "PortfolioSolver::kActiveSet");
  ProxMap pm(C, o.l1_kappa, prev_or_zero(o, n), o.active_set);
  const AdamSolverOptions& ao = o.adam;
  core::OptimizerOptions oo;
  oo.schedule = core::Schedule::exponential(ao.adam.lr, ao.lr_decay);
  auto opt = std::make_unique<core::Optimizer<double>>(ao.adam, static_cast<std::size_t>(n), oo);
  VectorXd g(n), wp(n), G(n), params(n), tmp(n);
  // w must be feasible.
  pm.prox(w, 0.0, w, tmp);
  w = tmp;
  PortfolioResult out;
  out.problem = problem;
  out.solver = "adam";
  double res = kInf;
  int it = 0;
  for (; it < ao.max_iterations; ++it) {
    f(w, &g);
    pm.prox(w - eta * g, eta, w, wp);
    G = (w - wp) / eta;
    res = eta * G.cwiseAbs().maxCoeff();
    if (res <= ao.tolerance) break;
    if (opt->current_lr() < ao.restart_lr)
      opt = std::make_unique<core::Optimizer<double>>(ao.adam, static_cast<std::size_t>(n), oo);
    params = w;
    opt->step(params, G);
    pm.prox(params, 0.0, w, tmp);  // exact projection onto C (t = 0: no ℓ1 shrinkage)
    w = tmp;
  }
  out.weights = wp;
  out.iterations = it;
  out.converged = res <= ao.tolerance;
  out.kkt_residual = res;
  out.objective = f(wp, nullptr);
  if (o.l1_kappa > 0) out.objective += o.l1_kappa * (wp - prev_or_zero(o, n)).lpNorm<1>();
  return out;
}

double lambda_max(const MatrixXd& m) {
  Eigen::SelfAdjointEigenSolver<MatrixXd> es(m, Eigen::EigenvaluesOnly);
  return std::max(es.eigenvalues().maxCoeff(), 1e-300);
}

// `cov_factor`, `scale`: Q = scale·Σ with L the lower Cholesky factor of Σ (or null), used by
// the exact solver when there is no L2 term (the factor of Q is then √scale·L).
PortfolioResult solve_quadratic(const std::string& problem, const Feasible& C, const MatrixXd& Q,
                                const VectorXd& q, const PortfolioOptions& o,
                                const MatrixXd* cov_factor = nullptr, double scale = 1) {
  const double gamma = o.l2_gamma;
  MatrixXd with_l2;  // Q + 2γI (Q itself without L2: no n² copy)
  if (gamma != 0) with_l2 = Q + 2 * gamma * MatrixXd::Identity(C.n, C.n);
  const MatrixXd& Qt = gamma != 0 ? with_l2 : Q;
  if (o.solver == PortfolioSolver::kActiveSet) {
    // The factor helps the short-position start (long-only problems start from a vertex).
    const bool use = cov_factor && cov_factor->size() > 0 && gamma == 0 && (C.lo.array() < 0).any();
    MatrixXd LQ = use ? MatrixXd(std::sqrt(scale) * *cov_factor) : MatrixXd();
    return solve_exact(problem, C, Qt, q, o, use ? &LQ : nullptr);
  }
  SmoothFn f = [&Q, &q, gamma](const VectorXd& w, VectorXd* grad) {
    return quadratic_objective(Q, q, gamma, w, grad);
  };
  const double eta = 1.0 / lambda_max(Qt);
  return solve_adam(problem, C, f, eta, simple_start(C), o);
}

// Min/max of μᵀw over C; ±∞ when unbounded. Without sectors and with every lower bound finite
// these LPs are fractional knapsacks, solved exactly by filling assets from their lower bounds in
// order of μ (O(n log n)); otherwise by the dense solver.
std::pair<double, double> return_range(const Feasible& C, const VectorXd& mu,
                                       const ActiveSetOptions& as) {
  if (C.simple() && C.lo.allFinite()) {
    std::vector<Index> order(static_cast<std::size_t>(C.n));
    std::iota(order.begin(), order.end(), Index{0});
    std::stable_sort(order.begin(), order.end(), [&](Index i, Index j) { return mu[i] > mu[j]; });
    auto fill = [&](bool best_first) {
      double left = C.b - C.lo.sum(), value = mu.dot(C.lo);
      for (std::size_t k = 0; k < order.size() && left > 0; ++k) {
        const Index i = order[best_first ? k : order.size() - 1 - k];
        const double take = std::min(left, C.hi[i] - C.lo[i]);
        value += take * mu[i];
        left -= take;
      }
      return value;
    };
    return {fill(false), fill(true)};
  }
  const MatrixXd Z = MatrixXd::Zero(C.n, C.n);
  const VectorXd start = simple_start(C);
  double lo = -kInf, hi = kInf;
  for (int sgn : {1, -1}) {
    const QpProblem lp = build_qp(C, Z, sgn * mu, 0.0, VectorXd());
    const QpResult r = solve_qp(lp, as, &start);
    if (r.status == QpStatus::kInfeasible) throw_status("efficient_return", r.status);
    if (r.status == QpStatus::kOptimal) (sgn > 0 ? lo : hi) = mu.dot(r.x);
  }
  return {lo, hi};
}

}  // namespace

// ---- constraints & options ----

PortfolioConstraints PortfolioConstraints::long_only() { return PortfolioConstraints{}; }

PortfolioConstraints PortfolioConstraints::unbounded() {
  PortfolioConstraints c;
  c.lower = -kInf;
  c.upper = kInf;
  return c;
}

Eigen::VectorXd PortfolioConstraints::lower_vector(int n) const {
  return lower_bounds.size() > 0 ? lower_bounds : VectorXd::Constant(n, lower);
}
Eigen::VectorXd PortfolioConstraints::upper_vector(int n) const {
  return upper_bounds.size() > 0 ? upper_bounds : VectorXd::Constant(n, upper);
}

std::string PortfolioConstraints::validate(int n) const {
  std::ostringstream os;
  if (n < 1) return "PortfolioConstraints: need at least one asset";
  if (!market_neutral && !std::isfinite(budget))
    return "PortfolioConstraints: budget must be finite";
  if (lower_bounds.size() != 0 && lower_bounds.size() != n) {
    os << "PortfolioConstraints: lower_bounds has " << lower_bounds.size() << " entries for " << n
       << " assets";
    return os.str();
  }
  if (upper_bounds.size() != 0 && upper_bounds.size() != n) {
    os << "PortfolioConstraints: upper_bounds has " << upper_bounds.size() << " entries for " << n
       << " assets";
    return os.str();
  }
  const VectorXd lo = lower_vector(n), hi = upper_vector(n);
  for (int i = 0; i < n; ++i) {
    if (std::isnan(lo[i]) || std::isnan(hi[i]) || lo[i] == kInf || hi[i] == -kInf ||
        lo[i] > hi[i]) {
      os << "PortfolioConstraints: invalid bounds for asset " << i << ": [" << lo[i] << ", "
         << hi[i] << "]";
      return os.str();
    }
  }
  for (const auto& s : sectors) {
    if (s.assets.empty()) return "PortfolioConstraints: sector '" + s.name + "' has no assets";
    std::vector<int> seen(static_cast<std::size_t>(n), 0);
    for (int i : s.assets) {
      if (i < 0 || i >= n) {
        os << "PortfolioConstraints: sector '" << s.name << "' names asset " << i << " (n = " << n
           << ")";
        return os.str();
      }
      if (seen[static_cast<std::size_t>(i)]++)
        return "PortfolioConstraints: sector '" + s.name + "' names an asset twice";
    }
    if (std::isnan(s.lower) || std::isnan(s.upper) || s.lower > s.upper)
      return "PortfolioConstraints: sector '" + s.name + "' has lower > upper or NaN bounds";
  }
  return "";
}

std::string AdamSolverOptions::validate() const {
  if (!(adam.lr > 0)) return "AdamSolverOptions: adam.lr must be > 0";
  if (!(lr_decay > 0 && lr_decay <= 1)) return "AdamSolverOptions: lr_decay must be in (0, 1]";
  if (!(restart_lr >= 0)) return "AdamSolverOptions: restart_lr must be ≥ 0";
  if (max_iterations < 1) return "AdamSolverOptions: max_iterations must be ≥ 1";
  if (!(tolerance > 0)) return "AdamSolverOptions: tolerance must be > 0";
  return "";
}

std::string PortfolioOptions::validate(int n) const {
  if (auto m = constraints.validate(n); !m.empty()) return m;
  if (!(l2_gamma >= 0) || !std::isfinite(l2_gamma)) return "PortfolioOptions: l2_gamma must be ≥ 0";
  if (!(l1_kappa >= 0) || !std::isfinite(l1_kappa)) return "PortfolioOptions: l1_kappa must be ≥ 0";
  if (w_prev.size() != 0 && w_prev.size() != n) {
    std::ostringstream os;
    os << "PortfolioOptions: w_prev has " << w_prev.size() << " entries for " << n << " assets";
    return os.str();
  }
  if (w_prev.size() != 0 && !w_prev.allFinite()) return "PortfolioOptions: w_prev is not finite";
  if (!std::isfinite(risk_free_rate)) return "PortfolioOptions: risk_free_rate must be finite";
  if (start.size() != 0 && start.size() != n) {
    std::ostringstream os;
    os << "PortfolioOptions: start has " << start.size() << " entries for " << n << " assets";
    return os.str();
  }
  if (start.size() != 0 && !start.allFinite()) return "PortfolioOptions: start is not finite";
  if (auto m = active_set.validate(); !m.empty()) return m;
  if (auto m = adam.validate(); !m.empty()) return m;
  if (auto m = cardinality.validate(n); !m.empty()) return m;
  return "";
}

// ---- objectives ----

Performance portfolio_performance(const VectorXd& w, const VectorXd& mu, const MatrixXd& cov,
                                  double rf) {
  if (w.size() != mu.size() || cov.rows() != mu.size() || cov.cols() != mu.size())
    throw std::invalid_argument("portfolio_performance: sizes of w, mu and cov do not match");
  Performance p;
  p.expected_return = w.dot(mu);
  p.volatility = std::sqrt(std::max(0.0, w.dot(cov * w)));
  p.sharpe = (p.expected_return - rf) / p.volatility;
  return p;
}

double quadratic_objective(const MatrixXd& Q, const VectorXd& q, double gamma, const VectorXd& w,
                           VectorXd* grad) {
  const VectorXd Qw = Q * w;
  if (grad) *grad = Qw + q + 2 * gamma * w;
  return 0.5 * w.dot(Qw) + q.dot(w) + gamma * w.squaredNorm();
}

double negative_sharpe(const VectorXd& mu, const MatrixXd& cov, double rf, const VectorXd& w,
                       VectorXd* grad) {
  const VectorXd Sw = cov * w;
  const double var = w.dot(Sw);
  const double s = std::sqrt(var);
  const double a = mu.dot(w) - rf;
  if (grad) *grad = -mu / s + (a / (var * s)) * Sw;
  return -a / s;
}

VectorXd project_onto_constraints(const VectorXd& z, const PortfolioConstraints& constraints) {
  const Feasible C =
      make_feasible("project_onto_constraints", static_cast<int>(z.size()), constraints);
  ActiveSetOptions as;
  ProxMap pm(C, 0.0, VectorXd::Zero(C.n), as);
  VectorXd start = simple_start(C), out(C.n);
  pm.prox(z, 0.0, start, out);
  return out;
}

std::pair<double, double> attainable_return_range(const VectorXd& mu,
                                                  const PortfolioConstraints& constraints,
                                                  const ActiveSetOptions& active_set) {
  const Feasible C =
      make_feasible("attainable_return_range", static_cast<int>(mu.size()), constraints);
  return return_range(C, mu, active_set);
}

namespace {

// The perspective term of an objective s·wᵀΣw + γ‖w‖² + … (cardinality.hpp): d a little below
// λ_min(Σ), so that Σ − dI stays positive semidefinite to rounding.
detail::PerspectiveTerm perspective_term(const MatrixXd& cov, double s, double gamma) {
  Eigen::SelfAdjointEigenSolver<MatrixXd> es(cov, Eigen::EigenvaluesOnly);
  const double lmin = es.eigenvalues()[0], lmax = es.eigenvalues()[cov.rows() - 1];
  const double d = std::max(0.0, lmin - 1e-9 * std::max(lmax, 0.0));
  detail::PerspectiveTerm t;
  t.coefficient = s * d + gamma;
  t.cov_scale = s;
  return t;
}

// Without cardinality constraints: the problem itself. With them: branch and bound over it
// (cardinality.cpp), each node the problem with its assets' bounds fixed or relaxed.
// `perspective_cov`, `s`: the objective has the term s·wᵀΣw of that Σ (perspective bound, computed
// only for a search); null: no perspective bound.
PortfolioResult with_cardinality(const char* name, int n, const PortfolioOptions& o,
                                 const detail::NodeSolver& solve,
                                 const MatrixXd* perspective_cov = nullptr, double s = 0) {
  if (!o.cardinality.active()) {
    PortfolioResult r = solve(o, true, nullptr);
    r.bound = r.objective;
    return r;
  }
  if (o.solver != PortfolioSolver::kActiveSet)
    throw std::invalid_argument(std::string(name) +
                                ": cardinality limits (max_assets, min_weight) need the exact "
                                "solver (solver = active_set), not adam");
  return detail::branch_and_bound(name, n, o, solve,
                                  perspective_cov
                                      ? perspective_term(*perspective_cov, s, o.l2_gamma)
                                      : detail::PerspectiveTerm{});
}

// Σ, or Σ + diag(add) for a perspective solve (in `storage`).
const MatrixXd& shifted(const MatrixXd& cov, const VectorXd* add, MatrixXd& storage) {
  if (!add) return cov;
  storage = cov;
  storage.diagonal() += *add;
  return storage;
}

// min over C of (h/2)·wᵀΣw + qᵀw + R(w): min_volatility (h = 2, q = 0) and max_quadratic_utility
// (h = δ, q = −μ), inputs checked, L the factor of Σ from check_inputs (or empty).
PortfolioResult mean_variance(const char* name, const VectorXd& mu, const MatrixXd& cov,
                              const MatrixXd& L, double h, const VectorXd& q,
                              const PortfolioOptions& o) {
  const int n = static_cast<int>(mu.size());
  const auto solve = [&](const PortfolioOptions& node, bool, const VectorXd* add) {
    const Feasible C = make_feasible(name, n, node.constraints);
    MatrixXd storage;
    PortfolioResult r =
        solve_quadratic(name, C, h * shifted(cov, add, storage), q, node, add ? nullptr : &L, h);
    fill_performance(r, mu, cov, node.risk_free_rate);
    return r;
  };
  return with_cardinality(name, n, o, solve, &cov, 0.5 * h);
}

// efficient_return over the constraints of `o` (inputs checked); `explain`: an infeasible target
// names the achievable range (two LPs), else a plain InfeasibleError (branch and bound prunes).
PortfolioResult efficient_return_node(const char* name, const VectorXd& mu, const MatrixXd& cov,
                                      double target, const PortfolioOptions& o, bool explain,
                                      const MatrixXd* cov_factor = nullptr) {
  const int n = static_cast<int>(mu.size());
  const Feasible base = make_feasible(name, n, o.constraints);
  // The achievable range of μᵀw (two LPs) is needed only to explain an infeasible target: the
  // exact solver detects infeasibility itself. The Adam path checks it up front.
  auto outside = [&]() {
    const auto [rmin, rmax] = return_range(base, mu, o.active_set);
    return InfeasibleError(std::string(name) + ": target return " + detail::num12(target) +
                           " is outside the achievable range [" + detail::num12(rmin) + ", " +
                           detail::num12(rmax) + "]");
  };
  if (o.solver == PortfolioSolver::kAdam) {
    const auto [rmin, rmax] = return_range(base, mu, o.active_set);
    const double tol = 1e-12 * std::max(1.0, std::abs(target));
    if (target > rmax + tol || target < rmin - tol) throw outside();
  }
  Feasible C = base;
  C.extra_eq = mu.transpose();
  C.extra_b = VectorXd::Constant(1, target);
  PortfolioResult r;
  try {
    r = solve_quadratic(name, C, 2 * cov, VectorXd::Zero(n), o, cov_factor, 2.0);
  } catch (const InfeasibleError&) {
    if (!explain) throw;
    throw outside();
  }
  fill_performance(r, mu, cov, o.risk_free_rate);
  return r;
}

// efficient_risk over the constraints of `o` (inputs checked).
PortfolioResult efficient_risk_node(const char* name, const VectorXd& mu, const MatrixXd& cov,
                                    double target_vol, const PortfolioOptions& o) {
  const int n = static_cast<int>(mu.size());
  const Feasible C = make_feasible(name, n, o.constraints);
  PortfolioOptions ex = o;
  ex.solver = PortfolioSolver::kActiveSet;
  // The minimum volatility over C.
  {
    PortfolioOptions mv = ex;
    mv.l1_kappa = 0;
    mv.l2_gamma = 0;
    const PortfolioResult r = solve_quadratic(name, C, 2 * cov, VectorXd::Zero(n), mv);
    const double vmin = std::sqrt(std::max(0.0, r.weights.dot(cov * r.weights)));
    if (target_vol < vmin * (1 - 1e-12))
      throw InfeasibleError(std::string(name) + ": target volatility " + detail::num12(target_vol) +
                            " is below the minimum volatility " + detail::num12(vmin) +
                            " achievable under the constraints");
  }
  auto vol_of = [&cov](const PortfolioResult& r) {
    return std::sqrt(std::max(0.0, r.weights.dot(cov * r.weights)));
  };
  int total_iter = 0;
  auto solve_delta = [&](double delta) {
    PortfolioResult r = solve_quadratic(name, C, delta * cov, -mu, ex);
    total_iter += r.iterations;
    ex.start = r.weights;  // the next δ is a neighbour: warm start
    return r;
  };
  auto finish = [&](PortfolioResult r) {
    r.problem = name;
    r.iterations = total_iter;
    r.objective = -mu.dot(r.weights) + o.l2_gamma * r.weights.squaredNorm() +
                  o.l1_kappa * (r.weights - prev_or_zero(o, n)).lpNorm<1>();
    fill_performance(r, mu, cov, o.risk_free_rate);
    return r;
  };
  // δ → 0: max return (− R); when its volatility is within the target the constraint is inactive.
  // Without L2 that is an LP, which the structured solver does not take: the search over δ
  // below finds it instead (for δ past the path's last breakpoint the solution is that LP's).
  if (o.l2_gamma > 0 || !ex.active_set.exploit_bounds) {
    const MatrixXd Z = MatrixXd::Zero(n, n);
    const VectorXd mq = -mu;
    try {
      PortfolioResult r0 = solve_quadratic(name, C, Z, mq, ex);
      total_iter += r0.iterations;
      if (vol_of(r0) <= target_vol) return finish(r0);
    } catch (const InfeasibleError&) {
      // unbounded: the risk constraint is active
    }
  }
  double dlo = 1.0, dhi = 1.0;
  PortfolioResult rhi = solve_delta(1.0);
  if (vol_of(rhi) > target_vol) {
    for (int k = 0; k < 200 && vol_of(rhi) > target_vol; ++k) {
      dlo = dhi;
      dhi *= 4;
      rhi = solve_delta(dhi);
    }
  } else {
    for (int k = 0; k < 200; ++k) {
      const double d = dlo / 4;
      if (d < 1e-15) return finish(rhi);  // the risk constraint is inactive (see above)
      PortfolioResult r = solve_delta(d);
      if (vol_of(r) > target_vol) {
        dlo = d;
        break;
      }
      dhi = d;
      rhi = r;
      dlo = d;
    }
  }
  for (int k = 0; k < 200; ++k) {
    const double v = vol_of(rhi);
    if (std::abs(v - target_vol) <= 1e-13 * target_vol) break;
    if (dhi / dlo - 1 < 1e-15) break;
    const double mid = std::sqrt(dlo * dhi);
    PortfolioResult r = solve_delta(mid);
    if (vol_of(r) > target_vol) {
      dlo = mid;
    } else {
      dhi = mid;
      rhi = r;
    }
  }
  return finish(rhi);
}

// max_sharpe over the constraints of `o` (inputs and options checked).
PortfolioResult max_sharpe_node(const char* name, const VectorXd& mu, const MatrixXd& cov,
                                const PortfolioOptions& o) {
  const int n = static_cast<int>(mu.size());
  const Feasible C = make_feasible(name, n, o.constraints);
  const double rf = o.risk_free_rate;
  if ((C.lo.array() >= 0).all() && mu.maxCoeff() <= rf)
    throw InfeasibleError(std::string(name) + ": no asset has an expected return above the " +
                          "risk-free rate " + detail::num12(rf) + " (max expected return " +
                          detail::num12(mu.maxCoeff()) +
                          "), so no long-only portfolio has a positive " + "Sharpe ratio");
  auto no_positive = [&]() {
    return InfeasibleError(std::string(name) + ": no feasible portfolio has an expected return " +
                           "above the risk-free rate " + detail::num12(rf));
  };
  // The exact solvers' result: weights w from the final QP q.
  auto exact_result = [&](const VectorXd& w, int iterations, bool converged, const QpResult& q) {
    PortfolioResult out;
    out.problem = name;
    out.solver = "active_set";
    out.weights = w;
    out.iterations = iterations;
    out.converged = converged;
    out.kkt_residual = q.kkt_residual;
    out.duality_gap = q.duality_gap;
    fill_performance(out, mu, cov, rf);
    out.objective = -out.sharpe;
    // A singular Σ can admit a feasible portfolio with no variance and a positive excess return:
    // then the Sharpe ratio has no maximum, and the path ends at a volatility of rounding size.
    const double asset_vol = std::sqrt(std::max(cov.diagonal().maxCoeff(), 0.0));
    if (!(out.volatility > 1e-7 * asset_vol))
      throw InfeasibleError(std::string(name) + ": the Sharpe ratio is unbounded: the covariance " +
                            "is singular and a feasible portfolio has volatility " +
                            detail::num12(out.volatility) + " (assets up to " +
                            detail::num12(asset_vol) + ") with a positive excess return " +
                            detail::num12(out.expected_return - rf));
    return out;
  };
  if (o.solver == PortfolioSolver::kActiveSet && o.active_set.exploit_bounds) {
    // Exact, along the path of the utility problems P(t): min wᵀΣw − t μᵀw over C. The tangency
    // portfolio is w(t*) with t*·a(w) = 2σ²(w), a = μᵀw − r_f·b (its KKT conditions are those of
    // P(t*)). Between working-set changes w(t) = w₀ + t·w₁ is affine, a(t) has slope a₁ = μᵀw₁
    // and dσ²/dt = t·a₁ (from P's stationarity), so φ(t) = t·a(t) − 2σ²(t) is linear there:
    // each step solves P(t) (warm-started) and jumps to the root of φ on its piece; the root is
    // exact once the piece of the jump is the piece of the root. Bracketed, so it cannot wander.
    StructuredQpProblem sp = structured(C, 2 * cov, VectorXd::Zero(n), 0.0, VectorXd());
    const VectorXd dc = -mu;
    VectorXd w, dw;
    int iters = 0;
    QpResult r;
    // The first jump goes far from t = 0, where a fresh start (the vertex, or the projected
    // minimiser with short positions) is closer than w(0); later steps are short: warm starts.
    int solves = 0;
    StructuredQpWorkspace ws;  // the factor of the whole 2Σ, shared by the path's solves
    std::vector<double> breaks;
    // Each step crosses at most this many of the current piece's breakpoints (measured at 100,
    // 500 and 1000 assets with short positions: 1 costs a solve per breakpoint, 32 overshoots).
    constexpr std::size_t kBreaksPerStep = 8;
    auto solve_at = [&](double t) {
      sp.c = t * dc;
      r = solve_structured_qp(sp, o.active_set, solves++ >= 1 ? &w : nullptr, &dc, &dw, &ws);
      if (r.status != QpStatus::kOptimal) {
        throw_status(name, r.status);
        throw std::runtime_error(std::string(name) +
                                 ": active-set solver stopped: " + to_string(r.status));
      }
      iters += r.iterations;
      w = r.x;
    };
    solve_at(0.0);
    if (!r.fallback) {
      const double b = C.b;
      double t = 0, t_lo = 0, t_hi = kInf;
      bool done = false;
      for (int k = 0; k < 200 + 4 * n && !done; ++k) {
        // σ² from the QP's objective wᵀΣw − tμᵀw (no O(n²) product per step)
        const double a = mu.dot(w) - rf * b, s2 = r.objective + t * mu.dot(w), a1 = mu.dot(dw);
        const double phi = t * a - 2 * s2;
        if (std::abs(phi) <= 1e-13 * std::max(s2, 1e-300) && a > 0) {
          done = true;
          break;
        }
        if (phi < 0)
          t_lo = t;
        else
          t_hi = t;
        const double denom = a - a1 * t;  // φ on this piece: t·denom − 2σ² + a₁t²
        double next = denom > 0 ? (2 * s2 - a1 * t * t) / denom : kInf;
        if (!(next > t_lo && next < t_hi))
          next = std::isfinite(t_hi) ? 0.5 * (t_lo + t_hi) : std::max(1.0, 4 * t_lo);
        // Up the path, stop where the piece ends: at the first free asset to reach a bound along
        // w + (t' − t)·dw. Past it the prediction is off, and a warm start would cross working-
        // set changes beyond the root only to undo them; stepping breakpoint by breakpoint costs
        // one change each (the solver keeps its factor in `ws`).
        if (next > t && dw.allFinite()) {
          breaks.clear();
          for (Index i = 0; i < n; ++i) {
            if (!(w[i] > C.lo[i] && w[i] < C.hi[i]) || dw[i] == 0) continue;
            const double room = dw[i] > 0 ? C.hi[i] - w[i] : C.lo[i] - w[i];
            // (an asset at its bound to rounding, still free, is not a breakpoint ahead)
            if (std::abs(room) <= 1e-12 * std::max(1.0, std::abs(w[i]))) continue;
            const double tb = t + room / dw[i];
            if (tb > t * (1 + 1e-12) && tb < next) breaks.push_back(tb);
          }
          const std::size_t j = std::min<std::size_t>(breaks.size(), kBreaksPerStep);
          if (j > 0 && breaks.size() >= kBreaksPerStep) {
            std::nth_element(breaks.begin(), breaks.begin() + (j - 1), breaks.end());
            next = breaks[j - 1];
          }
        }
        if (!std::isfinite(t_hi) && next > 1e16 * std::max(1.0, s2)) throw no_positive();
        if (std::isfinite(t_hi) && t_hi - t_lo <= 1e-15 * t_hi) {
          done = true;  // bracketed to rounding
          break;
        }
        t = next;
        solve_at(t);
      }
      if (!(mu.dot(w) - rf * b > 0)) throw no_positive();
      return exact_result(w, iters, done, r);
    }
    // Σ not positive definite on the free set (the structured solver handed over to the dense
    // one): the homogenised QP below is exact there.
  }
  // Exact: the homogenised QP in (y, κ).
  const Index nv = n + 1;
  QpProblem qp;
  qp.H = MatrixXd::Zero(nv, nv);
  qp.H.topLeftCorner(n, n) = 2 * cov;
  qp.c = VectorXd::Zero(nv);
  qp.A_eq = MatrixXd::Zero(2, nv);
  qp.A_eq.row(0).head(n) = (mu.array() - rf).matrix().transpose();
  qp.b_eq = VectorXd::Zero(2);
  qp.b_eq[0] = 1;
  qp.A_eq.row(1).head(n).setOnes();
  qp.A_eq(1, n) = -C.b;
  std::vector<std::pair<VectorXd, double>> rows;
  {
    VectorXd a = VectorXd::Zero(nv);
    a[n] = 1;
    rows.emplace_back(a, 0.0);
  }
  for (int i = 0; i < n; ++i) {
    VectorXd a = VectorXd::Zero(nv);
    a[i] = 1;
    if (std::isfinite(C.lo[i])) {
      a[n] = -C.lo[i];
      rows.emplace_back(a, 0.0);
    }
    if (std::isfinite(C.hi[i])) {
      a[n] = -C.hi[i];
      rows.emplace_back(-a, 0.0);
    }
  }
  for (const auto& s : C.sectors) {
    VectorXd a = VectorXd::Zero(nv);
    for (int i : s.assets) a[i] = 1;
    if (std::isfinite(s.lower)) {
      a[n] = -s.lower;
      rows.emplace_back(a, 0.0);
    }
    if (std::isfinite(s.upper)) {
      a[n] = -s.upper;
      rows.emplace_back(-a, 0.0);
    }
  }
  qp.A_in = MatrixXd::Zero(static_cast<Index>(rows.size()), nv);
  qp.b_in = VectorXd::Zero(static_cast<Index>(rows.size()));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    qp.A_in.row(static_cast<Index>(r)) = rows[r].first.transpose();
    qp.b_in[static_cast<Index>(r)] = rows[r].second;
  }
  if (o.solver == PortfolioSolver::kActiveSet) {
    const QpResult r = solve_qp(qp, o.active_set);
    if (r.status == QpStatus::kInfeasible) throw no_positive();
    if (r.status != QpStatus::kOptimal) {
      throw_status(name, r.status);
      throw std::runtime_error(std::string(name) +
                               ": active-set solver stopped: " + to_string(r.status));
    }
    const double kappa = r.x[n];
    if (!(kappa > 1e-14 * std::max(1.0, r.x.head(n).cwiseAbs().maxCoeff())))
      throw InfeasibleError(std::string(name) + ": the maximal Sharpe ratio is not attained by a " +
                            "portfolio with the given budget (κ = 0 in the homogenised problem)");
    return exact_result(r.x.head(n) / kappa, r.iterations, true, r);
  }
  // Adam on −Sharpe over C, from a feasible point with a positive excess return: the projection
  // of equal weights onto C ∩ {μᵀw ≥ r_f + ½(max_C μᵀw − r_f)} (max over C capped by the start).
  VectorXd w0 = simple_start(C);
  {
    QpProblem lp = build_qp(C, MatrixXd::Zero(n, n), -mu, 0.0, VectorXd());
    const QpResult rmax = solve_qp(lp, o.active_set, &w0);
    double target;
    if (rmax.status == QpStatus::kOptimal) {
      const double best = mu.dot(rmax.x);
      if (best <= rf) throw no_positive();
      target = rf + 0.5 * (best - rf);
    } else {
      target = std::max(rf + 1e-3, mu.dot(w0));
    }
    if (mu.dot(w0) < target) {
      QpProblem pr = build_qp(C, MatrixXd::Identity(n, n), -w0, 0.0, VectorXd());
      pr.A_in.conservativeResize(pr.A_in.rows() + 1, n);
      pr.A_in.row(pr.A_in.rows() - 1) = mu.transpose();
      pr.b_in.conservativeResize(pr.b_in.size() + 1);
      pr.b_in[pr.b_in.size() - 1] = target;
      const QpResult r = solve_qp(pr, o.active_set, &w0);
      if (r.status != QpStatus::kOptimal) throw no_positive();
      w0 = r.x;
    }
  }
  SmoothFn f = [&mu, &cov, rf](const VectorXd& w, VectorXd* grad) {
    return negative_sharpe(mu, cov, rf, w, grad);
  };
  const double var0 = w0.dot(cov * w0);
  const double eta = var0 / lambda_max(cov);
  PortfolioResult out = solve_adam(name, C, f, eta, w0, o);
  fill_performance(out, mu, cov, rf);
  return out;
}

}  // namespace

// ---- problems ----

PortfolioResult min_volatility(const VectorXd& mu, const MatrixXd& cov, const PortfolioOptions& o) {
  const char* name = "min_volatility";
  MatrixXd L;
  check_inputs(name, mu, cov, &L);
  const int n = static_cast<int>(mu.size());
  if (auto m = o.validate(n); !m.empty()) throw std::invalid_argument(std::string(name) + ": " + m);
  return mean_variance(name, mu, cov, L, 2.0, VectorXd::Zero(n), o);
}

PortfolioResult max_quadratic_utility(const VectorXd& mu, const MatrixXd& cov, double delta,
                                      const PortfolioOptions& o) {
  const char* name = "max_quadratic_utility";
  MatrixXd L;
  check_inputs(name, mu, cov, &L);
  const int n = static_cast<int>(mu.size());
  if (auto m = o.validate(n); !m.empty()) throw std::invalid_argument(std::string(name) + ": " + m);
  if (!(delta > 0) || !std::isfinite(delta))
    throw std::invalid_argument(std::string(name) + ": risk aversion must be finite and > 0, got " +
                                detail::num12(delta));
  return mean_variance(name, mu, cov, L, delta, -mu, o);
}

PortfolioResult efficient_return(const VectorXd& mu, const MatrixXd& cov, double target,
                                 const PortfolioOptions& o) {
  const char* name = "efficient_return";
  MatrixXd L;
  check_inputs(name, mu, cov, &L);
  const int n = static_cast<int>(mu.size());
  if (auto m = o.validate(n); !m.empty()) throw std::invalid_argument(std::string(name) + ": " + m);
  if (!std::isfinite(target))
    throw std::invalid_argument(std::string(name) + ": target return must be finite");
  const auto solve = [&](const PortfolioOptions& node, bool explain, const VectorXd* add) {
    MatrixXd storage;
    PortfolioResult r = efficient_return_node(name, mu, shifted(cov, add, storage), target, node,
                                              explain, add ? nullptr : &L);
    if (add) fill_performance(r, mu, cov, node.risk_free_rate);
    return r;
  };
  return with_cardinality(name, n, o, solve, &cov, 1.0);
}

PortfolioResult efficient_risk(const VectorXd& mu, const MatrixXd& cov, double target_vol,
                               const PortfolioOptions& o) {
  const char* name = "efficient_risk";
  check_inputs(name, mu, cov);
  const int n = static_cast<int>(mu.size());
  if (auto m = o.validate(n); !m.empty()) throw std::invalid_argument(std::string(name) + ": " + m);
  if (!(target_vol > 0) || !std::isfinite(target_vol))
    throw std::invalid_argument(std::string(name) + ": target volatility must be finite and > 0");
  return with_cardinality(name, n, o, [&](const PortfolioOptions& node, bool, const VectorXd*) {
    return efficient_risk_node(name, mu, cov, target_vol, node);
  });
}

PortfolioResult max_sharpe(const VectorXd& mu, const MatrixXd& cov, const PortfolioOptions& o) {
  const char* name = "max_sharpe";
  check_inputs(name, mu, cov);
  const int n = static_cast<int>(mu.size());
  if (auto m = o.validate(n); !m.empty()) throw std::invalid_argument(std::string(name) + ": " + m);
  if (o.l1_kappa > 0 || o.l2_gamma > 0)
    throw std::invalid_argument(std::string(name) +
                                ": L2 regularisation and ℓ1 costs are not supported (the Sharpe "
                                "ratio is not homogeneous with them); set l2_gamma = l1_kappa = 0");
  if (o.constraints.market_neutral || !(o.constraints.budget > 0))
    throw std::invalid_argument(std::string(name) +
                                ": needs a positive budget (market-neutral portfolios have no "
                                "Sharpe-ratio normalisation)");
  return with_cardinality(name, n, o, [&](const PortfolioOptions& node, bool, const VectorXd*) {
    return max_sharpe_node(name, mu, cov, node);
  });
}

}  // namespace adamant::finance
