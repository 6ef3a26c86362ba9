#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "adamant/finance/qp.hpp"

namespace adamant::finance {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr double kInf = std::numeric_limits<double>::infinity();

struct Phase2 {
  QpStatus status = QpStatus::kIterationLimit;
  VectorXd x;
  std::vector<int> eq_rows;  // equality rows kept (independent)
  std::vector<int> work;     // inequality rows in the working set
  VectorXd lambda;           // multipliers, eq_rows then work
  int iterations = 0;
};

bool independent(const MatrixXd& rows, const VectorXd& a) {
  if (rows.rows() == 0) return a.norm() > 0;
  MatrixXd m(rows.rows() + 1, rows.cols());
  m << rows, a.transpose();
  Eigen::ColPivHouseholderQR<MatrixXd> qr(m.transpose());
  qr.setThreshold(1e-10);
  return qr.rank() == m.rows();
}

// Algorithm 16.3 from a feasible x.
Phase2 run_phase2(const QpProblem& p, VectorXd x, int max_iter, double tol, int used) {
  const Index n = p.c.size();
  const Index me = p.A_eq.rows(), mi = p.A_in.rows();
  Phase2 out;
  out.iterations = used;
  // Scales for relative tests.
  auto row_scale = [](const MatrixXd& a, Index i, double b) {
    return std::max(1.0, std::max(a.row(i).cwiseAbs().maxCoeff(), std::abs(b)));
  };
  MatrixXd W(0, n);
  for (Index i = 0; i < me; ++i) {
    VectorXd a = p.A_eq.row(i).transpose();
    if (independent(W, a)) {
      W.conservativeResize(W.rows() + 1, n);
      W.row(W.rows() - 1) = a.transpose();
      out.eq_rows.push_back(static_cast<int>(i));
    }
  }
  for (Index i = 0; i < mi; ++i) {
    const double slack = p.A_in.row(i).dot(x) - p.b_in[i];
    if (std::abs(slack) <=
        tol * row_scale(p.A_in, i, p.b_in[i]) * std::max(1.0, x.cwiseAbs().maxCoeff())) {
      VectorXd a = p.A_in.row(i).transpose();
      if (independent(W, a)) {
        W.conservativeResize(W.rows() + 1, n);
        W.row(W.rows() - 1) = a.transpose();
        out.work.push_back(static_cast<int>(i));
      }
    }
  }
  const double hscale = std::max(1.0, p.H.cwiseAbs().maxCoeff());
  while (out.iterations < max_iter) {
    ++out.iterations;
    const Index k = W.rows();
    const VectorXd g = p.H * x + p.c;
    MatrixXd K = MatrixXd::Zero(n + k, n + k);
    K.topLeftCorner(n, n) = p.H;
    K.topRightCorner(n, k) = W.transpose();
    K.bottomLeftCorner(k, n) = W;
    VectorXd rhs = VectorXd::Zero(n + k);
    rhs.head(n) = -g;
    Eigen::FullPivLU<MatrixXd> lu(K);
    lu.setThreshold(1e-13 * hscale);
    VectorXd sol;
    bool ray = false;
    VectorXd pdir;
    if (lu.isInvertible()) {
      sol = lu.solve(rhs);
    } else {
      const MatrixXd ker = lu.kernel();
      double best = 0;
      Index best_j = -1;
      for (Index j = 0; j < ker.cols(); ++j) {
        const VectorXd p0 = ker.col(j).head(n);
        const double nrm = p0.norm();
        if (nrm == 0) continue;
        const double d = std::abs(g.dot(p0)) / nrm;
        if (d > best) {
          best = d;
          best_j = j;
        }
      }
      if (best_j >= 0 && best > tol * std::max(1.0, g.norm()) * 1e2) {
        pdir = ker.col(best_j).head(n);
        if (g.dot(pdir) > 0) pdir = -pdir;
        pdir /= pdir.cwiseAbs().maxCoeff();
        ray = true;
      } else {
        Eigen::CompleteOrthogonalDecomposition<MatrixXd> cod(K);
        cod.setThreshold(1e-13 * hscale);
        sol = cod.solve(rhs);
      }
    }
    if (!ray) pdir = sol.head(n);
    const double xscale = std::max(1.0, x.cwiseAbs().maxCoeff());
    if (!ray && pdir.cwiseAbs().maxCoeff() <= tol * xscale) {
      // Multipliers: g = Wᵀλ with λ = −ν.
      VectorXd lambda = -sol.tail(k);
      Index worst = -1;
      double wv = -tol * std::max(1.0, g.cwiseAbs().maxCoeff());
      for (std::size_t j = 0; j < out.work.size(); ++j) {
        const Index idx = static_cast<Index>(out.eq_rows.size() + j);
        if (lambda[idx] < wv) {
          wv = lambda[idx];
          worst = idx;
        }
      }
      if (worst < 0) {
        out.status = QpStatus::kOptimal;
        out.x = x;
        out.lambda = lambda;
        return out;
      }
      // Drop the constraint with the most negative multiplier.
      MatrixXd W2(k - 1, n);
      Index r = 0;
      for (Index i = 0; i < k; ++i)
        if (i != worst) W2.row(r++) = W.row(i);
      W = W2;
      out.work.erase(out.work.begin() + (worst - static_cast<Index>(out.eq_rows.size())));
      continue;
    }
    // Step with the blocking-constraint ratio test.
    double alpha = ray ? kInf : 1.0;
    int block = -1;
    for (Index i = 0; i < mi; ++i) {
      if (std::find(out.work.begin(), out.work.end(), static_cast<int>(i)) != out.work.end())
        continue;
      const double ap = p.A_in.row(i).dot(pdir);
      if (ap >= -1e-14 * row_scale(p.A_in, i, 0.0) * pdir.cwiseAbs().maxCoeff()) continue;
      const double slack = std::max(0.0, p.A_in.row(i).dot(x) - p.b_in[i]);
      const double a = slack / -ap;
      if (a < alpha) {
        alpha = a;
        block = static_cast<int>(i);
      }
    }
    if (!std::isfinite(alpha)) {
      out.status = QpStatus::kUnbounded;
      out.x = x;
      return out;
    }
    x += alpha * pdir;
    if (block >= 0) {
      W.conservativeResize(k + 1, n);
      W.row(k) = p.A_in.row(block);
      out.work.push_back(block);
    }
  }
  out.status = QpStatus::kIterationLimit;
  out.x = x;
  return out;
}

}  // namespace

