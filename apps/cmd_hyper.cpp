// `adamant hyper`: hyper-gradients through whole optimizer runs (core/hyper.hpp).

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <random>
#include <sstream>

#include "adamant/core/hyper.hpp"
#include "adamant/core/optimizer.hpp"
#include "adamant/meta/maml.hpp"
#include "adamant/meta/tune.hpp"
#include "cli.hpp"

namespace adamant::cli {
namespace {

namespace ah = core::hyper;

// A problem, its start and (for the MLP) a held-out meta problem.
struct Task {
  std::unique_ptr<ah::Problem> train, meta;
  Eigen::VectorXd theta0;
  std::string what;
};

double uniform(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// Seeded regression of y = sin(x₁) cos(x₂) + 0.05 noise on x ∈ U[−2, 2]², 64 training and 64
// validation samples, a 2-16-16-1 tanh network with PyTorch's initialisation.
Task mlp_task(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto draw = [&](Eigen::MatrixXd& x, Eigen::MatrixXd& y) {
    x.resize(64, 2);
    y.resize(64, 1);
    for (Eigen::Index i = 0; i < 64; ++i) {
      x(i, 0) = -2 + 4 * uniform(rng);
      x(i, 1) = -2 + 4 * uniform(rng);
      // Box–Muller noise.
      const double u1 = std::max(uniform(rng), 1e-300), u2 = uniform(rng);
      const double noise = std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
      y(i, 0) = std::sin(x(i, 0)) * std::cos(x(i, 1)) + 0.05 * noise;
    }
  };
  Eigen::MatrixXd x, y, xv, yv;
  draw(x, y);
  draw(xv, yv);
  core::MlpSpec spec;
  spec.layer_sizes = {2, 16, 16, 1};
  spec.hidden = core::Activation::kTanh;
  Task t;
  t.train = ah::mlp_problem(spec, x, y);
  t.meta = ah::mlp_problem(spec, xv, yv);
  core::Mlp<double> mlp(spec);
  t.theta0.resize(mlp.num_parameters());
  mlp.init_parameters(t.theta0, seed);
  t.what = t.train->describe() + ", meta-loss on 64 held-out samples";
  return t;
}

Task make_task(const std::string& name, std::uint64_t seed) {
  if (name == "mlp") return mlp_task(seed);
  for (auto& p : core::standard_problems<double>()) {
    if (p->name() != name) continue;
    Task t;
    t.theta0 = p->x0();
    t.what = p->describe();
    t.train = ah::from_test_problem(std::shared_ptr<const core::Problem<double>>(std::move(p)));
    return t;
  }
  throw UsageError("--problem must be mlp, quadratic, rosenbrock, saddle, ridge or huber, got '" +
                   name + "'");
}

// F(θ_T) of the same run through the fused optimizer.
double fused(const Task& t, const core::RuleOptions& rule, const ah::UnrollOptions& o) {
  core::OptimizerOptions oo;
  oo.clip_grad_norm = o.clip_grad_norm;
  oo.clip_grad_value = o.clip_grad_value;
  oo.clip_update_value = o.clip_update_value;
  if (o.schedule) oo.schedule = ah::rebase(*o.schedule, core::get_field(rule, "lr"));
  core::Optimizer<double> opt(rule, t.train->dim(), oo);
  Eigen::VectorXd p = t.theta0, g(p.size());
  for (std::int64_t s = 0; s < o.steps; ++s) {
    t.train->value(p.data(), g.data());
    opt.step(p, g);
  }
  return (t.meta ? *t.meta : *t.train).value(p.data(), nullptr);
}

int grad(Args& args) {
  const std::string problem = args.str("problem", "mlp",
                                       "mlp (seeded 2-16-16-1 regression, held-out meta-loss), "
                                       "quadratic, rosenbrock, saddle, ridge or huber");
  core::AdamOptions adam;
  adam.lr = 0.01;
  const core::RuleOptions rule = rule_flags(args, adam, "adam");
  const long steps = args.integer("steps", 60, "optimizer steps of the run");
  const std::string mode = args.str("mode", "reverse", "forward or reverse");
  const std::string wrt_text = args.str(
      "wrt", "", "hyper-parameters (and theta0), comma-separated; default: every real one");
  const std::string schedule = args.str("schedule", "constant", "constant or cosine (to 0)");
  const double clip = args.num("clip-grad-norm", 0, "clip gradients by global norm (0: off)");
  const double clip_value =
      args.num("clip-grad-value", 0, "clamp each gradient element to [-c, c] (0: off)");
  const double clip_update =
      args.num("clip-update-value", 0, "clamp each update element to [-u, u] (0: off)");
  const long seed = args.integer("seed", 0, "seed of the mlp problem's data and init");
  const bool no_fd = args.flag("no-fd", "skip the finite-difference column");
  if (args.help()) {
    std::cout << args.usage(
        "Runs an optimizer for --steps steps and prints the derivative of the final (meta-)loss\n"
        "with respect to each hyper-parameter, computed exactly in forward or reverse mode,\n"
        "beside a central finite difference of the same run through the fused optimizer, and\n"
        "d/d theta0 checked along a seeded direction.");
    return 0;
  }
  args.finish();
  if (steps < 1) throw UsageError("--steps must be >= 1");
  const Task t = make_task(problem, static_cast<std::uint64_t>(seed));
  ah::UnrollOptions o;
  o.rule = rule;
  o.steps = steps;
  o.mode = ah::parse_mode(mode);
  o.clip_grad_norm = clip;
  o.clip_grad_value = clip_value;
  o.clip_update_value = clip_update;
  if (schedule == "cosine")
    o.schedule = core::Schedule::cosine(core::get_field(rule, "lr"), steps);
  else if (schedule != "constant")
    throw UsageError("--schedule must be constant or cosine, got '" + schedule + "'");
  o.wrt.clear();
  for (const std::string& f : ah::real_fields(rule))  // momentum 0 switches momentum off
    if (f != "momentum" || core::get_field(rule, f) != 0) o.wrt.push_back(f);
  o.wrt.push_back("theta0");
  if (!wrt_text.empty()) o.wrt = split_list(wrt_text);
  const std::string invalid = o.validate(t.train->dim());
  if (!invalid.empty()) throw UsageError(invalid);

  std::ostringstream clipping;
  if (clip > 0) clipping << ", clip_grad_norm " << clip;
  if (clip_value > 0) clipping << ", clip_grad_value " << clip_value;
  if (clip_update > 0) clipping << ", clip_update_value " << clip_update;
  std::printf("adamant hyper grad: %s\n  on %s\n  %ld steps, %s%s, %s mode\n\n",
              core::describe(rule).c_str(), t.what.c_str(), steps,
              o.schedule ? o.schedule->describe().c_str() : "constant lr", clipping.str().c_str(),
              mode.c_str());
  const ah::UnrollResult r = ah::unroll(*t.train, t.theta0, o, t.meta.get());
  std::printf("meta-loss F(theta_T) = %.10e\n\n", r.meta_loss);
  std::printf("%-16s %14s %20s %20s %10s\n", "wrt", "value", "dF/d (exact)",
              no_fd ? "" : "finite diff.", no_fd ? "" : "rel. diff");
  for (const auto& [name, d] : r.grad) {
    const double x = core::get_field(rule, name);
    std::printf("%-16s %14.6g %20.12e", name.c_str(), x, d);
    if (!no_fd) {
      const double h = name == "beta2" ? std::min(1e-7, (1 - x) / 100)
                       : name == "eps" ? 1e-4 * x
                                       : 1e-6 * std::max(std::abs(x), 1e-3);
      core::RuleOptions plus = rule, minus = rule;
      core::set_field(plus, name, x + h);
      core::set_field(minus, name, x - h);
      // At the edge of a field's range (a weight decay of 0) the difference is one-sided.
      const bool central = core::validate(minus).empty();
      const double fd = central ? (fused(t, plus, o) - fused(t, minus, o)) / (2 * h)
                                : (fused(t, plus, o) - fused(t, rule, o)) / h;
      std::printf(" %20.12e %10.1e%s", fd, std::abs(d - fd) / std::max(std::abs(fd), 1e-300),
                  central ? "" : " (one-sided)");
    }
    std::printf("\n");
  }
  if (r.grad_theta0.size() > 0) {
    // Along a seeded unit direction u: dF/dθ₀ · u against central differences.
    std::mt19937_64 rng(static_cast<std::uint64_t>(seed) + 1);
    Eigen::VectorXd u(r.grad_theta0.size());
    for (Eigen::Index i = 0; i < u.size(); ++i) u[i] = uniform(rng) - 0.5;
    u.normalize();
    std::printf("%-16s %14s %20.12e", "theta0 . u", "|u| = 1", r.grad_theta0.dot(u));
    if (!no_fd) {
      const double h = 1e-6;
      Task tp = make_task(problem, static_cast<std::uint64_t>(seed));
      Task tm = make_task(problem, static_cast<std::uint64_t>(seed));
      tp.theta0 += h * u;
      tm.theta0 -= h * u;
      const double fd = (fused(tp, rule, o) - fused(tm, rule, o)) / (2 * h);
      std::printf(" %20.12e %10.1e", fd,
                  std::abs(r.grad_theta0.dot(u) - fd) / std::max(std::abs(fd), 1e-300));
    }
    std::printf("\n%-16s %14s %20.12e\n", "|dF/dtheta0|", "", r.grad_theta0.norm());
  }
  std::printf(
      "\ncost: %lld gradient evaluations, %lld Hessian-vector products, %.1f KiB of "
      "state-sized buffers at most",
      static_cast<long long>(r.gradient_evals), static_cast<long long>(r.hvp_directions),
      static_cast<double>(r.peak_bytes) / 1024.0);
  if (o.mode == ah::Mode::kReverse)
    std::printf(" (a checkpoint every %lld steps)", static_cast<long long>(r.checkpoint_every));
  std::printf("\n");
  return 0;
}

// The 1-H-...-H-1 network of the sine tasks from --hidden and --activation.
core::MlpSpec sine_net(const std::string& hidden, const std::string& act) {
  core::MlpSpec net;
  net.layer_sizes = {1};
  for (const std::string& h : split_list(hidden)) {
    try {
      net.layer_sizes.push_back(std::stoi(h));
    } catch (const std::exception&) {
      throw UsageError("--hidden must be comma-separated widths, got '" + hidden + "'");
    }
  }
  net.layer_sizes.push_back(1);
  try {
    net.hidden = core::parse_activation(act);
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--activation: ") + e.what());
  }
  return net;
}

int tune(Args& args) {
  meta::TuneOptions o;
  o.start = rule_flags(args, o.start, "adam");  // the start: --optimizer, --lr, --beta1, ...
  const std::string tuned =
      args.str("tune", "lr,beta1,beta2,eps", "hyper-parameters to learn, comma-separated");
  o.inner_steps = args.integer("inner-steps", o.inner_steps, "optimizer steps of each inner run");
  o.outer_steps =
      static_cast<int>(args.integer("outer-steps", o.outer_steps, "outer (meta) Adam steps"));
  o.tasks_per_step = static_cast<int>(
      args.integer("tasks", o.tasks_per_step, "sine tasks per outer step (and per grid point)"));
  o.outer_lr = args.num("outer-lr", o.outer_lr, "outer Adam's learning rate (log / logit space)");
  o.eval_tasks =
      static_cast<int>(args.integer("eval-tasks", o.eval_tasks, "held-out tasks to evaluate on"));
  o.tasks.train_points = static_cast<int>(
      args.integer("shots", o.tasks.train_points, "training points of each task (K)"));
  o.seed = static_cast<std::uint64_t>(args.integer("seed", 0, "seed (tasks, initialisation)"));
  const std::string hidden = args.str("hidden", "32,32", "hidden widths of the network");
  const std::string act = args.str("activation", "tanh", "hidden activation");
  const std::string file = args.str("output", "", "write FILE.h5 and FILE.png beside it", 'o');
  const std::string dir = args.str("out", "", "write DIR/hyper_tune.h5 and its PNG");
  const bool no_save = args.flag("no-save", "write no files");
  const bool quiet = args.flag("quiet", "no progress on stderr");
  if (args.help()) {
    std::cout << args.usage(
        "Learns the optimizer's hyper-parameters by gradient descent through whole inner runs:\n"
        "each outer step trains a 1-H-H-1 network with the rule on --tasks sine-wave regression\n"
        "tasks (Finn et al. 2017: y = A sin(x - phi), A in [0.1, 5], phi in [0, pi], x in\n"
        "[-5, 5]) and takes an Adam step on (log lr, logit beta1, logit beta2, log eps) along\n"
        "the exact hyper-gradient of the mean ln validation MSE (reverse mode). Beside it, a\n"
        "grid search over lr (and beta1) with the same number of inner runs; all three (start,\n"
        "grid's best, tuned) are evaluated on --eval-tasks held-out tasks. Writes the path, the\n"
        "grid and the evaluation (schema 'hyper_tune') and a PNG of the meta-loss and the\n"
        "hyper-parameters along the outer steps.");
    return 0;
  }
  args.finish();
  o.tuned = split_list(tuned);
  o.net = sine_net(hidden, act);
  if (const std::string why = o.validate(); !why.empty()) throw UsageError(why);
  const Output out = output_paths(file, dir, "hyper_tune", no_save);
  std::printf(
      "adamant hyper tune: %s from %s\n  %d outer steps x %d tasks, %lld inner steps, "
      "network %s, %d held-out tasks\n",
      tuned.c_str(), core::describe(o.start).c_str(), o.outer_steps, o.tasks_per_step,
      static_cast<long long>(o.inner_steps), hidden.c_str(), o.eval_tasks);
  std::fflush(stdout);
  ProgressLine line(quiet, 2.0);
  const meta::TuneResult r = meta::tune(o, [&](const std::string& s) { line.show(s); });
  line.done();
  std::printf("\nheld-out meta-loss: mean ln(validation MSE) over %d tasks (lower is better)\n",
              o.eval_tasks);
  std::printf("%-8s %12s %9s %14s %6s", "", "mean ln MSE", "s.e.", "geo-mean MSE", "runs");
  for (const std::string& t : o.tuned) std::printf(" %12s", t.c_str());
  std::printf("\n");
  for (const meta::TuneEval& e : r.evals) {
    const long long runs = e.name == "tuned"  ? r.inner_runs_tuning
                           : e.name == "grid" ? r.inner_runs_grid
                                              : 0;
    std::printf("%-8s %12.4f %9.4f %14.6g %6lld", e.name.c_str(), e.mean, e.stderr_mean,
                std::exp(e.mean), runs);
    for (const std::string& t : o.tuned) std::printf(" %12.6g", core::get_field(e.rule, t));
    std::printf("\n");
  }
  std::printf(
      "\ntime: tuning %.2f s (%lld inner runs, each with its hyper-gradients), grid "
      "%.2f s (%lld inner runs)\n",
      r.seconds_tuning, static_cast<long long>(r.inner_runs_tuning), r.seconds_grid,
      static_cast<long long>(r.inner_runs_grid));
  if (!out.h5.empty()) {
    meta::write_tune(out.h5, r);
    meta::plot_tune(r, out.png);
    std::printf("wrote %s, %s\n", out.h5.c_str(), out.png.c_str());
  }
  return 0;
}

int maml(Args& args) {
  meta::MamlOptions o;
  core::AdamOptions inner;
  inner.lr = 0.01;
  o.inner = rule_flags(args, inner, "adam");  // the inner optimizer: --optimizer, --lr, ...
  o.inner_steps = args.integer("inner-steps", o.inner_steps, "inner steps on each task's shots");
  o.iterations =
      static_cast<int>(args.integer("iterations", o.iterations, "outer steps per method"));
  o.meta_batch = static_cast<int>(args.integer("meta-batch", o.meta_batch, "tasks per outer step"));
  o.outer_lr = args.num("outer-lr", o.outer_lr, "outer Adam's learning rate");
  o.tasks.train_points =
      static_cast<int>(args.integer("shots", o.tasks.train_points, "K: shots per task"));
  o.tasks.val_points =
      static_cast<int>(args.integer("query", o.tasks.val_points, "query points per training task"));
  o.eval_tasks = static_cast<int>(args.integer("eval-tasks", o.eval_tasks, "held-out tasks"));
  o.eval_points = static_cast<int>(
      args.integer("eval-points", o.eval_points, "query points per held-out task"));
  o.seed = static_cast<std::uint64_t>(args.integer("seed", 0, "seed (tasks, initialisation)"));
  const std::string hidden = args.str("hidden", "40,40", "hidden widths of the network");
  const std::string act = args.str("activation", "relu", "hidden activation");
  const std::string file = args.str("output", "", "write FILE.h5 and FILE.png beside it", 'o');
  const std::string dir = args.str("out", "", "write DIR/hyper_maml.h5 and its PNG");
  const bool no_save = args.flag("no-save", "write no files");
  const bool quiet = args.flag("quiet", "no progress on stderr");
  if (args.help()) {
    std::cout << args.usage(
        "MAML with an Adam inner loop on Finn et al.'s sine regression: learns a network's\n"
        "initialisation so that --inner-steps steps of the inner optimizer on K shots of a new\n"
        "task fit it. Three ways, same outer Adam and tasks: maml (the full second-order\n"
        "meta-gradient through the inner Adam's m and v, reverse mode), fomaml (first order)\n"
        "and pretrained (one network for all tasks, adapted the same way). Prints the held-out\n"
        "query MSE before and after adaptation; writes the study (schema 'hyper_maml') and a\n"
        "PNG of three held-out tasks with each method's adapted curve.");
    return 0;
  }
  args.finish();
  o.net = sine_net(hidden, act);
  if (const std::string why = o.validate(); !why.empty()) throw UsageError(why);
  const Output out = output_paths(file, dir, "hyper_maml", no_save);
  std::printf(
      "adamant hyper maml: %d shots, %lld inner steps of %s, network 1-%s-1 %s\n  %d "
      "outer steps x %d tasks per method, %d held-out tasks\n",
      o.tasks.train_points, static_cast<long long>(o.inner_steps), core::describe(o.inner).c_str(),
      hidden.c_str(), act.c_str(), o.iterations, o.meta_batch, o.eval_tasks);
  std::fflush(stdout);
  ProgressLine line(quiet, 2.0);
  const meta::MamlResult r = meta::run_maml(o, [&](const std::string& s) { line.show(s); });
  line.done();
  std::printf(
      "\nheld-out query MSE over %d tasks (%d points each), after %lld inner steps on "
      "%d shots\n",
      o.eval_tasks, o.eval_points, static_cast<long long>(o.inner_steps), o.tasks.train_points);
  std::printf("%-12s %14s %9s %14s %9s %10s\n", "", "after", "s.e.", "before", "s.e.", "train (s)");
  for (const meta::MamlMethod& m : r.methods)
    std::printf("%-12s %14.6g %9.3g %14.6g %9.3g %10.2f\n", m.name.c_str(), m.mse_after, m.se_after,
                m.mse_before, m.se_before, m.seconds);
  if (!out.h5.empty()) {
    meta::write_maml(out.h5, r);
    meta::plot_maml(r, out.png);
    std::printf("wrote %s, %s\n", out.h5.c_str(), out.png.c_str());
  }
  return 0;
}

std::vector<Action> actions() {
  return {{"grad", "Print a run's exact hyper-gradients beside central finite differences", grad},
          {"tune", "Learn lr, betas, eps over a family of tasks by hyper-gradient descent", tune},
          {"maml",
           "MAML with an Adam inner loop on sine regression (second order, first order, "
           "pretrained)",
           maml}};
}

}  // namespace

int run_hyper(Args& args) { return run_action(args, "hyper", actions()); }

}  // namespace adamant::cli
