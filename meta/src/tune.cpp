// Learning the optimizer over a task family (tune.hpp).

#include "adamant/meta/tune.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <random>
#include <sstream>
#include <stdexcept>

#include "adamant/core/hyper.hpp"
#include "adamant/core/optimizer.hpp"

namespace adamant::meta {
namespace {

namespace ah = core::hyper;

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}
double uniform(std::mt19937_64& rng, double lo, double hi) {
  return lo + (hi - lo) * (static_cast<double>(rng() >> 11) * 0x1.0p-53);
}

// Unconstrained coordinates of a tuned field.
bool is_log(const std::string& f) { return f == "lr" || f == "eps" || f == "weight_decay"; }
bool is_logit(const std::string& f) {
  return f == "beta1" || f == "beta2" || f == "momentum" || f == "alpha";
}
double to_phi(const std::string& f, double h) {
  return is_log(f) ? std::log(h) : std::log(h / (1 - h));
}
double from_phi(const std::string& f, double phi) {
  return is_log(f) ? std::exp(phi) : 1 / (1 + std::exp(-phi));
}
double dh_dphi(const std::string& f, double h) { return is_log(f) ? h : h * (1 - h); }

// ln of the validation MSE of a task after an inner run of `rule` (fused optimizer); +inf when
// the run diverges.
double inner_loss(const TuneOptions& o, const SineTask& t, const core::RuleOptions& rule,
                  const Eigen::VectorXd& theta0) {
  Eigen::VectorXd p;
  try {
    p = adapt(o.net, rule, o.inner_steps, theta0, t);
  } catch (const core::NonFiniteGradientError&) {
    return std::numeric_limits<double>::infinity();
  }
  const auto val = ah::mlp_problem(o.net, t.x_val, t.y_val);
  const double f = std::log(val->value(p.data(), nullptr));
  return std::isfinite(f) ? f : std::numeric_limits<double>::infinity();
}

core::RuleOptions with(const core::RuleOptions& start, const std::vector<std::string>& names,
                       const std::vector<double>& values) {
  core::RuleOptions r = start;
  for (std::size_t k = 0; k < names.size(); ++k) core::set_field(r, names[k], values[k]);
  return r;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

std::string SineFamily::validate() const {
  std::ostringstream e;
  auto add = [&](const std::string& m) { e << (e.tellp() ? "; " : "") << m; };
  if (!(amplitude_lo <= amplitude_hi) || !std::isfinite(amplitude_lo) ||
      !std::isfinite(amplitude_hi))
    add("amplitude range must be finite with lo <= hi");
  if (!(phase_lo <= phase_hi) || !std::isfinite(phase_lo) || !std::isfinite(phase_hi))
    add("phase range must be finite with lo <= hi");
  if (!(x_lo < x_hi) || !std::isfinite(x_lo) || !std::isfinite(x_hi))
    add("x range must be finite with lo < hi");
  if (train_points < 1) add("train_points must be >= 1, got " + std::to_string(train_points));
  if (val_points < 1) add("val_points must be >= 1, got " + std::to_string(val_points));
  return e.str();
}

SineTask draw_task(const SineFamily& f, std::uint64_t seed, std::uint64_t index) {
  std::mt19937_64 rng(splitmix64(seed ^ splitmix64(index)));
  SineTask t;
  t.amplitude = uniform(rng, f.amplitude_lo, f.amplitude_hi);
  t.phase = uniform(rng, f.phase_lo, f.phase_hi);
  auto points = [&](int k, Eigen::MatrixXd& x, Eigen::MatrixXd& y) {
    x.resize(k, 1);
    y.resize(k, 1);
    for (int i = 0; i < k; ++i) {
      x(i, 0) = uniform(rng, f.x_lo, f.x_hi);
      y(i, 0) = t.amplitude * std::sin(x(i, 0) - t.phase);
    }
  };
  points(f.train_points, t.x_train, t.y_train);
  points(f.val_points, t.x_val, t.y_val);
  return t;
}

Eigen::VectorXd adapt(const core::MlpSpec& net, const core::RuleOptions& rule, std::int64_t steps,
                      const Eigen::VectorXd& theta0, const SineTask& t) {
  const auto train = ah::mlp_problem(net, t.x_train, t.y_train);
  core::Optimizer<double> opt(rule, train->dim());
  Eigen::VectorXd p = theta0, g(p.size());
  for (std::int64_t s = 0; s < steps; ++s) {
    train->value(p.data(), g.data());
    opt.step(p, g);
  }
  return p;
}

MeanStderr mean_and_stderr(const std::vector<double>& v) {
  MeanStderr m;
  for (double x : v) m.mean += x;
  m.mean /= static_cast<double>(v.size());
  double var = 0;
  for (double x : v) var += (x - m.mean) * (x - m.mean);
  if (v.size() > 1)
    m.stderr_mean =
        std::sqrt(var / static_cast<double>(v.size() - 1) / static_cast<double>(v.size()));
  return m;
}

core::MlpSpec TuneOptions::default_net() {
  core::MlpSpec s;
  s.layer_sizes = {1, 32, 32, 1};
  s.hidden = core::Activation::kTanh;
  return s;
}

std::string TuneOptions::validate() const {
  std::ostringstream e;
  auto add = [&](const std::string& m) { e << (e.tellp() ? "; " : "") << m; };
  if (const std::string r = core::validate(start); !r.empty()) add(r);
  if (tuned.empty()) add("nothing to tune (tuned is empty)");
  const std::vector<std::string> reals = ah::real_fields(start);
  for (const std::string& f : tuned) {
    if (std::find(reals.begin(), reals.end(), f) == reals.end()) {
      add(core::rule_name(start) + " has no real hyper-parameter '" + f + "'");
      continue;
    }
    if (!is_log(f) && !is_logit(f)) {
      add("'" + f +
          "' cannot be tuned (tunable: lr, eps, weight_decay, beta1, beta2, momentum, alpha)");
      continue;
    }
    const double h = core::get_field(start, f);
    if (is_log(f) && !(h > 0))
      add(f + " must start > 0 to be tuned in log space, got " + std::to_string(h));
    if (is_logit(f) && !(h > 0 && h < 1))
      add(f + " must start in (0, 1) to be tuned in logit space, got " + std::to_string(h));
  }
  if (const std::string n = net.validate(); !n.empty()) add("net: " + n);
  if (net.layer_sizes.size() >= 2 && (net.layer_sizes.front() != 1 || net.layer_sizes.back() != 1))
    add("net must take 1 input and give 1 output (sine regression)");
  if (const std::string t = tasks.validate(); !t.empty()) add("tasks: " + t);
  if (inner_steps < 1) add("inner_steps must be >= 1, got " + std::to_string(inner_steps));
  if (outer_steps < 1) add("outer_steps must be >= 1, got " + std::to_string(outer_steps));
  if (tasks_per_step < 1) add("tasks_per_step must be >= 1, got " + std::to_string(tasks_per_step));
  if (!(outer_lr > 0) || !std::isfinite(outer_lr))
    add("outer_lr must be finite and > 0, got " + std::to_string(outer_lr));
  if (eval_tasks < 1) add("eval_tasks must be >= 1, got " + std::to_string(eval_tasks));
  return e.str();
}

TuneResult tune(const TuneOptions& o, const std::function<void(const std::string&)>& progress) {
  if (const std::string e = o.validate(); !e.empty()) throw std::invalid_argument("tune: " + e);
  TuneResult r;
  r.options = o;
  core::Mlp<double> mlp(o.net);
  r.theta0.resize(mlp.num_parameters());
  mlp.init_parameters(r.theta0, o.seed);
  const std::size_t k = o.tuned.size();
  const auto B = static_cast<std::uint64_t>(o.tasks_per_step);

  // ---- tuning ----
  Eigen::VectorXd phi(static_cast<Eigen::Index>(k)), dphi(static_cast<Eigen::Index>(k));
  for (std::size_t j = 0; j < k; ++j)
    phi[static_cast<Eigen::Index>(j)] = to_phi(o.tuned[j], core::get_field(o.start, o.tuned[j]));
  core::AdamOptions outer_rule;
  outer_rule.lr = o.outer_lr;
  core::Optimizer<double> outer(outer_rule, k);
  r.meta_loss.resize(o.outer_steps + 1);
  r.path.resize(o.outer_steps + 1, static_cast<Eigen::Index>(k));
  auto hypers = [&] {
    std::vector<double> h(k);
    for (std::size_t j = 0; j < k; ++j)
      h[j] = from_phi(o.tuned[j], phi[static_cast<Eigen::Index>(j)]);
    return h;
  };
  const auto t0 = std::chrono::steady_clock::now();
  for (int e = 0; e <= o.outer_steps; ++e) {
    const std::vector<double> h = hypers();
    const core::RuleOptions rule = with(o.start, o.tuned, h);
    if (const std::string bad = core::validate(rule); !bad.empty())
      throw std::domain_error("tune: outer step " + std::to_string(e) + " left the rule's range (" +
                              bad + "); lower outer_lr");
    for (std::size_t j = 0; j < k; ++j) r.path(e, static_cast<Eigen::Index>(j)) = h[j];
    double sum = 0;
    if (e == o.outer_steps) {  // the final hyper-parameters on a batch not trained on
      for (std::uint64_t i = 0; i < B; ++i)
        sum += inner_loss(o, draw_task(o.tasks, o.seed, static_cast<std::uint64_t>(e) * B + i),
                          rule, r.theta0);
      r.meta_loss[e] = sum / static_cast<double>(B);
      break;
    }
    dphi.setZero();
    for (std::uint64_t i = 0; i < B; ++i) {
      const SineTask t = draw_task(o.tasks, o.seed, static_cast<std::uint64_t>(e) * B + i);
      const auto train = ah::mlp_problem(o.net, t.x_train, t.y_train);
      const auto val = ah::mlp_problem(o.net, t.x_val, t.y_val);
      ah::UnrollOptions u;
      u.rule = rule;
      u.steps = o.inner_steps;
      u.wrt = o.tuned;
      u.mode = ah::Mode::kReverse;
      ah::UnrollResult ur;
      try {
        ur = ah::unroll(*train, r.theta0, u, val.get());
      } catch (const std::domain_error& err) {
        throw std::domain_error("tune: the inner run on task " + std::to_string(e * B + i) +
                                " at outer step " + std::to_string(e) + " diverged (" + err.what() +
                                "); lower outer_lr or the starting lr");
      }
      ++r.inner_runs_tuning;
      // The objective is ln MSE: tasks of every amplitude count alike (d ln F = dF / F).
      sum += std::log(ur.meta_loss);
      for (std::size_t j = 0; j < k; ++j)
        dphi[static_cast<Eigen::Index>(j)] +=
            ur.d(o.tuned[j]) / ur.meta_loss * dh_dphi(o.tuned[j], h[j]);
    }
    r.meta_loss[e] = sum / static_cast<double>(B);
    dphi /= static_cast<double>(B);
    outer.step(phi, dphi);
    if (progress) {
      std::ostringstream line;
      line << "tune: outer step " << e + 1 << "/" << o.outer_steps << "  meta-loss "
           << r.meta_loss[e];
      for (std::size_t j = 0; j < k; ++j) line << "  " << o.tuned[j] << " " << h[j];
      progress(line.str());
    }
  }
  r.seconds_tuning = seconds_since(t0);

  // ---- grid search with the same number of inner runs ----
  const auto t1 = std::chrono::steady_clock::now();
  const bool with_beta1 =
      std::find(o.tuned.begin(), o.tuned.end(), "beta1") != o.tuned.end() && o.outer_steps >= 4;
  const std::vector<double> beta1s =
      with_beta1 ? std::vector<double>{0.5, 0.8, 0.9, 0.99} : std::vector<double>{std::nan("")};
  const int n_lr = std::max(1, o.outer_steps / static_cast<int>(beta1s.size()));
  std::vector<SineTask> grid_tasks;
  for (std::uint64_t i = 0; i < B; ++i) grid_tasks.push_back(draw_task(o.tasks, o.seed, i));
  std::vector<double> glr, gb1, gloss;
  for (double b1 : beta1s)
    for (int i = 0; i < n_lr; ++i) {
      const double lr = n_lr == 1 ? 1e-2 : 1e-4 * std::pow(10.0, 4.0 * i / (n_lr - 1));
      core::RuleOptions rule = o.start;
      core::set_field(rule, "lr", lr);
      if (with_beta1) core::set_field(rule, "beta1", b1);
      double sum = 0;
      for (const SineTask& t : grid_tasks) {
        sum += inner_loss(o, t, rule, r.theta0);
        ++r.inner_runs_grid;
      }
      glr.push_back(lr);
      gb1.push_back(b1);
      gloss.push_back(sum / static_cast<double>(B));
    }
  r.grid_lr = Eigen::Map<Eigen::VectorXd>(glr.data(), static_cast<Eigen::Index>(glr.size()));
  r.grid_beta1 = Eigen::Map<Eigen::VectorXd>(gb1.data(), static_cast<Eigen::Index>(gb1.size()));
  r.grid_loss = Eigen::Map<Eigen::VectorXd>(gloss.data(), static_cast<Eigen::Index>(gloss.size()));
  Eigen::Index best = 0;
  r.grid_loss.minCoeff(&best);
  r.seconds_grid = seconds_since(t1);

  // ---- held-out evaluation ----
  core::RuleOptions grid_rule = o.start;
  core::set_field(grid_rule, "lr", r.grid_lr[best]);
  if (with_beta1) core::set_field(grid_rule, "beta1", r.grid_beta1[best]);
  const std::vector<double> final_h = hypers();
  r.evals = {{"start", o.start, 0, 0},
             {"grid", grid_rule, 0, 0},
             {"tuned", with(o.start, o.tuned, final_h), 0, 0}};
  for (TuneEval& ev : r.evals) {
    std::vector<double> losses;
    for (int i = 0; i < o.eval_tasks; ++i)
      losses.push_back(
          inner_loss(o, draw_task(o.tasks, o.seed, kHeldOutTasks + static_cast<std::uint64_t>(i)),
                     ev.rule, r.theta0));
    const MeanStderr m = mean_and_stderr(losses);
    ev.mean = m.mean;
    ev.stderr_mean = m.stderr_mean;
  }
  return r;
}

}  // namespace adamant::meta