const char* to_string(QpStatus s) {
  switch (s) {
    case QpStatus::kOptimal:
      return "optimal";
    case QpStatus::kInfeasible:
      return "infeasible";
    case QpStatus::kUnbounded:
      return "unbounded";
    case QpStatus::kIterationLimit:
      return "iteration limit";
  }
  return "?";
}

std::string QpProblem::validate() const {
  const Index n = c.size();
  std::ostringstream os;
  if (n == 0) return "QpProblem: no variables (c is empty)";
  if (H.rows() != n || H.cols() != n)
    os << "QpProblem: H is " << H.rows() << "×" << H.cols() << ", expected " << n << "×" << n;
  else if (A_eq.rows() > 0 && A_eq.cols() != n)
    os << "QpProblem: A_eq has " << A_eq.cols() << " columns, expected " << n;
  else if (A_eq.rows() != b_eq.size())
    os << "QpProblem: A_eq has " << A_eq.rows() << " rows but b_eq " << b_eq.size() << " entries";
  else if (A_in.rows() > 0 && A_in.cols() != n)
    os << "QpProblem: A_in has " << A_in.cols() << " columns, expected " << n;
  else if (A_in.rows() != b_in.size())
    os << "QpProblem: A_in has " << A_in.rows() << " rows but b_in " << b_in.size() << " entries";
  else if (!H.allFinite() || !c.allFinite() || !A_eq.allFinite() || !b_eq.allFinite() ||
           !A_in.allFinite() || !b_in.allFinite())
    os << "QpProblem: non-finite entry (NaN or ±Inf) in H, c, A or b";
  else if ((H - H.transpose()).cwiseAbs().maxCoeff() >
           1e-12 * std::max(1.0, H.cwiseAbs().maxCoeff()))
    os << "QpProblem: H is not symmetric";
  return os.str();
}

std::string ActiveSetOptions::validate() const {
  if (max_iterations < 1) return "ActiveSetOptions: max_iterations must be ≥ 1";
  if (!(tolerance > 0) || !(tolerance < 1e-2))
    return "ActiveSetOptions: tolerance must be in (0, 1e-2)";
  return "";
}

