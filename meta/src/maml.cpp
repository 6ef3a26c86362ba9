// MAML with an Adam inner loop (maml.hpp).

#include "adamant/meta/maml.hpp"

#include <chrono>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "adamant/core/hyper.hpp"
#include "adamant/core/optimizer.hpp"

namespace adamant::meta {

namespace ah = core::hyper;

core::MlpSpec MamlOptions::default_net() {
  core::MlpSpec s;
  s.layer_sizes = {1, 40, 40, 1};
  s.hidden = core::Activation::kReLU;
  return s;
}
SineFamily MamlOptions::default_tasks() {
  SineFamily f;
  f.train_points = 10;
  f.val_points = 10;
  return f;
}
core::RuleOptions MamlOptions::default_inner() {
  core::AdamOptions a;
  a.lr = 0.01;
  return a;
}

std::string MamlOptions::validate() const {
  std::ostringstream e;
  auto add = [&](const std::string& m) { e << (e.tellp() ? "; " : "") << m; };
  if (const std::string r = core::validate(inner); !r.empty()) add("inner: " + r);
  if (const std::string n = net.validate(); !n.empty()) add("net: " + n);
  if (net.layer_sizes.size() >= 2 && (net.layer_sizes.front() != 1 || net.layer_sizes.back() != 1))
    add("net must take 1 input and give 1 output (sine regression)");
  if (const std::string t = tasks.validate(); !t.empty()) add("tasks: " + t);
  if (inner_steps < 1) add("inner_steps must be >= 1, got " + std::to_string(inner_steps));
  if (iterations < 1) add("iterations must be >= 1, got " + std::to_string(iterations));
  if (meta_batch < 1) add("meta_batch must be >= 1, got " + std::to_string(meta_batch));
  if (!(outer_lr > 0) || !std::isfinite(outer_lr))
    add("outer_lr must be finite and > 0, got " + std::to_string(outer_lr));
  if (eval_tasks < 1) add("eval_tasks must be >= 1, got " + std::to_string(eval_tasks));
  if (eval_points < 1) add("eval_points must be >= 1, got " + std::to_string(eval_points));
  return e.str();
}

Eigen::VectorXd adapt(const MamlOptions& o, const Eigen::VectorXd& theta0, const SineTask& t) {
  return adapt(o.net, o.inner, o.inner_steps, theta0, t);
}

MamlResult run_maml(const MamlOptions& o, const std::function<void(const std::string&)>& progress) {
  if (const std::string e = o.validate(); !e.empty()) throw std::invalid_argument("maml: " + e);
  MamlResult r;
  r.options = o;
  core::Mlp<double> mlp(o.net);
  r.init.resize(mlp.num_parameters());
  mlp.init_parameters(r.init, o.seed);
  const auto n = r.init.size();
  const auto B = static_cast<std::uint64_t>(o.meta_batch);
  for (const char* name : {"maml", "fomaml", "pretrained"}) {
    MamlMethod m;
    m.name = name;
    m.theta0 = r.init;
    m.curve.resize(o.iterations);
    core::AdamOptions outer_rule;
    outer_rule.lr = o.outer_lr;
    core::Optimizer<double> outer(outer_rule, static_cast<std::size_t>(n));
    Eigen::VectorXd grad(n), g(n);
    const auto t0 = std::chrono::steady_clock::now();
    for (int it = 0; it < o.iterations; ++it) {
      grad.setZero();
      double sum = 0;
      for (std::uint64_t i = 0; i < B; ++i) {
        const SineTask t = draw_task(o.tasks, o.seed, static_cast<std::uint64_t>(it) * B + i);
        const auto train = ah::mlp_problem(o.net, t.x_train, t.y_train);
        const auto query = ah::mlp_problem(o.net, t.x_val, t.y_val);
        if (m.name == "maml") {
          ah::UnrollOptions u;
          u.rule = o.inner;
          u.steps = o.inner_steps;
          u.wrt = {"theta0"};
          u.mode = ah::Mode::kReverse;
          const ah::UnrollResult ur = ah::unroll(*train, m.theta0, u, query.get());
          sum += ur.meta_loss;
          grad += ur.grad_theta0;
        } else if (m.name == "fomaml") {
          const Eigen::VectorXd p = adapt(o, m.theta0, t);
          sum += query->value(p.data(), g.data());
          grad += g;
        } else {
          sum += query->value(m.theta0.data(), g.data());
          grad += g;
        }
      }
      m.curve[it] = sum / static_cast<double>(B);
      grad /= static_cast<double>(B);
      outer.step(m.theta0, grad);
      if (progress && ((it + 1) % 50 == 0 || it + 1 == o.iterations)) {
        std::ostringstream line;
        line << "maml: " << m.name << " " << it + 1 << "/" << o.iterations << "  meta-loss "
             << m.curve[it];
        progress(line.str());
      }
    }
    m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.methods.push_back(std::move(m));
  }
  // Held-out evaluation: the same tasks, shots and query points for every method.
  SineFamily eval = o.tasks;
  eval.val_points = o.eval_points;
  std::vector<std::vector<double>> before(3), after(3);
  for (int i = 0; i < o.eval_tasks; ++i) {
    const SineTask t = draw_task(eval, o.seed, kHeldOutTasks + static_cast<std::uint64_t>(i));
    const auto query = ah::mlp_problem(o.net, t.x_val, t.y_val);
    for (std::size_t k = 0; k < r.methods.size(); ++k) {
      before[k].push_back(query->value(r.methods[k].theta0.data(), nullptr));
      const Eigen::VectorXd p = adapt(o, r.methods[k].theta0, t);
      after[k].push_back(query->value(p.data(), nullptr));
    }
  }
  for (std::size_t k = 0; k < r.methods.size(); ++k) {
    const MeanStderr b = mean_and_stderr(before[k]), a = mean_and_stderr(after[k]);
    r.methods[k].mse_before = b.mean;
    r.methods[k].se_before = b.stderr_mean;
    r.methods[k].mse_after = a.mean;
    r.methods[k].se_after = a.stderr_mean;
  }
  return r;
}

}  // namespace adamant::meta