QpResult solve_qp(const QpProblem& p, const ActiveSetOptions& options, const VectorXd* start) {
  if (auto m = p.validate(); !m.empty()) throw std::invalid_argument(m);
  if (auto m = options.validate(); !m.empty()) throw std::invalid_argument(m);
  const Index n = p.c.size(), me = p.A_eq.rows(), mi = p.A_in.rows();
  MatrixXd Aeq = me > 0 ? p.A_eq : MatrixXd(0, n);
  MatrixXd Ain = mi > 0 ? p.A_in : MatrixXd(0, n);
  QpProblem prob{p.H, p.c, Aeq, p.b_eq, Ain, p.b_in};
  VectorXd x0 = VectorXd::Zero(n);
  if (start) {
    if (start->size() != n) throw std::invalid_argument("solve_qp: start has the wrong size");
    x0 = *start;
  }
  const double tol = options.tolerance;
  const double xs = std::max(1.0, x0.cwiseAbs().maxCoeff());
  double viol = 0;
  if (me > 0) viol = std::max(viol, (Aeq * x0 - p.b_eq).cwiseAbs().maxCoeff());
  if (mi > 0) viol = std::max(viol, (p.b_in - Ain * x0).maxCoeff());
  const double bscale = std::max({1.0, me > 0 ? p.b_eq.cwiseAbs().maxCoeff() : 0.0,
                                  mi > 0 ? p.b_in.cwiseAbs().maxCoeff() : 0.0});
  int used = 0;
  QpResult res;
  if (viol > tol * bscale * xs) {
    // Phase 1: elastic LP.
    const Index nv = n + 2 * me + mi;
    QpProblem lp;
    lp.H = MatrixXd::Zero(nv, nv);
    lp.c = VectorXd::Zero(nv);
    lp.c.tail(2 * me + mi).setOnes();
    lp.A_eq = MatrixXd::Zero(me, nv);
    lp.b_eq = p.b_eq;
    if (me > 0) {
      lp.A_eq.leftCols(n) = Aeq;
      lp.A_eq.block(0, n, me, me) = MatrixXd::Identity(me, me);
      lp.A_eq.block(0, n + me, me, me) = -MatrixXd::Identity(me, me);
    }
    lp.A_in = MatrixXd::Zero(mi + 2 * me + mi, nv);
    lp.b_in = VectorXd::Zero(mi + 2 * me + mi);
    if (mi > 0) {
      lp.A_in.topLeftCorner(mi, n) = Ain;
      lp.A_in.block(0, n + 2 * me, mi, mi) = MatrixXd::Identity(mi, mi);
      lp.b_in.head(mi) = p.b_in;
    }
    lp.A_in.bottomRightCorner(2 * me + mi, 2 * me + mi) =
        MatrixXd::Identity(2 * me + mi, 2 * me + mi);
    VectorXd z = VectorXd::Zero(nv);
    z.head(n) = x0;
    if (me > 0) {
      const VectorXd r = p.b_eq - Aeq * x0;
      z.segment(n, me) = r.cwiseMax(0.0);
      z.segment(n + me, me) = (-r).cwiseMax(0.0);
    }
    if (mi > 0) z.tail(mi) = (p.b_in - Ain * x0).cwiseMax(0.0);
    Phase2 ph = run_phase2(lp, z, options.max_iterations, tol, 0);
    used = ph.iterations;
    if (ph.status != QpStatus::kOptimal) {
      res.status = ph.status == QpStatus::kUnbounded ? QpStatus::kInfeasible : ph.status;
      res.x = ph.x.head(n);
      res.iterations = used;
      return res;
    }
    const double infeas = ph.x.tail(2 * me + mi).sum();
    x0 = ph.x.head(n);
    if (infeas > 1e3 * tol * bscale * std::max(1.0, x0.cwiseAbs().maxCoeff())) {
      res.status = QpStatus::kInfeasible;
      res.x = x0;
      res.iterations = used;
      return res;
    }
  }
  Phase2 ph = run_phase2(prob, x0, options.max_iterations, tol, used);
  res.x = ph.x;
  res.iterations = ph.iterations;
  res.status = ph.status;
  res.y_eq = VectorXd::Zero(me);
  res.z_in = VectorXd::Zero(mi);
  res.objective = 0.5 * res.x.dot(p.H * res.x) + p.c.dot(res.x);
  if (ph.status == QpStatus::kOptimal) {
    for (std::size_t j = 0; j < ph.eq_rows.size(); ++j)
      res.y_eq[ph.eq_rows[j]] = ph.lambda[static_cast<Index>(j)];
    for (std::size_t j = 0; j < ph.work.size(); ++j)
      res.z_in[ph.work[j]] = ph.lambda[static_cast<Index>(ph.eq_rows.size() + j)];
    res.active = ph.work;
    std::sort(res.active.begin(), res.active.end());
  }
  VectorXd stat = p.H * res.x + p.c;
  if (me > 0) stat -= Aeq.transpose() * res.y_eq;
  if (mi > 0) stat -= Ain.transpose() * res.z_in;
  double kkt = stat.cwiseAbs().maxCoeff();
  if (me > 0) kkt = std::max(kkt, (Aeq * res.x - p.b_eq).cwiseAbs().maxCoeff());
  if (mi > 0) {
    const VectorXd slack = Ain * res.x - p.b_in;
    kkt = std::max(kkt, (-slack).maxCoeff());
    kkt = std::max(kkt, (-res.z_in).maxCoeff());
    res.duality_gap = std::abs(res.z_in.dot(slack));
  }
  res.kkt_residual = std::max(0.0, kkt);
  return res;
}

}  // namespace adamant::finance
